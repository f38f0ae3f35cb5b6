#!/usr/bin/env bats
# ia-sandbox started as root: the normal cases, every hostile case of issue 3 and the
# contract (exit codes, --json, --require, usage). ia-sandbox-nonroot.bats repeats the
# hostile cases as uid 65534. An escape test passes only when the escape fails.

bats_require_minimum_version 1.5.0
load 'helpers/sandbox'
load 'helpers/sandbox_checks'

setup() { sandbox_setup; }
teardown() { sandbox_teardown; }

# ---- root ----

@test "root: a listener on the host's 127.0.0.1 is refused" { check_loopback_refused; }
@test "root: the task has a loopback of its own and no other interface" { check_private_loopback; }
@test "root: host Unix sockets, abstract and on the file system, are refused" { check_unix_sockets_refused; }
@test "root: host processes are not visible and cannot be signalled" { check_host_process_invisible; }
@test "root: remounting / read-write and mounting are denied" { check_remount_denied; }
@test "root: /etc/shadow, /root, /home and other users' files are unreadable" { check_secrets_unreadable; }
@test "root: the caller's memory cannot be read through the task's init" { check_caller_memory_unreadable; }
@test "root: a caller's umask of 077 leaves the new root readable, and the task keeps it" { check_caller_umask; }
@test "root: writes outside the working directory are denied" { check_writes_confined; }
@test "root: a fork bomb is contained by the process limit" { check_fork_bomb_contained; }
@test "root: 2 GiB under a 256 MiB limit is OOM-killed" { check_memory_limit; }
@test "root: a double-forked setsid daemon is gone after the task" { check_daemon_gone; }
@test "root: sleeping past the timeout exits 124 and leaves nothing" { check_timeout; }
@test "root: a task killed at its timeout still reports its CPU time" { check_cpu_counted_when_killed; }
@test "root: 1 GiB of output is truncated with bounded memory" { check_huge_output; }
@test "root: ptrace, mount, unshare and other escape calls are denied" { check_escape_syscalls_denied; }
@test "root: kill -9 -1 inside kills only sandbox processes" { check_kill_all_inside; }
@test "root: scripts, args, stdin, exit codes and signals pass through" { check_normal_cases; }
@test "root: --json reports every mechanism applied" { check_isolation_reported; }

# ---- contract ----

@test "--net shares the host's network (the listener answers)" {
  start_tcp_listener
  run sb --net --json -- "$PY" -c 'import socket,sys; print(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3).recv(100).decode())' "$PORT"
  assert_success
  [[ "$(json_get stdout)" == *"hello from host"* ]]
  [[ "$(json_get isolation)" != *'"net"'* ]]
}

@test "--require refuses with 125 what cannot apply, and names it" {
  run sb --require net,fs,mem,pids,seccomp -- true
  assert_success
  use_nobody
  run sb --require net,fs,mem,pids,seccomp -- echo RAN
  [ "$status" -eq 125 ]
  refute_output --partial RAN
  assert_output --partial "mem,pids"
  run sb --net --require net -- echo RAN
  [ "$status" -eq 125 ]
  run sb --require nett -- true
  [ "$status" -eq 125 ]
  assert_output --partial "did you mean 'net'"
}

@test "sandbox.cgroups chooses the hierarchy: v2 on this host holds the task, off none" {
  [ -w /sys/fs/cgroup/unified ] || skip "no writable cgroup2 mount"
  IA_SANDBOX_CGROUPS=v2 run sb --json -- cat /proc/self/cgroup
  assert_success
  [[ "$(json_get stdout)" == *"0::/$IA_SANDBOX_CGROUP_PARENT/task-"* ]]
  [[ "$(json_get isolation)" == *'"freezer"'* ]]
  IA_SANDBOX_CGROUPS=off run sb --json -- true
  assert_success
  [[ "$(json_get isolation)" != *'"mem"'* && "$(json_get isolation)" != *'"freezer"'* ]]
  [[ "$(json_get missing)" == *"sandbox.cgroups is off"* ]]
  IA_SANDBOX_CGROUPS=off run sb --require mem -- echo RAN
  [ "$status" -eq 125 ]
  refute_output --partial RAN
  IA_SANDBOX_CGROUPS=v3 run sb -- echo RAN
  [ "$status" -eq 125 ]
  refute_output --partial RAN
  assert_output --partial "sandbox.cgroups must be auto, v1, v2 or off, not 'v3'"
  assert_nothing_left
}

@test "usage errors exit 125 with a message" {
  run sb
  [ "$status" -eq 125 ]
  run sb --memory 12Q -- true
  [ "$status" -eq 125 ]
  assert_output --partial memory
  run sb --gpu x -- true
  [ "$status" -eq 125 ]
  assert_output --partial "GPU index"
  run sb --workdir /nonexistent/dir -- true
  [ "$status" -eq 125 ]
  assert_output --partial /nonexistent/dir
  run sb --workdir /etc/hostname -- true
  [ "$status" -eq 125 ]
  assert_output --partial "workdir /etc/hostname is not a directory"
  run sb --cpus nan -- true
  [ "$status" -eq 125 ]
  assert_output --partial "cpus must be a finite number"
  run -127 sb -- /nonexistent/program
  assert_output --partial "cannot run '/nonexistent/program'"
}

@test "--gpu names the missing device node when there is no such GPU" {
  [ ! -e /dev/nvidia7 ] || skip "this machine has an NVIDIA GPU 7"
  run sb --gpu 7 -- true
  [ "$status" -eq 125 ]
  assert_output --partial "/dev/nvidia7 does not exist"
}

@test "--cpu-time ends a busy task with 124 and limit_hit cpu_time" {
  run sb --json --cpu-time 1s --timeout 30s -- sh -c 'while :; do :; done'
  [ "$status" -eq 124 ]
  [ "$(json_get limit_hit)" = cpu_time ]
  assert_nothing_left
}

# task_cgroups PID CONTROLLER: the task cgroups that ia-sandbox PID made under our parent
# (none, and no failure, before the parent directory exists).
task_cgroups() {
  find "/sys/fs/cgroup/$2/$IA_SANDBOX_CGROUP_PARENT" -mindepth 1 -maxdepth 1 -type d \
    -name "task-$1-*" 2>/dev/null || true
}

# has_procs DIR: the cgroup holds a process (cgroupfs files always report size 0).
has_procs() { [ -n "$(cat "$1/cgroup.procs" 2>/dev/null)" ]; }

# wait_for_task_cgroup PID: until ia-sandbox PID's task runs in its memory cgroup (10 s).
wait_for_task_cgroup() {
  local dir
  for _ in $(seq 100); do
    dir=$(task_cgroups "$1" memory)
    [ -n "$dir" ] && has_procs "$dir" && return 0
    sleep 0.1
  done
  fail "no running task cgroup for ia-sandbox $1"
}

@test "a SIGKILLed ia-sandbox's cgroups are swept at the next start; a running one's stay" {
  [ -d /sys/fs/cgroup/memory ] || skip "no cgroup v1 memory controller on this machine"
  # --require freezer: the sweep must also clear controllers the sweeping run does not use.
  "$SB" --require freezer -- sleep 60 &
  local live=$!
  BG_PIDS+=("$live")
  "$SB" --require freezer -- sleep 60 &
  local victim=$!
  BG_PIDS+=("$victim")
  wait_for_task_cgroup "$live"
  wait_for_task_cgroup "$victim"
  local victim_memory
  victim_memory=$(task_cgroups "$victim" memory)
  local task_pids
  task_pids=$(cat "$victim_memory/cgroup.procs")
  kill -9 "$victim" $task_pids
  for _ in $(seq 100); do has_procs "$victim_memory" || break; sleep 0.1; done
  ! has_procs "$victim_memory" || fail "the killed sandbox's task still runs"
  for controller in memory pids freezer; do
    [ -n "$(task_cgroups "$victim" "$controller")" ] || fail "no stale $controller cgroup to sweep"
  done

  run sb -- true
  assert_success
  for controller in memory pids freezer; do
    [ -z "$(task_cgroups "$victim" "$controller")" ] ||
      fail "stale $controller cgroup left: $(task_cgroups "$victim" "$controller")"
    [ -n "$(task_cgroups "$live" "$controller")" ] || fail "the running sandbox lost its $controller cgroup"
  done
  kill -0 "$live"
  has_procs "$(task_cgroups "$live" memory)"

  kill -9 "$live"
  wait "$live" 2>/dev/null || true
  for _ in $(seq 100); do has_procs "$(task_cgroups "$live" memory)" || break; sleep 0.1; done
  run sb -- true
  assert_success
  assert_nothing_left
}

@test "--version and --help" {
  run "$SB" --version
  assert_success
  assert_output --partial "ia-sandbox "
  run "$SB" --help
  assert_success
  assert_output --partial "--timeout"
}
