#!/usr/bin/env bats
# ia-idle: exit codes, JSON shape, --explain, --watch, --wait, bad input, and the real
# X11 (Xvfb), logind (private D-Bus bus) and NVML (fake library) paths.

load helpers/idle
load helpers/limits

setup() { idle_setup; }
teardown() { idle_teardown; }

# A fixture machine, no CPU window (the load average), so each run is instant.
laptop() { IA_ROOT="$FIXTURES/laptop-on-battery" "$IDLE" --cpu-window 0 "$@"; }
desktop() { IA_ROOT="$FIXTURES/desktop" "$IDLE" --cpu-window 0 "$@"; }

@test "--help and --version exit 0" {
  run "$IDLE" --help
  assert_success
  assert_output --partial "--idle-time"
  assert_output --partial "--wait"
  run "$IDLE" --version
  assert_success
  assert_output --regexp '^ia-idle [0-9]+\.[0-9]+\.[0-9]+ \(git [0-9a-z.+-]+\)$'
}

@test "an idle machine exits 0 and says idle" {
  run laptop
  assert_success
  assert_output "idle"
  run laptop -q
  assert_success
  assert_output ""
}

@test "a busy machine exits 1 and names the signal; a flag threshold changes the answer" {
  run desktop
  assert_failure 1
  assert_output --partial "busy: cpu: CPU busy 50%"
  run desktop --max-cpu 60
  assert_success
}

@test "--require-ac makes a laptop on battery busy" {
  run laptop --require-ac
  assert_failure 1
  assert_output --partial "on battery"
  IA_IDLE_REQUIRE_AC=true run laptop
  assert_failure 1
}

@test "--json prints one object with every signal, its value, threshold, verdict and source" {
  run desktop --json
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ]
  json_check '
assert d["idle"] is False and d["verdict"] == "busy"
assert set(d["signals"]) == {"input","cpu","memory","power","gpu","processes","time"}, d["signals"].keys()
for name, s in d["signals"].items():
    assert set(s) >= {"present","value","threshold","verdict","source","reason"}, (name, s)
    assert s["verdict"] in ("idle","busy")
assert d["signals"]["cpu"]["value"] == 50 and d["signals"]["cpu"]["threshold"] == 20
assert d["signals"]["memory"]["value"] == 75
assert [s["name"] for s in d["input_sources"]] == ["x11","logind","terminal"]
assert all(not s["present"] for s in d["input_sources"])
assert d["gpus"] == [] and d["signals"]["gpu"]["present"] is False
assert d["reasons"][0].startswith("cpu:")
assert d["time"].endswith("Z")
'
}

@test "--only limits the look to the named signals" {
  run desktop --only input,memory --json
  assert_success
  json_check 'assert set(d["signals"]) == {"input","memory"}; assert "gpus" not in d'
}

@test "--explain says why, one line per signal" {
  run desktop --explain
  assert_failure 1
  assert_line --index 0 --partial "busy: 1 signal"
  assert_line --partial "busy cpu: CPU busy 50% > 20% allowed"
  assert_line --partial "ok   memory: memory in use 75%"
  assert_line --partial "x11: absent (DISPLAY is not set)"
  assert_line --partial "logind: absent (no system bus at $TMP/no-bus)"
}

@test "--watch prints one JSON line per period and flushes each into a pipe" {
  run laptop --watch 100ms --count 3
  assert_success
  [ "${#lines[@]}" -eq 3 ]
  for line in "${lines[@]}"; do
    printf '%s' "$line" | "$PY" -c 'import json,sys; assert json.load(sys.stdin)["idle"] is True'
  done
  # Unbounded, read by a pipeline that stops after two lines: each arrives at once.
  run timeout 10 bash -c "IA_ROOT='$FIXTURES/laptop-on-battery' '$IDLE' --cpu-window 0 --watch 200ms | head -n 2"
  assert_success
  [ "${#lines[@]}" -eq 2 ]
}

@test "--wait returns at once when idle, and times out with 1 when busy" {
  run timeout 10 bash -c "IA_ROOT='$FIXTURES/laptop-on-battery' '$IDLE' --cpu-window 0 --wait"
  assert_success
  start=$(date +%s%N)
  run timeout 10 bash -c "IA_ROOT='$FIXTURES/desktop' '$IDLE' --cpu-window 0 --wait --interval 100ms --timeout 600ms --json"
  assert_failure 1
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$elapsed" -ge 500 ] && [ "$elapsed" -lt 5000 ]
  json_check 'assert d["idle"] is False'
}

@test "--wait blocks until the machine becomes idle" {
  cp -r "$FIXTURES/desktop" "$TMP/root"
  IA_ROOT="$TMP/root" timeout 20 "$IDLE" --cpu-window 0 --wait --interval 100ms >"$TMP/out" &
  waiter=$!
  sleep 0.5
  kill -0 "$waiter"  # still waiting: the load is 50%
  echo "0.20 0.10 0.00 1/100 99" >"$TMP/root/proc/loadavg.new"
  mv "$TMP/root/proc/loadavg.new" "$TMP/root/proc/loadavg"
  wait "$waiter"
  [ "$(cat "$TMP/out")" = idle ]
}

@test "busy_if_running and only_between from a config file" {
  mkdir -p "$XDG_CONFIG_HOME/ia"
  printf '[idle]\nbusy_if_running = ["steam", "obs"]\n' >"$XDG_CONFIG_HOME/ia/ia.toml"
  run laptop
  assert_success  # the laptop fixture has no processes
  run desktop --max-cpu 90
  assert_failure 1
  assert_output --partial "processes: running: steam"
  run laptop --only-between 00:00-00:00
  assert_success
  run laptop --only time --only-between "$(date -d '+2 hours' +%H:00)-$(date -d '+3 hours' +%H:00)" --explain
  assert_failure 1
  assert_output --partial "outside"
}

@test "bad flags exit 2 with a message saying what to do" {
  run "$IDLE" --bogus
  assert_failure 2
  assert_output --partial "--bogus"
  assert_output --partial "--help"
  run laptop --max-cpu abc
  assert_failure 2
  assert_output --partial "max_cpu"
  run laptop --max-cpu 150
  assert_failure 2
  run laptop --idle-time 5x
  assert_failure 2
  assert_output --partial "5x"
  run laptop --watch 0
  assert_failure 2
  assert_output --partial "--watch"
  run laptop --only gpus
  assert_failure 2
  assert_output --partial "did you mean 'gpu'"
  run laptop --wait --watch 1s
  assert_failure 2
  run laptop --only-between 25:00-07:00
  assert_failure 2
  assert_output --partial "HH:MM-HH:MM"
}

@test "bad config exits 2 naming file, line and key; --json gives the wire error" {
  printf '[idle]\nidel_time = "5m"\n' >"$TMP/bad.toml"
  run laptop --config "$TMP/bad.toml"
  assert_failure 2
  assert_output --partial "bad.toml:2"
  assert_output --partial "did you mean 'idle_time'"
  printf '[idle]\nmax_cpu = "lots"\n' >"$TMP/bad.toml"
  run laptop --config "$TMP/bad.toml" --json
  assert_failure 2
  json_check 'assert d["error"]["code"] == "INVALID_REQUEST", d'
}

@test "an endless or directory IA_CONFIG exits 2 naming it, without reading it whole" {
  skip_without_memory_limits
  IA_CONFIG=/dev/zero run limited "$IDLE" --cpu-window 0
  assert_failure 2
  assert_output --partial "/dev/zero is larger than the limit"
  IA_CONFIG=$TMP run laptop
  assert_failure 2
  assert_output --partial "$TMP"
}

@test "a --root without /proc is an error (exit 2) naming the path" {
  run "$IDLE" --root "$TMP/nothing" --cpu-window 0
  assert_failure 2
  assert_output --partial "$TMP/nothing/proc/loadavg"
}

@test "GPUs through the fake NVML: a compositor is idle, a training run is busy" {
  echo "gpu RTX-3060 util=3 used=104857600 total=12884901888" >"$IA_FAKE_NVML_SCRIPT"
  echo "proc 0 graphics 300 104857600" >>"$IA_FAKE_NVML_SCRIPT"
  run laptop --nvml-path "$FAKE_NVML" --json
  assert_success
  json_check '
g = d["gpus"][0]
assert g["name"] == "RTX-3060" and g["utilization"] == 3 and g["verdict"] == "idle"
assert g["processes"] == [{"pid": 300, "name": "", "memory": 104857600, "own": False}], g
assert d["signals"]["gpu"]["present"] is True
'
  echo "gpu RTX-3060 util=99 used=9663676416 total=12884901888" >"$IA_FAKE_NVML_SCRIPT"
  echo "proc 0 compute 4242 9663676416" >>"$IA_FAKE_NVML_SCRIPT"
  run laptop --nvml-path "$FAKE_NVML" --explain
  assert_failure 1
  assert_line --partial "busy GPU 0 RTX-3060: others hold 9G > 256M allowed; utilization 99% > 10% allowed"
  echo "init fail 9" >"$IA_FAKE_NVML_SCRIPT"
  run laptop --nvml-path "$FAKE_NVML" --explain
  assert_success
  assert_output --partial "no GPU to watch: NVML did not start: Driver Not Loaded"
}

@test "X11 under Xvfb: idle time grows, xdotool resets it, the verdict flips" {
  start_xvfb
  command -v xdotool >/dev/null || skip "xdotool is not installed"
  run laptop --only input --idle-time 2s --json
  first=$(printf '%s' "$output" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["input_sources"][0]["idle_ms"])')
  sleep 2.2
  run laptop --only input --idle-time 2s --json
  assert_success
  json_check "
s = d['input_sources'][0]
assert s['name'] == 'x11' and s['present'] is True, s
assert s['idle_ms'] >= $first + 2000, (s, $first)
assert d['signals']['input']['source'] == 'x11'
"
  xdotool mousemove 17 23
  run laptop --only input --idle-time 2s --explain
  assert_failure 1
  assert_line --partial "busy input: input idle"
  assert_line --partial "(x11) < 2s required"
}

@test "logind over a private D-Bus bus: idle, active, locked and greeter sessions" {
  start_logind
  echo "session 3 1000 alice user idle=1 idle_ms=600000 locked=0" >"$TMP/sessions"
  run laptop --only input --json
  assert_success
  json_check '
s = d["input_sources"][1]
assert s["name"] == "logind" and s["present"] is True, s
assert 600000 <= s["idle_ms"] < 660000, s
assert "session 3 (alice): idle" in s["detail"], s
'
  echo "session 4 1001 bob user idle=0 idle_ms=0 locked=0" >>"$TMP/sessions"
  run laptop --only input --explain
  assert_failure 1
  assert_output --partial "session 4 (bob): active"
  echo "session 4 1001 bob user idle=0 idle_ms=0 locked=1" >"$TMP/sessions"
  echo "session c1 102 gdm greeter idle=0 idle_ms=0 locked=0" >>"$TMP/sessions"
  run laptop --only input --json
  assert_success
  json_check '
s = d["input_sources"][1]
assert s["present"] and s["locked"] and s["idle_ms"] is None, s
assert "class greeter, ignored" in s["detail"], s
'
}

@test "logind: a bus without login1 leaves the source absent, not an error" {
  start_logind
  kill "${PIDS[1]}"
  wait "${PIDS[1]}" 2>/dev/null || true
  run laptop --only input --explain
  assert_success
  assert_output --partial "logind: absent (logind not answering"
}

@test "--watch without a period: one JSON line per verdict change, input events wake it at once" {
  start_xvfb
  command -v xdotool >/dev/null || skip "xdotool is not installed"
  sleep 1.2  # the server's idle time past 1s: the first line says idle
  # Polling every 10 minutes: a change seen within seconds came from an event.
  "$IDLE" --watch --json --only input --idle-time 1s --resume-after 0s --interval 10m \
    --count 3 >"$TMP/changes" 2>&1 &
  PIDS+=($!)
  run timeout 10 sh -c "until [ -s '$TMP/changes' ]; do sleep 0.05; done"
  assert_success
  xdotool mousemove 11 13
  run timeout 10 sh -c "until [ \$(wc -l <'$TMP/changes') -ge 3 ]; do sleep 0.05; done"
  assert_success
  run "$PY" -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["idle"] for l in lines] == [True, False, True], lines
assert "x11-events" in lines[1]["signals"]["input"]["reason"], lines[1]
' "$TMP/changes"
  assert_success
}

@test "--explain names the live event sources and the hysteresis keys" {
  start_xvfb
  run "$IDLE" --only input --explain --cpu-busy-for 3s --resume-after 7s
  assert_line --partial "live event source x11-events: XSync IDLETIME alarm on $DISPLAY"
  assert_line --partial "hysteresis: CPU load counts once it lasts 3s (idle.cpu_busy_for); after busy, 7s of idle"
  assert_line --partial "wake watchers at once; polling is the fallback"
}
