// json::Writer: builds compact JSON text in a string, in one pass, with commas placed
// for the caller. Strings are escaped; invalid UTF-8 becomes U+FFFD rather than passing
// through. Not thread safe; one writer per document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ia::json {

class Writer {
 public:
  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view name);

  Writer& null();
  Writer& boolean(bool value);
  Writer& integer(std::int64_t value);
  Writer& number(double value);  // NaN and infinities are written as null
  Writer& string(std::string_view value);
  // Already-serialized JSON, inserted as one value.
  Writer& raw(std::string_view json);

  // Shorthands for one object member.
  Writer& field(std::string_view name, std::string_view value) { return key(name).string(value); }
  Writer& field(std::string_view name, const char* value) { return key(name).string(value); }
  Writer& field(std::string_view name, bool value) { return key(name).boolean(value); }
  Writer& field(std::string_view name, int value) { return key(name).integer(value); }
  Writer& field(std::string_view name, long value) { return key(name).integer(value); }
  Writer& field(std::string_view name, long long value) { return key(name).integer(value); }
  Writer& field(std::string_view name, unsigned long value) {
    return key(name).integer(static_cast<std::int64_t>(value));
  }
  Writer& field(std::string_view name, double value) { return key(name).number(value); }

  const std::string& text() const { return m_out; }
  std::string take() { return std::move(m_out); }

 private:
  void before_value();

  std::string m_out;
  // One entry per open container: whether it already holds an element.
  std::vector<bool> m_has_element;
  bool m_after_key = false;
};

// Appends value as a quoted JSON string to out.
void append_escaped(std::string& out, std::string_view value);

// How many bytes from the front of text a Writer writes within max_escaped bytes of
// escaped string (quotes not counted), never cut inside a character.
std::size_t escaped_prefix_length(std::string_view text, std::size_t max_escaped);

}  // namespace ia::json
