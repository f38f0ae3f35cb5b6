// The web console's files (lib/server/web, bundled by esbuild at build time) as ia-sched
// serves them under /web: public, with ETags, gzip when the client takes it, and a strict
// Content-Security-Policy. Read-only data; thread safe.
#pragma once

#include <span>
#include <string_view>

#include "http/message.hpp"

namespace ia::server {

struct WebAsset {
  std::string_view path;          // "/web/assets/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted, from the content's hash
  std::string_view body;
  std::string_view gzip;          // the same, compressed at build time
};

// The bundle embedded in this binary: empty when it was built without Node (then
// /web answers with a page that says how to build the console).
std::span<const WebAsset> web_bundle();

// Answers GET /web and everything under it from assets and returns true; false, without
// answering, for any other path. The pages of the console's own router (/web/submit,
// /web/tasks/7, ...) all get its index.html.
bool serve_web(std::span<const WebAsset> assets, const http::Request& request,
               const http::Reply& reply);

}  // namespace ia::server
