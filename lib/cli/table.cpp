#include "cli/table.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace ia::cli {

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

Table::Table(std::vector<std::string> headers, std::vector<bool> right_aligned)
    : m_headers(std::move(headers)), m_right(std::move(right_aligned)) {
  m_right.resize(m_headers.size(), false);
}

void Table::add_row(std::vector<Cell> row) {
  row.resize(m_headers.size(), Cell(""));
  // Cells come from the server: a newline would split the row, an escape take the terminal.
  for (Cell& cell : row) cell.text = escape_controls(cell.text);
  m_rows.push_back(std::move(row));
}

std::string Table::render(bool color) const {
  std::vector<std::size_t> widths(m_headers.size());
  for (std::size_t c = 0; c < m_headers.size(); ++c) widths[c] = display_width(m_headers[c]);
  for (const auto& row : m_rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], display_width(row[c].text));
    }
  }
  auto render_line = [&](const std::vector<Cell>& cells, bool header) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::size_t pad = widths[c] - display_width(cells[c].text);
      bool last = c + 1 == cells.size();
      std::string padding(pad, ' ');
      std::string text = paint(cells[c].text, header ? Color::bold : cells[c].color, color);
      if (m_right[c]) {
        line += padding + text;
      } else {
        line += text;
        if (!last) line += padding;
      }
      if (!last) line += "  ";
    }
    return line + "\n";
  };
  std::vector<Cell> header(m_headers.begin(), m_headers.end());
  std::string out = render_line(header, true);
  for (const auto& row : m_rows) out += render_line(row, false);
  return out;
}

}  // namespace ia::cli
