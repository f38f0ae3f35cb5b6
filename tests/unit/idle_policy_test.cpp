#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "idle/policy.hpp"

using namespace ia::idle;

namespace {

Samples quiet_machine() {
  Samples s;
  s.local_minute = 12 * 60;
  InputSource x11;
  x11.name = "x11";
  x11.present = true;
  x11.idle_ms = 10 * 60 * 1000;
  s.input.push_back(x11);
  s.cpu.present = true;
  s.cpu.busy_percent = 3;
  s.memory.present = true;
  s.memory.total_bytes = 1000;
  s.memory.available_bytes = 800;
  s.processes.checked = true;
  return s;
}

const Signal& signal_named(const Verdict& v, const std::string& name) {
  for (const Signal& s : v.signals) {
    if (s.name == name) return s;
  }
  FAIL("no signal " << name);
  return v.signals.front();
}

GpuDevice gpu_with(unsigned util, std::vector<GpuProcess> processes) {
  GpuDevice gpu;
  gpu.name = "test GPU";
  gpu.utilization = util;
  gpu.memory_total = 8ull << 30;
  for (const GpuProcess& p : processes) gpu.memory_used += p.memory_bytes.value_or(0);
  gpu.processes = std::move(processes);
  return gpu;
}

GpuProcess process(const char* name, std::uint64_t bytes, bool own = false) {
  GpuProcess p;
  p.name = name;
  p.memory_bytes = bytes;
  p.own = own;
  return p;
}

}  // namespace

TEST_CASE("policy: a quiet machine is idle, every signal says why") {
  Verdict v = evaluate(Policy{}, quiet_machine());
  CHECK(v.idle);
  CHECK(v.busy_reasons().empty());
  CHECK(signal_named(v, "input").reason.find("x11") != std::string::npos);
  CHECK(signal_named(v, "cpu").value == Approx(3));
  CHECK(signal_named(v, "memory").value == Approx(20));
}

TEST_CASE("policy: the smallest idle time over present sources wins") {
  Samples s = quiet_machine();
  InputSource terminal;
  terminal.name = "terminal";
  terminal.present = true;
  terminal.idle_ms = 20 * 1000;
  InputSource absent;
  absent.name = "logind";
  absent.idle_ms = 1;  // an absent source never counts, whatever it holds
  s.input.push_back(terminal);
  s.input.push_back(absent);
  Verdict v = evaluate(Policy{}, s);
  CHECK_FALSE(v.idle);
  const Signal& input = signal_named(v, "input");
  CHECK(input.busy);
  CHECK(input.source == "terminal");
  CHECK(*input.value == Approx(20000));
}

TEST_CASE("policy: no input source at all (a headless server) does not make it busy") {
  Samples s = quiet_machine();
  s.input.clear();
  Verdict v = evaluate(Policy{}, s);
  CHECK(v.idle);
  CHECK_FALSE(signal_named(v, "input").present);
}

TEST_CASE("policy: locked sessions are not input activity, and the reason says locked") {
  Samples s = quiet_machine();
  s.input[0].idle_ms.reset();
  s.input[0].locked = true;
  Verdict locked = evaluate(Policy{}, s);
  CHECK(locked.idle);
  CHECK(signal_named(locked, "input").reason.find("only locked sessions") != std::string::npos);
  s.input[0].locked = false;  // no session at all reads differently
  Verdict none = evaluate(Policy{}, s);
  CHECK(none.idle);
  CHECK(signal_named(none, "input").reason.find("no active session") != std::string::npos);
}

TEST_CASE("policy: CPU above max_cpu is busy, at it is not") {
  Samples s = quiet_machine();
  Policy p;
  p.max_cpu = 20;
  s.cpu.busy_percent = 20;
  CHECK(evaluate(p, s).idle);
  s.cpu.busy_percent = 20.5;
  Verdict v = evaluate(p, s);
  CHECK_FALSE(v.idle);
  REQUIRE(v.busy_reasons().size() == 1);
  CHECK(v.busy_reasons()[0].find("cpu") == 0);
}

TEST_CASE("policy: own tasks' CPU is named in the reason") {
  Samples s = quiet_machine();
  s.cpu.own_percent = 75;
  Verdict v = evaluate(Policy{}, s);
  CHECK(v.idle);
  CHECK(signal_named(v, "cpu").reason.find("own") != std::string::npos);
}

TEST_CASE("policy: memory, battery with require_ac, busy processes and time window") {
  Samples s = quiet_machine();
  Policy p;
  s.memory.available_bytes = 50;  // 95% in use
  CHECK(signal_named(evaluate(p, s), "memory").busy);
  s = quiet_machine();
  s.power.present = true;
  s.power.on_battery = true;
  CHECK(evaluate(p, s).idle);
  p.require_ac = true;
  CHECK_FALSE(evaluate(p, s).idle);
  s = quiet_machine();
  p = Policy{};
  p.busy_if_running = {"steam"};
  s.processes.running = {"steam"};
  CHECK(signal_named(evaluate(p, s), "processes").busy);
  s = quiet_machine();
  p = Policy{};
  p.only_between = *parse_time_window("22:00-07:00");
  s.local_minute = 12 * 60;
  CHECK(signal_named(evaluate(p, s), "time").busy);
  s.local_minute = 23 * 60;
  CHECK(evaluate(p, s).idle);
  s.local_minute = 6 * 60 + 59;
  CHECK(evaluate(p, s).idle);
  s.local_minute = 7 * 60;
  CHECK_FALSE(evaluate(p, s).idle);
}

TEST_CASE("policy: a compositor holding a little GPU memory is not busy") {
  Samples s = quiet_machine();
  s.gpu.present = true;
  s.gpu.devices.push_back(gpu_with(4, {process("gnome-shell", 90ull << 20)}));
  Verdict v = evaluate(Policy{}, s);
  CHECK(v.idle);
  REQUIRE(v.gpus.size() == 1);
  CHECK_FALSE(v.gpus[0].busy);
  CHECK(v.gpus[0].others_memory == 90ull << 20);
}

TEST_CASE("policy: a training run or game is busy, by memory and by utilization") {
  Samples s = quiet_machine();
  s.gpu.present = true;
  s.gpu.devices.push_back(gpu_with(98, {process("python3", 6ull << 30)}));
  s.gpu.devices.push_back(gpu_with(60, {}));
  s.gpu.devices.push_back(gpu_with(0, {}));
  Verdict v = evaluate(Policy{}, s);
  CHECK_FALSE(v.idle);
  REQUIRE(v.gpus.size() == 3);
  CHECK(v.gpus[0].busy);
  CHECK(v.gpus[1].busy);  // utilization alone
  CHECK_FALSE(v.gpus[2].busy);
  CHECK(signal_named(v, "gpu").reason.find("GPU 0") != std::string::npos);
}

TEST_CASE("policy: ia's own GPU processes count neither memory nor utilization") {
  Samples s = quiet_machine();
  s.gpu.present = true;
  s.gpu.devices.push_back(gpu_with(99, {process("python3", 20ull << 30, true), process("Xorg", 50ull << 20)}));
  Verdict v = evaluate(Policy{}, s);
  CHECK(v.idle);
  CHECK(v.gpus[0].has_own);
  CHECK(v.gpus[0].others_memory == 50ull << 20);
  // ...but someone else's big process on the same GPU is still the owner's.
  s.gpu.devices[0].processes.push_back(process("game", 3ull << 30));
  CHECK_FALSE(evaluate(Policy{}, s).idle);
}

TEST_CASE("policy: unknown per-process GPU memory counts all non-own memory") {
  Samples s = quiet_machine();
  s.gpu.present = true;
  GpuDevice gpu = gpu_with(0, {process("train", 1ull << 30, true)});
  GpuProcess hidden;
  hidden.name = "hidden";
  gpu.processes.push_back(hidden);
  gpu.memory_used = (1ull << 30) + (2ull << 30);
  s.gpu.devices.push_back(gpu);
  Verdict v = evaluate(Policy{}, s);
  CHECK(v.gpus[0].others_memory == 2ull << 30);
  CHECK_FALSE(v.idle);
}

TEST_CASE("policy: no GPU or no driver is a normal, idle answer") {
  Samples s = quiet_machine();
  s.gpu.detail = "no NVIDIA driver";
  Verdict v = evaluate(Policy{}, s);
  CHECK(v.idle);
  CHECK(signal_named(v, "gpu").reason.find("no NVIDIA driver") != std::string::npos);
}

TEST_CASE("policy: only the checked signals are evaluated") {
  Samples s = quiet_machine();
  s.checks = Checks{true, false, false, false, false, false, false};
  s.cpu.busy_percent = 100;
  Verdict v = evaluate(Policy{}, s);
  CHECK(v.idle);
  CHECK(v.signals.size() == 1);
}

TEST_CASE("time window: parses, wraps midnight, rejects junk with a hint") {
  auto w = parse_time_window("22:00-07:00");
  REQUIRE(w);
  CHECK(w->text() == "22:00-07:00");
  CHECK(w->contains(23 * 60));
  CHECK_FALSE(w->contains(12 * 60));
  auto day = parse_time_window(" 09:30-17:00 ");
  REQUIRE(day);
  CHECK(day->contains(9 * 60 + 30));
  CHECK_FALSE(day->contains(17 * 60));
  CHECK(parse_time_window("00:00-24:00")->contains(5));
  for (const char* bad : {"", "22-07", "25:00-07:00", "22:60-07:00", "22:00", "ab:cd-ef:gh", "22:00-07:00-08:00"}) {
    auto r = parse_time_window(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().hint.find("HH:MM-HH:MM") != std::string::npos);
  }
}

TEST_CASE("policy: from_config reads [idle] and names the origin of a bad only_between") {
  ia::config::Config cfg;
  REQUIRE(cfg.set_text("idle.idle_time", "90s", "test"));
  REQUIRE(cfg.set_text("idle.busy_if_running", "steam, obs", "test"));
  auto p = Policy::from_config(cfg);
  REQUIRE(p);
  CHECK(p->idle_time.count() == 90000);
  CHECK(p->busy_if_running == std::vector<std::string>{"steam", "obs"});
  REQUIRE(cfg.set_text("idle.only_between", "late", "--only-between"));
  auto bad = Policy::from_config(cfg);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("--only-between") != std::string::npos);
}
