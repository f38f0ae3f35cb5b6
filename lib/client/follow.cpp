#include "client/follow.hpp"

#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/units.hpp"

namespace ia::client {
namespace {

void draw_status(const json::Value& task, std::int64_t id, std::int64_t started_ms) {
  std::string state = task.string_at("status");
  std::string line = "task " + std::to_string(id) + " " + escape_controls(state);
  if (state == "running" || state == "leased") {
    line += " on " + escape_controls(task.string_at("node_id"));
  }
  line += " (" + format_duration(Millis((steady_now_ms() - started_ms) / 1000 * 1000)) + ")";
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void clear_status() {
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

}  // namespace

void write_output(const api::TaggedOutput& output, std::FILE* out, std::FILE* err) {
  output.for_each_run([&](std::string_view run, bool from_stderr) {
    std::FILE* stream = from_stderr ? err : out;
    std::fwrite(run.data(), 1, run.size(), stream);
    std::fflush(stream);  // the two streams may be one terminal: keep their order
  });
}

Result<json::Value> follow(Scheduler& scheduler, std::int64_t id, const FollowOptions& options) {
  std::int64_t offset = options.offset;
  std::int64_t started = steady_now_ms();
  // With a status line to keep fresh, poll each second; otherwise wait long.
  int wait_s = options.status_line ? 1 : 20;
  while (!(options.stop && options.stop->load())) {
    Result<OutputPiece> piece = scheduler.output(id, offset, wait_s);
    if (!piece) {
      if (options.stop && options.stop->load()) break;
      return std::move(piece).error();
    }
    if (!piece->data.empty()) {
      if (options.status_line) clear_status();
      write_output(piece->data, options.output, options.errors);
    }
    offset = piece->next_offset;
    if (piece->finished) break;
    if (options.status_line) {
      Result<json::Value> task = scheduler.task(id);
      if (task) draw_status(*task, id, started);
    }
  }
  if (options.status_line) clear_status();
  return scheduler.task(id);
}

Result<OutputPiece> collect_output(Scheduler& scheduler, std::int64_t id, bool until_finished) {
  OutputPiece whole;
  while (true) {
    Result<OutputPiece> piece = scheduler.output(id, whole.next_offset, until_finished ? 20 : 0);
    if (!piece) return std::move(piece).error();
    whole.data.append(piece->data);
    whole.finished = piece->finished;
    whole.status = piece->status;
    bool moved = piece->next_offset > whole.next_offset;
    whole.next_offset = piece->next_offset;
    if (whole.finished || (!until_finished && !moved)) return whole;
  }
}

int exit_code_of(const json::Value& task) {
  std::string state = task.string_at("status");
  if (state == "timed_out") return 124;
  if (state == "cancelled") return 1;  // killed on request; its own code says nothing
  const json::Value* result = task.find("result");
  const json::Value* code = result ? result->find("exit_code") : nullptr;
  if (state == "succeeded") return 0;
  if (code && code->is_int() && code->as_int() != 0) {
    return static_cast<int>(code->as_int() & 0xFF);
  }
  return 1;
}

}  // namespace ia::client
