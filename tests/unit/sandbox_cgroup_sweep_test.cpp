// The stale-cgroup sweep: owner names, the owner-alive rule and the sweep itself against
// temporary trees (the same code paths as cgroupfs), then live on this machine's v1.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sandbox/cgroup.hpp"
#include "temp_dir.hpp"
#include "skip.hpp"

namespace fs = std::filesystem;
using namespace ia::sandbox;

namespace {

// A pid that was ours a moment ago and is now reaped, so nothing runs under it.
pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

CgroupOwner dead_owner() { return {dead_pid(), 12345}; }

// <root>/<controller>/ia/<name>/cgroup.procs holding procs, for each controller.
void make_task(const ia::test::TempDir& root, const std::string& name,
               const std::string& procs = "") {
  for (const char* controller : {"memory", "pids"}) {
    root.write(std::string(controller) + "/ia/" + name + "/cgroup.procs", procs);
  }
}

std::vector<std::string> parent_dirs(const ia::test::TempDir& root) {
  return {root.str() + "/memory/ia", root.str() + "/pids/ia"};
}

}  // namespace

TEST_CASE("cgroup sweep: a task name carries its owner and parses back") {
  CgroupOwner owner{4242, 987654};
  std::string name = task_cgroup_name(owner, 7);
  CHECK(name == "task-4242-987654-7");
  auto parsed = parse_task_cgroup_name(name);
  REQUIRE(parsed);
  CHECK(*parsed == owner);
}

TEST_CASE("cgroup sweep: names that are not task cgroups are refused") {
  for (const char* name : {"task-12-34", "task-12-34-5-6", "task-abc-1-2", "task-0-1-1",
                           "task-1--2", "task-99999999999-1-1", "task--1-2-3", "other",
                           "task-1-2-3x", "", "task-"}) {
    CHECK_FALSE(parse_task_cgroup_name(name));
  }
}

TEST_CASE("cgroup sweep: this process is alive, a reused pid or a reaped one is not") {
  CgroupOwner self = current_owner();
  CHECK(self.pid == ::getpid());
  CHECK(self.start_time > 0);
  CHECK(owner_alive(self));
  CHECK_FALSE(owner_alive({self.pid, self.start_time + 1}));
  CHECK_FALSE(owner_alive(dead_owner()));
}

TEST_CASE("cgroup sweep: removes empty cgroups of dead owners in every controller") {
  ia::test::TempDir root;
  std::string stale = task_cgroup_name(dead_owner(), 1);
  std::string reused = task_cgroup_name({::getpid(), current_owner().start_time + 5}, 2);
  make_task(root, stale);
  make_task(root, reused);
  auto removed = sweep_stale_cgroups(parent_dirs(root), owner_alive);
  CHECK(removed.size() == 4);
  for (const char* controller : {"memory", "pids"}) {
    CHECK_FALSE(fs::exists(root.path / controller / "ia" / stale));
    CHECK_FALSE(fs::exists(root.path / controller / "ia" / reused));
    CHECK(fs::exists(root.path / controller / "ia"));
  }
}

TEST_CASE("cgroup sweep: never a live owner's cgroup, one with a process, or a foreign one") {
  ia::test::TempDir root;
  std::string live = task_cgroup_name(current_owner(), 3);
  std::string busy = task_cgroup_name(dead_owner(), 4);
  make_task(root, live);
  make_task(root, busy, "31337\n");
  for (const char* foreign : {"system.slice", "task-1-2", "mine"}) make_task(root, foreign);
  root.write("memory/ia/task-1-2-3", "a file, not a cgroup");
  auto removed = sweep_stale_cgroups(parent_dirs(root), owner_alive);
  CHECK(removed.empty());
  for (const char* controller : {"memory", "pids"}) {
    for (const std::string& name : {live, busy, std::string("system.slice"),
                                    std::string("task-1-2"), std::string("mine")}) {
      CHECK(fs::exists(root.path / controller / "ia" / name));
    }
  }
  CHECK(fs::exists(root.path / "memory/ia/task-1-2-3"));
}

TEST_CASE("cgroup sweep: a missing parent directory is not an error") {
  ia::test::TempDir root;
  CHECK(sweep_stale_cgroups({root.str() + "/nothing/ia"}, owner_alive).empty());
}

TEST_CASE("cgroup sweep: parent dirs cover every v1 controller once, and v2 delegation") {
  CgroupLayout v1;
  v1.v1_roots = {{"memory", "/cg/memory"}, {"cpu", "/cg/cpu,cpuacct"},
                 {"cpuacct", "/cg/cpu,cpuacct"}, {"freezer", "/cg/freezer"}};
  CHECK(task_parent_dirs(v1, "ia") ==
        std::vector<std::string>{"/cg/cpu,cpuacct/ia", "/cg/freezer/ia", "/cg/memory/ia"});
  CgroupLayout v2;
  v2.v2_root = "/sys/fs/cgroup";
  v2.own_path = "/user.slice/u.service";
  CHECK(task_parent_dirs(v2, "ia") ==
        std::vector<std::string>{"/sys/fs/cgroup/ia", "/sys/fs/cgroup/user.slice/u.service/ia"});
  // A hybrid host's unified mount is swept under v1 too: a v2 run may have left cgroups.
  v1.v2_mount = "/cg/unified";
  CHECK(task_parent_dirs(v1, "ia") == std::vector<std::string>{"/cg/cpu,cpuacct/ia",
                                                               "/cg/freezer/ia", "/cg/memory/ia",
                                                               "/cg/unified/ia"});
}

TEST_CASE("cgroup sweep live: a dead owner's empty cgroup goes, one with a process stays") {
  CgroupLayout layout = probe_system_layout();
  if (layout.version != CgroupLayout::Version::v1 || ::geteuid() != 0) {
    IA_SKIP("needs root and cgroup v1 controllers");
  }
  std::string parent = "ia-unit-sweep-" + std::to_string(::getpid());
  std::string stale = task_cgroup_name(dead_owner(), 1);
  std::string busy = task_cgroup_name(dead_owner(), 2);
  auto empty = create_cgroup(layout, parent, stale);
  auto held = create_cgroup(layout, parent, busy);
  REQUIRE(empty);
  REQUIRE(held);
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  REQUIRE((*held)->attach(child));
  auto removed = sweep_stale_cgroups(task_parent_dirs(layout, parent), owner_alive);
  std::vector<std::string> paths = (*empty)->paths();
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());  // cpu,cpuacct share one
  CHECK(removed.size() == paths.size());
  for (const std::string& path : (*empty)->paths()) CHECK_FALSE(fs::exists(path));
  for (const std::string& path : (*held)->paths()) CHECK(fs::exists(path));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  REQUIRE((*held)->remove());
  for (const std::string& dir : task_parent_dirs(layout, parent)) ::rmdir(dir.c_str());
}
