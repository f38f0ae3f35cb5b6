// Serving the embedded console. No token: the files hold no data, and every call the
// console makes for data goes to /v1 with the user's bearer token (DESIGN.md §6).
#include "server/web_assets.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/strings.hpp"

namespace ia::server {
namespace {

// Scripts, styles, images and fetch() from this origin only: no inline script or
// style, no eval, no framing, no plugins. CodeMirror and uPlot set styles through the
// CSSOM (element.style, constructed sheets), which style-src does not govern.
constexpr std::string_view k_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

constexpr std::string_view k_not_built =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>ia console not built</title></head><body>\n"
    "<h1>The ia web console was not built</h1>\n"
    "<p>This ia-sched was built without Node.js, so it carries no console. The API under "
    "<code>/v1</code> works as usual.</p>\n"
    "<p>To build the console: run <code>scripts/bootstrap build</code> (it installs "
    "<code>nodejs</code> and <code>npm</code> from Debian and runs <code>npm ci</code> in "
    "<code>lib/server/web</code>), then configure and build again: "
    "<code>cmake -S . -B build &amp;&amp; cmake --build build</code>.</p>\n"
    "</body></html>\n";

bool is_console(std::string_view path) { return path == "/web" || starts_with(path, "/web/"); }

http::Response secured(int status, std::string_view content_type) {
  http::Response response;
  response.status = status;
  response.content_type = std::string(content_type);
  response.headers = {{"Content-Security-Policy", std::string(k_policy)},
                      {"X-Content-Type-Options", "nosniff"},
                      {"X-Frame-Options", "DENY"},
                      {"Referrer-Policy", "no-referrer"},
                      {"Cache-Control", "no-cache"}};
  return response;
}

http::Response text(int status, std::string_view body) {
  http::Response response = secured(status, "text/plain; charset=utf-8");
  response.body = std::string(body);
  return response;
}

const WebAsset* find_exact(std::span<const WebAsset> assets, std::string_view path) {
  auto found = std::find_if(assets.begin(), assets.end(),
                            [path](const WebAsset& asset) { return asset.path == path; });
  return found == assets.end() ? nullptr : &*found;
}

// Paths that name no file are pages of the console's own router, so they get its
// index.html; a missing file under /web/assets is a real 404, not the index in its place.
const WebAsset* find(std::span<const WebAsset> assets, std::string_view path) {
  if (const WebAsset* asset = find_exact(assets, path)) return asset;
  if (starts_with(path, "/web/assets/")) return nullptr;
  return find_exact(assets, "/web/index.html");
}

// "gzip", "gzip;q=0.8" or "*" accept it; "gzip;q=0" refuses it (RFC 9110 §12.5.3).
bool takes_gzip(const http::Request& request) {
  for (const std::string& part : split(request.header("accept-encoding"), ',')) {
    std::string_view item = part;
    std::size_t semicolon = item.find(';');
    std::string_view coding = trim(item.substr(0, semicolon));
    if (coding != "gzip" && coding != "*") continue;
    if (semicolon == std::string_view::npos) return true;
    std::string_view weight = trim(item.substr(semicolon + 1));
    if (!starts_with(weight, "q=")) return true;
    return std::strtod(std::string(weight.substr(2)).c_str(), nullptr) > 0;
  }
  return false;
}

bool matches(std::string_view if_none_match, std::string_view etag) {
  for (const std::string& part : split(if_none_match, ',')) {
    std::string_view tag = trim(part);
    if (starts_with(tag, "W/")) tag.remove_prefix(2);
    if (tag == etag || tag == "*") return true;
  }
  return false;
}

http::Response asset_response(const WebAsset& asset, const http::Request& request) {
  http::Response response = secured(200, asset.content_type);
  response.headers.emplace_back("ETag", std::string(asset.etag));
  response.headers.emplace_back("Vary", "Accept-Encoding");
  if (matches(request.header("if-none-match"), asset.etag)) {
    response.status = 304;
    return response;
  }
  if (!asset.gzip.empty() && takes_gzip(request)) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = std::string(asset.gzip);
  } else {
    response.body = std::string(asset.body);
  }
  return response;
}

}  // namespace

bool serve_web(std::span<const WebAsset> assets, const http::Request& request,
               const http::Reply& reply) {
  if (!is_console(request.path)) return false;
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response response = text(405, "the console's files are read with GET\n");
    response.headers.emplace_back("Allow", "GET, HEAD");
    reply(std::move(response));
  } else if (assets.empty()) {
    http::Response response = secured(503, "text/html; charset=utf-8");
    response.body = std::string(k_not_built);
    reply(std::move(response));
  } else if (const WebAsset* asset = find(assets, request.path)) {
    reply(asset_response(*asset, request));
  } else {
    reply(text(404, "no console file " + request.path.substr(0, 200) + "\n"));
  }
  return true;
}

}  // namespace ia::server
