// The console's bundle when the build had no Node.js: none (see cmake/WebConsole.cmake).
#include "server/web_assets.hpp"

namespace ia::server {

std::span<const WebAsset> web_bundle() { return {}; }

}  // namespace ia::server
