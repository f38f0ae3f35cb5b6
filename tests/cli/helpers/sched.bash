# Starting and talking to a real ia-sched on a free loopback port with a temporary state
# directory. Tests of ia-node, ia-submit and the flows reuse these.
#
#   start_sched [ia-sched flags...]   sets SCHED_DIR SCHED_URL SCHED_PID ADMIN_TOKEN
#   stop_sched                        SIGTERM and wait
#   api METHOD PATH [BODY]            sets $status_code and $body; token: $TOKEN or admin

# Port 0 lets the kernel pick a free port; the server logs the one it got.
start_sched() {
  SCHED_DIR=${SCHED_DIR:-$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/sched.XXXXXX")}
  : > "$SCHED_DIR/sched.log"
  "$IA_BIN_DIR/ia-sched" --state-dir "$SCHED_DIR" --listen 127.0.0.1:0 "$@" \
    2>> "$SCHED_DIR/sched.log" &
  SCHED_PID=$!
  local port="" i
  for i in $(seq 1 200); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCHED_DIR/sched.log" | tail -1)
    [ -n "$port" ] && break
    kill -0 "$SCHED_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$port" ]; then
    echo "ia-sched did not start:" >&2
    cat "$SCHED_DIR/sched.log" >&2
    return 1
  fi
  SCHED_URL="http://127.0.0.1:$port"
  ADMIN_TOKEN=$(cat "$SCHED_DIR/admin.token" 2>/dev/null || true)
}

stop_sched() {
  [ -n "${SCHED_PID:-}" ] || return 0
  kill -TERM "$SCHED_PID" 2>/dev/null || true
  wait "$SCHED_PID" 2>/dev/null || true
  SCHED_PID=
}

api() {
  local method=$1 path=$2 data=${3-}
  local args=(-s -m 30 -X "$method" -w '\n%{http_code}')
  args+=(-H "Authorization: Bearer ${TOKEN-$ADMIN_TOKEN}")
  # ia-sched takes POST bodies only as JSON (a browser's form post is refused).
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  local out
  out=$(curl "${args[@]}" "$SCHED_URL$path")
  status_code=${out##*$'\n'}
  body=${out%$'\n'*}
}

# jqr FILTER: the last answer's body (api) through jq -r.
jqr() { jq -r "$1" <<< "$body"; }

# new_token ROLE [NAME]: prints a fresh token of ROLE.
new_token() {
  "$IA_BIN_DIR/ia-sched" --state-dir "$SCHED_DIR" token create --role "$1" ${2:+--name "$2"} \
    2>/dev/null
}
