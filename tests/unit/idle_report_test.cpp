#include <catch2/catch.hpp>

#include "idle/report.hpp"
#include "json/value.hpp"

using namespace ia::idle;

namespace {

Samples busy_gpu_machine() {
  Samples s;
  s.unix_ms = 1700000000123;
  InputSource x11;
  x11.name = "x11";
  x11.present = true;
  x11.idle_ms = 400000;
  x11.detail = "XScreenSaver on :0";
  InputSource logind;
  logind.name = "logind";
  logind.detail = "no system bus at /run/dbus/system_bus_socket";
  s.input = {x11, logind};
  s.cpu.present = true;
  s.cpu.busy_percent = 12.5;
  s.memory.present = true;
  s.memory.total_bytes = 1000;
  s.memory.available_bytes = 500;
  s.gpu.present = true;
  GpuDevice gpu;
  gpu.name = "Quoted \"GPU\"\n";
  gpu.utilization = 95;
  gpu.memory_used = 4ull << 30;
  GpuProcess p;
  p.pid = 7;
  p.name = "game";
  p.memory_bytes = 4ull << 30;
  gpu.processes.push_back(p);
  s.gpu.devices.push_back(gpu);
  return s;
}

}  // namespace

TEST_CASE("report: JSON has the verdict, every signal, sources and per-GPU verdicts") {
  Samples s = busy_gpu_machine();
  Verdict v = evaluate(Policy{}, s);
  std::string text = to_json(s, v);
  CHECK(text.find('\n') == std::string::npos);
  auto doc = ia::json::parse(text);
  REQUIRE(doc);
  CHECK(text.find("\"idle\":false") != std::string::npos);
  CHECK(text.find("\"time\":\"2023-11-14T22:13:20.123Z\"") != std::string::npos);
  // Whole numbers print as integers: 300000, not 3e+05.
  CHECK(text.find("\"threshold\":300000,") != std::string::npos);
  CHECK(text.find("\"value\":12.5") != std::string::npos);
  CHECK(text.find("Quoted \\\"GPU\\\"\\n") != std::string::npos);
  CHECK(text.find("\"verdict\":\"busy\",\"reasons\":[\"others hold 4G") != std::string::npos);
  CHECK(text.find("{\"name\":\"logind\",\"present\":false,\"idle_ms\":null") != std::string::npos);
}

TEST_CASE("report: explain starts with the answer and gives one line per signal and GPU") {
  Samples s = busy_gpu_machine();
  Verdict v = evaluate(Policy{}, s);
  std::vector<std::string> lines = explain(s, v);
  REQUIRE(lines.size() >= 8);
  CHECK(lines[0] == "busy: 1 signal(s) say the owner is using this machine");
  CHECK(lines[1].find("  ok   input: input idle 6m40s (x11)") == 0);
  CHECK(lines[2] == "         x11: idle 6m40s (XScreenSaver on :0)");
  CHECK(lines[3] == "         logind: absent (no system bus at /run/dbus/system_bus_socket)");
  CHECK(lines.back().find("  busy GPU 0") == 0);
}
