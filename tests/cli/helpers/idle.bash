# Shared set-up for the ia-idle bats tests: fixture roots, a fake NVML script, a private
# X server (Xvfb) and a private D-Bus bus with a stand-in logind. Everything started here
# is stopped in idle_teardown.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

IDLE="$IA_BIN_DIR/ia-idle"
FIXTURES="$IA_SOURCE_DIR/tests/fixtures/idle"
FAKE_NVML="$IA_TEST_BINARY_DIR/support/libfake_nvml.so"
FAKE_LOGIND="$IA_TEST_BINARY_DIR/support/fake_logind"
PY=/usr/bin/python3

idle_setup() {
  TMP=$(mktemp -d /tmp/ia-idle-bats-XXXXXX)
  export XDG_CONFIG_HOME="$TMP/config"
  unset IA_CONFIG DISPLAY IA_ROOT
  # No real system bus and no real GPU driver leak into the answers.
  export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/no-bus"
  export IA_NVML_PATH="$TMP/no-libnvidia-ml.so"
  export IA_FAKE_NVML_SCRIPT="$TMP/nvml"
  : >"$IA_FAKE_NVML_SCRIPT"
  PIDS=()
}

idle_teardown() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}

# Runs python on the JSON in $output: json_check 'assert d["idle"] is True'
json_check() {
  printf '%s' "$output" | "$PY" -c "import json,sys; d=json.load(sys.stdin); $1"
}

# Starts Xvfb on a display it picks itself (-displayfd); sets DISPLAY.
start_xvfb() {
  command -v Xvfb >/dev/null || skip "Xvfb is not installed (apt-get install xvfb)"
  Xvfb -displayfd 3 -noreset -nolisten tcp 3>"$TMP/display" 2>"$TMP/xvfb.log" &
  PIDS+=($!)
  local i
  for i in $(seq 100); do
    [ -s "$TMP/display" ] && break
    sleep 0.05
  done
  [ -s "$TMP/display" ] || fail "Xvfb did not start: $(cat "$TMP/xvfb.log")"
  export DISPLAY=":$(head -n1 "$TMP/display")"
}

# Starts a private bus and the stand-in logind, which reads sessions from $TMP/sessions.
start_logind() {
  command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed (apt-get install dbus)"
  cat >"$TMP/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$TMP/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_requested_reply="true"/>
    <allow receive_requested_reply="true"/>
  </policy>
</busconfig>
CONF
  dbus-daemon --config-file="$TMP/bus.conf" --nofork --nopidfile 2>"$TMP/bus.log" &
  PIDS+=($!)
  local i
  for i in $(seq 100); do
    [ -S "$TMP/bus" ] && break
    sleep 0.05
  done
  [ -S "$TMP/bus" ] || fail "dbus-daemon did not start: $(cat "$TMP/bus.log")"
  export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/bus"
  : >>"$TMP/sessions"
  "$FAKE_LOGIND" "$DBUS_SYSTEM_BUS_ADDRESS" "$TMP/sessions" >"$TMP/logind.out" 2>&1 &
  PIDS+=($!)
  for i in $(seq 100); do
    grep -q ready "$TMP/logind.out" && return 0
    sleep 0.05
  done
  fail "fake logind did not start: $(cat "$TMP/logind.out")"
}
