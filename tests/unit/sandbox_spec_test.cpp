// The platform-free sandbox pieces and the Linux plan: flag lists, config mapping, the
// JSON result, GPU device nodes (a fake /dev), rlimits and the staging directory choice.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "json/value.hpp"
#include "sandbox/plan_linux.hpp"
#include "sandbox/sandbox.hpp"

namespace fs = std::filesystem;
using namespace ia;
using namespace ia::sandbox;

TEST_CASE("sandbox: --gpu lists parse, dedupe, and bad ones name the culprit") {
  auto gpus = parse_gpu_list("0, 2,2");
  REQUIRE(gpus);
  CHECK(*gpus == std::vector<int>{0, 2});
  CHECK(parse_gpu_list("")->empty());
  for (const char* bad : {"x", "0,,1", "-1", "1.5", "999"}) {
    auto parsed = parse_gpu_list(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ErrorCode::invalid_argument);
    CHECK(parsed.error().message.find("GPU index") != std::string::npos);
  }
}

TEST_CASE("sandbox: --require accepts known mechanisms and suggests for typos") {
  auto names = parse_require("net,fs, mem,pids,seccomp");
  REQUIRE(names);
  CHECK(names->size() == 5);
  auto typo = parse_require("net,seccom");
  REQUIRE_FALSE(typo);
  CHECK(typo.error().message.find("'seccom'") != std::string::npos);
  CHECK(typo.error().hint.find("did you mean 'seccomp'") != std::string::npos);
  CHECK(unmet({"net", "mem"}, {"net", "fs"}) == std::vector<std::string>{"mem"});
  CHECK(unmet({"net"}, {"net"}).empty());
}

TEST_CASE("sandbox: [sandbox] config keys become limits, and a bad cgroup parent is refused") {
  config::Config cfg;
  REQUIRE(cfg.set_text("sandbox.memory", "256M", "test"));
  REQUIRE(cfg.set_text("sandbox.timeout", "90s", "test"));
  REQUIRE(cfg.set_text("sandbox.require", "net,mem", "test"));
  Spec spec;
  REQUIRE(apply_config(cfg, spec));
  CHECK(spec.limits.memory == 256u << 20);
  CHECK(spec.limits.timeout == Millis(90000));
  CHECK(spec.limits.pids == 512);
  CHECK(spec.uid == 65534);
  CHECK(spec.cgroup_parent == "ia");
  CHECK(spec.require == std::vector<std::string>{"net", "mem"});
  REQUIRE(cfg.set_text("sandbox.cgroup_parent", "../escape", "test"));
  auto refused = apply_config(cfg, spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("cgroup_parent") != std::string::npos);
  CHECK_FALSE(cfg.set_text("sandbox.uid", "0", "test"));  // never run a task as root
}

TEST_CASE("sandbox: sandbox.cgroups takes auto, v1, v2 or off, and names a bad value") {
  config::Config cfg;
  Spec spec;
  REQUIRE(apply_config(cfg, spec));
  CHECK(spec.cgroups == CgroupMode::automatic);
  for (auto [text, mode] : {std::pair{"v1", CgroupMode::v1}, std::pair{"v2", CgroupMode::v2},
                            std::pair{"off", CgroupMode::off}}) {
    REQUIRE(cfg.set_text("sandbox.cgroups", text, "test"));
    REQUIRE(apply_config(cfg, spec));
    CHECK(spec.cgroups == mode);
  }
  REQUIRE(cfg.set_text("sandbox.cgroups", "V2", "test"));
  auto refused = apply_config(cfg, spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("sandbox.cgroups") != std::string::npos);
  CHECK(refused.error().message.find("'V2'") != std::string::npos);
}

TEST_CASE("sandbox: the JSON result carries every field of the contract") {
  Outcome o;
  o.exit_code = 137;
  o.signal = 9;
  o.oom_killed = true;
  o.stdout_text = "out\xff";
  o.stdout_truncated = true;
  o.isolation = {"pid", "net"};
  o.limits.memory = 1024;
  auto parsed = json::parse(outcome_json(o));
  REQUIRE(parsed);
  const json::Value& v = *parsed;
  CHECK(v.find("exit_code")->as_int() == 137);
  CHECK(v.find("signal")->as_int() == 9);
  CHECK(v.find("oom_killed")->as_bool());
  CHECK(v.find("timed_out")->is_bool());
  CHECK(v.find("stdout_truncated")->as_bool());
  CHECK(v.find("stdout")->as_string() == "out\xef\xbf\xbd");
  for (const char* key : {"wall_ms", "cpu_ms", "max_rss_kb", "stderr", "stderr_truncated",
                          "isolation", "missing", "limits", "limit_hit"}) {
    CHECK(v.find(key) != nullptr);
  }
  CHECK(v.find("limits")->find("memory_bytes")->as_int() == 1024);
}

TEST_CASE("sandbox: GPU device nodes come from the device directory, missing ones fail") {
  char pattern[] = "/tmp/ia-fake-dev-XXXXXX";
  fs::path dev = ::mkdtemp(pattern);
  for (const char* node : {"nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm"}) {
    std::ofstream(dev / node) << "";
  }
  auto paths = gpu_device_paths(dev.string(), {1});
  REQUIRE(paths);
  CHECK(*paths == std::vector<std::string>{(dev / "nvidia1").string(), (dev / "nvidiactl").string(),
                                           (dev / "nvidia-uvm").string()});
  CHECK(gpu_device_paths(dev.string(), {})->empty());
  auto missing = gpu_device_paths(dev.string(), {0, 3});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("nvidia3 does not exist") != std::string::npos);
  fs::remove_all(dev);
}

TEST_CASE("sandbox: GPUs add CUDA_VISIBLE_DEVICES numbered as the task sees them") {
  Spec spec;
  spec.argv = {"python3", "-c", "pass"};
  spec.env = {"PATH=/opt/bin:/usr/bin"};
  spec.gpus = {2, 5};
  ChildPlan plan;
  fill_command(spec, plan);
  CHECK(plan.env_storage.back() == "CUDA_VISIBLE_DEVICES=0,1");
  CHECK(plan.path_dirs == std::vector<std::string>{"/opt/bin", "/usr/bin"});
  REQUIRE(plan.argv.size() == 4);
  CHECK(plan.argv.back() == nullptr);
  CHECK(std::string(plan.argv[0]) == "python3");
  spec.gpus.clear();
  fill_command(spec, plan);
  for (const std::string& entry : plan.env_storage) {
    CHECK(entry.rfind("CUDA_VISIBLE_DEVICES", 0) == std::string::npos);
  }
}

TEST_CASE("sandbox: rlimits stand in for memory and pids only without a cgroup") {
  Limits limits;
  limits.memory = 1u << 28;
  limits.pids = 32;
  limits.cpu_time = Millis(1500);
  auto has = [](const std::vector<std::pair<int, rlimit>>& list, int resource) {
    for (const auto& [r, l] : list)
      if (r == resource) return true;
    return false;
  };
  auto with_cgroup = task_rlimits(limits, true, true);
  CHECK_FALSE(has(with_cgroup, RLIMIT_AS));
  CHECK_FALSE(has(with_cgroup, RLIMIT_NPROC));
  CHECK(has(with_cgroup, RLIMIT_CPU));
  auto without = task_rlimits(limits, false, false);
  CHECK(has(without, RLIMIT_AS));
  CHECK(has(without, RLIMIT_NPROC));
  for (const auto& [r, l] : without) {
    if (r == RLIMIT_CPU) CHECK(l.rlim_cur == 2);
  }
}

TEST_CASE("sandbox: the staging directory never hides the working or device directory") {
  CHECK(staging_dir({"/home/u/work", "/dev"}) == "/tmp");
  CHECK(staging_dir({"/tmp/ia-sandbox-x"}) != "/tmp");
  CHECK(staging_dir({"/tmp/ia-sandbox-x"}).find("/tmp") != 0);
  CHECK(staging_dir({"/tmp"}) != "/tmp");
  CHECK(staging_dir({"", "/tmp/fake-dev"}).find("/tmp") != 0);
  CHECK(staging_dir({"/tmp/w", "/mnt/dev"}).find("/mnt") != 0);
}

TEST_CASE("sandbox: the new root holds no /etc/shadow, /root or /home") {
  Spec spec;
  auto ops = root_mounts(spec, "/stage", "/w", {}, 65534, 65534);
  for (const MountOp& op : ops) {
    CHECK(op.target.find("shadow") == std::string::npos);
    CHECK(op.target != "/stage/root");
    CHECK(op.target != "/stage/home");
    if (op.kind == MountOp::Kind::bind_rw) CHECK(op.target == "/stage/task");
  }
}

TEST_CASE("sandbox: without a workdir /task is a private tmpfs owned by the task's ids") {
  Spec spec;
  spec.limits.tmp_size = 1 << 20;
  auto ops = root_mounts(spec, "/stage", "", {}, 1234, 5678);
  int task_mounts = 0;
  for (const MountOp& op : ops) {
    if (op.target != "/stage/task") continue;
    ++task_mounts;
    CHECK(op.kind == MountOp::Kind::tmpfs);
    CHECK(op.source == "mode=0700,uid=1234,gid=5678,size=1048576");
  }
  CHECK(task_mounts == 1);
  for (const MountOp& op : root_mounts(spec, "/stage", "/w", {}, 1234, 5678)) {
    if (op.target == "/stage/task") CHECK(op.kind == MountOp::Kind::bind_rw);
  }
}

TEST_CASE("sandbox: a command without a slash is looked up on the task's first PATH") {
  using Dirs = std::vector<std::string>;
  CHECK(search_path({"HOME=/task"}) == Dirs{"/usr/local/bin", "/usr/bin", "/bin"});
  CHECK(search_path({"PATH=/opt/x::/bin:", "PATH=/ignored"}) == Dirs{"/opt/x", "/bin"});
  CHECK(search_path({"PATH="}).empty());
}

TEST_CASE("sandbox: task file names are plain and distinct and need a private directory") {
  Spec spec;
  CHECK(check_task_files(spec));
  for (const char* bad : {"", ".", "..", "a/b", "/abs", "back\\slash"}) {
    INFO(bad);
    spec.files = {{bad, "", false}};
    auto checked = check_task_files(spec);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == ErrorCode::invalid_argument);
  }
  spec.files = {{std::string("nul\0in", 6), "", false}};
  CHECK_FALSE(check_task_files(spec));
  spec.files = {{"task.py", "", true}, {"data.csv", "1,2", false}};
  CHECK(check_task_files(spec));
  spec.files.push_back({"task.py", "", false});
  CHECK_FALSE(check_task_files(spec));
  spec.files = {{"task.py", "", true}};
  spec.workdir = "/home/u/work";
  CHECK_FALSE(check_task_files(spec));
}
