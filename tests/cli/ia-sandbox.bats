#!/usr/bin/env bats
# ia-sandbox: the normal cases and every hostile case of issue 3, each run started as
# root and again as an unprivileged user (uid 65534, user namespaces only). An escape
# test passes only when the escape fails.

bats_require_minimum_version 1.5.0
load 'helpers/sandbox'

setup() { sandbox_setup; }
teardown() { sandbox_teardown; }

# ---- checks shared by the root and non-root runs ----

check_loopback_refused() {
  start_tcp_listener
  run sb -- "$PY" -c 'import socket,sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3); print("CONNECTED")
except OSError as e:
    print("refused", e.errno)' "$PORT"
  assert_success
  assert_output --partial refused
  refute_output --partial CONNECTED
}

check_unix_sockets_refused() {
  start_unix_listeners "$SCRATCH/host.sock"
  run sb -- "$PY" -c 'import socket,sys
for addr in ["\0ia-test-"+sys.argv[2], sys.argv[1], "/run/systemd/private"]:
    s=socket.socket(socket.AF_UNIX)
    try:
        s.connect(addr); print("CONNECTED", repr(addr))
    except OSError as e:
        print("refused", repr(addr), e.errno)' "$SCRATCH/host.sock" "$$"
  assert_success
  refute_output --partial CONNECTED
  assert_output --partial "refused '\\x00ia-test-"
}

check_host_process_invisible() {
  as_caller sleep 300 &
  local host_pid=$!
  BG_PIDS+=($host_pid)
  run sb -- sh -c "kill -0 $host_pid && echo VISIBLE; kill -9 $host_pid; ls /proc | grep -c '^[0-9]'"
  assert_success
  refute_output --partial VISIBLE
  kill -0 "$host_pid"
}

check_remount_denied() {
  run sb -- sh -c 'mount -o remount,rw / && echo REMOUNTED; touch /escape && echo WROTE_ROOT;
    mount -t tmpfs none /tmp && echo MOUNTED; grep -c " / " /proc/mounts; true'
  assert_success
  refute_output --partial REMOUNTED
  refute_output --partial WROTE_ROOT
  refute_output --partial MOUNTED
  [ ! -e /escape ]
}

check_secrets_unreadable() {
  local work="$SCRATCH/work-secrets"
  mkdir -p "$work" && chmod 777 "$work"
  echo topsecret > "$work/root-only" && chmod 600 "$work/root-only"
  [ -n "${AS_NOBODY:-}" ] || true
  run sb --workdir "$work" -- sh -c 'cat /etc/shadow && echo READ_SHADOW; ls /root && echo LISTED_ROOT;
    ls /home/* && echo LISTED_HOME; cat /task/root-only; true'
  assert_success
  refute_output --partial READ_SHADOW
  refute_output --partial LISTED_ROOT
  refute_output --partial LISTED_HOME
  refute_output --partial topsecret
}

check_writes_confined() {
  local work="$SCRATCH/work-writes"
  mkdir -p "$work" && chmod 777 "$work"
  run sb --workdir "$work" -- sh -c 'for f in /usr/x /etc/x /x /bin/x /dev/x /proc/x; do
      echo data > $f 2>/dev/null && echo "WROTE $f"; done
    echo kept > /task/result; echo private > /tmp/private; true'
  assert_success
  refute_output --partial WROTE
  [ "$(cat "$work/result")" = kept ]
  [ ! -e /usr/x ] && [ ! -e /etc/x ] && [ ! -e /x ]
  [ ! -e "$TMPDIR/private" ] && [ ! -e /tmp/private ]
}

check_fork_bomb_contained() {
  local started=$SECONDS
  run sb --pids 64 --timeout 5 -- bash -c ':(){ :|:& };: ; sleep 30'
  [ "$status" -eq 124 ] || fail "fork bomb ended with $status, expected 124"
  [ $((SECONDS - started)) -lt 30 ]
  run true  # the machine can still fork
  assert_success
  assert_nothing_left
}

check_daemon_gone() {
  local marker="31$$.7"
  run sb -- sh -c "setsid sh -c 'sleep $marker & ' </dev/null >/dev/null 2>&1; sleep 0.2; exit 0"
  assert_success
  sleep 0.2
  run pgrep -f "sleep $marker"
  assert_failure
  assert_nothing_left
}

check_timeout() {
  local started=$SECONDS marker="32$$.5"
  run sb --timeout 1 -- sh -c "sleep $marker & sleep $marker"
  [ "$status" -eq 124 ]
  [ $((SECONDS - started)) -lt 15 ]
  run pgrep -f "sleep $marker"
  assert_failure
  assert_nothing_left
}

check_huge_output() {
  local json rss
  json=$(sb --json --output-limit 1M -- sh -c 'head -c 1G /dev/zero; echo done >&2')
  output=$json
  [ "$(json_get stdout_truncated)" = true ]
  [ "$(json_get stderr)" = "done" ]
  [ "$(printf '%s' "$json" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["stdout"]))')" = 1048576 ]
  rss=$( { /usr/bin/time -f '%M' "$SB" --output-limit 1M -- head -c 1G /dev/zero | wc -c; } 2>&1 >/dev/null | tail -1)
  [ "$rss" -lt 100000 ] || fail "ia-sandbox used $rss KiB for 1 GiB of output"
}

check_escape_syscalls_denied() {
  run sb -- "$PY" -c 'import ctypes,os
libc=ctypes.CDLL(None, use_errno=True)
for name, call in [("ptrace", lambda: libc.ptrace(16, os.getppid(), 0, 0)),
                   ("ptrace-init", lambda: libc.ptrace(16, 1, 0, 0)),
                   ("mount", lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
                   ("unshare", lambda: libc.unshare(0x10000000)),
                   ("setns", lambda: libc.setns(0, 0)),
                   ("bpf", lambda: libc.syscall(321, 0, 0, 0)),
                   ("keyctl", lambda: libc.syscall(250, 0, 0, 0)),
                   ("userfaultfd", lambda: libc.syscall(323, 0))]:
    rc = call()
    print(name, "DENIED" if rc == -1 else "ALLOWED", ctypes.get_errno())'
  assert_success
  refute_output --partial ALLOWED
  run sb -- sh -c 'unshare -U true && echo UNSHARED; unshare -r true && echo UNSHARED; true'
  assert_success
  refute_output --partial UNSHARED
}

check_kill_all_inside() {
  as_caller sleep 300 &
  local host_pid=$!
  BG_PIDS+=($host_pid)
  run sb -- sh -c 'sleep 100 & kill -9 -1; echo after'
  assert_success
  assert_output after
  kill -0 "$host_pid" || fail "a host process died from kill -9 -1 inside the sandbox"
  assert_nothing_left
}

check_memory_limit() {
  run sb --json --memory 256M -- "$PY" -c 'b = bytearray(2 << 30); print("ALLOCATED")'
  refute_output --partial ALLOCATED
  if [ -n "${AS_NOBODY:-}" ]; then
    # No cgroup without root: RLIMIT_AS refuses the allocation instead.
    [ "$(json_get exit_code)" -ne 0 ]
    [[ "$(json_get missing)" == *cgroup* ]]
  else
    [ "$(json_get oom_killed)" = true ]
    [ "$(json_get exit_code)" = 137 ]
  fi
  assert_nothing_left
}

check_normal_cases() {
  local work="$SCRATCH/work-normal"
  mkdir -p "$work" && chmod 777 "$work"
  printf 'import sys\nprint("args", sys.argv[1:], sys.stdin.read().strip())\n' > "$work/job.py"
  run sb_with_stdin piped-in --workdir "$work" -- "$PY" job.py a 'b c'
  assert_success
  assert_output "args ['a', 'b c'] piped-in"
  run sb -- sh -c 'exit 7'
  [ "$status" -eq 7 ]
  run sb -- sh -c 'kill -TERM $$'
  [ "$status" -eq 143 ]
  run sb -- sh -c 'kill -KILL $$'
  [ "$status" -eq 137 ]
  run sb --json -- sh -c 'kill -INT $$'
  [ "$(json_get signal)" = 2 ]
  [ "$(json_get exit_code)" = 130 ]
  assert_nothing_left
}

check_isolation_reported() {
  run sb --json -- true
  assert_success
  local iso
  iso=$(json_get isolation)
  for name in pid mount net ipc uts fs proc tmp dev seccomp no_new_privs caps rlimits; do
    [[ "$iso" == *"\"$name\""* ]] || fail "isolation lacks $name: $iso"
  done
  if [ -n "${AS_NOBODY:-}" ]; then
    [[ "$iso" == *'"user"'* ]]
    [[ "$iso" != *'"mem"'* ]]
  else
    [[ "$iso" == *'"mem"'* && "$iso" == *'"pids"'* && "$iso" == *'"uid_drop"'* ]]
  fi
}

# ---- root ----

@test "root: a listener on the host's 127.0.0.1 is refused" { check_loopback_refused; }
@test "root: host Unix sockets, abstract and on the file system, are refused" { check_unix_sockets_refused; }
@test "root: host processes are not visible and cannot be signalled" { check_host_process_invisible; }
@test "root: remounting / read-write and mounting are denied" { check_remount_denied; }
@test "root: /etc/shadow, /root, /home and other users' files are unreadable" { check_secrets_unreadable; }
@test "root: writes outside the working directory are denied" { check_writes_confined; }
@test "root: a fork bomb is contained by the process limit" { check_fork_bomb_contained; }
@test "root: 2 GiB under a 256 MiB limit is OOM-killed" { check_memory_limit; }
@test "root: a double-forked setsid daemon is gone after the task" { check_daemon_gone; }
@test "root: sleeping past the timeout exits 124 and leaves nothing" { check_timeout; }
@test "root: 1 GiB of output is truncated with bounded memory" { check_huge_output; }
@test "root: ptrace, mount, unshare and other escape calls are denied" { check_escape_syscalls_denied; }
@test "root: kill -9 -1 inside kills only sandbox processes" { check_kill_all_inside; }
@test "root: scripts, args, stdin, exit codes and signals pass through" { check_normal_cases; }
@test "root: --json reports every mechanism applied" { check_isolation_reported; }

# ---- non-root ----

@test "non-root: a listener on the host's 127.0.0.1 is refused" { AS_NOBODY=1 check_loopback_refused; }
@test "non-root: host Unix sockets are refused" { AS_NOBODY=1 check_unix_sockets_refused; }
@test "non-root: host processes are not visible" { AS_NOBODY=1 check_host_process_invisible; }
@test "non-root: remounting / read-write is denied" { AS_NOBODY=1 check_remount_denied; }
@test "non-root: /etc/shadow and other users' files are unreadable" { AS_NOBODY=1 check_secrets_unreadable; }
@test "non-root: writes outside the working directory are denied" { AS_NOBODY=1 check_writes_confined; }
@test "non-root: a fork bomb is contained" { AS_NOBODY=1 check_fork_bomb_contained; }
@test "non-root: 2 GiB under a 256 MiB limit is refused (RLIMIT_AS)" { AS_NOBODY=1 check_memory_limit; }
@test "non-root: a double-forked setsid daemon is gone" { AS_NOBODY=1 check_daemon_gone; }
@test "non-root: sleeping past the timeout exits 124" { AS_NOBODY=1 check_timeout; }
@test "non-root: 1 GiB of output is truncated" { AS_NOBODY=1 check_huge_output; }
@test "non-root: escape calls are denied" { AS_NOBODY=1 check_escape_syscalls_denied; }
@test "non-root: kill -9 -1 inside kills only sandbox processes" { AS_NOBODY=1 check_kill_all_inside; }
@test "non-root: normal cases pass through" { AS_NOBODY=1 check_normal_cases; }
@test "non-root: --json says user namespaces only, no cgroup" { AS_NOBODY=1 check_isolation_reported; }

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
  AS_NOBODY=1 run sb --require net,fs,mem,pids,seccomp -- echo RAN
  [ "$status" -eq 125 ]
  refute_output --partial RAN
  assert_output --partial "mem,pids"
  run sb --net --require net -- echo RAN
  [ "$status" -eq 125 ]
  run sb --require nett -- true
  [ "$status" -eq 125 ]
  assert_output --partial "did you mean 'net'"
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

@test "--version and --help" {
  run "$SB" --version
  assert_success
  assert_output --partial "ia-sandbox "
  run "$SB" --help
  assert_success
  assert_output --partial "--timeout"
}
