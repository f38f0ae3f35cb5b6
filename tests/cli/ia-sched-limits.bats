#!/usr/bin/env bats
# ia-sched's limits on what comes in (DESIGN.md §6) and its files' modes: real servers on
# loopback, real sockets (a bounded flood from 127.0.0.2, never more than a few hundred),
# real SQLite files.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  SCHED_DIR= FLOOD_PID=
  umask 022  # the usual one; the server must not depend on it
}

teardown() {
  [ -n "${FLOOD_PID:-}" ] && kill "$FLOOD_PID" 2>/dev/null
  stop_sched
  true
}

mode_of() { stat -c %a "$1"; }

@test "state: a new store, its WAL and the admin token are 0600 whatever the umask" {
  start_sched
  api POST /v1/tasks '{"code":"x"}'
  [ "$status_code" = 201 ]
  [ "$(mode_of "$SCHED_DIR/sched.db")" = 600 ]
  [ "$(mode_of "$SCHED_DIR/sched.db-wal")" = 600 ]
  [ "$(mode_of "$SCHED_DIR/admin.token")" = 600 ]
}

@test "state: a store and WAL left 0644 by an older version are 0600 after a restart" {
  start_sched
  api POST /v1/tasks '{"code":"x"}'
  [ "$status_code" = 201 ]
  kill -9 "$SCHED_PID"  # leaves the WAL and the shared-memory file behind
  wait "$SCHED_PID" 2>/dev/null || true
  SCHED_PID=
  chmod 0644 "$SCHED_DIR"/sched.db "$SCHED_DIR"/sched.db-wal "$SCHED_DIR"/sched.db-shm
  start_sched
  [ "$(mode_of "$SCHED_DIR/sched.db")" = 600 ]
  [ "$(mode_of "$SCHED_DIR/sched.db-wal")" = 600 ]
  [ "$(mode_of "$SCHED_DIR/sched.db-shm")" = 600 ]
  api GET /v1/tasks/1
  [ "$status_code" = 200 ]
}

@test "state: a link or file planted at admin.token.tmp is neither followed nor kept" {
  victim="$BATS_TEST_TMPDIR/victim"
  echo untouched > "$victim"
  chmod 0644 "$victim"
  SCHED_DIR="$BATS_TEST_TMPDIR/linked"
  mkdir -m 0700 "$SCHED_DIR"
  ln -s "$victim" "$SCHED_DIR/admin.token.tmp"
  ln -s "$victim" "$SCHED_DIR/admin.token"
  start_sched
  [ "$(cat "$victim")" = untouched ]
  [ ! -L "$SCHED_DIR/admin.token" ]
  [ "$(mode_of "$SCHED_DIR/admin.token")" = 600 ]
  api GET /v1/tasks
  [ "$status_code" = 200 ]
  stop_sched
  SCHED_DIR="$BATS_TEST_TMPDIR/planted"
  mkdir -m 0700 "$SCHED_DIR"
  : > "$SCHED_DIR/admin.token.tmp"
  chmod 0666 "$SCHED_DIR/admin.token.tmp"
  start_sched
  [ "$(mode_of "$SCHED_DIR/admin.token")" = 600 ]
  api GET /v1/tasks
  [ "$status_code" = 200 ]
}

@test "state: a state directory that group or others can write is refused, saying how to fix it" {
  for mode in 0777 0770 1777; do
    dir="$BATS_TEST_TMPDIR/open-$mode"
    mkdir "$dir"
    chmod "$mode" "$dir"
    run timeout 10 "$IA_BIN_DIR/ia-sched" --state-dir "$dir" --listen 127.0.0.1:0
    assert_failure 2
    assert_output --partial "state directory $dir is writable by other users"
    assert_output --partial "chmod go-w $dir"
    [ ! -e "$dir/sched.db" ]
  done
  # Readable by others is the owner's choice; only writing is refused.
  SCHED_DIR="$BATS_TEST_TMPDIR/readable"
  mkdir -m 0755 "$SCHED_DIR"
  start_sched
}

# flood SOURCE COUNT: holds COUNT idle connections from SOURCE (127.0.0.2, ...) in the
# background for up to 120 s; flood_open prints how many the server has not closed.
flood() {
  FLOOD_STATUS="$BATS_TEST_TMPDIR/flood-$1"
  rm -f "$FLOOD_STATUS"
  /usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/flood.py" 127.0.0.1 "${SCHED_URL##*:}" "$1" \
    "$2" "$FLOOD_STATUS" 120 &
  FLOOD_PID="${FLOOD_PID:+$FLOOD_PID }$!"
  local i
  for i in $(seq 1 200); do
    [ -s "$FLOOD_STATUS" ] && return 0
    sleep 0.05
  done
  echo "the flood from $1 did not connect" >&2
  return 1
}
flood_open() { awk '{print $2}' "$1"; }

# until_flood_open FILE N: waits (up to 10 s) until the server has closed all but N.
until_flood_open() {
  local i
  for i in $(seq 1 100); do
    [ "$(flood_open "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  echo "flood $1: $(cat "$1"), expected open $2" >&2
  return 1
}

@test "limits: past its per-address share a peer gets 429 with Retry-After; others are served" {
  IA_SCHED_MAX_CONNECTIONS_PER_ADDRESS=50 start_sched
  flood 127.0.0.2 80
  until_flood_open "$FLOOD_STATUS" 50
  run curl -sS -m 20 --interface 127.0.0.2 -D - "$SCHED_URL/health"
  assert_success
  assert_line --index 0 --partial " 429"
  assert_line --partial "Retry-After: 5"
  assert_output --partial '"code":"RATE_LIMITED"'
  assert_output --partial "this address has 50 connections open"
  api GET /v1/tasks
  [ "$status_code" = 200 ]
  [ "$(flood_open "$FLOOD_STATUS")" = 50 ]  # answered while the flood holds
}

@test "limits: past max_connections a new connection gets 503 with Retry-After, then is served once others close" {
  IA_SCHED_MAX_CONNECTIONS=60 IA_SCHED_MAX_CONNECTIONS_PER_ADDRESS=40 start_sched
  flood 127.0.0.2 40
  first=$FLOOD_STATUS
  flood 127.0.0.3 40
  until_flood_open "$first" 40
  until_flood_open "$FLOOD_STATUS" 20
  run curl -sS -m 20 -D - -H "Authorization: Bearer $ADMIN_TOKEN" "$SCHED_URL/v1/tasks"
  assert_success
  assert_line --index 0 --partial " 503"
  assert_line --partial "Retry-After: 5"
  assert_output --partial '"code":"RESOURCE_UNAVAILABLE"'
  kill $FLOOD_PID
  wait $FLOOD_PID 2>/dev/null || true
  FLOOD_PID=
  api GET /v1/tasks  # the flood's connections were given back
  [ "$status_code" = 200 ]
}

@test "limits: a flood past the open-file limit does not keep an authenticated request waiting" {
  # ia-sched under an open-file limit of 512: the old server stopped accepting at the
  # limit, and every new connection waited in the listen backlog until header_timeout
  # (here 5 minutes) freed descriptors; curl's 20 s runs out long before that.
  wrapped="$BATS_TEST_TMPDIR/bin"
  mkdir -p "$wrapped"
  printf '#!/bin/sh\nulimit -n 512\nexec "%s/ia-sched" "$@"\n' "$IA_BIN_DIR" > "$wrapped/ia-sched"
  chmod +x "$wrapped/ia-sched"
  IA_BIN_DIR="$wrapped" IA_SCHED_HEADER_TIMEOUT=5m IA_SCHED_MAX_CONNECTIONS_PER_ADDRESS=200 \
    start_sched
  grep -q "max_connections 20000 lowered to 256: the open-file limit is 512" "$SCHED_DIR/sched.log"
  flood 127.0.0.2 700
  run curl -sS -m 20 -H "Authorization: Bearer $ADMIN_TOKEN" -w '\n%{http_code}' \
    "$SCHED_URL/v1/tasks"
  assert_success
  assert_line --index 1 200
  # Answered while the flood held its share: the server kept 200 of its connections.
  until_flood_open "$FLOOD_STATUS" 200
}

events_client() { /usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/events_client.py" "$@"; }

@test "events: a reader that stops reading is dropped once max_event_queue is behind; readers that read get everything" {
  IA_SCHED_MAX_EVENT_QUEUE=16K start_sched
  ready="$BATS_TEST_TMPDIR/ready" go="$BATS_TEST_TMPDIR/go"
  events_client stall "$SCHED_URL" "$ADMIN_TOKEN" 0 "$ready" "$go" > "$BATS_TEST_TMPDIR/stalled" &
  stalled_pid=$!
  curl -s -N -m 60 -H "Authorization: Bearer $ADMIN_TOKEN" "$SCHED_URL/v1/events" \
    > "$BATS_TEST_TMPDIR/reader" &
  reader_pid=$!
  for i in $(seq 1 100); do [ -e "$ready" ] && [ -s "$BATS_TEST_TMPDIR/reader" ] && break; sleep 0.1; done
  [ -e "$ready" ]
  events_client submit "$SCHED_URL" "$ADMIN_TOKEN" 600  # about 65 KB of events
  touch "$go"
  wait "$stalled_pid"
  [ "$(cat "$BATS_TEST_TMPDIR/stalled")" = closed ]
  for i in $(seq 1 100); do
    [ "$(grep -c '^event: task' "$BATS_TEST_TMPDIR/reader")" = 600 ] && break
    sleep 0.1
  done
  kill "$reader_pid"
  [ "$(grep -c '^event: task' "$BATS_TEST_TMPDIR/reader")" = 600 ]
}

@test "events: a long replay comes in bounded parts that resume with Last-Event-ID, none lost" {
  start_sched
  events_client submit "$SCHED_URL" "$ADMIN_TOKEN" 1000  # about 110 KB of events
  last=0 parts=0
  : > "$BATS_TEST_TMPDIR/all"
  for round in $(seq 1 20); do
    run curl -s -N -m 3 -H "Authorization: Bearer $ADMIN_TOKEN" -H "Last-Event-ID: $last" \
      "$SCHED_URL/v1/events"
    grep '^data:' <<< "$output" >> "$BATS_TEST_TMPDIR/all" || true
    [ "$status" = 28 ] && break  # the live stream: curl gave up on it
    assert_success               # a part: the server ended the answer itself
    assert_output --partial "more follow"
    [ "${#output}" -le 66000 ]
    parts=$((parts + 1))
    last=$(grep '^id: ' <<< "$output" | tail -1 | cut -d' ' -f2)
  done
  [ "$parts" -ge 1 ]
  # Every task's event exactly once, in order.
  run jq -s -c '[.[].task_id] == [range(1; 1001)]' < <(sed 's/^data: //' "$BATS_TEST_TMPDIR/all")
  assert_output true
}

@test "events: past max_event_streams_per_token a token gets 429; a closed stream frees its place" {
  SCHED_DIR=$(mktemp -d "$BATS_TEST_TMPDIR/sched.XXXXXX")
  admin=$(new_token admin boss)
  other=$(new_token client other)
  IA_SCHED_MAX_EVENT_STREAMS_PER_TOKEN=2 start_sched
  ADMIN_TOKEN=$admin
  pids=()
  for i in 1 2; do
    curl -s -N -m 60 -H "Authorization: Bearer $ADMIN_TOKEN" "$SCHED_URL/v1/events" \
      > "$BATS_TEST_TMPDIR/stream$i" &
    pids+=($!)
  done
  for i in $(seq 1 100); do [ -s "$BATS_TEST_TMPDIR/stream1" ] && [ -s "$BATS_TEST_TMPDIR/stream2" ] && break; sleep 0.1; done
  run curl -s -m 5 -D - -H "Authorization: Bearer $ADMIN_TOKEN" "$SCHED_URL/v1/events"
  assert_line --index 0 --partial " 429"
  assert_line --partial "Retry-After: 1"
  assert_output --partial '"code":"RATE_LIMITED"'
  assert_output --partial "max_event_streams_per_token"
  # Another token has its own places.
  run curl -s -N -m 2 -H "Authorization: Bearer $other" "$SCHED_URL/v1/events"
  assert_output --partial ": ia-sched events"
  kill "${pids[0]}"
  wait "${pids[0]}" 2>/dev/null || true
  freed=
  for i in $(seq 1 50); do
    run curl -s -N -m 1 -H "Authorization: Bearer $ADMIN_TOKEN" "$SCHED_URL/v1/events"
    [[ "$output" == ": ia-sched events"* ]] && { freed=1; break; }
    sleep 0.1
  done
  kill "${pids[1]}"
  [ -n "$freed" ]
}

@test "limits: past max_waits_per_token a token's next long-poll gets 429; answered ones free their places" {
  SCHED_DIR=$(mktemp -d "$BATS_TEST_TMPDIR/sched.XXXXXX")
  admin=$(new_token admin boss)
  other=$(new_token client other)
  IA_SCHED_MAX_WAITS_PER_TOKEN=2 start_sched
  ADMIN_TOKEN=$admin
  api POST /v1/tasks '{"code":"x"}'
  [ "$status_code" = 201 ]
  pids=()
  for i in 1 2; do
    curl -s -m 60 -o "$BATS_TEST_TMPDIR/wait$i" -H "Authorization: Bearer $ADMIN_TOKEN" \
      "$SCHED_URL/v1/tasks/1/wait?timeout=60" &
    pids+=($!)
  done
  # Once both are parked the third is refused (until then it waits its 1 s and tries again).
  for i in $(seq 1 10); do
    api GET "/v1/tasks/1/wait?timeout=1"
    [ "$status_code" = 429 ] && break
  done
  [ "$status_code" = 429 ]
  [ "$(jqr .error.code)" = RATE_LIMITED ]
  [[ "$(jqr .error.message)" == *max_waits_per_token* ]]
  TOKEN=$other api POST /v1/tasks '{"code":"y"}'
  [ "$status_code" = 201 ]
  TOKEN=$other api GET "/v1/tasks/2/wait?timeout=1"
  [ "$status_code" = 200 ]
  api DELETE /v1/tasks/1
  wait "${pids[@]}"
  jq -e '.status == "cancelled"' "$BATS_TEST_TMPDIR/wait1"
  api POST /v1/tasks '{"code":"z"}'
  api GET "/v1/tasks/3/wait?timeout=1"
  [ "$status_code" = 200 ]
}
