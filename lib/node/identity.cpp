#include "node/identity.hpp"

#include "core/file.hpp"
#include "core/strings.hpp"

#include <unistd.h>

namespace ia::node {
namespace {

bool allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-';
}

}  // namespace

Status validate_node_id(const std::string& id) {
  if (id.empty() || id.size() > 64) {
    return make_error(ErrorCode::invalid_argument,
                      "node id '" + id + "' must be 1 to 64 characters long");
  }
  for (char c : id) {
    if (!allowed(c)) {
      return make_error(ErrorCode::invalid_argument,
                        "node id '" + id + "' has the character '" + std::string(1, c) +
                            "'; use letters, digits, '.', '_' and '-'");
    }
  }
  return {};
}

std::string derive_node_id(const std::string& hostname, const std::string& machine_id) {
  std::string name;
  for (char c : hostname.substr(0, 40)) name += allowed(c) ? c : '-';
  if (name.empty()) name = "node";
  std::string suffix;
  for (char c : machine_id) {
    if (suffix.size() == 8) break;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) suffix += c;
  }
  return suffix.empty() ? name : name + "-" + suffix;
}

Result<std::string> resolve_node_id(const std::string& configured, const std::string& state_dir,
                                    const std::string& root) {
  if (!configured.empty()) {
    IA_TRY(validate_node_id(configured));
    return configured;
  }
  std::string saved_path = state_dir + "/node_id";
  if (Result<std::string> saved = read_file(saved_path)) {
    std::string id(trim(*saved));
    if (Status valid = validate_node_id(id); !valid) {
      Error error = valid.error();
      error.message = saved_path + ": " + error.message;
      error.hint = "fix or delete the file to derive a new id";
      return error;
    }
    return id;
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return system_error("gethostname");
  std::string machine_id(trim(read_file(root + "/etc/machine-id").value_or("")));
  std::string id = derive_node_id(host, machine_id);
  IA_TRY(make_directories(state_dir, 0700));
  IA_TRY(write_file_durably(saved_path, id + "\n"));
  return id;
}

}  // namespace ia::node
