#include <catch2/catch.hpp>

#include "idle/steadiness.hpp"

using ia::Millis;
using ia::idle::Policy;
using ia::idle::Signal;
using ia::idle::Steadiness;
using ia::idle::Verdict;

namespace {

// A verdict with input and cpu signals, busy as asked.
Verdict verdict_of(bool input_busy, bool cpu_busy) {
  Verdict v;
  Signal input;
  input.name = "input";
  input.present = true;
  input.busy = input_busy;
  Signal cpu;
  cpu.name = "cpu";
  cpu.present = true;
  cpu.busy = cpu_busy;
  cpu.reason = "CPU busy";
  v.signals = {input, cpu};
  v.idle = !input_busy && !cpu_busy;
  return v;
}

Policy hysteresis(std::int64_t cpu_for_ms, std::int64_t resume_ms) {
  Policy p;
  p.cpu_busy_for = Millis(cpu_for_ms);
  p.resume_after = Millis(resume_ms);
  return p;
}

bool idle_at(Steadiness& s, const Policy& p, std::int64_t t, bool input, bool cpu) {
  Verdict v = verdict_of(input, cpu);
  s.apply(p, v, t);
  return v.idle;
}

}  // namespace

TEST_CASE("steadiness: CPU spikes shorter than cpu_busy_for leave the machine idle") {
  Policy p = hysteresis(10'000, 5'000);
  Steadiness s;
  CHECK(idle_at(s, p, 0, false, false));
  // Busy for 9.9 s, twice, with idle looks between: never busy, so nothing to resume from.
  for (std::int64_t t = 1'000; t <= 10'900; t += 100) CHECK(idle_at(s, p, t, false, true));
  CHECK(idle_at(s, p, 11'000, false, false));
  for (std::int64_t t = 12'000; t <= 21'900; t += 100) CHECK(idle_at(s, p, t, false, true));
  Verdict spike = verdict_of(false, true);
  s.apply(p, spike, 21'950);
  CHECK(spike.signals[1].reason.find("a spike") != std::string::npos);
}

TEST_CASE("steadiness: CPU load that lasts makes it busy, and idle must then last resume_after") {
  Policy p = hysteresis(2'000, 5'000);
  Steadiness s;
  CHECK(idle_at(s, p, -1, false, false));
  CHECK(idle_at(s, p, 0, false, true));
  CHECK(idle_at(s, p, 1'999, false, true));
  CHECK_FALSE(idle_at(s, p, 2'000, false, true));
  CHECK_FALSE(idle_at(s, p, 3'000, false, false));  // 1 s idle: not yet
  CHECK_FALSE(idle_at(s, p, 4'000, false, true));   // a spike: still held, not busy anew
  Verdict held = verdict_of(false, false);
  s.apply(p, held, 6'999);
  CHECK_FALSE(held.idle);
  REQUIRE(held.signals.size() == 3);
  CHECK(held.signals[2].name == "resume");
  CHECK(held.signals[2].reason.find("idle.resume_after") != std::string::npos);
  CHECK(idle_at(s, p, 7'000, false, false));
}

TEST_CASE("steadiness: input counts at once, whatever cpu_busy_for says") {
  Policy p = hysteresis(60'000, 1'000);
  Steadiness s;
  CHECK(idle_at(s, p, 0, false, false));
  CHECK_FALSE(idle_at(s, p, 10, true, false));
  CHECK_FALSE(idle_at(s, p, 500, false, false));
  CHECK(idle_at(s, p, 1'010, false, false));
}

TEST_CASE("steadiness: zero windows keep the raw verdict") {
  Policy p = hysteresis(0, 0);
  Steadiness s;
  CHECK_FALSE(idle_at(s, p, 0, false, true));
  CHECK(idle_at(s, p, 1, false, false));
}

TEST_CASE("steadiness: CPU load at the first look counts as lasting") {
  Policy p = hysteresis(10'000, 1'000);
  Steadiness s;
  CHECK_FALSE(idle_at(s, p, 0, false, true));
  CHECK_FALSE(idle_at(s, p, 500, false, false));
  CHECK(idle_at(s, p, 1'000, false, false));
}
