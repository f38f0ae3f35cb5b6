// GET /v1/events: server-sent events of committed changes, with Last-Event-ID resume
// from an in-memory log of the most recent events. Bounded: streams per token, the
// replay one answer carries, and (in http::Server) what a stream may queue for a reader
// that does not read; a reader dropped for that resumes with Last-Event-ID.
#include "core/strings.hpp"
#include "core/time.hpp"
#include "json/writer.hpp"
#include "server/service.hpp"

namespace ia::server {
namespace {

constexpr std::size_t k_event_log = 10'000;
// One answer's replay, and what a stream may gather before its header is out: well below
// the server's max_stream_queue, so live events fit behind it. A longer replay comes in
// parts: the answer ends, and the reader asks again from its Last-Event-ID.
constexpr std::size_t k_replay_bytes = 64 * 1024;

std::string event_text(std::int64_t id, const sched::Event& event, std::int64_t now_ms) {
  json::Writer data;
  data.begin_object();
  if (event.task_id > 0) data.field("task_id", static_cast<long long>(event.task_id));
  if (!event.node_id.empty()) data.field("node_id", event.node_id);
  data.field("status", event.status).field("time", format_iso8601(now_ms)).end_object();
  return "id: " + std::to_string(id) + "\nevent: " + event.name + "\ndata: " + data.text() +
         "\n\n";
}

}  // namespace

void Service::publish(const std::vector<sched::Event>& events) {
  if (events.empty()) return;
  std::lock_guard lock(m_events_mutex);
  std::vector<LoggedEvent> fresh;
  for (const sched::Event& event : events) {
    std::int64_t id = m_next_event++;
    fresh.push_back(
        LoggedEvent{id, event.task_id > 0, event.owner, event_text(id, event, unix_now_ms())});
  }
  std::erase_if(m_subscribers, [&fresh](const std::shared_ptr<Subscriber>& subscriber) {
    std::string text;
    for (const LoggedEvent& event : fresh) {
      if (subscriber->sees(event)) text += event.text;
    }
    if (text.empty()) return false;
    if (!subscriber->stream) {
      subscriber->pending += text;
      subscriber->dropped = subscriber->pending.size() > k_replay_bytes;
      return subscriber->dropped;
    }
    return !subscriber->stream->push(text);
  });
  for (LoggedEvent& event : fresh) m_event_log.push_back(std::move(event));
  while (m_event_log.size() > k_event_log) m_event_log.pop_front();
}

void Service::events(Call& call) {
  long long last = 0;
  std::string_view header = call.request.header("last-event-id");
  const std::string* param = call.request.param("last_event_id");
  std::string_view given = !header.empty() ? header : param ? std::string_view(*param) : "";
  if (!given.empty() && (!parse_int64(trim(given), last) || last < 0)) {
    return call.fail(make_error(ErrorCode::invalid_argument,
                                "Last-Event-ID: not an event id: '" +
                                    std::string(given.substr(0, 32)) + "'"));
  }
  std::int64_t cap = call.options->max_streams_per_token;
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->owner = owner_filter(call.principal);
  http::Response response;
  response.content_type = "text/event-stream";
  bool complete = true;
  {
    std::lock_guard lock(m_events_mutex);
    // Streams that ended since the last publish give their token's slots back now.
    std::erase_if(m_subscribers, [](const std::shared_ptr<Subscriber>& other) {
      return other->stream && !other->stream->open();
    });
    subscriber->slot = m_stream_slots.take(call.principal.name, cap);
    if (subscriber->slot) {
      for (const LoggedEvent& event : m_event_log) {
        if (event.id <= last || !subscriber->sees(event)) continue;
        if (response.body.size() + event.text.size() > k_replay_bytes) {
          complete = false;
          break;
        }
        response.body += event.text;
      }
      // Registered now, so nothing published before the header is out is missed.
      if (complete) m_subscribers.push_back(subscriber);
    }
  }
  if (!subscriber->slot) {
    return call.fail(make_error(
        ErrorCode::rate_limited,
        "'" + call.principal.name + "' has " + std::to_string(cap) +
            " event streams open, its limit ([sched] max_event_streams_per_token)",
        "close one first"));
  }
  if (!complete) {
    response.body = ": ia-sched events: more follow, ask again with the last id\n\n" +
                    response.body;
    return call.reply(std::move(response));
  }
  response.body = ": ia-sched events\n\n" + response.body;
  response.on_stream = [this, subscriber](std::shared_ptr<http::Stream> stream) {
    std::lock_guard lock(m_events_mutex);
    if (subscriber->dropped) return stream->close();
    if (!subscriber->pending.empty()) stream->push(std::move(subscriber->pending));
    subscriber->pending.clear();
    subscriber->stream = std::move(stream);
  };
  call.reply(std::move(response));
}

}  // namespace ia::server
