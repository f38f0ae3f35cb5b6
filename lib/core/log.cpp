#include "core/log.hpp"

#include <unistd.h>

#include <cstdlib>

namespace ia {
namespace {

std::string_view level_word(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug: ";
    case LogLevel::info: return "";
    case LogLevel::warning: return "warning: ";
    case LogLevel::error: return "error: ";
    case LogLevel::off: return "";
  }
  return "";
}

// syslog(3) priorities as journald expects them in a "<N>" prefix.
char journal_priority(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return '7';
    case LogLevel::info: return '6';
    case LogLevel::warning: return '4';
    default: return '3';
  }
}

}  // namespace

Logger::Logger(std::string program, LogLevel level)
    : m_program(std::move(program)), m_level(level), m_journal(std::getenv("JOURNAL_STREAM")) {}

void Logger::notice(std::string_view message) const {
  if (enabled(LogLevel::warning)) emit('5', "", message);
}

void Logger::write(LogLevel level, std::string_view message) const {
  if (!enabled(level) || level == LogLevel::off) return;
  emit(journal_priority(level), level_word(level), message);
}

void Logger::emit(char priority, std::string_view label, std::string_view message) const {
  std::string line;
  if (m_journal) {
    line += '<';
    line += priority;
    line += '>';
  } else {
    line += m_program;
    line += ": ";
  }
  line += label;
  line += message;
  line += '\n';
  // A short write to stderr is not worth failing over; drop the rest.
  [[maybe_unused]] ssize_t n = ::write(m_fd, line.data(), line.size());
}

}  // namespace ia
