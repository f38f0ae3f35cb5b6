#!/usr/bin/env bats
# The web console ia-sched serves under /web: its headers with curl, then every page in a
# real browser (Debian's Chromium driven by puppeteer-core, lib/server/web/test/
# console.test.mjs) against a live ia-sched and ia-node: one browser, one scheduler and
# one node for all the browser cases. Screenshots: $IA_TEST_BINARY_DIR/web-console/.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'
load 'helpers/node'

WEB_DIR=$IA_SOURCE_DIR/lib/server/web

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  SCHED_DIR= NODE_PID= NODE_TOKEN=
}

teardown() {
  [ -n "${NODE_PID:-}" ] && kill -9 "$NODE_PID" 2>/dev/null
  stop_sched
  true
}

# The console's headers of one GET (curl -D), in lower case.
headers_of() {
  curl -s -o /dev/null -D - "$@" | tr -d '\r' | tr 'A-Z' 'a-z'
}

require_console() {
  run curl -s -o /dev/null -w '%{http_code}' "$SCHED_URL/web"
  [ "$output" = 200 ] || fail "ia-sched carries no console (/web answered $output): build it with Node.js and npm ci (scripts/bootstrap build), then rebuild"
}

@test "web console: /web needs no token and carries a strict CSP, nosniff and no framing" {
  start_sched
  require_console
  run headers_of "$SCHED_URL/web/monitor"
  assert_line --regexp "^content-security-policy: default-src 'self'; script-src 'self'; .*frame-ancestors 'none'$"
  refute_output --partial "unsafe-inline"
  refute_output --partial "unsafe-eval"
  assert_line "x-content-type-options: nosniff"
  assert_line "content-type: text/html; charset=utf-8"
  refute_output --partial "set-cookie"
  run curl -s "$SCHED_URL/web/tasks/5"
  assert_output --partial '<script type="module" src="/web/assets/app.js"></script>'
}

@test "web console: the API beside it still wants a token, whatever the path says" {
  start_sched
  run curl -s -o /dev/null -w '%{http_code}' "$SCHED_URL/v1/tasks"
  assert_output 401
  # Under /web only the console's files are served: a path that climbs out gets the
  # index page, never the API's data.
  run curl -s --path-as-is "$SCHED_URL/web/../v1/tasks"
  refute_output --partial '"tasks"'
  run curl -s -o /dev/null -w '%{http_code}' -X POST "$SCHED_URL/web/assets/app.js"
  assert_output 405
}

@test "web console: ETag revalidation answers 304, gzip goes to clients that ask" {
  start_sched
  require_console
  etag=$(headers_of "$SCHED_URL/web/assets/app.js" | sed -n 's/^etag: //p')
  [ -n "$etag" ]
  run curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$SCHED_URL/web/assets/app.js"
  assert_output 304
  run curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: "stale"' "$SCHED_URL/web/assets/app.js"
  assert_output 200
  run headers_of -H 'Accept-Encoding: gzip' "$SCHED_URL/web/assets/app.js"
  assert_line "content-encoding: gzip"
  plain=$(curl -s "$SCHED_URL/web/assets/app.js" | wc -c)
  unzipped=$(curl -s -H 'Accept-Encoding: gzip' "$SCHED_URL/web/assets/app.js" | gzip -dc | wc -c)
  [ "$plain" -gt 10000 ]
  [ "$plain" -eq "$unzipped" ]
  run curl -s -o /dev/null -w '%{http_code}' "$SCHED_URL/web/assets/nothing.js"
  assert_output 404
}

@test "web console: the event-stream parser and the submit form's parsing (node --test)" {
  command -v node >/dev/null || skip "Node.js is not installed (scripts/bootstrap installs it)"
  run node --test "$WEB_DIR/test/units.test.mjs"
  echo "$output"
  assert_success
  assert_line "# fail 0"
}

@test "web console: every page works in Chromium against a live ia-sched and ia-node" {
  command -v node >/dev/null || skip "Node.js is not installed (scripts/bootstrap installs it)"
  [ -x "${IA_CHROMIUM:-/usr/bin/chromium}" ] || skip "Chromium is not installed (scripts/bootstrap test installs Debian's chromium)"
  [ -f "$WEB_DIR/node_modules/puppeteer-core/package.json" ] ||
    fail "puppeteer-core is not installed: run scripts/bootstrap (npm ci in lib/server/web)"
  start_sched
  require_console
  start_node --idle always
  client=$(new_token client console)
  shots=$IA_TEST_BINARY_DIR/web-console
  rm -rf "$shots"
  run node "$WEB_DIR/test/console.test.mjs" --url "$SCHED_URL" --client "$client" \
    --node-token "$NODE_TOKEN" --shots "$shots"
  echo "$output"
  assert_success
  refute_line --partial "not ok"
  [ -s "$shots/overview-1280.png" ] && [ -s "$shots/monitor-390.png" ]
}
