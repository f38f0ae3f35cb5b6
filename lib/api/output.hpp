// A task's output as the node sends it and the scheduler keeps it: one byte stream,
// stdout and stderr interleaved as they came, with the byte ranges that came from stderr
// marked. Logs then read like a terminal, and `ia-submit --wait` can still put each part
// back on the stream it came from. A value type; not thread safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "json/value.hpp"
#include "json/writer.hpp"

namespace ia::api {

struct ByteRange {
  std::size_t begin = 0;
  std::size_t end = 0;  // one past the last byte
  bool operator==(const ByteRange&) const = default;
};

class TaggedOutput {
 public:
  TaggedOutput() = default;
  explicit TaggedOutput(std::string_view stdout_text) { append(stdout_text, false); }

  void append(std::string_view data, bool from_stderr);
  void append(const TaggedOutput& other);
  void drop_front(std::size_t count);  // the part already delivered
  void truncate(std::size_t size);     // keep at most size bytes
  // Bytes [from, to) with their marks, as an output of its own.
  TaggedOutput slice(std::size_t from, std::size_t to) const;
  // Calls visit for each run of bytes from one stream, in order.
  void for_each_run(const std::function<void(std::string_view, bool from_stderr)>& visit) const;

  const std::string& text() const { return m_text; }
  const std::vector<ByteRange>& stderr_ranges() const { return m_stderr; }
  std::size_t size() const { return m_text.size(); }
  bool empty() const { return m_text.empty(); }
  bool operator==(const TaggedOutput&) const = default;

 private:
  std::string m_text;
  std::vector<ByteRange> m_stderr;  // sorted, disjoint, never adjacent
};

// Writes `"<text_key>": "...", "stderr_ranges": [[begin, end], ...]`.
void write_output(json::Writer& out, std::string_view text_key, const TaggedOutput& output);

// Bytes of write_output()'s text for output, the key excepted.
std::size_t json_size(const TaggedOutput& output);

// The longest front part of output (in bytes) whose write_output() text stays within
// max_json bytes; never cut inside a character, and at least one character, so an
// upload of any output can be split to fit a server's body limit.
std::size_t json_prefix_size(const TaggedOutput& output, std::size_t max_json);

// Reads the text under text_key (at most max_len bytes) and the optional
// "stderr_ranges" (absent: all of it is stdout) of a request object.
Result<TaggedOutput> parse_output(const json::Value& object, std::string_view text_key,
                                  bool required, std::size_t max_len);

}  // namespace ia::api
