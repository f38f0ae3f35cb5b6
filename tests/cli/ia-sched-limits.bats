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

jqr() { jq -r "$1" <<< "$body"; }
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
