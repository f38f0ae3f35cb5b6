#!/usr/bin/env bats
# ia-sched when its store fails (DESIGN.md §7), end to end on a real PostgreSQL started
# for this file (tests/helpers/pg-server): stopped with SIGSTOP, restarted fast and
# immediate. Each checks that no acknowledged task is lost, nothing unsaved is listed,
# no task id is given twice, and that requests are answered (503) instead of hanging.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'

setup_file() {
  PG_DIR=$(mktemp -d /tmp/ia-pgf-bats.XXXXXX)
  export PG_DIR
  "$IA_SOURCE_DIR/tests/helpers/pg-server" start "$PG_DIR" >&2
}

teardown_file() {
  "$IA_SOURCE_DIR/tests/helpers/pg-server" stop "$PG_DIR"
}

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  export IA_SCHED_STORE_TIMEOUT=2s
  SCHED_DIR=
  DB=ia_faults_$BATS_TEST_NUMBER
  psql -q "postgresql:///postgres?host=$PG_DIR&user=postgres" -c "CREATE DATABASE $DB"
  STORE="postgresql:///$DB?host=$PG_DIR&user=postgres"
  ACKED="$BATS_TEST_TMPDIR/acked"
  : > "$ACKED"
}

teardown() {
  [ -z "${STOPPED_PIDS:-}" ] || kill -CONT $STOPPED_PIDS 2>/dev/null || true
  stop_sched
  [ -z "${DISK:-}" ] || umount -l "$DISK"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

# The postmaster and its children (backends, checkpointer, ...), by pid.
pg_pids() {
  local master
  master=$(head -1 "$PG_DIR/data/postmaster.pid")
  echo "$master $(pgrep -P "$master" | tr '\n' ' ')"
}

pg_ctl() {
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -w -t 60 "$@" > /dev/null
}

# submit: one task; its id goes to $ACKED when it was acknowledged (201).
submit() {
  api POST /v1/tasks '{"code":"x = 1"}'
  if [ "$status_code" = 201 ]; then
    jqr .task_id >> "$ACKED"
  fi
}

wait_healthy() {
  local i
  for i in $(seq 1 600); do
    TOKEN= api GET /health
    [ "$status_code" = 200 ] && return 0
    sleep 0.1
  done
  echo "ia-sched did not come back: $body" >&2
  cat "$SCHED_DIR/sched.log" >&2
  return 1
}

# Every listed task was acknowledged, every acknowledged one is listed, no id twice.
check_tasks() {
  api GET "/v1/tasks?limit=1000"
  [ "$status_code" = 200 ]
  jq -r '.tasks[].task_id' <<< "$body" | sort -n > "$BATS_TEST_TMPDIR/listed"
  sort -n "$ACKED" > "$BATS_TEST_TMPDIR/acked.sorted"
  run sort -n -u "$ACKED"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/acked.sorted")" = "$(echo "$output" | grep -c .)" ]
  diff "$BATS_TEST_TMPDIR/acked.sorted" "$BATS_TEST_TMPDIR/listed"
}

@test "ia-sched faults: a SIGSTOPped PostgreSQL gets 503s within the store timeout, then a reread" {
  start_sched --store "$STORE"
  for i in 1 2 3; do submit; done
  [ "$(wc -l < "$ACKED")" = 3 ]
  STOPPED_PIDS=$(pg_pids)
  kill -STOP $STOPPED_PIDS
  # Answered, never hung: curl's own limit (30 s, api) is far above the store timeout (2 s).
  for i in 1 2 3; do
    submit
    [ "$status_code" = 503 ]
  done
  TOKEN= api GET /health
  [ "$status_code" = 503 ]
  [ "$(jqr .status)" = degraded ]
  [ "$(jqr .store)" = down ]
  run curl -s -m 20 "$SCHED_URL/metrics"
  assert_output --partial "ia_store_up 0"
  kill -CONT $STOPPED_PIDS
  STOPPED_PIDS=
  wait_healthy
  check_tasks
  submit
  [ "$status_code" = 201 ]
  # One line when the outage began and one when it ended, with its count of failures.
  [ "$(grep -c 'store unavailable' "$SCHED_DIR/sched.log")" = 1 ]
  run grep 'store back after' "$SCHED_DIR/sched.log"
  assert_success
  assert_output --regexp '[0-9]+ writes failed'
  [ "$(grep -c 'store back after' "$SCHED_DIR/sched.log")" = 1 ]
}

@test "ia-sched faults: PostgreSQL restarted fast, then immediate, under submissions loses and invents nothing" {
  # Long leases: on a busy machine the run may outlast the default 30 s, and the lease
  # must not expire for want of heartbeats, which this test does not send.
  IA_SCHED_HEARTBEAT_INTERVAL=60s start_sched --store "$STORE"
  api POST /v1/nodes/n1/heartbeat '{"capacity":{"cpu":1,"memory":1024}}'
  submit
  api POST /v1/nodes/n1/lease
  [ "$status_code" = 200 ]
  task=$(jqr .task.task_id)
  lease=$(jqr .lease.lease_id)
  ( for i in $(seq 1 200); do submit; done ) &
  submitter=$!
  sleep 0.5
  pg_ctl restart -m fast
  sleep 0.5
  pg_ctl restart -m immediate
  wait "$submitter"
  wait_healthy
  # The restarts ended its session: it noticed, and served nothing from memory meanwhile.
  run grep -c 'store unavailable' "$SCHED_DIR/sched.log"
  [ "$output" -ge 1 ]
  check_tasks
  # The lease granted before both restarts still holds: its result lands.
  api POST "/v1/tasks/$task/result" "{\"lease_id\":$lease,\"exit_code\":0,\"wall_time\":1}"
  echo "result: $status_code $body"
  [ "$status_code" = 200 ]
  [ "$(jqr .status)" = succeeded ]
  # A restart of ia-sched finds the same tasks.
  stop_sched
  SCHED_DIR_KEEP=$SCHED_DIR
  IA_SCHED_HEARTBEAT_INTERVAL=60s start_sched --store "$STORE"
  check_tasks
  [ "$SCHED_DIR" = "$SCHED_DIR_KEEP" ]
}

@test "ia-sched faults: two token commands on an empty database both create their tokens" {
  for round in 1 2 3; do
    db=${DB}_$round
    psql -q "postgresql:///postgres?host=$PG_DIR&user=postgres" -c "CREATE DATABASE $db"
    store="postgresql:///$db?host=$PG_DIR&user=postgres"
    "$IA_BIN_DIR/ia-sched" --state-dir "$BATS_TEST_TMPDIR/a" --store "$store" \
      token create --role client --name a > "$BATS_TEST_TMPDIR/a.out" 2>&1 &
    first=$!
    "$IA_BIN_DIR/ia-sched" --state-dir "$BATS_TEST_TMPDIR/b" --store "$store" \
      token create --role client --name b > "$BATS_TEST_TMPDIR/b.out" 2>&1 &
    second=$!
    wait "$first" || { cat "$BATS_TEST_TMPDIR/a.out" >&2; false; }
    wait "$second" || { cat "$BATS_TEST_TMPDIR/b.out" >&2; false; }
  done
}

@test "ia-sched faults: SQLite on a full disk answers 503, keeps nothing it refused, and serves again once there is room" {
  disk="$BATS_TEST_TMPDIR/disk"
  mkdir -p "$disk"
  if ! mount -t tmpfs -o size=4m tmpfs "$disk" 2>/dev/null; then
    skip "cannot mount a tmpfs here (needs root)"
  fi
  DISK=$disk
  start_sched --store "sqlite://$disk/sched.db"
  for i in 1 2 3; do submit; done
  [ "$(wc -l < "$ACKED")" = 3 ]
  dd if=/dev/zero of="$disk/filler" bs=64k 2>/dev/null || true
  head -c 300000 /dev/zero | tr '\0' x | sed 's/^/{"code":"/; s/$/"}/' > "$BATS_TEST_TMPDIR/big.json"
  run curl -s -m 30 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H "Content-Type: application/json" \
    --data-binary "@$BATS_TEST_TMPDIR/big.json" "$SCHED_URL/v1/tasks"
  [ "$output" = 503 ]
  for i in 1 2 3 4 5; do
    submit
    [ "$status_code" = 201 ] || [ "$status_code" = 503 ]
  done
  rm -f "$disk/filler"
  wait_healthy
  check_tasks
  submit
  [ "$status_code" = 201 ]
  [ "$(grep -c 'store unavailable' "$SCHED_DIR/sched.log")" = 1 ]
  stop_sched
  start_sched --store "sqlite://$disk/sched.db"
  check_tasks
}
