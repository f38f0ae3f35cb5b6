// The request and response as the application sees them, free of Boost.Beast so that
// only server.cpp pays Beast's compile time. Plain value types.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ia::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The connection a request came on, as its handler sees it. Safe from any thread.
class Connection {
 public:
  virtual ~Connection() = default;
  // fn runs once, on a server thread, if this request's answer is not delivered: the
  // peer left before it was written, or writing it failed. A later call replaces fn;
  // a call after the peer left runs fn soon. Never run once the answer is written.
  virtual void on_undelivered(std::function<void()> fn) = 0;
};

struct Request {
  std::string method;  // "GET"
  std::string target;  // "/v1/tasks?limit=5"
  std::string path;    // "/v1/tasks", percent-decoded
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;     // names lower-cased
  std::string body;
  std::string remote;  // peer address
  std::shared_ptr<Connection> connection;  // set by Server; null in unit tests

  // The header's value, or "" (name in lower case).
  std::string_view header(std::string_view name) const;
  // The query parameter's value, or nullptr.
  const std::string* param(std::string_view name) const;
};

// A response body that goes on after the first answer (server-sent events). push()
// queues bytes for the peer; both are safe from any thread.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual bool push(std::string data) = 0;  // false once the peer is gone
  virtual void close() = 0;
  // False once the stream has ended (peer gone, dropped for falling behind, closed).
  virtual bool open() const = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
  // When set, the connection stays open after body and on_stream receives the Stream
  // to push more through; the stream ends when the peer leaves or close() is called.
  std::function<void(std::shared_ptr<Stream>)> on_stream;
};

// Answers one request; may be called from any thread, exactly once.
using Reply = std::function<void(Response)>;
// Called on a server thread; must not block (park the Reply to answer later).
using Handler = std::function<void(Request&&, Reply)>;

// Splits "a=1&b=x%20y" into decoded pairs; false on a bad %-escape.
bool parse_query(std::string_view text, std::vector<std::pair<std::string, std::string>>& out);
// Decodes %XX and (in queries) '+'; false on a bad escape.
bool percent_decode(std::string_view text, std::string& out, bool plus_is_space);
// Fills path and query from target; false when either is malformed.
bool split_target(Request& request);

}  // namespace ia::http
