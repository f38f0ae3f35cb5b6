// UTF-8 well-formedness: JSON strings must be valid UTF-8, while task output is whatever
// bytes a program wrote, split wherever a pipe read ended. Pure functions; thread safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ia::json {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is invalid or
// cut off by the end of text.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// Appends the character starting at text[i] to out, or U+FFFD when no valid sequence
// starts there; returns how many bytes of text it used (at least 1).
std::size_t append_utf8_char(std::string& out, std::string_view text, std::size_t i);

// Whether text is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Offset of the first byte that starts no valid sequence; npos when text is valid.
std::size_t invalid_utf8_offset(std::string_view text);

// text with each byte that starts no valid sequence replaced by U+FFFD, as a JSON
// writer would send it; valid text comes back unchanged.
std::string to_valid_utf8(std::string_view text);

// How many bytes of text to pass on now: all of it, except a last sequence that may
// still be completed by the bytes that follow (at most 3 held back).
std::size_t complete_utf8_prefix(std::string_view text);

// The largest size <= limit that does not cut valid UTF-8 text inside a character.
std::size_t utf8_floor(std::string_view text, std::size_t limit);

}  // namespace ia::json
