// A task's spec as every backend stores it: the JSON of api::write_spec, read back
// without the submit limits and with the fields only the server sets. Pure functions.
#pragma once

#include <string>

#include "api/task.hpp"
#include "core/result.hpp"

namespace ia::store {

std::string spec_text(const api::TaskSpec& spec);
Result<api::TaskSpec> parse_stored_spec(const std::string& text);

}  // namespace ia::store
