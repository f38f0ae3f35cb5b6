// cli::Table: aligned text columns for people (scripts use --json). Numeric columns are
// right-aligned; the header is bold when colour is on. Cells may carry a colour; their
// control characters are shown as escapes.
#pragma once

#include <string>
#include <vector>

#include "cli/terminal.hpp"

namespace ia::cli {

struct Cell {
  std::string text;
  Color color = Color::none;
  Cell(std::string t) : text(std::move(t)) {}          // NOLINT
  Cell(const char* t) : text(t) {}                     // NOLINT
  Cell(std::string t, Color c) : text(std::move(t)), color(c) {}
};

class Table {
 public:
  explicit Table(std::vector<std::string> headers, std::vector<bool> right_aligned = {});
  void add_row(std::vector<Cell> row);
  bool empty() const { return m_rows.empty(); }
  // Rendered text, one line per row after the header, each ending in '\n'.
  std::string render(bool color) const;

 private:
  std::vector<std::string> m_headers;
  std::vector<bool> m_right;
  std::vector<std::vector<Cell>> m_rows;
};

// Display width of UTF-8 text, counting code points (enough for our column contents).
std::size_t display_width(const std::string& text);

}  // namespace ia::cli
