#include "cli/terminal.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace ia::cli {

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

bool use_color(int fd) {
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force && *force && std::strcmp(force, "0") != 0) return true;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (!term || std::strcmp(term, "dumb") == 0) return false;
  return is_terminal(fd);
}

std::string paint(std::string_view text, Color color, bool enabled) {
  if (!enabled || color == Color::none) return std::string(text);
  const char* code = "";
  switch (color) {
    case Color::bold: code = "\033[1m"; break;
    case Color::dim: code = "\033[2m"; break;
    case Color::red: code = "\033[31m"; break;
    case Color::green: code = "\033[32m"; break;
    case Color::yellow: code = "\033[33m"; break;
    case Color::blue: code = "\033[34m"; break;
    case Color::none: break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

}  // namespace ia::cli
