# Shared set-up for the ia-sandbox tests: run the tool as root or, with AS_NOBODY=1, as
# uid 65534 (user namespaces only); every run is bounded by timeout(1).
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

PY=/usr/bin/python3

sandbox_setup() {
  SB="$IA_BIN_DIR/ia-sandbox"
  # A scratch area both root and nobody can use, and a cgroup parent of our own so
  # the checks for leftovers see only this file's tasks.
  SCRATCH=$(mktemp -d /tmp/ia-sb-test-XXXXXX)
  chmod 1777 "$SCRATCH"
  export TMPDIR="$SCRATCH"
  export IA_SANDBOX_CGROUP_PARENT="ia-test-$$-${BATS_TEST_NUMBER}"
  export IA_CONFIG=/dev/null
  BG_PIDS=()
  SB_PREFIX=()
}

sandbox_teardown() {
  for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # A test that failed half-way can leave the task cgroups of sandboxes it killed; their
  # tasks die with them (parent-death signal), and then the directories can go.
  for dir in /sys/fs/cgroup/*/"$IA_SANDBOX_CGROUP_PARENT" /sys/fs/cgroup/unified/"$IA_SANDBOX_CGROUP_PARENT"; do
    [ -d "$dir" ] || continue
    for _ in $(seq 50); do
      find "$dir" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
      rmdir "$dir" 2>/dev/null && break
      sleep 0.1
    done
  done
  rm -rf "$SCRATCH"
}

# use_nobody: runs the tool as uid 65534 from here on; sets SB_PREFIX to the command that runs the tool as uid 65534.
use_nobody() {
  AS_NOBODY=1
  SB_PREFIX=(setpriv --reuid 65534 --regid 65534 --clear-groups -- env TMPDIR="$TMPDIR"
             IA_CONFIG=/dev/null IA_SANDBOX_CGROUP_PARENT="$IA_SANDBOX_CGROUP_PARENT")
}

# sb ARGS...: ia-sandbox, as nobody when AS_NOBODY is set, killed after 60 s at most.
sb() {
  if [ -n "${AS_NOBODY:-}" ]; then
    timeout -s KILL 60 setpriv --reuid 65534 --regid 65534 --clear-groups -- \
      env TMPDIR="$TMPDIR" IA_CONFIG=/dev/null IA_SANDBOX_CGROUP_PARENT="$IA_SANDBOX_CGROUP_PARENT" \
      "$SB" "$@"
  else
    timeout -s KILL 60 "$SB" "$@"
  fi
}

# sb_with_stdin TEXT ARGS...: sb with TEXT piped to its standard input.
sb_with_stdin() {
  local text=$1
  shift
  printf '%s\n' "$text" | sb "$@"
}

# as_caller CMD... &: starts a host-side helper as the same user as the sandbox's caller.
# It execs, so $! is the helper itself and teardown's kill reaches it (a subshell left
# between would orphan the helper, which then holds bats' output open and hangs the run).
as_caller() {
  if [ -n "${AS_NOBODY:-}" ]; then
    exec setpriv --reuid 65534 --regid 65534 --clear-groups -- "$@"
  else
    exec "$@"
  fi
}

# json_get FIELD: prints a field of the JSON result in $output.
json_get() {
  printf '%s' "$output" | "$PY" -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(json.dumps(v) if isinstance(v,(list,dict,bool)) or v is None else v)' "$1"
}

# Nothing of the task may remain: no cgroup under our parent, no temporary workdir.
assert_nothing_left() {
  local left
  left=$(find /sys/fs/cgroup/*/"$IA_SANDBOX_CGROUP_PARENT" -mindepth 1 -type d 2>/dev/null | wc -l)
  [ "$left" -eq 0 ] || fail "cgroups left behind: $(find /sys/fs/cgroup/*/"$IA_SANDBOX_CGROUP_PARENT" -mindepth 1 -type d)"
  left=$(find "$SCRATCH" -maxdepth 1 -name 'ia-sandbox-*' | wc -l)
  [ "$left" -eq 0 ] || fail "temporary working directories left behind"
}

# Starts a TCP listener on 127.0.0.1 on the host; sets PORT.
start_tcp_listener() {
  "$PY" -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c,_=s.accept(); c.sendall(b"hello from host\n"); c.close()' > "$SCRATCH/port" &
  BG_PIDS+=($!)
  for _ in $(seq 50); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
  PORT=$(cat "$SCRATCH/port")
}

# Starts Unix socket listeners on the host: abstract @ia-test-$$ and $1 on the file system.
start_unix_listeners() {
  "$PY" -c 'import socket,sys,time
a=socket.socket(socket.AF_UNIX); a.bind("\0ia-test-"+sys.argv[2]); a.listen(1)
f=socket.socket(socket.AF_UNIX); f.bind(sys.argv[1]); f.listen(1)
print("ready", flush=True); time.sleep(120)' "$1" "$$" > "$SCRATCH/unix-ready" &
  BG_PIDS+=($!)
  for _ in $(seq 50); do [ -s "$SCRATCH/unix-ready" ] && break; sleep 0.1; done
  chmod 666 "$1"
}
