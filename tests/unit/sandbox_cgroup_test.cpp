// cgroup v1 and v2 against temporary directory trees (the same code paths as cgroupfs),
// the layout probe against mount tables, and v1 live on this machine when it has it.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sandbox/cgroup.hpp"
#include "skip.hpp"

namespace fs = std::filesystem;
using namespace ia::sandbox;

namespace {

struct TempTree {
  fs::path root;
  TempTree() {
    char pattern[] = "/tmp/ia-cgroup-test-XXXXXX";
    root = ::mkdtemp(pattern);
  }
  ~TempTree() { fs::remove_all(root); }
  void write(const fs::path& file, const std::string& text) const {
    fs::create_directories((root / file).parent_path());
    std::ofstream(root / file) << text;
  }
  std::string read(const fs::path& file) const { return read_text((root / file).string()); }
};

constexpr const char* k_v1_mountinfo =
    "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"
    "31 25 0:27 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids\n"
    "32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
    "33 25 0:29 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
    "34 25 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";

}  // namespace

TEST_CASE("cgroup probe: v1 controllers when the unified hierarchy offers no memory") {
  CgroupLayout layout = probe_layout(k_v1_mountinfo, "0::/\n4:memory:/x\n",
                                     [](const std::string&) { return std::string(); });
  REQUIRE(layout.version == CgroupLayout::Version::v1);
  CHECK(layout.v1_roots.at("memory") == "/sys/fs/cgroup/memory");
  CHECK(layout.v1_roots.at("cpu") == "/sys/fs/cgroup/cpu,cpuacct");
  CHECK(layout.v1_roots.at("cpuacct") == "/sys/fs/cgroup/cpu,cpuacct");
  CHECK(layout.v1_roots.at("freezer") == "/sys/fs/cgroup/freezer");
}

TEST_CASE("cgroup probe: sandbox.cgroups narrows the choice, v2 on a hybrid host included") {
  auto hybrid = [] {
    return probe_layout(k_v1_mountinfo, "0::/\n", [](const std::string&) { return ""; });
  };
  CgroupLayout automatic = hybrid();
  choose_version(automatic, CgroupMode::automatic);
  CHECK(automatic.version == CgroupLayout::Version::v1);
  CHECK(automatic.v2_root.empty());
  CHECK(automatic.v2_mount == "/sys/fs/cgroup/unified");
  // The unified mount without controllers still starts, freezes and kills tasks.
  CgroupLayout v2 = hybrid();
  choose_version(v2, CgroupMode::v2);
  CHECK(v2.version == CgroupLayout::Version::v2);
  CHECK(v2.v2_root == "/sys/fs/cgroup/unified");
  CHECK(v2.v1_roots.size() == 5);  // still swept
  CgroupLayout off = hybrid();
  choose_version(off, CgroupMode::off);
  CHECK(off.version == CgroupLayout::Version::none);
  // What the host lacks cannot be chosen.
  CgroupLayout pure_v1 =
      probe_layout("30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "",
                   [](const std::string&) { return ""; });
  choose_version(pure_v1, CgroupMode::v2);
  CHECK(pure_v1.version == CgroupLayout::Version::none);
  CgroupLayout pure_v2 = probe_layout("40 1 0:33 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "",
                                      [](const std::string&) { return "memory pids\n"; });
  choose_version(pure_v2, CgroupMode::v1);
  CHECK(pure_v2.version == CgroupLayout::Version::none);
}

TEST_CASE("cgroup probe: v2 wins when its mount offers the memory controller") {
  std::string mountinfo = "40 1 0:33 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
  CgroupLayout layout =
      probe_layout(mountinfo, "0::/user.slice/session-1.scope\n", [](const std::string& path) {
        return path == "/sys/fs/cgroup/cgroup.controllers" ? std::string("cpu io memory pids\n")
                                                           : std::string();
      });
  REQUIRE(layout.version == CgroupLayout::Version::v2);
  CHECK(layout.v2_root == "/sys/fs/cgroup");
  CHECK(layout.own_path == "/user.slice/session-1.scope");
}

TEST_CASE("cgroup probe: nothing mounted means no cgroup, and garbage lines are skipped") {
  CgroupLayout layout =
      probe_layout("garbage\n\n1 2 3\n", "", [](const std::string&) { return std::string(); });
  CHECK(layout.version == CgroupLayout::Version::none);
  auto made = create_cgroup(layout, "ia", "t1");
  REQUIRE_FALSE(made);
  CHECK(made.error().message.find("no cgroup") != std::string::npos);
}

TEST_CASE("cgroup v1: creates <controller>/ia/<name>, writes limits, attaches, removes") {
  TempTree tree;
  std::map<std::string, std::string> roots;
  for (const char* c : {"memory", "pids", "cpu", "cpuacct", "freezer"}) {
    fs::create_directories(tree.root / c);
    roots[c] = (tree.root / c).string();
  }
  auto made = create_cgroup_v1(roots, "ia", "task-1");
  REQUIRE(made);
  Cgroup& cg = **made;
  tree.write("memory/ia/task-1/memory.memsw.limit_in_bytes", "");
  Limits limits;
  limits.memory = 256u << 20;
  limits.pids = 64;
  limits.cpus = 1.5;
  std::vector<std::string> applied;
  REQUIRE(cg.apply(limits, applied));
  CHECK(tree.read("memory/ia/task-1/memory.limit_in_bytes") == "268435456");
  CHECK(tree.read("memory/ia/task-1/memory.memsw.limit_in_bytes") == "268435456");
  CHECK(tree.read("pids/ia/task-1/pids.max") == "64");
  CHECK(tree.read("cpu/ia/task-1/cpu.cfs_quota_us") == "150000");
  CHECK(applied == std::vector<std::string>{"mem", "pids", "cpu", "freezer"});
  REQUIRE(cg.attach(4242));
  CHECK(tree.read("freezer/ia/task-1/cgroup.procs") == "4242");
  REQUIRE(cg.freeze());
  CHECK(tree.read("freezer/ia/task-1/freezer.state") == "FROZEN");
  REQUIRE(cg.thaw());
  CHECK(tree.read("freezer/ia/task-1/freezer.state") == "THAWED");
  tree.write("cpuacct/ia/task-1/cpuacct.usage", "2500000000\n");
  tree.write("memory/ia/task-1/memory.oom_control",
             "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  CgroupUsage usage = cg.usage();
  CHECK(usage.cpu_ms == 2500);
  CHECK(usage.oom_killed);
  REQUIRE(cg.remove());
  CHECK_FALSE(fs::exists(tree.root / "memory/ia/task-1"));
  CHECK(fs::exists(tree.root / "memory/ia"));  // the shared parent stays
}

TEST_CASE("cgroup v1: the child joins through each directory's tasks file, once per mount") {
  TempTree tree;
  fs::create_directories(tree.root / "memory");
  fs::create_directories(tree.root / "cpu,cpuacct");
  std::map<std::string, std::string> roots = {{"memory", (tree.root / "memory").string()},
                                              {"cpu", (tree.root / "cpu,cpuacct").string()},
                                              {"cpuacct", (tree.root / "cpu,cpuacct").string()}};
  auto made = create_cgroup_v1(roots, "ia", "t");
  REQUIRE(made);
  std::vector<std::string> files = (*made)->self_join_files();
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{(tree.root / "cpu,cpuacct/ia/t/tasks").string(),
                                          (tree.root / "memory/ia/t/tasks").string()});
  REQUIRE((*made)->remove());
}

TEST_CASE("cgroup v2: no file to join through, the parent attaches") {
  TempTree tree;
  auto made = create_cgroup_v2(tree.root.string(), "ia", "t");
  REQUIRE(made);
  CHECK((*made)->self_join_files().empty());
  REQUIRE((*made)->remove());
}

TEST_CASE("cgroup v1: a name that exists already is an error and leaves nothing half-made") {
  TempTree tree;
  std::map<std::string, std::string> roots = {{"memory", (tree.root / "memory").string()},
                                              {"pids", (tree.root / "pids").string()}};
  fs::create_directories(tree.root / "pids/ia/dup");
  fs::create_directories(tree.root / "memory");
  auto made = create_cgroup_v1(roots, "ia", "dup");
  REQUIRE_FALSE(made);
  CHECK(made.error().message.find("mkdir") != std::string::npos);
  CHECK_FALSE(fs::exists(tree.root / "memory/ia/dup"));
}

TEST_CASE("cgroup v1: no limits asked means no limit files written") {
  TempTree tree;
  std::map<std::string, std::string> roots = {{"memory", (tree.root / "memory").string()}};
  fs::create_directories(tree.root / "memory");
  auto made = create_cgroup_v1(roots, "ia", "t");
  REQUIRE(made);
  std::vector<std::string> applied;
  REQUIRE((*made)->apply(Limits{}, applied));
  CHECK(applied.empty());
  CHECK_FALSE(fs::exists(tree.root / "memory/ia/t/memory.limit_in_bytes"));
  REQUIRE((*made)->remove());
}

TEST_CASE("cgroup v2: enables controllers, writes memory.max, swap 0, pids and cpu.max") {
  TempTree tree;
  tree.write("cgroup.controllers", "cpu memory pids\n");
  tree.write("ia/cgroup.controllers", "cpu memory pids\n");
  auto made = create_cgroup_v2(tree.root.string(), "ia", "task-2");
  REQUIRE(made);
  Cgroup& cg = **made;
  CHECK(tree.read("cgroup.subtree_control") == "+cpu");  // the last write wins in a plain file
  tree.write("ia/task-2/cgroup.controllers", "cpu memory pids\n");
  tree.write("ia/task-2/memory.swap.max", "max");
  Limits limits;
  limits.memory = 1u << 30;
  limits.pids = 100;
  limits.cpus = 2;
  std::vector<std::string> applied;
  REQUIRE(cg.apply(limits, applied));
  CHECK(tree.read("ia/task-2/memory.max") == "1073741824");
  CHECK(tree.read("ia/task-2/memory.swap.max") == "0");
  CHECK(tree.read("ia/task-2/pids.max") == "100");
  CHECK(tree.read("ia/task-2/cpu.max") == "200000 100000");
  CHECK(applied == std::vector<std::string>{"mem", "pids", "cpu", "freezer"});
  REQUIRE(cg.freeze());
  CHECK(tree.read("ia/task-2/cgroup.freeze") == "1");
  REQUIRE(cg.thaw());
  CHECK(tree.read("ia/task-2/cgroup.freeze") == "0");
  tree.write("ia/task-2/cpu.stat", "usage_usec 1234567\nuser_usec 1\n");
  tree.write("ia/task-2/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n");
  CgroupUsage usage = cg.usage();
  CHECK(usage.cpu_ms == 1234);
  CHECK(usage.oom_killed);
  REQUIRE(cg.remove());
  CHECK_FALSE(fs::exists(tree.root / "ia/task-2"));
}

TEST_CASE("cgroup cpu quota: 100 ms periods, the longest period for small bandwidths") {
  auto is = [](CpuQuota got, long quota, long period) {
    return got.quota_us == quota && got.period_us == period;
  };
  CHECK(is(cpu_quota(1.5), 150000, 100000));
  CHECK(is(cpu_quota(4096), 409600000, 100000));
  CHECK(is(cpu_quota(0.01), 1000, 100000));
  // Under 1 ms per 100 ms the kernel refuses the quota (EINVAL): a 1 s period instead.
  CHECK(is(cpu_quota(0.009), 9000, 1000000));
  CHECK(is(cpu_quota(0.001), 1000, 1000000));
  CHECK(is(cpu_quota(0.0001), 1000, 1000000));  // 0.001 CPUs is the least there is
}

TEST_CASE(
    "cgroup v1 and v2: a bandwidth under the kernel's least quota is written as one it takes") {
  TempTree tree;
  std::map<std::string, std::string> roots{{"cpu", (tree.root / "v1").string()}};
  fs::create_directories(tree.root / "v1");
  fs::create_directories(tree.root / "v2");
  Limits limits;
  limits.cpus = 0.005;
  std::vector<std::string> applied;
  auto v1 = create_cgroup_v1(roots, "ia", "t");
  REQUIRE(v1);
  REQUIRE((*v1)->apply(limits, applied));
  CHECK(tree.read("v1/ia/t/cpu.cfs_period_us") == "1000000");
  CHECK(tree.read("v1/ia/t/cpu.cfs_quota_us") == "5000");
  auto v2 = create_cgroup_v2((tree.root / "v2").string(), "ia", "t2");
  REQUIRE(v2);
  tree.write("v2/ia/t2/cgroup.controllers", "cpu\n");
  REQUIRE((*v2)->apply(limits, applied));
  CHECK(tree.read("v2/ia/t2/cpu.max") == "5000 1000000");
  CHECK(applied == std::vector<std::string>{"cpu", "cpu", "freezer"});
  REQUIRE((*v1)->remove());
  REQUIRE((*v2)->remove());
}

TEST_CASE("cgroup v2: a controller the parent does not offer is not claimed") {
  TempTree tree;
  auto made = create_cgroup_v2(tree.root.string(), "ia", "t");
  REQUIRE(made);
  tree.write("ia/t/cgroup.controllers", "pids\n");
  Limits limits;
  limits.memory = 1u << 20;
  limits.pids = 5;
  std::vector<std::string> applied;
  REQUIRE((*made)->apply(limits, applied));
  CHECK(applied == std::vector<std::string>{"pids", "freezer"});
  CHECK_FALSE(fs::exists(tree.root / "ia/t/memory.max"));
  REQUIRE((*made)->remove());
}

TEST_CASE("cgroup v1 live: a real cgroup under ia/ limits, counts and is removed") {
  CgroupLayout layout = probe_system_layout();
  if (layout.version != CgroupLayout::Version::v1 || ::geteuid() != 0) {
    IA_SKIP("needs root and cgroup v1 controllers");
  }
  std::string name = "unit-" + std::to_string(::getpid());
  auto made = create_cgroup(layout, "ia-unit-test", name);
  REQUIRE(made);
  Cgroup& cg = **made;
  Limits limits;
  limits.memory = 64u << 20;
  limits.pids = 8;
  std::vector<std::string> applied;
  REQUIRE(cg.apply(limits, applied));
  CHECK(read_text(layout.v1_roots.at("memory") + "/ia-unit-test/" + name +
                  "/memory.limit_in_bytes") == "67108864\n");
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  REQUIRE(cg.attach(child));
  CHECK(read_pids(layout.v1_roots.at("pids") + "/ia-unit-test/" + name + "/cgroup.procs") ==
        std::vector<pid_t>{child});
  REQUIRE(cg.freeze());
  REQUIRE(cg.kill_all());
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  REQUIRE(cg.remove());
  for (const std::string& path : cg.paths()) CHECK_FALSE(fs::exists(path));
  for (const auto& [controller, root] : layout.v1_roots) {
    ::rmdir((root + "/ia-unit-test").c_str());
  }
}

TEST_CASE("cgroup probe: only the v1 controllers the limits need are kept, and the freezer") {
  CgroupLayout layout = probe_layout(k_v1_mountinfo, "", [](const std::string&) { return ""; });
  CgroupLayout all = layout;
  Limits none;
  keep_needed_controllers(layout, none, true);
  CHECK(layout.v1_roots.size() == 1);
  CHECK(layout.v1_roots.count("freezer") == 1);
  Limits every;
  every.memory = 1;
  every.pids = 1;
  every.cpus = 1;
  every.cpu_time = ia::Millis(1);
  CgroupLayout unfrozen = all;
  keep_needed_controllers(all, every, true);
  CHECK(all.v1_roots.size() == 5);
  // A task nobody will freeze (ia-sandbox's) gets no freezer cgroup.
  keep_needed_controllers(unfrozen, every, false);
  CHECK(unfrozen.v1_roots.size() == 4);
  CHECK(unfrozen.v1_roots.count("freezer") == 0);
}
