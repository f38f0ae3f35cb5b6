#include "store/stored_spec.hpp"

#include <cstdint>

#include "json/value.hpp"
#include "json/writer.hpp"

namespace ia::store {

std::string spec_text(const api::TaskSpec& spec) {
  json::Writer out;
  api::write_spec(out, spec);
  return out.text();
}

Result<api::TaskSpec> parse_stored_spec(const std::string& text) {
  api::SubmitLimits unlimited{SIZE_MAX, INT64_MAX, INT64_MAX, false};
  Result<api::TaskSpec> spec = api::parse_submit(text, unlimited);
  IA_TRY(spec);
  Result<json::Value> object = json::parse(text);
  IA_TRY(object);
  if (const json::Value* owner = object->find("owner"); owner && owner->is_string()) {
    spec->owner = owner->as_string();
  }
  if (const json::Value* interpreter = object->find("interpreter");
      interpreter && interpreter->is_string()) {
    spec->interpreter = interpreter->as_string();
  }
  return spec;
}

}  // namespace ia::store
