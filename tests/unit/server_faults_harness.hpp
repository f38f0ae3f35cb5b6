// Drives a server::Service in-process, as ia-sched's HTTP server would: a request in,
// the answer back (waiting for it, as parked and store-bound answers come later, from
// other threads). No sockets; open mode (insecure), so every caller is admin.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <memory>
#include <string>

#include "core/log.hpp"
#include "json/value.hpp"
#include "server/service.hpp"

namespace ia::test {

struct Answer {
  int status = 0;
  std::string body;
  json::Value json() const {
    Result<json::Value> parsed = json::parse(body);
    return parsed ? *parsed : json::Value();
  }
  std::int64_t integer(std::string_view key) const {
    json::Value value = json();
    const json::Value* found = value.is_object() ? value.find(key) : nullptr;
    return found && found->is_int() ? found->as_int() : -1;
  }
};

inline Answer call(server::Service& service, const std::string& method, const std::string& target,
                   const std::string& body = "") {
  http::Request request;
  request.method = method;
  request.target = target;
  std::size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) {
    std::string query = target.substr(question + 1);
    std::size_t start = 0;
    while (start <= query.size()) {
      std::size_t end = query.find('&', start);
      std::string pair = query.substr(start, end == std::string::npos ? end : end - start);
      std::size_t equals = pair.find('=');
      request.query.emplace_back(pair.substr(0, equals),
                                 equals == std::string::npos ? "" : pair.substr(equals + 1));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  request.body = body;
  request.remote = "127.0.0.1";
  if (!body.empty()) request.headers.emplace_back("content-type", "application/json");
  // A mutex and condition variable rather than std::promise: ThreadSanitizer reports
  // GCC 12's future internals when the last reference dies on the store's thread.
  struct Slot {
    std::mutex mutex;
    std::condition_variable ready;
    std::optional<http::Response> response;
  };
  auto slot = std::make_shared<Slot>();
  service.handle(std::move(request), [slot](http::Response reply) {
    std::lock_guard lock(slot->mutex);
    slot->response = std::move(reply);
    slot->ready.notify_all();
  });
  std::unique_lock lock(slot->mutex);
  // Bounded, so a hang fails the test instead of stalling the suite.
  auto answered = [&] { return slot->response.has_value(); };
  if (!slot->ready.wait_for(lock, std::chrono::seconds(60), answered)) {
    FAIL(method << " " << target << ": no answer within 60 s (a hang)");
  }
  http::Response got = std::move(*slot->response);
  return Answer{got.status, got.body};
}

inline server::ServiceOptions open_options() {
  server::ServiceOptions options;
  options.insecure = true;
  return options;
}

// Polls GET /health until the store is up again; false after limit.
inline bool wait_store_up(server::Service& service,
                          std::chrono::seconds limit = std::chrono::seconds(60)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (call(service, "GET", "/health").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace ia::test
