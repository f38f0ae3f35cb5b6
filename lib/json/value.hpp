// ia::json::Value: a small JSON document tree (objects keep their key order), parsed with
// simdjson and written back by json::Writer. Plain value type; not shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace ia::json {

struct Member;

class Value {
 public:
  using Array = std::vector<Value>;
  using Object = std::vector<Member>;

  // Defined below Member: clang checks the variant's alternatives for completeness.
  Value();
  Value(std::nullptr_t);  // NOLINT
  Value(bool b);  // NOLINT
  Value(int i);  // NOLINT
  Value(long i);  // NOLINT
  Value(long long i);  // NOLINT
  Value(unsigned u);  // NOLINT
  Value(double d);  // NOLINT
  Value(std::string s);  // NOLINT
  Value(std::string_view s);  // NOLINT
  Value(const char* s);  // NOLINT
  Value(Array a);  // NOLINT
  Value(Object o);  // NOLINT

  static Value array();
  static Value object();

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(m_data); }
  bool is_bool() const { return std::holds_alternative<bool>(m_data); }
  bool is_int() const { return std::holds_alternative<std::int64_t>(m_data); }
  bool is_double() const { return std::holds_alternative<double>(m_data); }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return std::holds_alternative<std::string>(m_data); }
  bool is_array() const { return std::holds_alternative<Array>(m_data); }
  bool is_object() const { return std::holds_alternative<Object>(m_data); }

  bool as_bool() const { return std::get<bool>(m_data); }
  std::int64_t as_int() const { return std::get<std::int64_t>(m_data); }
  double as_double() const;  // ints widen
  const std::string& as_string() const { return std::get<std::string>(m_data); }
  const Array& as_array() const { return std::get<Array>(m_data); }
  Array& as_array() { return std::get<Array>(m_data); }
  const Object& as_object() const { return std::get<Object>(m_data); }
  Object& as_object() { return std::get<Object>(m_data); }

  // Object member by key, or nullptr when this is not an object or has no such key.
  const Value* find(std::string_view key) const;
  // An object member's text, or "" when it is missing or not a string.
  std::string string_at(std::string_view key) const;
  // Sets (or replaces) an object member; this must be an object.
  Value& set(std::string_view key, Value value);
  // Appends to an array; this must be an array.
  void push(Value value);

  // A word for error messages: "object", "string", "number", ...
  std::string_view type_name() const;

  bool operator==(const Value& other) const;

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object> m_data;
};

struct Member {
  std::string key;
  Value value;
  bool operator==(const Member& other) const = default;
};

inline Value::Value() : m_data(nullptr) {}
inline Value Value::array() { return Value(Array{}); }
inline Value Value::object() { return Value(Object{}); }
inline Value::Value(std::nullptr_t) : m_data(nullptr) {}
inline Value::Value(bool b) : m_data(b) {}
inline Value::Value(int i) : m_data(static_cast<std::int64_t>(i)) {}
inline Value::Value(long i) : m_data(static_cast<std::int64_t>(i)) {}
inline Value::Value(long long i) : m_data(static_cast<std::int64_t>(i)) {}
inline Value::Value(unsigned u) : m_data(static_cast<std::int64_t>(u)) {}
inline Value::Value(double d) : m_data(d) {}
inline Value::Value(std::string s) : m_data(std::move(s)) {}
inline Value::Value(std::string_view s) : m_data(std::string(s)) {}
inline Value::Value(const char* s) : m_data(std::string(s)) {}
inline Value::Value(Array a) : m_data(std::move(a)) {}
inline Value::Value(Object o) : m_data(std::move(o)) {}

// Parses a complete JSON text. Invalid UTF-8, trailing garbage and depth over 256 are
// errors naming the problem.
Result<Value> parse(std::string_view text);

// Writes compact JSON.
std::string serialize(const Value& value);

}  // namespace ia::json
