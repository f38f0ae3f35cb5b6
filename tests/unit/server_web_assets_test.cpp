#include <catch2/catch.hpp>

#include <optional>

#include "server/web_assets.hpp"

namespace {

using ia::server::serve_web;
using ia::server::WebAsset;

constexpr WebAsset k_assets[] = {
    {"/web/index.html", "text/html; charset=utf-8", "\"i1\"", "<html>index</html>", "GZ-INDEX"},
    {"/web/assets/app.js", "text/javascript; charset=utf-8", "\"j1\"", "console.log(1)", "GZ-JS"},
};

ia::http::Request get(std::string path, ia::http::Headers headers = {}) {
  ia::http::Request request;
  request.method = "GET";
  request.path = std::move(path);
  request.target = request.path;
  request.headers = std::move(headers);
  return request;
}

// The answer serve_web gives, or nullopt when it left the request to the API.
std::optional<ia::http::Response> serve(const ia::http::Request& request,
                                        std::span<const WebAsset> assets = k_assets) {
  std::optional<ia::http::Response> answer;
  bool taken = serve_web(assets, request, [&](ia::http::Response response) {
    answer = std::move(response);
  });
  CHECK(taken == answer.has_value());
  return answer;
}

std::string header(const ia::http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace

TEST_CASE("web assets: only /web and below are the console's, the API is left alone") {
  CHECK_FALSE(serve(get("/v1/tasks")));
  CHECK_FALSE(serve(get("/")));
  CHECK_FALSE(serve(get("/webx")));
  CHECK_FALSE(serve(get("/web-assets/app.js")));
}

TEST_CASE("web assets: pages get index.html with a strict policy, no token needed") {
  for (std::string path : {"/web", "/web/", "/web/submit", "/web/tasks/12"}) {
    auto response = serve(get(path));
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body == "<html>index</html>");
    CHECK(response->content_type == "text/html; charset=utf-8");
    std::string policy = header(*response, "Content-Security-Policy");
    CHECK(policy.find("default-src 'self'") != std::string::npos);
    CHECK(policy.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(policy.find("unsafe-inline") == std::string::npos);
    CHECK(policy.find("unsafe-eval") == std::string::npos);
    CHECK(header(*response, "X-Content-Type-Options") == "nosniff");
    CHECK(header(*response, "ETag") == "\"i1\"");
  }
}

TEST_CASE("web assets: a missing file under /web/assets is a 404, not the index page") {
  auto response = serve(get("/web/assets/missing.js"));
  REQUIRE(response);
  CHECK(response->status == 404);
  CHECK(response->body.find("/web/assets/missing.js") != std::string::npos);
}

TEST_CASE("web assets: If-None-Match with the current ETag answers 304 without a body") {
  auto same = serve(get("/web/assets/app.js", {{"if-none-match", "\"x\", W/\"j1\""}}));
  REQUIRE(same);
  CHECK(same->status == 304);
  CHECK(same->body.empty());
  CHECK(header(*same, "ETag") == "\"j1\"");
  auto stale = serve(get("/web/assets/app.js", {{"if-none-match", "\"old\""}}));
  REQUIRE(stale);
  CHECK(stale->status == 200);
  CHECK(stale->body == "console.log(1)");
}

TEST_CASE("web assets: gzip goes only to clients that take it") {
  auto plain = serve(get("/web/assets/app.js"));
  REQUIRE(plain);
  CHECK(plain->body == "console.log(1)");
  CHECK(header(*plain, "Content-Encoding").empty());
  CHECK(header(*plain, "Vary") == "Accept-Encoding");
  auto zipped = serve(get("/web/assets/app.js", {{"accept-encoding", "br, gzip;q=0.8"}}));
  REQUIRE(zipped);
  CHECK(zipped->body == "GZ-JS");
  CHECK(header(*zipped, "Content-Encoding") == "gzip");
  auto refused = serve(get("/web/assets/app.js", {{"accept-encoding", "gzip;q=0, br"}}));
  REQUIRE(refused);
  CHECK(refused->body == "console.log(1)");
}

TEST_CASE("web assets: other methods get 405 naming GET") {
  auto request = get("/web/submit");
  request.method = "POST";
  auto response = serve(request);
  REQUIRE(response);
  CHECK(response->status == 405);
  CHECK(header(*response, "Allow") == "GET, HEAD");
}

TEST_CASE("web assets: a build without the console says so and how to build it") {
  auto response = serve(get("/web"), {});
  REQUIRE(response);
  CHECK(response->status == 503);
  CHECK(response->body.find("was not built") != std::string::npos);
  CHECK(response->body.find("scripts/bootstrap") != std::string::npos);
  CHECK(header(*response, "Content-Security-Policy").find("default-src 'self'") !=
        std::string::npos);
}

TEST_CASE("web assets: the embedded bundle has the pages' files when it was built") {
  auto bundle = ia::server::web_bundle();
  if (bundle.empty()) return;  // built without Node.js: the case above covers it
  auto path_of = [&](std::string_view path) {
    for (const WebAsset& asset : bundle) {
      if (asset.path == path) return !asset.body.empty() && !asset.gzip.empty();
    }
    return false;
  };
  CHECK(path_of("/web/index.html"));
  CHECK(path_of("/web/assets/app.js"));
  CHECK(path_of("/web/assets/app.css"));
}
