#include "json/value.hpp"

#include "json/writer.hpp"

namespace ia::json {

double Value::as_double() const {
  if (is_int()) return static_cast<double>(as_int());
  return std::get<double>(m_data);
}

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const Member& member : as_object()) {
    if (member.key == key) return &member.value;
  }
  return nullptr;
}

std::string Value::string_at(std::string_view key) const {
  const Value* value = find(key);
  return value && value->is_string() ? value->as_string() : "";
}

Value& Value::set(std::string_view key, Value value) {
  Object& members = as_object();
  for (Member& member : members) {
    if (member.key == key) {
      member.value = std::move(value);
      return member.value;
    }
  }
  members.push_back(Member{std::string(key), std::move(value)});
  return members.back().value;
}

void Value::push(Value value) { as_array().push_back(std::move(value)); }

std::string_view Value::type_name() const {
  if (is_null()) return "null";
  if (is_bool()) return "boolean";
  if (is_number()) return "number";
  if (is_string()) return "string";
  if (is_array()) return "array";
  return "object";
}

bool Value::operator==(const Value& other) const { return m_data == other.m_data; }

namespace {

void write_value(Writer& writer, const Value& value) {
  if (value.is_null()) {
    writer.null();
  } else if (value.is_bool()) {
    writer.boolean(value.as_bool());
  } else if (value.is_int()) {
    writer.integer(value.as_int());
  } else if (value.is_double()) {
    writer.number(value.as_double());
  } else if (value.is_string()) {
    writer.string(value.as_string());
  } else if (value.is_array()) {
    writer.begin_array();
    for (const Value& item : value.as_array()) write_value(writer, item);
    writer.end_array();
  } else {
    writer.begin_object();
    for (const Member& member : value.as_object()) {
      writer.key(member.key);
      write_value(writer, member.value);
    }
    writer.end_object();
  }
}

}  // namespace

std::string serialize(const Value& value) {
  Writer writer;
  write_value(writer, value);
  return writer.take();
}

}  // namespace ia::json
