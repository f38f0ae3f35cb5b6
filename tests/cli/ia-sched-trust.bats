#!/usr/bin/env bats
# ia-sched's trust rules seen from outside, on a real server on loopback: open modes,
# token names, what a browser page can no longer do.

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

# open_api METHOD PATH [BODY]: as api, without a token.
open_api() {
  local method=$1 path=$2 data=${3-}
  local args=(-s -m 30 -X "$method" -w '\n%{http_code}')
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  local out
  out=$(curl "${args[@]}" "$SCHED_URL$path")
  status_code=${out##*$'\n'}
  body=${out%$'\n'*}
}

@test "ia-sched-trust: legacy_open says so at start-up and makes tokenless callers nobody's admin" {
  IA_SCHED_LEGACY_OPEN=true start_sched
  grep -q "legacy_open: the prototype's routes are served without a token to 127.0.0.0/8, ::1" \
    "$SCHED_DIR/sched.log"
  alice=$(new_token client alice)
  sleep 1.2
  TOKEN=$alice api POST /v1/tasks '{"code":"alice secret"}'
  [ "$status_code" = 201 ]
  open_api POST /submit '{"code":"print(1)","user_id":"alice"}'
  [ "$status_code" = 200 ]
  api GET /v1/tasks/2
  [ "$(jqr .owner)" = anonymous ]
  open_api GET /results
  [[ "$body" != *"alice secret"* ]]
  open_api DELETE /api/tasks/1
  [ "$status_code" = 404 ]
  open_api GET /v1/tasks/2  # /v1 is not a legacy route: a token is needed there
  [ "$status_code" = 401 ]
}

@test "ia-sched-trust: legacy_open serves only legacy_networks; a bad entry stops the start" {
  IA_SCHED_LEGACY_OPEN=true IA_SCHED_LEGACY_NETWORKS=10.9.0.0/16 start_sched
  open_api GET /stats
  [ "$status_code" = 401 ]
  [[ "$(jqr .error.details)" == *"legacy_networks"* ]]
  stop_sched
  run env IA_SCHED_LEGACY_OPEN=true IA_SCHED_LEGACY_NETWORKS=10.9.0.0/99 \
    "$IA_BIN_DIR/ia-sched" --state-dir "$BATS_TEST_TMPDIR/bad" --listen 127.0.0.1:0
  [ "$status" = 2 ]
  assert_output --partial "legacy_networks: '10.9.0.0/99' is not an address or ADDRESS/PREFIX"
}

@test "ia-sched-trust: token names are checked; 'anonymous' is reserved" {
  start_sched
  run "$IA_BIN_DIR/ia-sched" --state-dir "$SCHED_DIR" token create --role client --name anonymous
  [ "$status" = 2 ]
  assert_output --partial "token name 'anonymous' is reserved"
  run "$IA_BIN_DIR/ia-sched" --state-dir "$SCHED_DIR" token create --role client \
    --name "$(printf 'a\nb')"
  [ "$status" = 2 ]
  assert_output --partial "holds a character other than"
  run "$IA_BIN_DIR/ia-sched" --state-dir "$SCHED_DIR" token list --json
  [ "$(jq length <<< "$output")" = 1 ]  # only the first admin token
}

@test "ia-sched-trust: a web page cannot submit through --insecure" {
  start_sched --insecure
  run curl -s -w '\n%{http_code}' -H 'Content-Type: text/plain' --data-binary '{"code":"x"}' \
    "$SCHED_URL/v1/tasks"
  [ "${lines[-1]}" = 400 ]
  run curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
    -H 'Origin: http://evil.example' --data-binary '{"code":"x"}' "$SCHED_URL/v1/tasks"
  [ "${lines[-1]}" = 403 ]
  port=${SCHED_URL##*:}
  run curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
    --resolve "rebind.evil.example:$port:127.0.0.1" --data-binary '{"code":"x"}' \
    "http://rebind.evil.example:$port/v1/tasks"
  [ "${lines[-1]}" = 403 ]
  open_api GET /v1/tasks
  [ "$(jq '.tasks | length' <<< "$body")" = 0 ]
  open_api POST /v1/tasks '{"code":"x"}'
  [ "$status_code" = 201 ]
}

@test "ia-sched-trust: /health past open_rate_limit answers 429 with Retry-After" {
  IA_SCHED_OPEN_RATE_LIMIT=1 start_sched
  # One curl, one kept-alive connection: eight requests well inside a second.
  curl -s -D "$BATS_TEST_TMPDIR/h" $(printf "$SCHED_URL/health %.0s" 1 2 3 4 5 6 7 8) > /dev/null
  grep -q '^HTTP/1.1 429' "$BATS_TEST_TMPDIR/h"
  grep -qi '^retry-after: 1' "$BATS_TEST_TMPDIR/h"
  api GET /v1/stats  # a token's own bucket is untouched
  [ "$status_code" = 200 ]
}
