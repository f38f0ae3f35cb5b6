#include <catch2/catch.hpp>

#include "idle/procfs.hpp"

using namespace ia::idle::procfs;

TEST_CASE("procfs: /proc/stat cpu line sums busy and idle ticks, guest not twice") {
  auto times = parse_stat("cpu  100 5 50 800 20 3 2 1 40 0\ncpu0 1 2 3 4\n");
  REQUIRE(times);
  CHECK(times->total == 100 + 5 + 50 + 800 + 20 + 3 + 2 + 1);
  CHECK(times->idle == 820);
}

TEST_CASE("procfs: /proc/stat without a cpu line or with garbage is an error naming the file") {
  auto missing = parse_stat("intr 0\ncpu0 1 2 3 4\n");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("/proc/stat") != std::string::npos);
  CHECK_FALSE(parse_stat("cpu  1 2 x 4 5\n"));
  CHECK_FALSE(parse_stat("cpu  1 2 -3 4 5\n"));
  CHECK_FALSE(parse_stat(""));
}

TEST_CASE("procfs: counts cpuN lines, at least one") {
  CHECK(count_cpus("cpu 1 2 3 4\ncpu0 1\ncpu1 1\ncpu12 1\nintr 1\n") == 3);
  CHECK(count_cpus("") == 1);
}

TEST_CASE("procfs: meminfo gives MemTotal and MemAvailable in bytes") {
  auto info = parse_meminfo("MemTotal:  1000 kB\nMemFree: 10 kB\nMemAvailable:  250 kB\n");
  REQUIRE(info);
  CHECK(info->total_bytes == 1024000);
  CHECK(info->available_bytes == 256000);
}

TEST_CASE("procfs: meminfo without MemAvailable (old kernel) is an error, bigger available is clamped") {
  auto old = parse_meminfo("MemTotal: 1000 kB\nMemFree: 10 kB\n");
  REQUIRE_FALSE(old);
  CHECK(old.error().message.find("MemAvailable") != std::string::npos);
  auto odd = parse_meminfo("MemTotal: 10 kB\nMemAvailable: 20 kB\n");
  REQUIRE(odd);
  CHECK(odd->available_bytes == odd->total_bytes);
}

TEST_CASE("procfs: loadavg reads the first number and rejects junk") {
  auto load = parse_loadavg("1.50 0.50 0.10 2/100 999\n");
  REQUIRE(load);
  CHECK(load->one_minute == Approx(1.5));
  CHECK_FALSE(parse_loadavg("abc 1 2"));
  CHECK_FALSE(parse_loadavg(""));
  CHECK_FALSE(parse_loadavg("-1 0 0"));
}

TEST_CASE("procfs: pid stat keeps a command name with spaces and parentheses") {
  auto stat = parse_pid_stat("42 (a) b (c)) R 1 2 3 4 5 6 7 8 9 10 300 40 0 0\n");
  REQUIRE(stat);
  CHECK(stat->comm == "a) b (c)");
  CHECK(stat->state == 'R');
  CHECK(stat->cpu_ticks == 340);
}

TEST_CASE("procfs: truncated or nameless pid stat is an error") {
  CHECK_FALSE(parse_pid_stat("42 (x) R 1 2"));
  CHECK_FALSE(parse_pid_stat("42 x R 1 2 3 4 5 6 7 8 9 10 11 12"));
  CHECK_FALSE(parse_pid_stat(")( R"));
}

TEST_CASE("procfs: own cgroup is a whole path component on any hierarchy line") {
  CHECK(cgroup_has_component("12:cpuacct:/ia/task-7\n0::/\n", "ia"));
  CHECK(cgroup_has_component("0::/system.slice/ia-node.service/ia/t1\n", "ia"));
  CHECK_FALSE(cgroup_has_component("0::/user.slice/media\n", "ia"));
  CHECK_FALSE(cgroup_has_component("0::/iax/ia-node\n", "ia"));
  CHECK_FALSE(cgroup_has_component("0::/ia\n", ""));
  CHECK_FALSE(cgroup_has_component("garbage without colons /ia/", "ia"));
}

TEST_CASE("procfs: cgroup v2 cpu.stat usage_usec in seconds") {
  auto seconds = parse_cpu_stat_usage("usage_usec 2500000\nuser_usec 1\nsystem_usec 2\n");
  REQUIRE(seconds);
  CHECK(*seconds == Approx(2.5));
  CHECK_FALSE(parse_cpu_stat_usage("user_usec 1\n"));
}

TEST_CASE("procfs: read_file names the path and the errno text") {
  auto missing = read_file("/nonexistent/ia/file");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("/nonexistent/ia/file") != std::string::npos);
  CHECK(missing.error().message.find("No such file") != std::string::npos);
}
