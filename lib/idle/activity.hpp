// ActivityWatch: the owner's input as events, not polling. A thread waits on the event
// sources the machine has (Linux: an XSync IDLETIME alarm on $DISPLAY, /dev/input/event*
// through epoll, reads of terminals through inotify on /dev/pts and the ttys) and calls
// back at the first input after a quiet spell, so a watcher can look at once instead of
// at its next interval. Polling stays the fallback where no source is live.
// Thread-safe: sources() and last_input() may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "idle/sample.hpp"

namespace ia::idle {

struct EventSource {
  std::string name;  // x11-events, evdev, terminal-events
  bool live = false;
  std::string detail;  // what is watched, or why not
};

class ActivityWatch {
 public:
  struct Impl;
  // on_input runs on the watch's thread at the first input after a quiet spell (at most
  // one call per 100 ms): keep it short, it only wakes the watcher.
  static std::unique_ptr<ActivityWatch> start(std::string root, std::function<void()> on_input);
  ~ActivityWatch();

  std::vector<EventSource> sources() const;
  // Input sources for Samples: one per live event source, idle since its last event.
  std::vector<InputSource> input_sources() const;

 private:
  explicit ActivityWatch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace ia::idle
