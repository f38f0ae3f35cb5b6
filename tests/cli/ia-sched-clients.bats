#!/usr/bin/env bats
# Many clients and nodes at once against one ia-sched, with SIGHUP reloads in the middle:
# every task is run once and read only by its owner. scripts/test also runs this file
# against the ThreadSanitizer build (IA_BIN_DIR=build-tsan/bin), where a data race in
# the server fails it.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'

setup() {
  command -v curl >/dev/null || skip "curl is not installed"
  command -v jq >/dev/null || skip "jq is not installed"
}

teardown() {
  stop_sched
}

# client_worker TOKEN NAME COUNT: submits COUNT tasks, one at a time.
client_worker() {
  local token=$1 name=$2 count=$3 i
  for i in $(seq 1 "$count"); do
    curl -s -m 30 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data-binary "{\"code\":\"$name $i\"}" "$SCHED_URL/v1/tasks" > /dev/null
    curl -s -m 30 -H "Authorization: Bearer $token" "$SCHED_URL/v1/tasks?limit=5" > /dev/null
  done
}

# node_worker TOKEN NODE: leases and finishes tasks until the test says it is done.
node_worker() {
  local token=$1 node=$2 out task lease
  local auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
  curl -s -m 30 "${auth[@]}" --data-binary '{"capacity":{"cpu":2,"memory":4096}}' \
    "$SCHED_URL/v1/nodes/$node/heartbeat" > /dev/null
  while [ ! -e "$BATS_TEST_TMPDIR/done" ]; do
    out=$(curl -s -m 30 -X POST -H "Authorization: Bearer $token" \
      "$SCHED_URL/v1/nodes/$node/lease?wait=1")
    [ -n "$out" ] || continue
    task=$(jq -r .task.task_id <<< "$out")
    lease=$(jq -r .lease.lease_id <<< "$out")
    curl -s -m 30 "${auth[@]}" --data-binary "{\"lease_id\":$lease,\"data\":\"on $node\"}" \
      "$SCHED_URL/v1/tasks/$task/output" > /dev/null
    curl -s -m 30 "${auth[@]}" --data-binary "{\"lease_id\":$lease,\"exit_code\":0}" \
      "$SCHED_URL/v1/tasks/$task/result" > /dev/null
  done
}

@test "ia-sched-clients: three clients and two nodes at once, reloaded twice, lose and leak nothing" {
  start_sched
  c1=$(new_token client c1)
  c2=$(new_token client c2)
  c3=$(new_token client c3)
  n1=$(new_token node n1)
  n2=$(new_token node n2)
  sleep 1.2
  node_worker "$n1" rack-1 & node1=$!
  node_worker "$n2" rack-2 & node2=$!
  client_worker "$c1" c1 5 & one=$!
  client_worker "$c2" c2 5 & two=$!
  client_worker "$c3" c3 5 & three=$!
  kill -HUP "$SCHED_PID"
  wait $one $two $three
  kill -HUP "$SCHED_PID"
  for i in $(seq 1 1200); do
    api GET "/v1/tasks?status=succeeded&limit=1000"
    [ "$(jq '.tasks | length' <<< "$body")" = 15 ] && break
    sleep 0.1
  done
  touch "$BATS_TEST_TMPDIR/done"
  wait $node1 $node2
  [ "$(jq '.tasks | length' <<< "$body")" = 15 ]
  for name in c1 c2 c3; do
    TOKEN=${!name} api GET "/v1/tasks?limit=1000"
    [ "$(jq '[.tasks[] | select(.owner == "'$name'")] | length' <<< "$body")" = 5 ]
    [ "$(jq '.tasks | length' <<< "$body")" = 5 ]
  done
  api GET /v1/tasks/1/output
  [[ "$(jqr .data)" == "on rack-"* ]]
  run grep -c 'ThreadSanitizer' "$SCHED_DIR/sched.log"
  [ "$output" = 0 ]
  grep -q 'reloaded the configuration' "$SCHED_DIR/sched.log"
}
