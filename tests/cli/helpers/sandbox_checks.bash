# The checks of issue 3 that ia-sandbox.bats (as root) and ia-sandbox-nonroot.bats (as
# uid 65534) both run. An escape check passes only when the escape fails.

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

# A network namespace of its own, made for this task: lo is up and answers, nothing else.
check_private_loopback() {
  local host_net
  host_net=$(readlink /proc/self/ns/net)
  run sb -- "$PY" -c 'import os,socket
s=socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
socket.create_connection(s.getsockname(), timeout=3); print("LOOPBACK OK")
lines=open("/proc/net/dev").read().splitlines()[2:]
print("interfaces", sorted(l.split(":")[0].strip() for l in lines))
print("netns", os.readlink("/proc/self/ns/net"))'
  assert_success
  assert_line "LOOPBACK OK"
  assert_line "interfaces ['lo']"
  refute_line "netns $host_net"
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

# The task's init is a copy of the process that started the sandbox; a secret in that
# process's environment must not be readable through /proc/1/mem (or /proc/1/environ),
# nor its flags (ia-node --token) through /proc/1/cmdline.
check_caller_memory_unreadable() {
  local work="$SCRATCH/work-memory"
  mkdir -p "$work" && chmod 777 "$work"
  cat > "$work/peek.py" <<'PY'
secret = ("ia-caller-" + "secret-7f3a").encode()
found = opened = False
try:
    found = secret in open("/proc/1/environ", "rb").read()
    opened = True
except OSError as error:
    print("environ", error)
try:
    regions = [line.split()[:2] for line in open("/proc/1/maps")]
    with open("/proc/1/mem", "rb", buffering=0) as mem:
        opened = True
        for span, perms in regions:
            low, high = (int(x, 16) for x in span.split("-"))
            try:
                mem.seek(low)
                found = found or secret in mem.read(min(high - low, 64 << 20))
            except (OSError, OverflowError):  # vsyscall lies past a C long
                pass
except OSError as error:
    print("mem", error)
print("FOUND" if found else "NOT-FOUND", "OPENED" if opened else "DENIED")
# Readable by anyone; init's copy of the caller's command line must not be there.
flags = open("/proc/1/cmdline", "rb").read()
print("FLAGS-SEEN" if b"ia-caller-flag" in flags else "FLAGS-HIDDEN", flags.split(b"\0")[0].decode())
PY
  chmod 644 "$work/peek.py"
  IA_TEST_SECRET="ia-caller-secret-7f3a" run sb --workdir "$work" --env IA_MARK=ia-caller-flag \
    -- "$PY" /task/peek.py
  assert_success
  assert_output --partial "NOT-FOUND DENIED"
  assert_output --partial "FLAGS-HIDDEN ia-sandbox-init"
}

# A caller's umask of 077 must not make the new root unreadable to the task, and the task
# keeps that umask for the files it makes.
check_caller_umask() {
  local saved
  saved=$(umask)
  umask 077
  run sb -- sh -c 'cat /etc/hosts >/dev/null && echo READ; ls /dev/shm >/dev/null && echo SHM; umask'
  umask "$saved"
  assert_success
  assert_line READ
  assert_line SHM
  assert_line 0077
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
  run sb --pids 64 --timeout 3 -- bash -c ':(){ :|:& };: ; sleep 30'
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

# Killed at its timeout, the task still reports the CPU it used: the dying init reaps the
# killed processes without counting them, so this is read before the kill.
check_cpu_counted_when_killed() {
  run sb --json --timeout 1 -- sh -c 'while :; do :; done & while :; do :; done'
  [ "$(json_get timed_out)" = true ]
  local cpu
  cpu=$(json_get cpu_ms)
  [ "$cpu" -gt 200 ] || fail "two processes spun for a second and cpu_ms says $cpu"
  assert_nothing_left
}

check_huge_output() {
  local json rss
  json=$(timeout -s KILL 120 /usr/bin/time -o "$SCRATCH/rss" -f %M "${SB_PREFIX[@]}" "$SB" \
    --json --output-limit 1M -- sh -c 'head -c 1G /dev/zero; echo done >&2')
  output=$json
  [ "$(json_get stdout_truncated)" = true ]
  [ "$(json_get stderr)" = "done" ]
  [ "$(printf '%s' "$json" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["stdout"]))')" = 1048576 ]
  rss=$(tail -1 "$SCRATCH/rss")
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
  # io_uring (which the host offers) is absent inside: ENOSYS, not a ring.
  run sb -- "$PY" -c 'import ctypes
libc=ctypes.CDLL(None, use_errno=True)
params=ctypes.create_string_buffer(120)
print("io_uring", libc.syscall(425, 4, params), ctypes.get_errno())'
  assert_success
  assert_output "io_uring -1 38"
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

