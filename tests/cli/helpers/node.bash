# Starting a real ia-node against the ia-sched of helpers/sched.bash, with an idle policy
# the test controls: always idle, unless a process named by OWNER_PROCESS runs (the
# "owner" is a real process the test starts and stops).
#
#   start_node [ia-node flags...]   sets NODE_DIR NODE_PID NODE_TOKEN (needs start_sched)
#   stop_node                       SIGTERM and wait; NODE_EXIT holds its exit code
#   owner_arrives / owner_leaves    start / stop the process that makes the machine busy
#   wait_for_state ID STATE [SECS]  polls the task until it is in STATE

OWNER_PROCESS=ia-test-owner

write_node_config() {
  cat > "$1" <<TOML
[idle]
idle_time = "0s"
max_cpu = 100
max_memory = 100
busy_if_running = ["$OWNER_PROCESS"]

[node]
check_interval = "200ms"
heartbeat_interval = "1s"
poll_wait = "5s"
suspend_grace = "${SUSPEND_GRACE:-10m}"
drain_timeout = "${DRAIN_TIMEOUT:-20s}"
slots = ${NODE_SLOTS:-1}
TOML
  if [ -n "${NODE_NVML:-}" ]; then
    # The fake NVML of tests/support, loaded through the real dlopen path.
    sed -i "/^\[idle\]/a nvml_path = \"$NODE_NVML\"" "$1"
  fi
}

start_node() {
  NODE_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/node.XXXXXX")
  NODE_TOKEN=${NODE_TOKEN:-$(new_token node)}
  write_node_config "$NODE_DIR/ia.toml"
  IA_CONFIG=$NODE_DIR/ia.toml "$IA_BIN_DIR/ia-node" run --server "$SCHED_URL" \
    --token "$NODE_TOKEN" --state-dir "$NODE_DIR/state" "$@" 2>> "$NODE_DIR/node.log" &
  NODE_PID=$!
}

stop_node() {
  [ -n "${NODE_PID:-}" ] || return 0
  kill -TERM "$NODE_PID" 2>/dev/null || true
  NODE_EXIT=0
  wait "$NODE_PID" 2>/dev/null || NODE_EXIT=$?
  NODE_PID=
}

owner_arrives() {
  mkdir -p "$BATS_TEST_TMPDIR/owner"
  cp /bin/sleep "$BATS_TEST_TMPDIR/owner/$OWNER_PROCESS"
  "$BATS_TEST_TMPDIR/owner/$OWNER_PROCESS" 600 &
  OWNER_PID=$!
}

owner_leaves() {
  [ -n "${OWNER_PID:-}" ] || return 0
  kill "$OWNER_PID" 2>/dev/null || true
  wait "$OWNER_PID" 2>/dev/null || true
  OWNER_PID=
}

task_state() {
  api GET "/v1/tasks/$1"
  jq -r .status <<< "$body"
}

wait_for_state() {
  local id=$1 want=$2 limit=${3:-20} i state=""
  for i in $(seq 1 $((limit * 10))); do
    state=$(task_state "$id")
    [ "$state" = "$want" ] && return 0
    sleep 0.1
  done
  echo "task $id is '$state', wanted '$want' within ${limit}s" >&2
  return 1
}

# wait_for_nodes N [SECONDS]: until N nodes have registered with the scheduler.
wait_for_nodes() {
  local want=$1 limit=${2:-20} i count=0
  for i in $(seq 1 $((limit * 10))); do
    api GET /v1/nodes
    count=$(jq '.nodes | length' <<< "$body")
    [ "$count" -ge "$want" ] && return 0
    sleep 0.1
  done
  echo "$count nodes registered, wanted $want within ${limit}s" >&2
  return 1
}

# submit CODE [extra JSON fields]: prints the new task's id.
submit_code() {
  local code=$1 extra=${2:-}
  local json
  json=$(jq -Rs . <<< "$code")
  api POST /v1/tasks "{\"code\":$json,\"interpreter\":\"/usr/bin/python3\"$extra}"
  jq -r .task_id <<< "$body"
}
