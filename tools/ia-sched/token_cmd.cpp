// ia-sched token create|list|revoke: works on the store directly, beside a running
// server (SQLite WAL lets both in, PostgreSQL's instance lock is not taken for it; the
// server rereads tokens every second).
#include <iostream>

#include "server/auth.hpp"
#include "cli/table.hpp"
#include "cli/terminal.hpp"
#include "core/time.hpp"
#include "json/writer.hpp"
#include "serve.hpp"
#include "setup.hpp"

namespace ia::server {
namespace {

const store::TokenRecord* find(const std::vector<store::TokenRecord>& tokens,
                               const std::string& name) {
  for (const store::TokenRecord& token : tokens) {
    if (token.name == name) return &token;
  }
  return nullptr;
}

Result<int> create(store::Store& store, const TokenCommand& command,
                   const std::vector<store::TokenRecord>& tokens) {
  Result<Role> role = parse_role(command.role);
  IA_TRY(role);
  Result<std::string> token = new_token();
  IA_TRY(token);
  std::string name = command.name.value_or(command.role + "-" + token->substr(3, 8));
  IA_TRY(check_token_name(name));
  if (find(tokens, name)) {
    return make_error(ErrorCode::conflict, "a token named '" + name + "' exists",
                      "pick another --name, or revoke the old one first");
  }
  IA_TRY(store.write_sync(store::Batch{
      {}, {}, {}, {store::TokenRecord{name, command.role, hash_token(*token), unix_now_ms(),
                                      false}}}));
  if (command.json) {
    json::Writer out;
    out.begin_object().field("name", name).field("role", command.role);
    out.field("token", *token).end_object();
    std::cout << out.text() << "\n";
  } else {
    std::cout << *token << "\n";
    std::cerr << "created " << command.role << " token '" << name
              << "'; it is shown only this once\n";
  }
  return 0;
}

Result<int> list(const std::vector<store::TokenRecord>& tokens, bool json) {
  if (json) {
    json::Writer out;
    out.begin_array();
    for (const store::TokenRecord& token : tokens) {
      out.begin_object().field("name", token.name).field("role", token.role);
      out.field("created_at", format_iso8601(token.created_ms));
      out.field("revoked", token.revoked).end_object();
    }
    out.end_array();
    std::cout << out.text() << "\n";
    return 0;
  }
  cli::Table table({"NAME", "ROLE", "CREATED", "STATE"});
  for (const store::TokenRecord& token : tokens) {
    table.add_row({token.name, token.role, format_iso8601(token.created_ms),
                   token.revoked ? "revoked" : "active"});
  }
  std::cout << table.render(cli::use_color(1));
  return 0;
}

Result<int> revoke(store::Store& store, const TokenCommand& command,
                   const std::vector<store::TokenRecord>& tokens) {
  if (!command.name) {
    return make_error(ErrorCode::invalid_argument, "which token? give its name",
                      "ia-sched token list shows the names");
  }
  const store::TokenRecord* token = find(tokens, *command.name);
  if (!token) {
    return make_error(ErrorCode::not_found, "no token named '" + *command.name + "'",
                      "ia-sched token list shows the names");
  }
  store::TokenRecord revoked = *token;
  revoked.revoked = true;
  IA_TRY(store.write_sync(store::Batch{{}, {}, {}, {revoked}}));
  if (!command.json) std::cerr << "revoked token '" << *command.name << "'\n";
  return 0;
}

}  // namespace

Result<int> run_token_command(const config::Config& cfg, const TokenCommand& command) {
  IA_TRY(ensure_dir(state_dir(cfg)));
  Result<std::unique_ptr<store::Store>> store =
      store::open_store(store_url(cfg), store::Access::tool);
  if (!store) return std::move(store).error();
  Result<std::vector<store::TokenRecord>> tokens = (*store)->tokens();
  IA_TRY(tokens);
  Result<int> outcome = command.action == "create" ? create(**store, command, *tokens)
                        : command.action == "list" ? list(*tokens, command.json)
                                                   : revoke(**store, command, *tokens);
  (*store)->close();
  return outcome;
}

}  // namespace ia::server
