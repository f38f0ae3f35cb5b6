// CLI11 validators for numeric flags whose messages a person can read: CLI11's own ranges
// let nan through (it fails every comparison) and print their bounds with 300 digits.
// Pure; each Validator may be copied onto any number of options.
#pragma once

#include <CLI/CLI.hpp>

namespace ia::cli {

// A finite number from min to max; with above_min, min itself is refused too
// ("--cpus: 'nan' is not a number: give one above 0 and at most 4096").
CLI::Validator number_between(double min, double max, bool above_min = false);

}  // namespace ia::cli
