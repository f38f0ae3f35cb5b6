#include "api/output.hpp"

#include <algorithm>

#include "api/fields.hpp"
#include "json/utf8.hpp"

namespace ia::api {

void TaggedOutput::append(std::string_view data, bool from_stderr) {
  if (data.empty()) return;
  std::size_t begin = m_text.size();
  m_text += json::to_valid_utf8(data);
  if (!from_stderr) return;
  if (!m_stderr.empty() && m_stderr.back().end == begin) {
    m_stderr.back().end = m_text.size();
  } else {
    m_stderr.push_back({begin, m_text.size()});
  }
}

void TaggedOutput::append(const TaggedOutput& other) {
  other.for_each_run([this](std::string_view run, bool from_stderr) { append(run, from_stderr); });
}

void TaggedOutput::drop_front(std::size_t count) {
  *this = slice(count, m_text.size());
}

void TaggedOutput::truncate(std::size_t size) {
  *this = slice(0, json::utf8_floor(m_text, size));
}

TaggedOutput TaggedOutput::slice(std::size_t from, std::size_t to) const {
  to = std::min(to, m_text.size());
  from = std::min(from, to);
  TaggedOutput part;
  part.m_text = m_text.substr(from, to - from);
  for (const ByteRange& range : m_stderr) {
    std::size_t begin = std::max(range.begin, from);
    std::size_t end = std::min(range.end, to);
    if (begin < end) part.m_stderr.push_back({begin - from, end - from});
  }
  return part;
}

void TaggedOutput::for_each_run(
    const std::function<void(std::string_view, bool from_stderr)>& visit) const {
  std::string_view text = m_text;
  std::size_t at = 0;
  for (const ByteRange& range : m_stderr) {
    if (at < range.begin) visit(text.substr(at, range.begin - at), false);
    visit(text.substr(range.begin, range.end - range.begin), true);
    at = range.end;
  }
  if (at < text.size()) visit(text.substr(at), false);
}

void write_output(json::Writer& out, std::string_view text_key, const TaggedOutput& output) {
  out.field(text_key, output.text());
  out.key("stderr_ranges").begin_array();
  for (const ByteRange& range : output.stderr_ranges()) {
    out.begin_array();
    out.integer(static_cast<std::int64_t>(range.begin));
    out.integer(static_cast<std::int64_t>(range.end));
    out.end_array();
  }
  out.end_array();
}

std::size_t json_size(const TaggedOutput& output) {
  json::Writer out;
  out.begin_object();
  write_output(out, "", output);
  out.end_object();
  return out.text().size();
}

std::size_t json_prefix_size(const TaggedOutput& output, std::size_t max_json) {
  const std::string& text = output.text();
  if (text.empty()) return 0;
  std::size_t first = std::max<std::size_t>(1, json::utf8_sequence_length(text, 0));
  // The text's escapes first; then the key, quotes and stderr ranges take room too,
  // which shrinks the text's share by as much as the part ran over.
  std::size_t text_budget = max_json;
  std::size_t size = json::escaped_prefix_length(text, text_budget);
  while (size > first) {
    std::size_t used = json_size(output.slice(0, size));
    if (used <= max_json) break;
    text_budget -= std::min(text_budget, used - max_json);
    size = json::escaped_prefix_length(text, text_budget);
  }
  return std::max(size, std::min(first, text.size()));
}

namespace {

// One [begin, end] pair inside text of text_size bytes, after the previous range.
Result<ByteRange> parse_range(const Fields& fields, const json::Value& item,
                              std::size_t text_size, std::size_t previous_end) {
  std::string_view key = "stderr_ranges";
  if (!item.is_array() || item.as_array().size() != 2 || !item.as_array()[0].is_int() ||
      !item.as_array()[1].is_int()) {
    return fields.invalid(key, "each range must be a pair of integers [begin, end]");
  }
  std::int64_t begin = item.as_array()[0].as_int();
  std::int64_t end = item.as_array()[1].as_int();
  if (begin < static_cast<std::int64_t>(previous_end) || end <= begin ||
      end > static_cast<std::int64_t>(text_size)) {
    return fields.invalid(key, "ranges must be sorted, disjoint, non-empty and within the " +
                                   std::to_string(text_size) + " bytes of output, got [" +
                                   std::to_string(begin) + ", " + std::to_string(end) + "]");
  }
  return ByteRange{static_cast<std::size_t>(begin), static_cast<std::size_t>(end)};
}

}  // namespace

Result<TaggedOutput> parse_output(const json::Value& object, std::string_view text_key,
                                  bool required, std::size_t max_len) {
  Fields fields(object);
  Result<std::string> text = fields.string(text_key, required, max_len, Chars::any);
  IA_TRY(text);
  const json::Value* ranges = object.find("stderr_ranges");
  std::vector<ByteRange> stderr_ranges;
  if (ranges && !ranges->is_null()) {
    if (!ranges->is_array()) return fields.invalid("stderr_ranges", "must be an array");
    for (const json::Value& item : ranges->as_array()) {
      std::size_t previous = stderr_ranges.empty() ? 0 : stderr_ranges.back().end;
      Result<ByteRange> range = parse_range(fields, item, text->size(), previous);
      IA_TRY(range);
      stderr_ranges.push_back(*range);
    }
  }
  TaggedOutput output;
  std::size_t at = 0;
  for (const ByteRange& range : stderr_ranges) {
    output.append(std::string_view(*text).substr(at, range.begin - at), false);
    output.append(std::string_view(*text).substr(range.begin, range.end - range.begin), true);
    at = range.end;
  }
  output.append(std::string_view(*text).substr(at), false);
  return output;
}

}  // namespace ia::api
