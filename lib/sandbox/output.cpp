#include "sandbox/output.hpp"

#include <algorithm>

namespace ia::sandbox {

void OutputSink::add(Stream stream, std::string_view chunk) {
  Kept& kept = stream == Stream::stdout_stream ? m_out : m_err;
  std::uint64_t limit = m_spec.limits.output;
  std::uint64_t room = limit == 0 ? chunk.size()
                       : kept.seen >= limit ? 0
                                            : std::min<std::uint64_t>(limit - kept.seen, chunk.size());
  kept.seen += chunk.size();
  if (room < chunk.size()) kept.truncated = true;
  if (room == 0) return;
  std::string_view part = chunk.substr(0, room);
  if (m_spec.on_output) m_spec.on_output(stream, part);
  if (m_spec.capture) kept.text.append(part);
}

void OutputSink::finish(Outcome& outcome) {
  outcome.stdout_text = std::move(m_out.text);
  outcome.stderr_text = std::move(m_err.text);
  outcome.stdout_truncated = m_out.truncated;
  outcome.stderr_truncated = m_err.truncated;
}

}  // namespace ia::sandbox
