#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <dirent.h>

#include <climits>
#include <map>
#include <mutex>
#include <thread>

#include "core/time.hpp"
#include "idle/activity.hpp"
#include "idle/x11_display_linux.hpp"

namespace ia::idle {

namespace {

constexpr std::int64_t k_callback_gap_ms = 100;
// epoll tags: the fd kinds the thread tells apart.
enum Tag : std::uint64_t { k_stop = 0, k_x11 = 1, k_inotify = 2, k_evdev = 3 };

std::uint64_t tag(Tag kind, int fd) { return (static_cast<std::uint64_t>(fd) << 8) | kind; }

// The XSync extension's types (sync.h, syncproto.h): declared here, as libXext is
// dlopen()ed. The IDLETIME system counter is the server's time since the last input.
struct XSyncValue {
  int hi;
  unsigned int lo;
};
struct XSyncTrigger {
  unsigned long counter;
  int value_type;
  XSyncValue wait_value;
  int test_type;
};
struct XSyncAlarmAttributes {
  XSyncTrigger trigger;
  XSyncValue delta;
  int events;
  int state;
};
struct XSyncSystemCounter {
  char* name;
  unsigned long counter;
  XSyncValue resolution;
};
constexpr unsigned long k_sync_ca_counter = 1ul << 0, k_sync_ca_value_type = 1ul << 1,
                        k_sync_ca_value = 1ul << 2, k_sync_ca_test_type = 1ul << 3,
                        k_sync_ca_delta = 1ul << 4, k_sync_ca_events = 1ul << 5;
constexpr int k_sync_absolute = 0;
constexpr int k_sync_negative_transition = 1;

}  // namespace

struct ActivityWatch::Impl {
  std::string root;
  std::function<void()> on_input;
  int epoll_fd = -1;
  int stop_fd = -1;
  int inotify_fd = -1;
  int input_dir_wd = -1;
  int pts_wd = -1;
  X11Display x11;  // used by the thread once it runs
  using CreateAlarm = unsigned long (*)(XDisplay*, unsigned long, XSyncAlarmAttributes*);
  using ChangeAlarm = int (*)(XDisplay*, unsigned long, unsigned long, XSyncAlarmAttributes*);
  using Flush = int (*)(XDisplay*);
  CreateAlarm create_alarm = nullptr;
  ChangeAlarm change_alarm = nullptr;
  Flush flush = nullptr;
  unsigned long idle_counter = 0;
  unsigned long alarm = 0;
  XSyncAlarmAttributes attributes{};
  std::thread thread;
  std::int64_t last_callback_ms = 0;  // thread only

  mutable std::mutex mutex;
  std::vector<EventSource> sources;             // guarded by mutex
  std::map<std::string, std::int64_t> last_ms;  // source -> last input (steady ms); mutex

  ~Impl() {
    for (int fd : {epoll_fd, stop_fd, inotify_fd}) {
      if (fd >= 0) ::close(fd);
    }
  }

  void watch(int fd, std::uint64_t key) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = key;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
  }

  void set_source(const std::string& name, bool live, const std::string& detail) {
    std::lock_guard<std::mutex> lock(mutex);
    for (EventSource& s : sources) {
      if (s.name == name) {
        s.live = live;
        s.detail = detail;
        return;
      }
    }
    sources.push_back({name, live, detail});
  }

  void setup_x11();
  static unsigned long alarm_mask();
  XSyncAlarmAttributes* alarm_attributes();
  void rearm_x11();
  int open_evdev(const std::string& name);
  void setup_evdev();
  void watch_terminal(const std::string& name);
  void setup_terminals();
  void run();
  void note(const std::string& source);
  void read_inotify();
  void read_evdev(int fd);
};

void ActivityWatch::Impl::setup_x11() {
  XDisplay* display = x11.get();
  if (!display) return set_source("x11-events", false, x11.why());
  using QueryExtension = int (*)(XDisplay*, int*, int*);
  using ListCounters = XSyncSystemCounter* (*)(XDisplay*, int*);
  using FreeCounters = void (*)(XSyncSystemCounter*);
  auto query = reinterpret_cast<QueryExtension>(x11.symbol("libXext.so.6", "XSyncQueryExtension"));
  auto initialize = reinterpret_cast<QueryExtension>(x11.symbol("libXext.so.6", "XSyncInitialize"));
  auto list = reinterpret_cast<ListCounters>(x11.symbol("libXext.so.6", "XSyncListSystemCounters"));
  auto free_list = reinterpret_cast<FreeCounters>(x11.symbol("libXext.so.6", "XSyncFreeSystemCounterList"));
  create_alarm = reinterpret_cast<CreateAlarm>(x11.symbol("libXext.so.6", "XSyncCreateAlarm"));
  change_alarm = reinterpret_cast<ChangeAlarm>(x11.symbol("libXext.so.6", "XSyncChangeAlarm"));
  flush = reinterpret_cast<Flush>(x11.x11_symbol("XFlush"));
  if (!query || !initialize || !list || !free_list || !create_alarm || !change_alarm || !flush) {
    return set_source("x11-events", false, "cannot load libXext.so.6 (install libxext6)");
  }
  if (!x11.survives_server_loss()) {
    return set_source("x11-events", false, "libX11 older than 1.7 cannot hold a connection safely");
  }
  int event_base = 0, error_base = 0, major = 3, minor = 1;
  if (!query(display, &event_base, &error_base) || !initialize(display, &major, &minor)) {
    return set_source("x11-events", false, "display " + x11.name() + " lacks the SYNC extension");
  }
  int count = 0;
  XSyncSystemCounter* counters = list(display, &count);
  for (int i = 0; counters && i < count; ++i) {
    if (std::string(counters[i].name) == "IDLETIME") idle_counter = counters[i].counter;
  }
  if (counters) free_list(counters);
  if (!idle_counter) {
    return set_source("x11-events", false, "display " + x11.name() + " has no IDLETIME counter");
  }
  // Fires when the idle time falls below 1 ms: any input after a quiet millisecond.
  alarm = create_alarm(display, alarm_mask(), alarm_attributes());
  flush(display);
  x11.drain_events();
  watch(x11.fd(), tag(k_x11, x11.fd()));
  set_source("x11-events", true, "XSync IDLETIME alarm on " + x11.name());
}

unsigned long ActivityWatch::Impl::alarm_mask() {
  return k_sync_ca_counter | k_sync_ca_value_type | k_sync_ca_value | k_sync_ca_test_type |
         k_sync_ca_delta | k_sync_ca_events;
}

XSyncAlarmAttributes* ActivityWatch::Impl::alarm_attributes() {
  attributes = XSyncAlarmAttributes{};
  attributes.trigger.counter = idle_counter;
  attributes.trigger.value_type = k_sync_absolute;
  attributes.trigger.wait_value = {0, 1};
  attributes.trigger.test_type = k_sync_negative_transition;
  attributes.delta = {0, 0};
  attributes.events = 1;
  return &attributes;
}

// An alarm that fired may be left inactive: set it again after each notification.
void ActivityWatch::Impl::rearm_x11() {
  if (!alarm) return;
  change_alarm(x11.get(), alarm, alarm_mask(), alarm_attributes());
  flush(x11.get());
}

int ActivityWatch::Impl::open_evdev(const std::string& name) {
  int fd = ::open((root + "/dev/input/" + name).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) watch(fd, tag(k_evdev, fd));
  return fd;
}

void ActivityWatch::Impl::setup_evdev() {
  std::string dir = root + "/dev/input";
  input_dir_wd = ::inotify_add_watch(inotify_fd, dir.c_str(), IN_CREATE);
  int opened = 0, refused = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name.rfind("event", 0) != 0) continue;
      (open_evdev(name) >= 0 ? opened : refused) += 1;
    }
    ::closedir(d);
  }
  if (opened > 0) {
    return set_source("evdev", true, std::to_string(opened) + " device(s) in " + dir);
  }
  if (input_dir_wd >= 0) {
    return set_source("evdev", true, "no readable device in " + dir + " yet (" +
                      std::to_string(refused) + " refused); new ones are watched");
  }
  set_source("evdev", false, "no " + dir + " (no input devices, or none the node may read)");
}

void ActivityWatch::Impl::watch_terminal(const std::string& name) {
  if (name.empty() || name[0] == '.' || name == "ptmx") return;
  ::inotify_add_watch(inotify_fd, (root + "/dev/pts/" + name).c_str(), IN_ACCESS);
}

void ActivityWatch::Impl::setup_terminals() {
  // A read of a terminal's slave side is its reader taking input: the owner typing.
  // Output (writes) is not watched: tasks and daemons print to terminals too.
  // A watch on /dev/pts itself reports no reads of the terminals in it (only opens and
  // new ones): each terminal gets its own watch, new ones as they appear.
  std::string pts = root + "/dev/pts";
  pts_wd = ::inotify_add_watch(inotify_fd, pts.c_str(), IN_CREATE);
  if (DIR* d = pts_wd >= 0 ? ::opendir(pts.c_str()) : nullptr) {
    while (dirent* entry = ::readdir(d)) watch_terminal(entry->d_name);
    ::closedir(d);
  }
  int ttys = 0;
  for (int n = 1; n <= 63; ++n) {
    std::string tty = root + "/dev/tty" + std::to_string(n);
    if (::access(tty.c_str(), F_OK) == 0 &&
        ::inotify_add_watch(inotify_fd, tty.c_str(), IN_ACCESS) >= 0) {
      ++ttys;
    }
  }
  if (pts_wd < 0 && ttys == 0) {
    return set_source("terminal-events", false, "cannot watch " + root + "/dev/pts or any tty");
  }
  set_source("terminal-events", true,
             std::string("inotify on ") + (pts_wd >= 0 ? root + "/dev/pts and " : "") +
                 std::to_string(ttys) + " tty(s)");
}

void ActivityWatch::Impl::note(const std::string& source) {
  std::int64_t now = steady_now_ms();
  {
    std::lock_guard<std::mutex> lock(mutex);
    last_ms[source] = now;
  }
  if (now - last_callback_ms < k_callback_gap_ms) return;
  last_callback_ms = now;
  on_input();
}

void ActivityWatch::Impl::read_inotify() {
  alignas(inotify_event) char buffer[4096];
  ssize_t got;
  while ((got = ::read(inotify_fd, buffer, sizeof buffer)) > 0) {
    for (ssize_t at = 0; at < got;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      std::string name = event->len ? event->name : "";
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->wd == input_dir_wd) {
        if ((event->mask & IN_CREATE) && name.rfind("event", 0) == 0 && open_evdev(name) >= 0) {
          set_source("evdev", true, "devices in " + root + "/dev/input, " + name + " added");
        }
      } else if (event->wd == pts_wd) {
        if (event->mask & IN_CREATE) watch_terminal(name);
      } else if (event->mask & IN_ACCESS) {
        note("terminal-events");
      }
    }
  }
}

void ActivityWatch::Impl::read_evdev(int fd) {
  char buffer[24 * 64];  // input_event is 24 bytes on 64-bit
  ssize_t got;
  bool any = false;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0) any = true;
  // An error other than "nothing more now" is an unplugged device; end of file, a
  // stand-in (a FIFO under a test root) whose writer left.
  if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);  // unplugged
    ::close(fd);
  }
  if (any) note("evdev");
}

void ActivityWatch::Impl::run() {
  epoll_event events[16];
  while (true) {
    int n = ::epoll_wait(epoll_fd, events, 16, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    for (int i = 0; i < n; ++i) {
      std::uint64_t key = events[i].data.u64;
      int fd = static_cast<int>(key >> 8);
      switch (static_cast<Tag>(key & 0xff)) {
        case k_stop: return;
        case k_x11:
          if (!x11.drain_events()) {
            ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
            set_source("x11-events", false, "lost the X server " + x11.name());
          } else {
            rearm_x11();
            note("x11-events");
          }
          break;
        case k_inotify: read_inotify(); break;
        case k_evdev: read_evdev(fd); break;
      }
    }
  }
}

std::unique_ptr<ActivityWatch> ActivityWatch::start(std::string root, std::function<void()> on_input) {
  auto impl = std::make_unique<Impl>();
  impl->root = std::move(root);
  impl->on_input = std::move(on_input);
  impl->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  impl->stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  impl->inotify_fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (impl->epoll_fd < 0 || impl->stop_fd < 0) return nullptr;
  impl->watch(impl->stop_fd, tag(k_stop, impl->stop_fd));
  if (impl->inotify_fd >= 0) impl->watch(impl->inotify_fd, tag(k_inotify, impl->inotify_fd));
  impl->setup_x11();
  impl->setup_evdev();
  impl->setup_terminals();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<ActivityWatch>(new ActivityWatch(std::move(impl)));
}

ActivityWatch::ActivityWatch(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

ActivityWatch::~ActivityWatch() {
  std::uint64_t one = 1;
  ssize_t ignored = ::write(m_impl->stop_fd, &one, sizeof one);
  (void)ignored;
  if (m_impl->thread.joinable()) m_impl->thread.join();
}

std::vector<EventSource> ActivityWatch::sources() const {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return m_impl->sources;
}

std::vector<InputSource> ActivityWatch::input_sources() const {
  std::int64_t now = steady_now_ms();
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  std::vector<InputSource> out;
  for (const EventSource& s : m_impl->sources) {
    if (!s.live) continue;
    InputSource input;
    input.name = s.name;
    input.present = true;
    auto last = m_impl->last_ms.find(s.name);
    // No event yet says nothing about before the watch began: no idle time, not busy.
    if (last != m_impl->last_ms.end()) input.idle_ms = now - last->second;
    input.detail = s.detail + (last == m_impl->last_ms.end() ? "; no input seen yet" : "");
    out.push_back(std::move(input));
  }
  return out;
}

}  // namespace ia::idle
