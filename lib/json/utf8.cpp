#include "json/utf8.hpp"

#include <cstdint>

namespace ia::json {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The length a lead byte announces, or 0 for a byte no sequence starts with.
std::size_t announced_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  std::size_t length = announced_length(byte(i));
  if (length <= 1) return length;
  if (i + length > text.size()) return 0;
  std::uint32_t code = byte(i) & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if (!is_continuation(text[i + k])) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) return 0;
  if (length == 4 && (code < 0x10000 || code > 0x10FFFF)) return 0;
  return length;
}

std::size_t append_utf8_char(std::string& out, std::string_view text, std::size_t i) {
  std::size_t length = utf8_sequence_length(text, i);
  if (length == 0) {
    out += k_replacement;
    return 1;
  }
  out.append(text.substr(i, length));
  return length;
}

std::size_t invalid_utf8_offset(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

bool is_valid_utf8(std::string_view text) {
  return invalid_utf8_offset(text) == std::string_view::npos;
}

std::string to_valid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) i += append_utf8_char(out, text, i);
  return out;
}

std::size_t complete_utf8_prefix(std::string_view text) {
  // Look back over at most three bytes for a lead byte whose sequence runs past the end.
  std::size_t back = 0;
  while (back < 3 && back < text.size() && is_continuation(text[text.size() - 1 - back])) ++back;
  if (back == text.size()) return text.size();
  std::size_t lead = text.size() - 1 - back;
  std::size_t wanted = announced_length(static_cast<unsigned char>(text[lead]));
  return wanted > back + 1 ? lead : text.size();
}

std::size_t utf8_floor(std::string_view text, std::size_t limit) {
  if (limit >= text.size()) return text.size();
  std::size_t size = limit;
  for (int back = 0; back < 3 && size > 0 && is_continuation(text[size]); ++back) --size;
  return is_continuation(text[size]) ? limit : size;
}

}  // namespace ia::json
