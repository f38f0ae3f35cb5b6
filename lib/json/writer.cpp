#include "json/writer.hpp"

#include <charconv>
#include <cmath>

#include "json/utf8.hpp"

namespace ia::json {
namespace {

// Bytes append_escaped writes for the character at text[i]; sets step to the bytes it
// takes from text.
std::size_t escaped_cost(std::string_view text, std::size_t i, std::size_t& step) {
  auto c = static_cast<unsigned char>(text[i]);
  step = 1;
  if (c >= 0x80) {
    std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return 3;  // U+FFFD
    step = length;
    return length;
  }
  if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
    return 2;
  }
  return c < 0x20 || c == 0x7F ? 6 : 1;
}

}  // namespace

void append_escaped(std::string& out, std::string_view value) {
  static constexpr char k_hex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < value.size();) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      i += append_utf8_char(out, value, i);
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += k_hex[c >> 4];
          out += k_hex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

std::size_t escaped_prefix_length(std::string_view text, std::size_t max_escaped) {
  std::size_t used = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t step = 0;
    std::size_t cost = escaped_cost(text, i, step);
    if (used + cost > max_escaped) break;
    used += cost;
    i += step;
  }
  return i;
}

void Writer::before_value() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (!m_has_element.empty()) {
    if (m_has_element.back()) m_out += ',';
    m_has_element.back() = true;
  }
}

Writer& Writer::begin_object() {
  before_value();
  m_out += '{';
  m_has_element.push_back(false);
  return *this;
}

Writer& Writer::end_object() {
  m_out += '}';
  m_has_element.pop_back();
  return *this;
}

Writer& Writer::begin_array() {
  before_value();
  m_out += '[';
  m_has_element.push_back(false);
  return *this;
}

Writer& Writer::end_array() {
  m_out += ']';
  m_has_element.pop_back();
  return *this;
}

Writer& Writer::key(std::string_view name) {
  before_value();
  append_escaped(m_out, name);
  m_out += ':';
  m_after_key = true;
  return *this;
}

Writer& Writer::null() {
  before_value();
  m_out += "null";
  return *this;
}

Writer& Writer::boolean(bool value) {
  before_value();
  m_out += value ? "true" : "false";
  return *this;
}

Writer& Writer::integer(std::int64_t value) {
  before_value();
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  m_out.append(buffer, result.ptr);
  return *this;
}

Writer& Writer::number(double value) {
  if (!std::isfinite(value)) return null();
  before_value();
  // Shortest text that reads back as the same double.
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  m_out += text;
  // Keep a double a double when it is read back ("2" would come back as an integer).
  if (text.find_first_of(".eE") == std::string_view::npos) m_out += ".0";
  return *this;
}

Writer& Writer::string(std::string_view value) {
  before_value();
  append_escaped(m_out, value);
  return *this;
}

Writer& Writer::raw(std::string_view json) {
  before_value();
  m_out += json;
  return *this;
}

}  // namespace ia::json
