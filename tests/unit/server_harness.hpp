// A Service driven in-process (no sockets) on a real SQLite store in a temporary
// directory: requests go through Service::handle, answers come back through the Reply,
// which the store's writer thread may call, so each call waits for its answer.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "json/value.hpp"
#include "server/auth.hpp"
#include "server/service.hpp"
#include "temp_dir.hpp"

namespace ia::test {

struct Answer {
  int status = 0;
  std::string body;
  http::Headers headers;

  json::Value json() const {
    Result<json::Value> value = json::parse(body);
    REQUIRE(value);
    return *value;
  }
};

struct Ask {
  Ask(std::string method_, std::string target_, std::string body_ = {}, std::string token_ = {},
      std::string remote_ = "127.0.0.1")
      : method(std::move(method_)),
        target(std::move(target_)),
        body(std::move(body_)),
        token(std::move(token_)),
        remote(std::move(remote_)) {}

  std::string method;
  std::string target;
  std::string body;
  std::string token;  // empty: none sent
  std::string remote;
  std::string content_type = "application/json";  // sent when body is not empty
  http::Headers headers;                         // extra, names lower-case
};

class ServiceHarness {
 public:
  explicit ServiceHarness(server::ServiceOptions options = {}) : m_options(std::move(options)) {
    auto store = store::open_store("sqlite://" + m_dir.str() + "/sched.db");
    REQUIRE(store);
    m_store = std::move(*store);
  }

  // A token of role, stored before the service starts (the first call starts it).
  std::string token(const std::string& name, const std::string& role) {
    REQUIRE_FALSE(m_service);
    Result<std::string> token = server::new_token();
    REQUIRE(token);
    REQUIRE(m_store->write_sync(store::Batch{
        {}, {}, {}, {store::TokenRecord{name, role, server::hash_token(*token), unix_now_ms(),
                                        false}}}));
    return *token;
  }

  server::Service& service() {
    if (!m_service) {
      m_service = std::make_unique<server::Service>(std::move(m_store), m_options, m_log);
      REQUIRE(m_service->start());
    }
    return *m_service;
  }

  Answer call(const Ask& ask) {
    http::Request request;
    request.method = ask.method;
    request.target = ask.target;
    REQUIRE(http::split_target(request));
    request.body = ask.body;
    request.remote = ask.remote;
    request.headers = ask.headers;
    request.headers.emplace_back("host", "127.0.0.1:8000");
    if (!ask.token.empty()) request.headers.emplace_back("authorization", "Bearer " + ask.token);
    if (!ask.body.empty()) request.headers.emplace_back("content-type", ask.content_type);
    // A mutex and condition variable, not std::promise: libstdc++'s futures wait on a
    // futex ThreadSanitizer cannot see, and the TSan build runs these cases. The slot is
    // not shared_ptr-owned either: GCC 12's shared_ptr release has a fast path TSan
    // takes for a race. The reply touches it last under the mutex, so it is ours after.
    struct Slot {
      std::mutex mutex;
      std::condition_variable ready;
      std::optional<http::Response> response;
    };
    auto* slot = new Slot;
    service().handle(std::move(request), [slot](http::Response response) {
      std::lock_guard lock(slot->mutex);
      slot->response = std::move(response);
      slot->ready.notify_all();
    });
    std::unique_lock lock(slot->mutex);
    // On a timeout the slot is left to the late reply rather than freed under it.
    REQUIRE(slot->ready.wait_for(lock, std::chrono::seconds(30),
                                 [&] { return slot->response.has_value(); }));
    Answer answer{slot->response->status, slot->response->body, slot->response->headers};
    lock.unlock();
    delete slot;
    return answer;
  }

  Answer get(const std::string& target, const std::string& token = {}) {
    return call(Ask{"GET", target, "", token});
  }
  Answer post(const std::string& target, const std::string& body, const std::string& token = {}) {
    return call(Ask{"POST", target, body, token});
  }
  Answer del(const std::string& target, const std::string& token = {}) {
    return call(Ask{"DELETE", target, "", token});
  }

 private:
  TempDir m_dir;
  server::ServiceOptions m_options;
  Logger m_log{"ia-sched-test", LogLevel::error};
  std::unique_ptr<store::Store> m_store;
  std::unique_ptr<server::Service> m_service;
};

// A node heartbeat body with room for one small task.
inline std::string beat_body() {
  return R"({"capacity":{"cpu":4,"memory":4096,"gpu":0}})";
}

}  // namespace ia::test
