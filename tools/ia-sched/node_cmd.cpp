// ia-sched node reassign: moves a node to another node token through the running server
// (PUT /v1/nodes/ID/owner), which holds the node in memory and would overwrite a change
// written to the store behind its back. The admin token is --token / IA_TOKEN /
// --token-file, else the state directory's admin.token.
#include <iostream>

#include "api/node.hpp"
#include "cli/client_options.hpp"
#include "core/file.hpp"
#include "core/strings.hpp"
#include "json/writer.hpp"
#include "serve.hpp"
#include "setup.hpp"

namespace ia::server {

Result<int> run_node_reassign(const config::Config& cfg, const NodeCommand& command) {
  IA_TRY(api::check_node_id(command.node_id));
  if (!command.token_name.empty()) IA_TRY(check_token_name(command.token_name));
  Result<http::ClientOptions> options = cli::client_options(cfg);
  IA_TRY(options);
  if (options->token.empty()) {
    std::string path = state_dir(cfg) + "/admin.token";
    Result<std::string> text = read_file(path, 4096);
    if (!text) {
      return make_error(ErrorCode::invalid_argument, "no admin token: " + text.error().message,
                        "pass --token-file FILE with an admin token, or run as the server's "
                        "user with its --state-dir");
    }
    options->token = std::string(trim(*text));
  }
  http::Client client(*options);
  json::Writer body;
  body.begin_object().field("token_name", command.token_name).end_object();
  Result<std::string> answer =
      client.call("PUT", "/v1/nodes/" + command.node_id + "/owner", body.text());
  IA_TRY(answer);
  if (command.json) {
    std::cout << *answer << "\n";
  } else {
    std::cerr << "node " << command.node_id << " now belongs to "
              << (command.token_name.empty() ? std::string("no token")
                                             : "token '" + command.token_name + "'")
              << "\n";
  }
  return 0;
}

}  // namespace ia::server
