#!/usr/bin/env bats
# ia-sandbox on cgroup v2 for real: limits written to pids.max and cpu.max and enforced by
# the kernel, the task started inside, killed through cgroup.kill. Needs root and a cgroup2
# mount offering pids and cpu: a systemd machine has them there; on a host whose
# controllers sit on v1 (CI's), scripts/checks/cgroup-v2-live moves them over for the run.
# Not in CTest's list: that check runs this file, alone, once the controllers are there.

bats_require_minimum_version 1.5.0
load '../cli/helpers/sandbox'
load '../cli/helpers/sandbox_checks'

setup() {
  sandbox_setup
  V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
  local offered
  offered=$(cat "$V2/cgroup.controllers" 2>/dev/null || true)
  if [ "$(id -u)" -ne 0 ] || [[ " $offered " != *" pids "* ]] || [[ " $offered " != *" cpu "* ]]; then
    skip "needs root and the pids and cpu controllers on a cgroup2 mount (scripts/checks/cgroup-v2-live)"
  fi
  export IA_SANDBOX_CGROUPS=v2
  OFFERED=$offered
}

teardown() {
  sandbox_teardown
  [ -n "${V2:-}" ] && rmdir "$V2/$IA_SANDBOX_CGROUP_PARENT" 2>/dev/null
  true
}

# No task cgroup may remain under this test's parent in the v2 hierarchy.
assert_no_v2_cgroups() {
  local left
  left=$(find "$V2/$IA_SANDBOX_CGROUP_PARENT" -mindepth 1 -type d 2>/dev/null | wc -l)
  [ "$left" -eq 0 ] || fail "v2 cgroups left behind: $(find "$V2/$IA_SANDBOX_CGROUP_PARENT" -mindepth 1 -type d)"
}

@test "v2: the task's own cgroup holds pids.max and cpu.max from the limits" {
  sb --json --pids 33 --cpus 0.5 -- sh -c 'cat /proc/self/cgroup; sleep 2' > "$SCRATCH/result" &
  BG_PIDS+=($!)
  local dir=
  for _ in $(seq 100); do
    dir=$(find "$V2/$IA_SANDBOX_CGROUP_PARENT" -mindepth 1 -maxdepth 1 -type d -name 'task-*' 2>/dev/null | head -1)
    [ -n "$dir" ] && [ -n "$(cat "$dir/cgroup.procs" 2>/dev/null)" ] && break
    sleep 0.05
  done
  [ -n "$dir" ] || fail "no task cgroup appeared under $V2/$IA_SANDBOX_CGROUP_PARENT"
  assert_equal "$(cat "$dir/pids.max")" 34  # and one for the task's init
  assert_equal "$(cat "$dir/cpu.max")" "50000 100000"
  wait "${BG_PIDS[0]}"
  output=$(cat "$SCRATCH/result")
  [[ "$(json_get stdout)" == *"0::/$IA_SANDBOX_CGROUP_PARENT/task-"* ]]
  [[ "$(json_get isolation)" == *'"pids"'* ]]
  [[ "$(json_get isolation)" == *'"cpu"'* ]]
  [[ "$(json_get isolation)" == *'"freezer"'* ]]
  [ ! -d "$dir" ] || fail "the task's cgroup $dir outlived it"
  assert_no_v2_cgroups
}

@test "v2: a fork bomb is held by pids.max, not by the RLIMIT_NPROC stand-in" {
  run sb --json --pids 64 -- true
  assert_success
  [[ "$(json_get isolation)" == *'"pids"'* ]]
  [[ "$(json_get missing)" != *RLIMIT_NPROC* ]]
  check_fork_bomb_contained
  assert_no_v2_cgroups
}

@test "v2: --cpus 0.2 holds a spinning task to a fifth of a CPU" {
  run sb --json --cpus 0.2 --timeout 2 -- sh -c 'while :; do :; done'
  [ "$(json_get timed_out)" = true ]
  local cpu wall
  cpu=$(json_get cpu_ms) wall=$(json_get wall_ms)
  # Unthrottled the loop would use about all of its wall time.
  [ "$cpu" -lt $((wall / 2)) ] || fail "used $cpu ms of CPU in $wall ms under --cpus 0.2"
  assert_no_v2_cgroups
}

@test "v2: a bandwidth under the kernel's least quota keeps the whole cgroup" {
  # 0.001 CPUs is 100 us per 100 ms, which cpu.max refuses; a refused write cost the task
  # its cgroup (pids.max and the freezer with it).
  run sb --json --cpus 0.001 --pids 20 -- true
  assert_success
  [[ "$(json_get isolation)" == *'"cpu"'* ]]
  [[ "$(json_get isolation)" == *'"pids"'* ]]
  [[ "$(json_get missing)" != *"cgroup limits"* ]]
  assert_no_v2_cgroups
}

@test "v2: a double-forked daemon, a timeout and kill -9 -1 leave nothing" {
  check_daemon_gone
  check_timeout
  check_kill_all_inside
  assert_no_v2_cgroups
}

@test "v2: 2 GiB under a 256 MiB memory.max is OOM-killed" {
  [[ " $OFFERED " == *" memory "* ]] || skip "the memory controller is not on this cgroup2 mount"
  check_memory_limit
  assert_no_v2_cgroups
}
