#include "http/message.hpp"

namespace ia::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

const std::string* Request::param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

bool percent_decode(std::string_view text, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return false;
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return false;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool parse_query(std::string_view text, std::vector<std::pair<std::string, std::string>>& out) {
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view part = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (part.empty()) continue;
    std::size_t eq = part.find('=');
    std::string key;
    std::string value;
    if (!percent_decode(part.substr(0, eq), key, true)) return false;
    if (eq != std::string_view::npos && !percent_decode(part.substr(eq + 1), value, true)) {
      return false;
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

bool split_target(Request& request) {
  std::string_view target = request.target;
  std::size_t question = target.find('?');
  if (!percent_decode(target.substr(0, question), request.path, false)) return false;
  if (request.path.empty() || request.path[0] != '/') return false;
  if (question == std::string_view::npos) return true;
  return parse_query(target.substr(question + 1), request.query);
}

}  // namespace ia::http
