#include <catch2/catch.hpp>

#include "http/client.hpp"

TEST_CASE("http client: a token with CR, LF or NUL is refused, never sent as header lines") {
  using namespace std::string_literals;
  for (const std::string& token : {"tok\r\nX-Injected: yes"s, "tok\nX: y"s, "tok\0x"s}) {
    ia::http::ClientOptions options;
    // Nothing listens on port 1: a request that went out would fail as unreachable.
    options.base_url = "http://127.0.0.1:1";
    options.token = token;
    ia::http::Client client(options);
    auto response = client.get("/v1/stats");
    REQUIRE_FALSE(response);
    CHECK(response.error().code == ia::ErrorCode::invalid_argument);
    CHECK_THAT(response.error().message, Catch::Contains("token"));
  }
}

TEST_CASE("http client: a 2xx answer that is not JSON is a failure, not a bad argument") {
  ia::http::ClientResponse html{200, "<html><body>proxy login</body></html>"};
  auto answer = ia::http::json_or_error(html);
  REQUIRE_FALSE(answer);
  CHECK(answer.error().code == ia::ErrorCode::internal);
  CHECK_THAT(answer.error().message, Catch::StartsWith("the server's answer is not JSON"));
  CHECK(ia::http::json_or_error(ia::http::ClientResponse{200, ""})->is_null());
}
