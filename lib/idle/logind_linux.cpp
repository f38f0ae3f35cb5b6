#include <dbus/dbus.h>
#include <sys/stat.h>

#include <cstdlib>
#include <vector>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "idle/dynlib.hpp"
#include "idle/input_linux.hpp"

namespace ia::idle {

namespace {

constexpr int k_call_timeout_ms = 500;
constexpr const char* k_login1 = "org.freedesktop.login1";

// libdbus is loaded at run time like libX11: on a machine without a system bus (a
// container, this test machine) the check stays as cheap as one stat(2).
struct DbusApi {
  decltype(&dbus_error_init) error_init = nullptr;
  decltype(&dbus_error_free) error_free = nullptr;
  decltype(&dbus_connection_open_private) open_private = nullptr;
  decltype(&dbus_bus_register) bus_register = nullptr;
  decltype(&dbus_connection_close) close = nullptr;
  decltype(&dbus_connection_unref) unref = nullptr;
  decltype(&dbus_message_new_method_call) new_call = nullptr;
  decltype(&dbus_message_append_args) append_args = nullptr;
  decltype(&dbus_connection_send_with_reply_and_block) call = nullptr;
  decltype(&dbus_message_unref) message_unref = nullptr;
  decltype(&dbus_message_iter_init) iter_init = nullptr;
  decltype(&dbus_message_iter_get_arg_type) arg_type = nullptr;
  decltype(&dbus_message_iter_recurse) recurse = nullptr;
  decltype(&dbus_message_iter_next) next = nullptr;
  decltype(&dbus_message_iter_get_basic) basic = nullptr;

  bool load(const DynLib& lib) {
    return lib.get("dbus_error_init", error_init) && lib.get("dbus_error_free", error_free) &&
           lib.get("dbus_connection_open_private", open_private) &&
           lib.get("dbus_bus_register", bus_register) &&
           lib.get("dbus_connection_close", close) && lib.get("dbus_connection_unref", unref) &&
           lib.get("dbus_message_new_method_call", new_call) &&
           lib.get("dbus_message_append_args", append_args) &&
           lib.get("dbus_connection_send_with_reply_and_block", call) &&
           lib.get("dbus_message_unref", message_unref) &&
           lib.get("dbus_message_iter_init", iter_init) &&
           lib.get("dbus_message_iter_get_arg_type", arg_type) &&
           lib.get("dbus_message_iter_recurse", recurse) &&
           lib.get("dbus_message_iter_next", next) &&
           lib.get("dbus_message_iter_get_basic", basic);
  }
};

struct Session {
  std::string id, user, path, class_name;
  bool idle_hint = false, locked = false;
  std::uint64_t idle_since_us = 0;
};

class Bus {
 public:
  Bus(const DbusApi& api, DBusConnection* connection) : m_api(api), m_conn(connection) {}
  ~Bus() {
    m_api.close(m_conn);
    m_api.unref(m_conn);
  }
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // Sends one method call; the reply (to unref) or an Error naming the D-Bus error.
  Result<DBusMessage*> call(const char* path, const char* interface, const char* method,
                            const char* string_arg) {
    DBusMessage* message = m_api.new_call(k_login1, path, interface, method);
    if (!message) return make_error(ErrorCode::internal, "out of memory");
    if (string_arg) m_api.append_args(message, DBUS_TYPE_STRING, &string_arg, DBUS_TYPE_INVALID);
    DBusError error;
    m_api.error_init(&error);
    DBusMessage* reply = m_api.call(m_conn, message, k_call_timeout_ms, &error);
    m_api.message_unref(message);
    if (!reply) {
      std::string text = std::string(method) + ": " + (error.message ? error.message : "no reply");
      m_api.error_free(&error);
      return make_error(ErrorCode::unavailable, text);
    }
    return reply;
  }

  const DbusApi& api() const { return m_api; }

 private:
  const DbusApi& m_api;
  DBusConnection* m_conn;
};

std::string basic_string(const DbusApi& api, DBusMessageIter* it) {
  const char* text = nullptr;
  api.basic(it, &text);
  return text ? text : "";
}

Result<std::vector<Session>> list_sessions(Bus& bus) {
  const DbusApi& api = bus.api();
  Result<DBusMessage*> reply = bus.call("/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                        "ListSessions", nullptr);
  if (!reply) return reply.error();
  std::vector<Session> sessions;
  DBusMessageIter top, array, entry;
  if (api.iter_init(*reply, &top) && api.arg_type(&top) == DBUS_TYPE_ARRAY) {
    for (api.recurse(&top, &array); api.arg_type(&array) == DBUS_TYPE_STRUCT; api.next(&array)) {
      api.recurse(&array, &entry);
      Session session;
      // (susso): id, uid, user name, seat, object path
      for (int field = 0; api.arg_type(&entry) != DBUS_TYPE_INVALID; ++field, api.next(&entry)) {
        int type = api.arg_type(&entry);
        if (field == 0 && type == DBUS_TYPE_STRING) session.id = basic_string(api, &entry);
        if (field == 2 && type == DBUS_TYPE_STRING) session.user = basic_string(api, &entry);
        if (field == 4 && type == DBUS_TYPE_OBJECT_PATH) session.path = basic_string(api, &entry);
      }
      if (!session.path.empty()) sessions.push_back(session);
    }
  }
  api.message_unref(*reply);
  return sessions;
}

void read_property(const DbusApi& api, const std::string& name, DBusMessageIter* variant,
                   Session& session) {
  int type = api.arg_type(variant);
  if (type == DBUS_TYPE_BOOLEAN) {
    dbus_bool_t value = 0;
    api.basic(variant, &value);
    if (name == "IdleHint") session.idle_hint = value;
    if (name == "LockedHint") session.locked = value;
  } else if (type == DBUS_TYPE_UINT64 && name == "IdleSinceHint") {
    dbus_uint64_t value = 0;
    api.basic(variant, &value);
    session.idle_since_us = value;
  } else if (type == DBUS_TYPE_STRING && name == "Class") {
    session.class_name = basic_string(api, variant);
  }
}

Status read_session(Bus& bus, Session& session) {
  const DbusApi& api = bus.api();
  Result<DBusMessage*> reply = bus.call(session.path.c_str(), "org.freedesktop.DBus.Properties",
                                        "GetAll", "org.freedesktop.login1.Session");
  if (!reply) return reply.error();
  DBusMessageIter top, array, entry, variant;
  if (api.iter_init(*reply, &top) && api.arg_type(&top) == DBUS_TYPE_ARRAY) {
    for (api.recurse(&top, &array); api.arg_type(&array) == DBUS_TYPE_DICT_ENTRY; api.next(&array)) {
      api.recurse(&array, &entry);
      if (api.arg_type(&entry) != DBUS_TYPE_STRING) continue;
      std::string name = basic_string(api, &entry);
      api.next(&entry);
      if (api.arg_type(&entry) != DBUS_TYPE_VARIANT) continue;
      api.recurse(&entry, &variant);
      read_property(api, name, &variant, session);
    }
  }
  api.message_unref(*reply);
  return {};
}

std::string bus_address(const std::string& address) {
  if (!address.empty()) return address;
  const char* env = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
  if (env && *env) return env;
  return "unix:path=/run/dbus/system_bus_socket";
}

// The socket a "unix:path=..." address names, or "" for other transports.
std::string socket_path(const std::string& address) {
  if (!starts_with(address, "unix:path=")) return "";
  std::string rest = address.substr(10);
  return rest.substr(0, rest.find_first_of(",;"));
}

void summarize(InputSource& source, const std::vector<Session>& sessions) {
  std::vector<std::string> parts;
  std::int64_t now_ms = unix_now_ms();
  bool any_counted = false;
  for (const Session& s : sessions) {
    std::string label = "session " + s.id + (s.user.empty() ? "" : " (" + s.user + ")");
    // Greeters and lock screens are not someone at work.
    if (!s.class_name.empty() && s.class_name != "user") {
      parts.push_back(label + ": class " + s.class_name + ", ignored");
      continue;
    }
    any_counted = true;
    if (s.locked) {
      parts.push_back(label + ": locked");
      continue;
    }
    std::int64_t idle = 0;
    if (s.idle_hint) {
      std::int64_t since = static_cast<std::int64_t>(s.idle_since_us / 1000);
      idle = since > 0 && since < now_ms ? now_ms - since : 0;
    }
    parts.push_back(label + (s.idle_hint ? ": idle" : ": active"));
    if (!source.idle_ms || idle < *source.idle_ms) source.idle_ms = idle;
  }
  source.locked = any_counted && !source.idle_ms;
  if (sessions.empty()) parts.push_back("no sessions");
  source.detail = join(parts, ", ");
}

}  // namespace

InputSource logind_input_source(const std::string& requested_address) {
  InputSource source;
  source.name = "logind";
  std::string address = bus_address(requested_address);
  std::string socket = socket_path(address);
  struct stat st {};
  if (!socket.empty() && ::stat(socket.c_str(), &st) != 0) {
    source.detail = "no system bus at " + socket;
    return source;
  }
  Result<DynLib> lib = DynLib::open("libdbus-1.so.3");
  DbusApi api;
  if (!lib || !api.load(*lib)) {
    source.detail = lib ? "libdbus-1 lacks an expected function" : lib.error().message;
    return source;
  }
  // libdbus keeps process-wide state (its type registry, shutdown hooks); it stays loaded.
  lib->keep_loaded();
  DBusError error;
  api.error_init(&error);
  DBusConnection* connection = api.open_private(address.c_str(), &error);
  if (connection && !api.bus_register(connection, &error)) {
    api.close(connection);
    api.unref(connection);
    connection = nullptr;
  }
  if (!connection) {
    source.detail = "cannot reach the system bus at " + address + ": " +
                    (error.message ? error.message : "?");
    api.error_free(&error);
    return source;
  }
  Bus bus(api, connection);
  Result<std::vector<Session>> sessions = list_sessions(bus);
  if (!sessions) {
    source.detail = "logind not answering on " + address + ": " + sessions.error().message;
    return source;
  }
  for (Session& session : *sessions) {
    if (Status read = read_session(bus, session); !read) {
      source.detail = "logind session " + session.id + ": " + read.error().message;
      return source;
    }
  }
  source.present = true;
  summarize(source, *sessions);
  return source;
}

}  // namespace ia::idle
