// ConnectionLimits: the verdicts http::Server gives new connections.
#include <catch2/catch.hpp>

#include "http/connection_limits.hpp"

using ia::http::ConnectionLimits;
using Verdict = ConnectionLimits::Verdict;

TEST_CASE("http limits: one address past its share is refused, others still admitted") {
  ConnectionLimits limits(10, 2, 1);
  CHECK(limits.admit("10.0.0.1") == Verdict::admitted);
  CHECK(limits.admit("10.0.0.1") == Verdict::admitted);
  CHECK(limits.admit("10.0.0.1") == Verdict::refused_address);
  CHECK(limits.admit("10.0.0.1") == Verdict::dropped);  // one refusal in progress at most
  CHECK(limits.admit("10.0.0.2") == Verdict::admitted);
  CHECK(limits.admitted() == 3);
  limits.release(Verdict::refused_address, "10.0.0.1");
  limits.release(Verdict::admitted, "10.0.0.1");
  CHECK(limits.admit("10.0.0.1") == Verdict::admitted);
}

TEST_CASE("http limits: past the total every address is refused until one is released") {
  ConnectionLimits limits(3, 2, 8);
  CHECK(limits.admit("a") == Verdict::admitted);
  CHECK(limits.admit("a") == Verdict::admitted);
  CHECK(limits.admit("b") == Verdict::admitted);
  CHECK(limits.admit("c") == Verdict::refused_total);
  CHECK(limits.admit("a") == Verdict::refused_address);
  limits.release(Verdict::refused_total, "c");
  limits.release(Verdict::admitted, "b");
  CHECK(limits.admit("c") == Verdict::admitted);
  CHECK(limits.admitted() == 3);
}
