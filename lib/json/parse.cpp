// json::parse on top of simdjson's DOM API, copied into json::Value.
#include <simdjson.h>

#include "json/value.hpp"

namespace ia::json {
namespace {

constexpr std::size_t k_max_depth = 256;

Result<Value> convert(simdjson::dom::element element, std::size_t depth) {
  using simdjson::dom::element_type;
  if (depth > k_max_depth) {
    return make_error(ErrorCode::invalid_argument, "JSON nested deeper than 256 levels");
  }
  switch (element.type()) {
    case element_type::NULL_VALUE: return Value(nullptr);
    case element_type::BOOL: return Value(bool(element.get_bool().value_unsafe()));
    case element_type::INT64: return Value(static_cast<long long>(element.get_int64().value_unsafe()));
    case element_type::UINT64:
      // Beyond int64: keep the magnitude as a double; validation rejects it as absurd.
      return Value(static_cast<double>(element.get_uint64().value_unsafe()));
    case element_type::DOUBLE: return Value(element.get_double().value_unsafe());
    case element_type::STRING: return Value(std::string_view(element.get_string().value_unsafe()));
    case element_type::ARRAY: {
      Value out = Value::array();
      // Keep the array in a named local: iterating value_unsafe() of a temporary result
      // would dangle.
      simdjson::dom::array items = element.get_array().value_unsafe();
      for (simdjson::dom::element item : items) {
        Result<Value> converted = convert(item, depth + 1);
        if (!converted) return converted;
        out.push(std::move(converted).value());
      }
      return out;
    }
    case element_type::OBJECT: {
      Value out = Value::object();
      simdjson::dom::object fields = element.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair field : fields) {
        Result<Value> converted = convert(field.value, depth + 1);
        if (!converted) return converted;
        // Duplicate keys: the last one wins, as most parsers do.
        out.set(field.key, std::move(converted).value());
      }
      return out;
    }
  }
  return make_error(ErrorCode::internal, "unknown JSON element type");
}

}  // namespace

Result<Value> parse(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root); error) {
    if (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE) {
      // Valid JSON, as the grammar goes: simdjson cannot hold the number.
      return make_error(ErrorCode::invalid_argument,
                        "a number is out of range: integers must lie within +-(2^63-1) and "
                        "other numbers within +-1.8e308");
    }
    return make_error(ErrorCode::invalid_argument,
                      std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  return convert(root, 0);
}

}  // namespace ia::json
