// A stand-in for systemd-logind on a test's own D-Bus bus: owns org.freedesktop.login1
// and answers Manager.ListSessions and Properties.GetAll for its sessions, so ia-idle's
// real D-Bus client runs against it. Sessions come from a file re-read on every call:
//   session ID UID USER CLASS idle=0|1 idle_ms=N locked=0|1
// Usage: fake_logind BUS_ADDRESS SCRIPT_FILE   (prints "ready" once the name is owned)
#include <dbus/dbus.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Session {
  std::string id, user, class_name;
  unsigned uid = 0;
  bool idle = false, locked = false;
  unsigned long long idle_ms = 0;
  std::string path() const { return "/org/freedesktop/login1/session/_" + id; }
};

std::vector<Session> read_sessions(const char* file) {
  std::vector<Session> sessions;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    if (!(words >> kind) || kind != "session") continue;
    Session s;
    std::string idle, idle_ms, locked;
    words >> s.id >> s.uid >> s.user >> s.class_name >> idle >> idle_ms >> locked;
    s.idle = idle == "idle=1";
    s.idle_ms = std::stoull(idle_ms.substr(idle_ms.find('=') + 1));
    s.locked = locked == "locked=1";
    sessions.push_back(s);
  }
  return sessions;
}

void append_variant(DBusMessageIter* dict, const char* name, int type, const void* value) {
  DBusMessageIter entry, variant;
  char signature[2] = {static_cast<char>(type), 0};
  dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, nullptr, &entry);
  dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &name);
  dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, signature, &variant);
  dbus_message_iter_append_basic(&variant, type, value);
  dbus_message_iter_close_container(&entry, &variant);
  dbus_message_iter_close_container(dict, &entry);
}

DBusMessage* list_sessions(DBusMessage* call, const std::vector<Session>& sessions) {
  DBusMessage* reply = dbus_message_new_method_return(call);
  DBusMessageIter top, array, entry;
  dbus_message_iter_init_append(reply, &top);
  dbus_message_iter_open_container(&top, DBUS_TYPE_ARRAY, "(susso)", &array);
  for (const Session& s : sessions) {
    std::string path = s.path();
    const char *id = s.id.c_str(), *user = s.user.c_str(), *seat = "seat0", *p = path.c_str();
    dbus_uint32_t uid = s.uid;
    dbus_message_iter_open_container(&array, DBUS_TYPE_STRUCT, nullptr, &entry);
    dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &id);
    dbus_message_iter_append_basic(&entry, DBUS_TYPE_UINT32, &uid);
    dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &user);
    dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &seat);
    dbus_message_iter_append_basic(&entry, DBUS_TYPE_OBJECT_PATH, &p);
    dbus_message_iter_close_container(&array, &entry);
  }
  dbus_message_iter_close_container(&top, &array);
  return reply;
}

DBusMessage* get_all(DBusMessage* call, const Session& s) {
  DBusMessage* reply = dbus_message_new_method_return(call);
  DBusMessageIter top, dict;
  dbus_message_iter_init_append(reply, &top);
  dbus_message_iter_open_container(&top, DBUS_TYPE_ARRAY, "{sv}", &dict);
  auto now_us = static_cast<dbus_uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch()).count());
  dbus_bool_t idle = s.idle, locked = s.locked;
  dbus_uint64_t since = s.idle ? now_us - s.idle_ms * 1000 : 0;
  const char* class_name = s.class_name.c_str();
  const char* name = s.user.c_str();
  append_variant(&dict, "Name", DBUS_TYPE_STRING, &name);
  append_variant(&dict, "Class", DBUS_TYPE_STRING, &class_name);
  append_variant(&dict, "IdleHint", DBUS_TYPE_BOOLEAN, &idle);
  append_variant(&dict, "IdleSinceHint", DBUS_TYPE_UINT64, &since);
  append_variant(&dict, "LockedHint", DBUS_TYPE_BOOLEAN, &locked);
  dbus_message_iter_close_container(&top, &dict);
  return reply;
}

DBusMessage* answer(DBusMessage* call, const char* script) {
  std::vector<Session> sessions = read_sessions(script);
  const char* path = dbus_message_get_path(call);
  if (dbus_message_is_method_call(call, "org.freedesktop.login1.Manager", "ListSessions"))
    return list_sessions(call, sessions);
  if (dbus_message_is_method_call(call, "org.freedesktop.DBus.Properties", "GetAll")) {
    for (const Session& s : sessions) {
      if (path && s.path() == path) return get_all(call, s);
    }
    return dbus_message_new_error(call, "org.freedesktop.DBus.Error.UnknownObject", "no such session");
  }
  return dbus_message_new_error(call, DBUS_ERROR_UNKNOWN_METHOD, "not faked");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fake_logind BUS_ADDRESS SCRIPT_FILE\n");
    return 2;
  }
  DBusError error;
  dbus_error_init(&error);
  DBusConnection* conn = dbus_connection_open_private(argv[1], &error);
  if (!conn || !dbus_bus_register(conn, &error) ||
      dbus_bus_request_name(conn, "org.freedesktop.login1", DBUS_NAME_FLAG_DO_NOT_QUEUE, &error) !=
          DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
    std::fprintf(stderr, "fake_logind: %s\n", error.message ? error.message : "cannot own name");
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  while (dbus_connection_read_write(conn, 1000)) {
    while (DBusMessage* message = dbus_connection_pop_message(conn)) {
      if (dbus_message_get_type(message) == DBUS_MESSAGE_TYPE_METHOD_CALL) {
        DBusMessage* reply = answer(message, argv[2]);
        dbus_connection_send(conn, reply, nullptr);
        dbus_message_unref(reply);
      }
      dbus_message_unref(message);
    }
  }
  return 0;
}
