#!/usr/bin/env bats
# ia-node: a real ia-sched, real ia-node processes, tasks in the real sandbox. The owner
# is a real process named in busy_if_running (helpers/node.bash).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'
load 'helpers/node'

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  SCHED_DIR= NODE_PID= OWNER_PID= NODE_TOKEN=
  # Leases expire after 3 missed 1 s heartbeats, so a lost node is noticed in seconds.
  printf '[sched]\nheartbeat_interval = "1s"\n' > "$BATS_TEST_TMPDIR/sched.toml"
}

teardown() {
  owner_leaves
  [ -n "${NODE_PID:-}" ] && kill -9 "$NODE_PID" 2>/dev/null
  [ -n "${NODE2_PID:-}" ] && kill -9 "$NODE2_PID" 2>/dev/null
  stop_sched
  true
}

start_test_sched() { start_sched --config "$BATS_TEST_TMPDIR/sched.toml"; }

@test "ia-node: --help lists run, once and status; --version" {
  run "$IA_BIN_DIR/ia-node" --help
  assert_success
  assert_output --partial "once"
  assert_output --partial "status"
  run "$IA_BIN_DIR/ia-node" --version
  assert_output --regexp "^ia-node [0-9]+\.[0-9]+"
}

@test "ia-node: bad flags and a bad --idle mode exit 2 with a message" {
  run "$IA_BIN_DIR/ia-node" run --slots zero
  assert_failure 2
  assert_output --partial "slots"
  run "$IA_BIN_DIR/ia-node" run --idle sometimes --state-dir "$BATS_TEST_TMPDIR/s"
  assert_failure 2
  assert_output --partial "'policy' or 'always'"
  run "$IA_BIN_DIR/ia-node" --node-id "bad id" run --state-dir "$BATS_TEST_TMPDIR/s"
  assert_failure 2
  # An empty state directory would put the agent's files in /.
  run "$IA_BIN_DIR/ia-node" once --idle always --state-dir ""
  assert_failure 2
  assert_output --partial "state directory is empty (--state-dir)"
  IA_NODE_STATE_DIR= run "$IA_BIN_DIR/ia-node" status
  assert_failure 2
  [ ! -e /spool ] && [ ! -e /status.json ]
}

@test "ia-node: one agent per state directory; the second says which pid holds it" {
  start_test_sched
  start_node
  wait_for_nodes 1
  IA_CONFIG=$NODE_DIR/ia.toml run "$IA_BIN_DIR/ia-node" once --server "$SCHED_URL" \
    --token "$NODE_TOKEN" --state-dir "$NODE_DIR/state"
  assert_failure 1
  assert_output --partial "another ia-node (pid $NODE_PID) is running on the state directory"
  # status asks the lock who runs, not the pid in the status file (which may be reused).
  jq '.pid = 1' "$NODE_DIR/state/status.json" > "$BATS_TEST_TMPDIR/s" && \
    cp "$BATS_TEST_TMPDIR/s" "$NODE_DIR/state/status.json"
  run "$IA_BIN_DIR/ia-node" status --state-dir "$NODE_DIR/state"
  assert_success
  assert_output --partial "running (pid $NODE_PID)"
  stop_node
  run "$IA_BIN_DIR/ia-node" status --json --state-dir "$NODE_DIR/state"
  assert_failure 1
  [ "$(jq -r .running_now <<< "$output")" = false ]
  # The lock goes with its holder: a new agent starts on the same directory.
  IA_CONFIG=$NODE_DIR/ia.toml run timeout 20 "$IA_BIN_DIR/ia-node" once \
    --server "$SCHED_URL" --token "$NODE_TOKEN" --state-dir "$NODE_DIR/state"
  assert_success
}

@test "ia-node: a token the scheduler refuses stops run and once with 4, its spooled results kept" {
  start_test_sched
  mkdir -p "$BATS_TEST_TMPDIR/n/spool"
  printf '{"lease_id":7,"status":"succeeded","exit_code":0,"output":"x"}' \
    > "$BATS_TEST_TMPDIR/n/spool/1_7.result.json"
  write_node_config "$BATS_TEST_TMPDIR/node.toml"  # 1 s heartbeats: three refusals stop it
  for mode in run once; do
    IA_CONFIG=$BATS_TEST_TMPDIR/node.toml run timeout 20 "$IA_BIN_DIR/ia-node" "$mode" \
      --server "$SCHED_URL" --token ia_wrong --idle always --state-dir "$BATS_TEST_TMPDIR/n"
    assert_failure 4
    assert_output --partial "refused this node's token"
  done
  [ -e "$BATS_TEST_TMPDIR/n/spool/1_7.result.json" ]
}

@test "ia-node: runs a task end to end and its output and exit code reach the scheduler" {
  start_test_sched
  start_node
  id=$(submit_code 'import sys; print("hi from", sys.argv[1:]); sys.exit(4)' ',"args":["x"]')
  wait_for_state "$id" failed
  api GET "/v1/tasks/$id"
  [ "$(jq -r .result.exit_code <<< "$body")" = 4 ]
  api GET "/v1/tasks/$id/output?offset=0"
  assert_equal "$(jq -r .data <<< "$body")" "hi from ['x']"
  stop_node
  assert_equal "$NODE_EXIT" 0
}

@test "ia-node: a task cannot read the node's token from its init's command line" {
  start_test_sched
  start_node
  id=$(submit_code 'print(open("/proc/1/cmdline", "rb").read().replace(b"\0", b" ").decode().strip())')
  wait_for_state "$id" succeeded
  api GET "/v1/tasks/$id/output?offset=0"
  output=$(jq -r .data <<< "$body")
  assert_equal "$output" "ia-sandbox-init"
  refute_output --partial "$NODE_TOKEN"
}

@test "ia-node: two nodes share a queue; every task runs exactly once" {
  start_test_sched
  start_node --node-id node-a
  NODE2_PID=$NODE_PID
  NODE_TOKEN=
  start_node --node-id node-b
  wait_for_nodes 2  # on a busy machine a node can take seconds to start
  ids=()
  for i in $(seq 1 8); do ids+=("$(submit_code 'import time; time.sleep(0.3); print("ok")')"); done
  for id in "${ids[@]}"; do wait_for_state "$id" succeeded 30; done
  api GET /v1/nodes
  a=$(jq '[.nodes[] | select(.node_id=="node-a") | .completed] | add' <<< "$body")
  b=$(jq '[.nodes[] | select(.node_id=="node-b") | .completed] | add' <<< "$body")
  [ $((a + b)) -eq 8 ]
  [ "$a" -ge 1 ] && [ "$b" -ge 1 ]
}

@test "ia-node: kill -9 of a node mid-task: the lease expires and another node runs it" {
  start_test_sched
  start_node --node-id doomed
  # Long enough that a loaded machine cannot finish it on the doomed node before the kill.
  id=$(submit_code 'import time; time.sleep(8); print("done")')
  wait_for_state "$id" running
  kill -9 "$NODE_PID"; NODE_PID=
  NODE_TOKEN=
  start_node --node-id rescuer
  wait_for_state "$id" succeeded 60
  api GET "/v1/tasks/$id"
  assert_equal "$(jq -r .node_id <<< "$body")" rescuer
  [ "$(jq -r .attempt <<< "$body")" -ge 1 ]
}

@test "ia-node: the owner returns: the task freezes, then thaws and finishes" {
  start_test_sched
  start_node
  id=$(submit_code 'import time
for i in range(30):
    print(i, flush=True); time.sleep(0.1)')
  wait_for_state "$id" running
  owner_arrives
  run timeout 10 sh -c "until grep -q 'task $id frozen' '$NODE_DIR/node.log'; do sleep 0.1; done"
  assert_success
  api GET "/v1/tasks/$id/output?offset=0"
  before=$(jq -r .next_offset <<< "$body")
  sleep 1.5
  api GET "/v1/tasks/$id/output?offset=0"
  assert_equal "$(jq -r .next_offset <<< "$body")" "$before"
  assert_equal "$(task_state "$id")" running
  owner_leaves
  wait_for_state "$id" succeeded 30
  grep -q "task $id thawed" "$NODE_DIR/node.log"
}

@test "ia-node: the owner stays past the grace period: the task is vacated without costing a retry" {
  start_test_sched
  SUSPEND_GRACE=1s start_node
  id=$(submit_code 'import time; time.sleep(30)')
  wait_for_state "$id" running
  owner_arrives
  wait_for_state "$id" queued 20
  api GET "/v1/tasks/$id"
  assert_equal "$(jq -r .attempt <<< "$body")" 0
  grep -q "task $id vacated" "$NODE_DIR/node.log"
}

@test "ia-node: cancel reaches a running task through the heartbeat" {
  start_test_sched
  start_node
  id=$(submit_code 'import time; time.sleep(60)')
  wait_for_state "$id" running
  api DELETE "/v1/tasks/$id"
  wait_for_state "$id" cancelled 20
  grep -q "task $id cancelled by the scheduler" "$NODE_DIR/node.log"
}

@test "ia-node: the scheduler restarts while a task runs; the result arrives afterwards" {
  start_test_sched
  start_node
  id=$(submit_code 'import time; time.sleep(3); print("survived")')
  wait_for_state "$id" running
  port=${SCHED_URL##*:}
  stop_sched
  sleep 4
  # Same port and state directory: the node finds its scheduler again.
  "$IA_BIN_DIR/ia-sched" --state-dir "$SCHED_DIR" --config "$BATS_TEST_TMPDIR/sched.toml" \
    --listen "127.0.0.1:$port" 2>> "$SCHED_DIR/sched.log" &
  SCHED_PID=$!
  run timeout 10 sh -c "until curl -sf '$SCHED_URL/health' >/dev/null; do sleep 0.1; done"
  assert_success
  wait_for_state "$id" succeeded 30
  api GET "/v1/tasks/$id/output?offset=0"
  [[ "$(jq -r .data <<< "$body")" == *survived* ]]
  [ -z "$(ls "$NODE_DIR/state/spool")" ]
}

@test "ia-node: output larger than the scheduler's body limit arrives whole, result included" {
  # 150000 control bytes are 900 KB of JSON (\u0001 each) against a 64K body limit.
  printf '[sched]\nheartbeat_interval = "1s"\nmax_body = "64K"\n' > "$BATS_TEST_TMPDIR/sched.toml"
  start_test_sched
  start_node
  id=$(submit_code 'import sys; sys.stdout.write("\x01" * 150000 + "end")')
  wait_for_state "$id" succeeded 30
  api GET "/v1/tasks/$id/output?offset=0"
  [ "$(jq -r .next_offset <<< "$body")" = 150003 ]
  [[ "$(jq -r .data <<< "$body")" == *end ]]
  [ "$(jq -r .truncated <<< "$body")" = false ]
}

@test "ia-node: a large result spooled while the scheduler was down is delivered in parts" {
  printf '[sched]\nheartbeat_interval = "1s"\nmax_body = "64K"\n' > "$BATS_TEST_TMPDIR/sched.toml"
  start_test_sched
  start_node
  id=$(submit_code 'import sys, time; time.sleep(2); sys.stdout.write("\x01" * 150000 + "end")')
  wait_for_state "$id" running
  port=${SCHED_URL##*:}
  stop_sched
  sleep 4  # the task ends meanwhile; its result, output and all, waits in the spool
  [ -n "$(ls "$NODE_DIR/state/spool")" ]
  "$IA_BIN_DIR/ia-sched" --state-dir "$SCHED_DIR" --config "$BATS_TEST_TMPDIR/sched.toml" \
    --listen "127.0.0.1:$port" 2>> "$SCHED_DIR/sched.log" &
  SCHED_PID=$!
  wait_for_state "$id" succeeded 30
  api GET "/v1/tasks/$id/output?offset=0"
  [ "$(jq -r .next_offset <<< "$body")" = 150003 ]
  [[ "$(jq -r .data <<< "$body")" == *end ]]
  [ -z "$(ls "$NODE_DIR/state/spool")" ]
}

@test "ia-node: SIGTERM drains: running tasks finish, then it exits 0 and status says stopped" {
  start_test_sched
  start_node
  id=$(submit_code 'import time; time.sleep(2); print("finished")')
  wait_for_state "$id" running
  stop_node
  assert_equal "$NODE_EXIT" 0
  assert_equal "$(task_state "$id")" succeeded
  run "$IA_BIN_DIR/ia-node" status --json --state-dir "$NODE_DIR/state"
  assert_failure 1
  assert_equal "$(jq -r .state <<< "$output")" stopped
  assert_equal "$(jq -r .running_now <<< "$output")" false
}

@test "ia-node: status of a running agent, as a table and as JSON" {
  start_test_sched
  start_node --node-id shown
  run timeout 10 sh -c "until [ -s '$NODE_DIR/state/status.json' ]; do sleep 0.1; done"
  run "$IA_BIN_DIR/ia-node" status --state-dir "$NODE_DIR/state"
  assert_success
  assert_output --partial "shown"
  assert_output --partial "running (pid $NODE_PID)"
  run "$IA_BIN_DIR/ia-node" status --json --state-dir "$NODE_DIR/state"
  assert_success
  assert_equal "$(jq -r .node_id <<< "$output")" shown
  run "$IA_BIN_DIR/ia-node" status --state-dir "$BATS_TEST_TMPDIR/none"
  assert_failure 5
  assert_output --partial "no agent status"
}

@test "ia-node: once exits 0 when out of work, 1 when the owner is busy, 3 when unreachable" {
  start_test_sched
  write_node_config "$BATS_TEST_TMPDIR/node.toml"
  token=$(new_token node)
  id=$(submit_code 'print("cron job")')
  IA_CONFIG=$BATS_TEST_TMPDIR/node.toml run timeout 60 "$IA_BIN_DIR/ia-node" once \
    --server "$SCHED_URL" --token "$token" --state-dir "$BATS_TEST_TMPDIR/once"
  assert_success
  assert_equal "$(task_state "$id")" succeeded
  owner_arrives
  IA_CONFIG=$BATS_TEST_TMPDIR/node.toml run timeout 60 "$IA_BIN_DIR/ia-node" once \
    --server "$SCHED_URL" --token "$token" --state-dir "$BATS_TEST_TMPDIR/once"
  assert_failure 1
  owner_leaves
  IA_CONFIG=$BATS_TEST_TMPDIR/node.toml run timeout 60 "$IA_BIN_DIR/ia-node" once \
    --server http://127.0.0.1:1 --token "$token" --state-dir "$BATS_TEST_TMPDIR/once"
  assert_failure 3
}

@test "ia-node: SIGHUP reloads the configuration; a broken file keeps the running settings" {
  start_test_sched
  start_node
  run timeout 10 sh -c "until [ -s '$NODE_DIR/state/status.json' ]; do sleep 0.1; done"
  NODE_SLOTS=3 write_node_config "$NODE_DIR/ia.toml"
  kill -HUP "$NODE_PID"
  run timeout 10 sh -c "until grep -q 'configuration reloaded: 3 slot' '$NODE_DIR/node.log'; do sleep 0.1; done"
  assert_success
  run timeout 10 sh -c "until '$IA_BIN_DIR/ia-node' status --json --state-dir '$NODE_DIR/state' | jq -e '.slots == 3' >/dev/null; do sleep 0.2; done"
  assert_success
  echo 'this is not toml =' >> "$NODE_DIR/ia.toml"
  kill -HUP "$NODE_PID"
  run timeout 10 sh -c "until grep -q 'configuration not reloaded' '$NODE_DIR/node.log'; do sleep 0.1; done"
  assert_success
  kill -0 "$NODE_PID"
  id=$(submit_code 'print("still working")')
  wait_for_state "$id" succeeded
}

@test "ia-node: GPUs come from NVML; one the owner uses is left out of what tasks get" {
  export IA_FAKE_NVML_SCRIPT=$BATS_TEST_TMPDIR/gpus
  printf 'gpu GPU-A util=0 used=0 total=8589934592\ngpu GPU-B util=0 used=0 total=8589934592\n' \
    > "$IA_FAKE_NVML_SCRIPT"
  start_test_sched
  NODE_NVML=$IA_TEST_BINARY_DIR/support/libfake_nvml.so start_node --node-id gpu-box
  run timeout 10 sh -c "until curl -s -H 'Authorization: Bearer $ADMIN_TOKEN' '$SCHED_URL/v1/nodes' | jq -e '.nodes[0].capacity.gpu == 2' >/dev/null; do sleep 0.2; done"
  assert_success
  # No /dev/nvidiaN exists here, so the sandbox refuses the task and names the GPU the node
  # chose for it: that is the assignment under test.
  id=$(submit_code 'print(1)' ',"resources":{"gpu":1}')
  wait_for_state "$id" failed
  api GET "/v1/tasks/$id"
  assert_regex "$(jq -r .result.reason <<< "$body")" "nvidia0"
  # The owner starts a game on GPU 0: the next GPU task gets GPU 1, CPU tasks go on.
  printf 'gpu GPU-A util=95 used=4294967296 total=8589934592\nproc 0 graphics 4242 4294967296\ngpu GPU-B util=0 used=0 total=8589934592\n' \
    > "$IA_FAKE_NVML_SCRIPT"
  sleep 1
  id=$(submit_code 'print(1)' ',"resources":{"gpu":1}')
  wait_for_state "$id" failed
  api GET "/v1/tasks/$id"
  assert_regex "$(jq -r .result.reason <<< "$body")" "nvidia1"
  id=$(submit_code 'print("cpu work")')
  wait_for_state "$id" succeeded
}

@test "ia-node: once --max-time vacates what still runs and exits 0" {
  start_test_sched
  write_node_config "$BATS_TEST_TMPDIR/node.toml"
  token=$(new_token node)
  id=$(submit_code 'import time; time.sleep(60)')
  SECONDS=0
  IA_CONFIG=$BATS_TEST_TMPDIR/node.toml run timeout 60 "$IA_BIN_DIR/ia-node" once --max-time 3s \
    --server "$SCHED_URL" --token "$token" --state-dir "$BATS_TEST_TMPDIR/once"
  assert_success
  [ "$SECONDS" -lt 20 ]
  assert_equal "$(task_state "$id")" queued
  api GET "/v1/tasks/$id"
  assert_equal "$(jq -r .attempt <<< "$body")" 0
}

@test "ia-node: status lists running tasks by id, not as the status file's JSON" {
  start_test_sched
  start_node
  id=$(submit_code 'import time; time.sleep(30)')
  wait_for_state "$id" running
  run timeout 10 sh -c "until grep -q '\"task_id\":$id' '$NODE_DIR/state/status.json'; do sleep 0.1; done"
  run "$IA_BIN_DIR/ia-node" status --state-dir "$NODE_DIR/state"
  assert_line --regexp "^tasks +$id$"
  refute_output --partial "{"
}
