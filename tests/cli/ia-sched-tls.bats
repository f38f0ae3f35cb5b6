#!/usr/bin/env bats
# ia-sched over native TLS: a self-signed certificate made at test time, real clients
# (curl, ia-submit, ia-status, ia-node) on loopback.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'
load 'helpers/node'
load 'helpers/tls'

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  SCHED_DIR= NODE_PID= NODE_TOKEN=
  unset CURL_CA_BUNDLE IA_CA_FILE
}

teardown() {
  [ -n "${NODE_PID:-}" ] && kill -9 "$NODE_PID" 2>/dev/null
  [ -n "${SILENT_PID:-}" ] && kill "$SILENT_PID" 2>/dev/null
  stop_sched
  true
}

@test "tls: curl with the CA reaches /health and submits over one kept-alive connection" {
  start_tls_sched
  run curl -sS --cacert "$TLS_DIR/cert.pem" -w '\n%{num_connects}\n' \
    "$SCHED_URL/health" --next --cacert "$TLS_DIR/cert.pem" -w '\n%{num_connects}\n' \
    -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' --data-binary '{"code":"x"}' "$SCHED_URL/v1/tasks"
  assert_success
  assert_line --index 0 --partial '"status":"healthy"'
  assert_line --index 1 1
  assert_line --index 2 --partial '"task_id":1'
  assert_line --index 3 0  # the second request reused the connection
  api GET /v1/tasks/1
  [ "$status_code" = 200 ]
  [ "$(jqr .status)" = queued ]
}

@test "tls: ia-submit --ca-file submits; ia-status trusts IA_CA_FILE" {
  start_tls_sched
  run "$IA_BIN_DIR/ia-submit" --server "$SCHED_URL" --token "$ADMIN_TOKEN" \
    --ca-file "$TLS_DIR/cert.pem" --interpreter python3 --parsable - <<< 'print(1)'
  assert_success
  assert_output 1
  IA_CA_FILE=$TLS_DIR/cert.pem run "$IA_BIN_DIR/ia-status" --server "$SCHED_URL" \
    --token "$ADMIN_TOKEN" --json 1
  assert_success
  [ "$(jq -r .status <<< "$output")" = queued ]
}

@test "tls: a client without the CA fails with exit 3 naming the certificate" {
  start_tls_sched
  run "$IA_BIN_DIR/ia-status" --server "$SCHED_URL" --token "$ADMIN_TOKEN"
  assert_failure 3
  assert_output --partial "certificate"
  assert_output --partial "--ca-file"
  # A CA file that is not there is a usage error, not a TLS mystery.
  run "$IA_BIN_DIR/ia-cancel" --server "$SCHED_URL" --token "$ADMIN_TOKEN" \
    --ca-file "$BATS_TEST_TMPDIR/nope.pem" 1
  assert_failure 2
  assert_output --partial "nope.pem"
  # A certificate for another name is refused even with the right CA.
  make_cert "$BATS_TEST_TMPDIR/other" other.example
  run "$IA_BIN_DIR/ia-status" --server "$SCHED_URL" --token "$ADMIN_TOKEN" \
    --ca-file "$BATS_TEST_TMPDIR/other/cert.pem"
  assert_failure 3
}

@test "tls: plain HTTP to the TLS port gets a clear 400 and the server keeps serving" {
  start_tls_sched
  plain=http://${SCHED_URL#https://}
  run curl -s -m 5 -w '\n%{http_code}' "$plain/health"
  assert_line --index 0 --partial "this port speaks HTTPS"
  assert_line --index 1 400
  # Garbage that is neither HTTP nor TLS is dropped.
  port=${SCHED_URL##*:}
  run timeout 5 bash -c "printf '\x16\x03\x01\x00\x05hello' > /dev/tcp/127.0.0.1/$port"
  api GET /health
  [ "$status_code" = 200 ]
  # And a plain-HTTP client of a TLS server is told what failed.
  run "$IA_BIN_DIR/ia-status" --server "$plain" --token "$ADMIN_TOKEN"
  assert_failure
  assert_output --partial "https"
}

@test "tls: missing key, garbage PEM, a mismatched or unreadable file refuse to start" {
  dir=$BATS_TEST_TMPDIR
  make_cert "$dir/a"
  make_cert "$dir/b"
  sched() { run timeout 10 "$IA_BIN_DIR/ia-sched" --state-dir "$dir/state" --listen 127.0.0.1:0 "$@"; }
  sched --tls-cert "$dir/a/cert.pem"
  assert_failure 2
  assert_output --partial "private key (--tls-key"
  sched --tls-key "$dir/a/key.pem"
  assert_failure 2
  assert_output --partial "certificate (--tls-cert"
  echo "not a certificate" > "$dir/garbage.pem"
  sched --tls-cert "$dir/garbage.pem" --tls-key "$dir/a/key.pem"
  assert_failure 2
  assert_output --partial "garbage.pem: not a PEM certificate"
  sched --tls-cert "$dir/a/cert.pem" --tls-key "$dir/garbage.pem"
  assert_failure 2
  assert_output --partial "garbage.pem: not an unencrypted PEM private key"
  sched --tls-cert "$dir/a/cert.pem" --tls-key "$dir/b/key.pem"
  assert_failure 2
  assert_output --partial "does not match the certificate"
  sched --tls-cert "$dir/missing.pem" --tls-key "$dir/a/key.pem"
  assert_failure 2
  assert_output --partial "missing.pem"
  assert_output --partial "No such file"
  # An encrypted key fails at once instead of prompting for a pass phrase.
  openssl pkey -in "$dir/a/key.pem" -aes256 -passout pass:secret -out "$dir/enc.pem"
  sched --tls-cert "$dir/a/cert.pem" --tls-key "$dir/enc.pem" < /dev/null
  assert_failure 2
  assert_output --partial "enc.pem"
  # Nothing was started, nothing was written.
  [ ! -e "$dir/state/admin.token" ]
  # The same checks apply to the config file's keys.
  printf '[sched]\ntls_cert = "%s"\n' "$dir/a/cert.pem" > "$dir/ia.toml"
  sched --config "$dir/ia.toml"
  assert_failure 2
  assert_output --partial "tls-key"
}

@test "tls: a silent client neither blocks others nor keeps its connection" {
  IA_SCHED_HEADER_TIMEOUT=1s start_tls_sched
  port=${SCHED_URL##*:}
  # Connects and sends nothing: no handshake ever starts.
  exec 5<>"/dev/tcp/127.0.0.1/$port"
  api GET /health
  [ "$status_code" = 200 ]
  start=$(date +%s%N)
  run timeout 10 cat <&5
  exec 5<&-
  [ "$status" -ne 124 ]  # the server closed it
  [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ]
  # A client that finishes the handshake and then says nothing is cut off too.
  (sleep 30 | openssl s_client -quiet -connect "127.0.0.1:$port" > /dev/null 2>&1) &
  SILENT_PID=$!
  sleep 0.3
  api GET /health
  [ "$status_code" = 200 ]
  run timeout 10 bash -c "while [ \$(ss -Htn state established '( sport = :$port )' | wc -l) -gt 0 ]; do sleep 0.1; done"
  assert_success
}

@test "tls: TLS 1.2 without forward secrecy or without AEAD is refused; ECDHE with AEAD is taken" {
  start_tls_sched  # an ECDSA certificate: the ECDHE-ECDSA suites
  port=${SCHED_URL##*:}
  handshake() {
    openssl s_client -connect "127.0.0.1:$port" -tls1_2 -cipher "$1" < /dev/null 2>&1
  }
  for cipher in AES128-SHA AES256-GCM-SHA384 AES128-GCM-SHA256 ECDHE-ECDSA-AES128-SHA \
      ECDHE-ECDSA-AES256-SHA384; do
    run handshake "$cipher"
    assert_failure
    refute_output --partial "Cipher is $cipher"
  done
  for cipher in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-CHACHA20-POLY1305; do
    run handshake "$cipher"
    assert_success
    assert_output --partial "Cipher is $cipher"
  done
  run openssl s_client -connect "127.0.0.1:$port" -tls1_3 < /dev/null
  assert_success
  assert_output --partial "TLSv1.3"
}

@test "tls: long-poll lease and the event stream work over TLS" {
  start_tls_sched
  curl -sN -m 10 -H "Authorization: Bearer $ADMIN_TOKEN" "$SCHED_URL/v1/events" \
    > "$BATS_TEST_TMPDIR/events" &
  events=$!
  api POST /v1/nodes/n1/heartbeat '{}'
  curl -s -m 20 -X POST -H "Authorization: Bearer $ADMIN_TOKEN" \
    "$SCHED_URL/v1/nodes/n1/lease?wait=15" > "$BATS_TEST_TMPDIR/lease" &
  poller=$!
  sleep 0.5
  api POST /v1/tasks '{"code":"x"}'
  wait $poller
  [ "$(jq -r .task.task_id "$BATS_TEST_TMPDIR/lease")" = 1 ]
  for i in $(seq 1 50); do
    grep -q "event: task_created" "$BATS_TEST_TMPDIR/events" && break
    sleep 0.1
  done
  kill $events 2>/dev/null || true
  grep -q "event: node_joined" "$BATS_TEST_TMPDIR/events"
  grep -q "event: task_created" "$BATS_TEST_TMPDIR/events"
}

@test "tls: a node runs a task end to end over https with --ca-file" {
  start_tls_sched
  start_node --ca-file "$TLS_DIR/cert.pem"
  id=$(submit_code 'print(6 * 7)')
  wait_for_state "$id" succeeded 30
  api GET "/v1/tasks/$id/output?offset=0"
  assert_equal "$(jqr .data)" "42"
  stop_node
  assert_equal "$NODE_EXIT" 0
}
