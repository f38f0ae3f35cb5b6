// Unpredictable numbers from the kernel, for what a stranger must not guess: tokens and
// lease ids.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/result.hpp"

namespace ia {

// Fills data with size bytes from the kernel's random source (getentropy).
Status random_bytes(void* data, std::size_t size);

// A random integer from 1 to 2^53 - 1: it survives a JSON reader that keeps numbers as
// doubles.
Result<std::int64_t> random_json_id();

}  // namespace ia
