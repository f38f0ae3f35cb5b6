// Terminal decisions made once per run: colour only when the stream is a terminal, TERM
// is not "dumb" and NO_COLOR is unset; CLICOLOR_FORCE forces it (as ninja decides).
#pragma once

#include <string>
#include <string_view>

namespace ia::cli {

bool is_terminal(int fd);
bool use_color(int fd);

enum class Color { none, bold, dim, red, green, yellow, blue };

// Wraps text in the escape codes for color, or returns it unchanged when !enabled.
std::string paint(std::string_view text, Color color, bool enabled);

}  // namespace ia::cli
