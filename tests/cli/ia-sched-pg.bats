#!/usr/bin/env bats
# ia-sched on PostgreSQL: a real server started for this file (tests/helpers/pg-server)
# on a Unix socket only, one database per test.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'

setup_file() {
  # Under /tmp: as root the server runs as the postgres user, who must reach the socket.
  PG_DIR=$(mktemp -d /tmp/ia-pg-bats.XXXXXX)
  export PG_DIR
  "$IA_SOURCE_DIR/tests/helpers/pg-server" start "$PG_DIR" >&2
}

teardown_file() {
  "$IA_SOURCE_DIR/tests/helpers/pg-server" stop "$PG_DIR"
}

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  SCHED_DIR=
  DB=ia_bats_$BATS_TEST_NUMBER
  psql -q "postgresql:///postgres?host=$PG_DIR&user=postgres" -c "CREATE DATABASE $DB"
  STORE="postgresql:///$DB?host=$PG_DIR&user=postgres"
}

teardown() {
  stop_sched
}

@test "ia-sched on PostgreSQL: after kill -9 a restart has every task, result, output and node" {
  start_sched --store "$STORE"
  # The token command works beside the running server, which holds the database.
  node_token=$("$IA_BIN_DIR/ia-sched" --state-dir "$SCHED_DIR" --store "$STORE" \
    token create --role node --name machine-1 2>/dev/null)
  [ -n "$node_token" ]
  sleep 1.2  # the server rereads its tokens every second
  api POST /v1/tasks '{"code":"print(1)"}'
  [ "$status_code" = 201 ]
  api POST /v1/tasks '{"code":"two","name":"second"}'
  TOKEN=$node_token api POST /v1/nodes/n1/heartbeat '{"capacity":{"cpu":2,"memory":1024}}'
  [ "$status_code" = 200 ]
  TOKEN=$node_token api POST /v1/nodes/n1/lease
  [ "$status_code" = 200 ]
  lease=$(jqr .lease.lease_id)
  TOKEN=$node_token api POST /v1/tasks/1/result \
    "{\"lease_id\":$lease,\"exit_code\":3,\"output\":\"out\\u0000ERR\",\"stderr_ranges\":[[4,7]]}"
  [ "$status_code" = 200 ]
  kill -9 "$SCHED_PID"
  wait "$SCHED_PID" || true
  SCHED_PID=
  start_sched --store "$STORE"
  api GET /v1/tasks/1
  [ "$status_code" = 200 ]
  [ "$(jqr .status)" = failed ]
  [ "$(jqr .result.exit_code)" = 3 ]
  api GET /v1/tasks/1/output
  [ "$(jq -c .data <<< "$body")" = '"out\u0000ERR"' ]
  [ "$(jq -c .stderr_ranges <<< "$body")" = "[[4,7]]" ]
  api GET /v1/tasks/2
  [ "$(jqr .status)" = queued ]
  [ "$(jqr .code)" = two ]
  [ "$(jqr .name)" = second ]
  api GET /v1/nodes/n1
  [ "$status_code" = 200 ]
  [ "$(jqr .completed)" = 1 ]
  [ "$(jqr .token_name)" = machine-1 ]
  api POST /v1/tasks '{"code":"three"}'
  [ "$(jqr .task_id)" = 3 ]
}

@test "ia-sched on PostgreSQL: a second ia-sched on the same database exits naming why" {
  start_sched --store "$STORE"
  run "$IA_BIN_DIR/ia-sched" --state-dir "$BATS_TEST_TMPDIR/second" --store "$STORE" \
    --listen 127.0.0.1:0
  assert_failure
  assert_output --partial "another ia-sched holds this database"
  assert_output --partial "sharing one database is not built yet"
  api GET /health
  [ "$status_code" = 200 ]
}

@test "ia-sched on PostgreSQL: the password in the store URL shows in neither log nor /health" {
  start_sched --store "postgresql://postgres:s3cret@/$DB?host=$PG_DIR"
  api GET /health
  [ "$status_code" = 200 ]
  [ "$(jqr .store_url)" = "postgresql://postgres@/$DB?host=$PG_DIR" ]
  # Without a token: the store's state, never its URL.
  TOKEN= api GET /health
  [ "$(jqr .store)" = up ]
  [ "$(jqr .store_url)" = null ]
  run grep -c s3cret "$SCHED_DIR/sched.log"
  [ "$output" = 0 ]
}

@test "ia-sched on PostgreSQL: an unreachable server is a clear error naming the socket" {
  run "$IA_BIN_DIR/ia-sched" --state-dir "$BATS_TEST_TMPDIR/s" \
    --store "postgresql://ia:s3cret@/ia?host=$BATS_TEST_TMPDIR/nowhere" --listen 127.0.0.1:0
  assert_failure
  assert_output --partial "$BATS_TEST_TMPDIR/nowhere"
  assert_output --partial "server is running"
  refute_output --partial s3cret
}
