#!/usr/bin/env bats
# ia-node and the owner: a real ia-sched and ia-node, tasks in the real sandbox, the owner
# played through a private X server (Xvfb + xdotool) and a pseudo-terminal.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'
load 'helpers/node'

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  unset DISPLAY
  SCHED_DIR= NODE_PID= OWNER_PID= NODE_TOKEN= XVFB_PID=
  printf '[sched]\nheartbeat_interval = "1s"\n' > "$BATS_TEST_TMPDIR/sched.toml"
  # This VM's CPUs are shared with other work: CPU load is left out of these policies
  # unless a test is about it.
  IDLE_EXTRA='max_cpu = 100'
  NODE_EXTRA=''
}

teardown() {
  [ -n "${NODE_PID:-}" ] && kill -9 "$NODE_PID" 2>/dev/null
  stop_sched
  [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
  true
}

# The node's configuration for these tests (start_node of helpers/node.bash calls it).
write_node_config() {
  cat > "$1" <<TOML
[idle]
idle_time = "${IDLE_TIME:-1s}"
max_memory = 100
$IDLE_EXTRA

[node]
check_interval = "${CHECK_INTERVAL:-200ms}"
heartbeat_interval = "${HEARTBEAT:-1s}"
poll_wait = "5s"
$NODE_EXTRA
TOML
}

# start_xvfb [flags]: a private X server on a display it picks (-displayfd); sets DISPLAY.
start_xvfb() {
  command -v Xvfb >/dev/null || skip "Xvfb is not installed (scripts/bootstrap installs it)"
  Xvfb -displayfd 3 -nolisten tcp "$@" 3>"$BATS_TEST_TMPDIR/display" 2>"$BATS_TEST_TMPDIR/xvfb.log" &
  XVFB_PID=$!
  local i
  for i in $(seq 100); do
    [ -s "$BATS_TEST_TMPDIR/display" ] && break
    sleep 0.05
  done
  [ -s "$BATS_TEST_TMPDIR/display" ] || fail "Xvfb did not start: $(cat "$BATS_TEST_TMPDIR/xvfb.log")"
  export DISPLAY=":$(head -n1 "$BATS_TEST_TMPDIR/display")"
}

node_log_has() {  # node_log_has TEXT [SECONDS]
  timeout "${2:-10}" sh -c "until grep -q '$1' '$NODE_DIR/node.log'; do sleep 0.05; done"
}

@test "ia-node-owner: check_interval under 1s on an X server that resets when its last client leaves: work starts" {
  # Xvfb without -noreset resets (idle time too) whenever its last client disconnects; a
  # connection per look held its idle time under the 200 ms look interval for ever.
  start_xvfb
  start_sched --config "$BATS_TEST_TMPDIR/sched.toml"
  start_node
  id=$(submit_code 'print("ran")')
  wait_for_state "$id" succeeded 20
  run "$IA_BIN_DIR/ia-idle" --only input --watch 300ms --count 6 --idle-time 1s
  assert_success
  # Every look sees the idle time grow: none of them reset the server.
  printf '%s\n' "$output" | /usr/bin/python3 -c '
import json, sys
idle = [json.loads(l)["input_sources"][0]["idle_ms"] for l in sys.stdin]
assert all(b > a for a, b in zip(idle, idle[1:])), idle
'
}

# cpu_hog SECONDS: every core busy for SECONDS, outside ia's cgroups (the machine's own load).
cpu_hog() {
  local n
  HOG_PIDS=()
  for n in $(seq "$(nproc)"); do
    timeout "$1" sh -c 'while :; do :; done' &
    HOG_PIDS+=($!)
  done
}

hog_done() { wait "${HOG_PIDS[@]}" 2>/dev/null || true; }

counting_task() {
  submit_code 'import time
for i in range(40):
    print(i, flush=True); time.sleep(0.1)'
}

@test "ia-node-owner: a brief CPU spike of the machine's own does not freeze a running task" {
  # max_cpu 20 only once the task runs (SIGHUP): this VM's CPUs may be shared.
  IDLE_EXTRA=$'max_cpu = 100\ncpu_busy_for = "10m"\nresume_after = "1s"'
  start_sched --config "$BATS_TEST_TMPDIR/sched.toml"
  start_node
  id=$(counting_task)
  wait_for_state "$id" running 20
  sed -i 's/max_cpu = 100/max_cpu = 20/' "$NODE_DIR/ia.toml"
  kill -HUP "$NODE_PID"
  node_log_has "configuration reloaded"
  cpu_hog 2
  hog_done
  wait_for_state "$id" succeeded 30
  run grep -E "task $id (frozen|thawed)" "$NODE_DIR/node.log"
  assert_failure
}

@test "ia-node-owner: CPU load that lasts past cpu_busy_for freezes the task" {
  # Started with a window no load lasts, so the task starts on this shared machine;
  # then a 1 s window by SIGHUP, and load of every core that lasts 6 s.
  IDLE_EXTRA=$'max_cpu = 100\ncpu_busy_for = "10m"\nresume_after = "1s"'
  start_sched --config "$BATS_TEST_TMPDIR/sched.toml"
  start_node
  id=$(counting_task)
  wait_for_state "$id" running 20
  sed -i -e 's/cpu_busy_for = "10m"/cpu_busy_for = "1s"/' -e 's/max_cpu = 100/max_cpu = 50/' \
    "$NODE_DIR/ia.toml"
  kill -HUP "$NODE_PID"
  cpu_hog 6
  run node_log_has "task $id frozen" 10
  assert_success
  grep -q "cpu_busy_for" "$NODE_DIR/node.log"
  hog_done
}

# The event tests poll only every 10 minutes: a freeze within seconds came from an event.
# Heartbeats (which also wake the node's loop) only every minute, for the same reason.
slow_poll_node() {
  IDLE_TIME=2s CHECK_INTERVAL=10m HEARTBEAT=1m
  IDLE_EXTRA=$'max_cpu = 100\nresume_after = "1s"'
  printf '[sched]\nheartbeat_interval = "1m"\n' > "$BATS_TEST_TMPDIR/sched.toml"
  start_sched --config "$BATS_TEST_TMPDIR/sched.toml"
  # Known to the scheduler (it rereads tokens every second) before the first heartbeat,
  # as a refused one is retried only a heartbeat later.
  NODE_TOKEN=$(new_token node)
  sleep 1.2
  start_node
}

@test "ia-node-owner: X11 input (xdotool under Xvfb) freezes a running task at once, and it thaws when the owner leaves" {
  command -v xdotool >/dev/null || skip "xdotool is not installed (scripts/bootstrap installs it)"
  start_xvfb -noreset
  slow_poll_node
  id=$(submit_code 'import time
for i in range(100):
    print(i, flush=True); time.sleep(0.1)')
  node_log_has "task $id leased" 20
  node_log_has "x11-events (XSync IDLETIME alarm" 5
  xdotool mousemove 40 40
  run node_log_has "task $id frozen" 5
  assert_success
  run node_log_has "task $id thawed" 20
  assert_success
  wait_for_state "$id" succeeded 30
}

@test "ia-node-owner: typing at a terminal (a pseudo-terminal read) freezes a running task at once, then thaws" {
  slow_poll_node
  id=$(submit_code 'import time
for i in range(100):
    print(i, flush=True); time.sleep(0.1)')
  node_log_has "task $id leased" 20
  node_log_has "terminal-events (inotify on /dev/pts" 5
  # A shell on a pseudo-terminal opened now, reading what is typed at it a moment later.
  /usr/bin/python3 -c '
import os, time
master, slave = os.openpty()
time.sleep(0.5)
os.write(master, b"ls\n")
os.read(slave, 16)
'
  run node_log_has "task $id frozen" 5
  assert_success
  run node_log_has "task $id thawed" 20
  assert_success
  wait_for_state "$id" succeeded 30
}
