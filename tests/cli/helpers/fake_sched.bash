# A fake ia-sched (helpers/fake_sched.py) that gives the answers a test names, for the
# hostile or broken servers a real ia-sched never is.
#
#   start_fake_sched REPLIES    sets FAKE_URL FAKE_PID FAKE_LOG (REPLIES: see the .py)
#   stop_fake_sched             stops it
#   reply BODY [STATUS] [TYPE]  prints one reply object, for building REPLIES with jq
#   fake_requests               how many requests it has had

start_fake_sched() {
  local dir port i
  dir=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/fake.XXXXXX")
  FAKE_LOG=$dir/requests.log
  : > "$FAKE_LOG"
  /usr/bin/python3 "$IA_SOURCE_DIR/tests/cli/helpers/fake_sched.py" "$dir/port" "$FAKE_LOG" \
    "$1" 2> "$dir/stderr" &
  FAKE_PID=$!
  for i in $(seq 1 100); do
    [ -s "$dir/port" ] && break
    kill -0 "$FAKE_PID" 2>/dev/null || break
    sleep 0.05
  done
  port=$(cat "$dir/port" 2>/dev/null) || { cat "$dir/stderr" >&2; return 1; }
  FAKE_URL="http://127.0.0.1:$port"
}

stop_fake_sched() {
  [ -n "${FAKE_PID:-}" ] || return 0
  kill "$FAKE_PID" 2>/dev/null || true
  wait "$FAKE_PID" 2>/dev/null || true
  FAKE_PID=
}

reply() {
  jq -cn --arg body "$1" --argjson status "${2:-200}" --arg type "${3:-application/json}" \
    '{body: $body, status: $status, type: $type}'
}

fake_requests() { wc -l < "$FAKE_LOG"; }
