// Logging to stderr with levels. A Logger is owned by a tool's main and handed down by
// reference; each line is one write(2), so lines from several threads do not interleave.
// Under systemd (JOURNAL_STREAM set) lines carry "<N>" priority prefixes that journald reads.
#pragma once

#include <string>
#include <string_view>

namespace ia {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3, off = 4 };

class Logger {
 public:
  explicit Logger(std::string program, LogLevel level = LogLevel::warning);

  void set_level(LogLevel level) { m_level = level; }
  LogLevel level() const { return m_level; }
  bool enabled(LogLevel level) const { return level >= m_level; }

  void debug(std::string_view message) const { write(LogLevel::debug, message); }
  void info(std::string_view message) const { write(LogLevel::info, message); }
  void warning(std::string_view message) const { write(LogLevel::warning, message); }
  // A routine event worth showing whenever warnings are (listening, reloaded, stopped),
  // without a "warning:" label: journald's notice priority.
  void notice(std::string_view message) const;
  void error(std::string_view message) const { write(LogLevel::error, message); }
  void write(LogLevel level, std::string_view message) const;

  // Where lines go; defaults to stderr. Tests point it at a pipe or file.
  void set_fd(int fd) { m_fd = fd; }

 private:
  void emit(char priority, std::string_view label, std::string_view message) const;

  std::string m_program;
  LogLevel m_level;
  bool m_journal;
  int m_fd = 2;
};

}  // namespace ia
