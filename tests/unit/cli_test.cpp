#include <catch2/catch.hpp>
#include <cstdlib>

#include "api/errors.hpp"
#include "cli/client_options.hpp"
#include "cli/exit_codes.hpp"
#include "cli/flag_checks.hpp"
#include "cli/table.hpp"
#include "cli/terminal.hpp"
#include "temp_dir.hpp"

TEST_CASE("table: aligns columns, right-aligns numbers, no escapes without colour") {
  ia::cli::Table table({"ID", "STATE", "CPU"}, {true, false, true});
  table.add_row({"7", "running", "12.5"});
  table.add_row({"1234", "queued", "0"});
  CHECK(table.render(false) ==
        "  ID  STATE     CPU\n"
        "   7  running  12.5\n"
        "1234  queued      0\n");
}

TEST_CASE("table: counts UTF-8 characters, not bytes, for width") {
  ia::cli::Table table({"NAME", "X"});
  table.add_row({"π-run", "1"});
  CHECK(table.render(false) == "NAME   X\nπ-run  1\n");
}

TEST_CASE("table: control characters in cells are escaped, so a row stays one line") {
  ia::cli::Table table({"ID", "NAME"});
  table.add_row({"1", "\x1b]0;pwned\a\x1b[31mx\ny"});
  CHECK(table.render(false) ==
        "ID  NAME\n"
        "1   \\x1b]0;pwned\\x07\\x1b[31mx\\ny\n");
}

TEST_CASE("table: colour codes appear only when enabled") {
  ia::cli::Table table({"A"});
  table.add_row({ia::cli::Cell("x", ia::cli::Color::red)});
  CHECK(table.render(true).find("\033[") != std::string::npos);
  CHECK(table.render(false).find("\033[") == std::string::npos);
}

TEST_CASE("terminal: NO_COLOR wins over a terminal, CLICOLOR_FORCE forces colour") {
  setenv("NO_COLOR", "1", 1);
  unsetenv("CLICOLOR_FORCE");
  CHECK_FALSE(ia::cli::use_color(1));
  setenv("CLICOLOR_FORCE", "1", 1);
  CHECK(ia::cli::use_color(1));
  unsetenv("CLICOLOR_FORCE");
  unsetenv("NO_COLOR");
  setenv("TERM", "dumb", 1);
  CHECK_FALSE(ia::cli::use_color(1));
}

TEST_CASE("exit codes: errors map to the documented client exit codes") {
  using ia::ErrorCode;
  CHECK(ia::cli::client_exit_code({ErrorCode::unavailable, "", ""}) == 3);
  CHECK(ia::cli::client_exit_code({ErrorCode::unauthorized, "", ""}) == 4);
  CHECK(ia::cli::client_exit_code({ErrorCode::task_not_found, "", ""}) == 5);
  CHECK(ia::cli::client_exit_code({ErrorCode::invalid_argument, "", ""}) == 2);
  CHECK(ia::cli::client_exit_code({ErrorCode::internal, "", ""}) == 1);
}

TEST_CASE("api errors: wire codes, HTTP statuses and the error object round-trip") {
  using ia::ErrorCode;
  CHECK(ia::api::wire_code(ErrorCode::task_not_found) == "TASK_NOT_FOUND");
  CHECK(ia::api::http_status(ErrorCode::payload_too_large) == 413);
  CHECK(ia::api::http_status(ErrorCode::rate_limited) == 429);
  ia::Error error{ErrorCode::conflict, "lease 9 is stale", "the task was requeued"};
  std::string body = ia::api::error_body(error);
  CHECK(body ==
        R"({"error":{"code":"CONFLICT","message":"lease 9 is stale","details":"the task was requeued"}})");
  ia::Error back = ia::api::error_from_body(409, body);
  CHECK(back.code == ErrorCode::conflict);
  CHECK(back.message == error.message);
  CHECK(back.hint == error.hint);
  CHECK(ia::api::error_from_body(404, "<html>").code == ErrorCode::not_found);
}

TEST_CASE("client options: a token with a control character is refused, naming its source") {
  ia::config::Config cfg;
  REQUIRE(cfg.set_text("client.token", "abc\r\nX-Api-Token: evil", "--token"));
  auto options = ia::cli::client_options(cfg);
  REQUIRE_FALSE(options);
  CHECK(options.error().code == ia::ErrorCode::invalid_argument);
  CHECK(options.error().message ==
        "the token from --token holds a control character (byte 0x0d at offset 3)");
  ia::test::TempDir dir;
  std::string file = dir.write("token", "tok\r\nX-Injected: yes\r\n");
  REQUIRE(cfg.set_text("client.token", "", "--token"));
  REQUIRE(cfg.set_text("client.token_file", file, "--token-file"));
  options = ia::cli::client_options(cfg);
  REQUIRE_FALSE(options);
  CHECK_THAT(options.error().message, Catch::Contains(file) && Catch::Contains("0x0d"));
}

TEST_CASE("client options: the ends of a token are trimmed, its file's newline too") {
  ia::config::Config cfg;
  REQUIRE(cfg.set_text("client.token", " abc\n", "IA_TOKEN"));
  auto options = ia::cli::client_options(cfg);
  REQUIRE(options);
  CHECK(options->token == "abc");
}

TEST_CASE("flag checks: number_between refuses nan, inf and out-of-range values readably") {
  auto parse = [](const char* text) -> std::string {
    CLI::App app;
    double cpus = 0;
    app.add_option("--cpus", cpus)->check(ia::cli::number_between(0, 4096, true));
    const char* argv[] = {"test", "--cpus", text};
    try {
      app.parse(3, const_cast<char**>(argv));
    } catch (const CLI::ParseError& error) {
      return error.what();
    }
    return "";
  };
  CHECK(parse("2.5").empty());
  CHECK(parse("4096").empty());
  for (const char* bad : {"nan", "-nan", "inf", "1e400", "abc", ""}) {
    INFO(bad);
    CHECK_THAT(parse(bad), Catch::Contains("is not a number: give one above 0 and at most 4096"));
  }
  for (const char* bad : {"0", "-1", "4096.5"}) {
    INFO(bad);
    CHECK_THAT(parse(bad),
               Catch::Contains("is out of range: give a number above 0 and at most 4096"));
  }
}
