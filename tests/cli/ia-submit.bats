#!/usr/bin/env bats
# ia-submit against a real ia-sched and ia-node (helpers/sched.bash, helpers/node.bash).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'
load 'helpers/node'
load 'helpers/limits'

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  SCHED_DIR= NODE_PID= NODE_TOKEN= OWNER_PID=
  start_sched
  export IA_SERVER=$SCHED_URL IA_TOKEN=$ADMIN_TOKEN
  cd "$BATS_TEST_TMPDIR"
}

teardown() {
  [ -n "${NODE_PID:-}" ] && kill -9 "$NODE_PID" 2>/dev/null
  stop_sched
  true
}

submit() { "$IA_BIN_DIR/ia-submit" "$@"; }

@test "ia-submit: --help names the flags; --version" {
  run submit --help
  assert_success
  for flag in --wait --parsable --timeout --cpus --memory --gpus --array --each --env; do
    assert_output --partial -- "$flag"
  done
  run submit --version
  assert_output --regexp "^ia-submit [0-9]+\.[0-9]+"
}

@test "ia-submit: prints the task id; a shebang runs the script itself, else the extension picks" {
  printf '#!/usr/bin/env python3\nprint(1)\n' > shebang.txt
  run submit shebang.txt
  assert_success
  assert_output "submitted task 1 (1 CPU, 512M, 5m)"
  api GET /v1/tasks/1
  assert_equal "$(jq -r .interpreter <<< "$body")" ""
  echo 'echo hi' > job.sh
  run submit --parsable job.sh
  assert_output 2
  api GET /v1/tasks/2
  assert_equal "$(jq -r .interpreter <<< "$body")" sh
  assert_equal "$(jq -r .name <<< "$body")" job.sh
}

@test "ia-submit: a script on stdin needs an interpreter, and says how to give one" {
  run bash -c "echo 'print(2)' | '$IA_BIN_DIR/ia-submit' -"
  assert_failure 2
  assert_output --partial "--interpreter"
  run bash -c "echo 'print(2)' | '$IA_BIN_DIR/ia-submit' --interpreter python3 --parsable -"
  assert_success
  assert_output 1
}

@test "ia-submit: bad input exits 2 naming what was wrong" {
  run submit missing.py
  assert_failure 2
  assert_output --partial "missing.py"
  echo 'print(1)' > a.py
  run submit --memory 12Q a.py
  assert_failure 2
  assert_output --partial "12Q"
  run submit --array 5-1 a.py
  assert_failure 2
  run submit --env 1BAD=x a.py
  assert_failure 2
  run submit --timeout soon a.py
  assert_failure 2
  run submit --cpus nan a.py
  assert_failure 2
  assert_output --partial "--cpus: 'nan' is not a number"
  run submit --cpus 0 a.py
  assert_failure 2
  assert_output --partial "give a number above 0 and at most 4096"
  refute_output --regexp '[0-9]{20}'
  for short in 0 0.0001 999ms; do
    run submit --timeout "$short" a.py
    assert_failure 2
    assert_output --partial "--timeout $short is shorter than the 1s minimum"
  done
  run submit --each missing.txt a.py
  assert_failure 2
  assert_output --partial "missing.txt"
  mkdir lists
  run submit --each lists a.py
  assert_failure 2
  assert_output --partial "lists"
  : > empty.py
  run submit empty.py
  assert_failure 2
  assert_output --partial "empty"
}

@test "ia-submit: an endless script, config, token or --each file is refused, not read whole" {
  skip_without_memory_limits
  echo 'print(1)' > a.py
  run limited "$IA_BIN_DIR/ia-submit" --interpreter sh /dev/zero
  assert_failure 1
  assert_output --partial "/dev/zero is larger than the limit of 64M"
  run limited "$IA_BIN_DIR/ia-submit" --config /dev/zero a.py
  assert_failure 2
  assert_output --partial "/dev/zero is larger than the limit"
  IA_TOKEN= run limited "$IA_BIN_DIR/ia-submit" --token-file /dev/zero a.py
  assert_output --partial "/dev/zero is larger than the limit"
  run limited "$IA_BIN_DIR/ia-submit" --each /dev/zero a.py
  assert_output --partial "/dev/zero is larger than the limit"
}

@test "ia-submit: a directory given as --config is an error, not an empty config" {
  echo 'print(1)' > a.py
  mkdir conf.d
  run submit --config conf.d a.py
  assert_failure 2
  assert_output --partial "conf.d"
  IA_CONFIG=$PWD/conf.d run submit a.py
  assert_failure 2
  assert_output --partial "conf.d"
}

@test "ia-submit: --array up to INT64_MAX ends; a range past the task limit is refused" {
  echo 'print(1)' > a.py
  run timeout 10 "$IA_BIN_DIR/ia-submit" --parsable --array 9223372036854775806-9223372036854775807 a.py
  assert_success
  assert_equal "${#lines[@]}" 2
  run timeout 10 "$IA_BIN_DIR/ia-submit" --array 0-9223372036854775807:9223372036854775807 a.py
  assert_success
  run timeout 10 "$IA_BIN_DIR/ia-submit" --array 0-9223372036854775807 a.py
  assert_failure 2
  assert_output --partial "more than the limit of 100000"
}

@test "ia-submit: a script that is not UTF-8 is refused naming the byte, not rewritten" {
  printf 'print("\xff\xfe x")\n' > u.py
  run submit u.py
  assert_failure 2
  assert_output --partial "u.py is not valid UTF-8: byte 0xff at offset 7 (line 1)"
  api GET /v1/tasks
  assert_equal "$(jq '.tasks | length' <<< "$body")" 0
}

@test "ia-submit: requests travel in the submission" {
  echo 'print(1)' > a.py
  run submit --parsable --timeout 90s --cpus 2 --memory 1G --gpus 1 --priority 5 --name nm \
    --env A=1 --env B=x=y --retries 7 --label gpu=a100 a.py -- one two
  assert_success
  api GET "/v1/tasks/$output"
  assert_equal "$(jq -c '[.timeout,.resources.cpu,.resources.memory,.resources.gpu,.priority,.name,.max_retries]' <<< "$body")" '[90,2,1024,1,5,"nm",7]'
}

@test "ia-submit: --array makes one task per index with IA_ARRAY_INDEX; --each one per line" {
  start_node
  echo 'import os; print(os.environ["IA_ARRAY_INDEX"])' > idx.py
  run submit --parsable --array 1-3 idx.py
  assert_success
  assert_equal "${#lines[@]}" 3
  for id in "${lines[@]}"; do wait_for_state "$id" succeeded; done
  api GET "/v1/tasks/${lines[2]}/output?offset=0"
  assert_equal "$(jq -r .data <<< "$body")" 3
  printf 'import sys\nprint(sys.argv[1:])\n' > args.py
  printf 'a b\n# comment\n"c d"\n' > list.txt
  run submit --parsable --each list.txt args.py
  assert_equal "${#lines[@]}" 2
  wait_for_state "${lines[1]}" succeeded
  api GET "/v1/tasks/${lines[1]}/output?offset=0"
  assert_equal "$(jq -r .data <<< "$body")" "['c d']"
}

@test "ia-submit: --wait prints the output and exits with the task's code" {
  start_node
  printf 'import sys\nprint("out")\nsys.exit(0)\n' > ok.py
  run submit --wait ok.py
  assert_success
  assert_output --partial "out"
  printf 'import sys\nprint("bad")\nsys.exit(7)\n' > bad.py
  run submit --wait bad.py
  assert_failure 7
  assert_output --partial "bad"
}

@test "ia-submit: a shebang's arguments count on the node as they do here (#!/bin/sh -e)" {
  start_node
  printf '#!/bin/sh -e\nfalse\necho SHOULD-NOT-PRINT\n' > strict.sh
  chmod +x strict.sh
  run ./strict.sh
  assert_failure 1
  refute_output --partial "SHOULD-NOT-PRINT"
  run timeout 60 "$IA_BIN_DIR/ia-submit" --wait strict.sh
  assert_failure 1
  refute_output --partial "SHOULD-NOT-PRINT"
}

@test "ia-submit: --wait puts the task's stdout on stdout and its stderr on stderr" {
  start_node
  printf 'import sys, time\nprint("out1", flush=True)\nprint("err1", file=sys.stderr, flush=True)\ntime.sleep(0.3)\nprint("out2 \\u20ac", flush=True)\nsys.exit(3)\n' > mixed.py
  rc=0
  submit --wait mixed.py > out.txt 2> err.txt || rc=$?
  assert_equal "$rc" 3
  assert_equal "$(cat out.txt)" "$(printf 'out1\nout2 \u20ac')"
  assert_equal "$(cat err.txt)" "$(printf 'submitted task 1 (1 CPU, 512M, 5m)\nerr1')"
  # ia-status logs splits them the same way, following or not
  "$IA_BIN_DIR/ia-status" logs 1 > logs-out.txt 2> logs-err.txt
  assert_equal "$(cat logs-out.txt)" "$(cat out.txt)"
  assert_equal "$(cat logs-err.txt)" "err1"
}

@test "ia-submit: --wait with --array or --each keeps the ids off stdout, and -q drops them" {
  start_node
  printf '#!/bin/sh\necho "index $IA_ARRAY_INDEX"\n' > idx.sh
  submit --wait --array 1-2 idx.sh > out.txt 2> err.txt
  assert_equal "$(cat out.txt)" "index 2"
  assert_equal "$(cat err.txt)" "$(printf '1\n2')"
  printf 'a\nb\n' > list.txt
  printf '#!/bin/sh\necho "arg $1"\n' > arg.sh
  submit -q --wait --each list.txt arg.sh > out.txt 2> err.txt
  assert_equal "$(cat out.txt)" "arg b"
  assert_equal "$(cat err.txt)" ""
}

@test "ia-submit: --wait exits 124 when the task times out and 1 when it is cancelled" {
  start_node
  echo 'import time; time.sleep(30)' > slow.py
  run submit --wait --timeout 1s slow.py
  assert_failure 124
  submit --wait --parsable slow.py > waited.txt 2>&1 &
  waiter=$!
  run timeout 10 sh -c "until [ -s waited.txt ]; do sleep 0.1; done"
  id=$(head -1 waited.txt)
  wait_for_state "$id" running
  api DELETE "/v1/tasks/$id"
  rc=0
  wait "$waiter" || rc=$?
  assert_equal "$rc" 1
}

@test "ia-submit: --json prints the server's answer" {
  echo 'print(1)' > a.py
  run submit --json a.py
  assert_success
  assert_equal "$(jq -r '.task_id,.status' <<< "$output" | tr '\n' ' ')" "1 queued "
}

@test "ia-submit: server down exits 3, a wrong token exits 4, each with a hint" {
  echo 'print(1)' > a.py
  IA_SERVER=http://127.0.0.1:1 run submit a.py
  assert_failure 3
  assert_output --partial "is ia-sched running"
  IA_TOKEN=wrong run submit a.py
  assert_failure 4
  IA_TOKEN= IA_TOKEN_FILE=$BATS_TEST_TMPDIR/none run submit a.py
  assert_failure 2
  assert_output --partial "token-file"
}

@test "ia-submit: output cut at its limit says so, with --wait on stderr and in the task" {
  start_node
  printf 'for i in range(200000): print("line %%d" %% i)\n' > big.py
  rc=0
  submit --wait big.py > out.txt 2> err.txt || rc=$?
  assert_equal "$rc" 0
  assert_equal "$(wc -c < out.txt)" 1048576
  assert_equal "$(sed -n 2p err.txt)" "ia-submit: task 1's output was cut short at its limit of 1M; ask more with --output-limit (up to the server's [sched] max_output)"
  api GET /v1/tasks/1
  assert_equal "$(jq -c '[.output_limit, .result.output_truncated]' <<< "$body")" '[1048576,true]'
  "$IA_BIN_DIR/ia-status" logs 1 > /dev/null 2> err.txt
  assert_equal "$(cat err.txt)" "ia-status: task 1's output was cut short at its limit of 1M; ask more with --output-limit (up to the server's [sched] max_output)"
  # Output under the limit is whole and says nothing.
  echo 'print("short")' > short.py
  submit --wait short.py > out.txt 2> err.txt
  assert_equal "$(cat out.txt)" short
  assert_equal "$(cat err.txt)" "submitted task 2 (1 CPU, 512M, 5m)"
  api GET /v1/tasks/2
  assert_equal "$(jq -r .result.output_truncated <<< "$body")" false
}

@test "ia-submit: --output-limit asks for more output, up to the server's maximum" {
  start_node
  printf 'for i in range(200000): print("line %%d" %% i)\n' > big.py
  submit --wait --output-limit 4M big.py > out.txt 2> err.txt
  assert_equal "$(tail -1 out.txt)" "line 199999"
  run grep -c "cut short" err.txt
  assert_output 0
  run submit --output-limit 1G big.py
  assert_failure 2
  assert_output --partial "output_limit 1G is more than this server's maximum of 64M"
  run submit --output-limit lots big.py
  assert_failure 2
  assert_output --partial "lots"
}

@test "ia-submit: standard input goes with --stdin; a pipe without it is named, not dropped silently" {
  start_node
  echo 'import sys; print(repr(sys.stdin.read()))' > stdin.py
  run bash -c "echo hello | '$IA_BIN_DIR/ia-submit' --wait stdin.py"
  assert_success
  assert_line "ia-submit: standard input is not sent to the task; send it with --stdin - (or --stdin FILE)"
  assert_line "''"
  run bash -c "echo hello | '$IA_BIN_DIR/ia-submit' --wait --stdin - stdin.py"
  assert_success
  assert_line "'hello\\n'"
  refute_output --partial "not sent"
  printf 'a\nb\n' > in.txt
  run submit --wait --stdin in.txt stdin.py < /dev/null
  assert_success
  assert_line "'a\\nb\\n'"
  refute_output --partial "not sent"
  run submit --stdin missing.txt stdin.py
  assert_failure 2
  assert_output --partial "missing.txt"
  printf '\xff' > bin.dat
  run submit --stdin bin.dat stdin.py
  assert_failure 2
  assert_output --partial "--stdin: bin.dat is not UTF-8 text (byte 0xff at offset 0)"
}

@test "ia-submit: the environment goes only with --export or --export-all, never the token" {
  start_node
  echo 'import os; print(os.environ.get("GREETING"), os.environ.get("IA_TOKEN"), os.environ["HOME"])' > env.py
  GREETING=x run submit -q --wait env.py
  assert_output "None None /task"
  GREETING=x run submit -q --wait --export GREETING env.py
  assert_output "x None /task"
  GREETING=x run submit -q --wait --export-all env.py
  assert_output "x None /task"
  GREETING=x run submit -q --wait --export-all --env GREETING=y env.py
  assert_output "y None /task"
  run submit --export NOT_SET_ANYWHERE env.py
  assert_failure 2
  assert_output --partial "--export NOT_SET_ANYWHERE: no such variable in this environment"
}

@test "ia-submit: --wait says why a task was killed over its memory or time limit" {
  start_node
  echo 'x = bytearray(2 * 1024 * 1024 * 1024)' > mem.py
  rc=0
  submit --wait --memory 64M mem.py > out.txt 2> err.txt || rc=$?
  assert_equal "$rc" 137
  assert_equal "$(sed -n 2p err.txt)" "ia-submit: task 1 killed: over its memory limit of 64M; ask more with --memory"
  echo 'import time; time.sleep(60)' > slow.py
  rc=0
  submit --wait --timeout 1s --kill-grace 0 slow.py > out.txt 2> err.txt || rc=$?
  assert_equal "$rc" 124
  assert_equal "$(sed -n 2p err.txt)" "ia-submit: task 2 killed: over its time limit of 1s (SIGKILL); ask more with --timeout"
}

@test "ia-submit: a timeout sends SIGTERM first, so a trap saves its work; SIGKILL after the grace" {
  start_node
  printf '#!/bin/sh\ntrap "echo saved; exit 3" TERM\necho started\nsleep 60 &\nwait $!\n' > trap.sh
  rc=0
  submit --wait --timeout 1s trap.sh > out.txt 2> err.txt || rc=$?
  assert_equal "$rc" 124
  assert_equal "$(cat out.txt)" "$(printf 'started\nsaved')"
  assert_equal "$(tail -1 err.txt)" "ia-submit: task 1 killed: over its time limit of 1s (ended by SIGTERM within its kill grace); ask more with --timeout"
  # One that ignores SIGTERM is killed when its grace runs out.
  printf '#!/bin/sh\ntrap "" TERM\nwhile :; do sleep 1; done\n' > stubborn.sh
  rc=0
  submit --wait --timeout 1s --kill-grace 1s stubborn.sh > out.txt 2> err.txt || rc=$?
  assert_equal "$rc" 124
  assert_equal "$(tail -1 err.txt)" "ia-submit: task 2 killed: over its time limit of 1s (SIGTERM, then SIGKILL when its kill grace ran out); ask more with --timeout"
  run submit --kill-grace 2h trap.sh
  assert_failure 2
  assert_output --partial "--kill-grace 2h is outside 0s to 1h"
}

@test "ia-submit: a cancel sends SIGTERM first and the reason says how the task ended" {
  start_node
  printf '#!/bin/sh\ntrap "echo saved; exit 3" TERM\necho started\nsleep 60 &\nwait $!\n' > trap.sh
  submit --wait --parsable trap.sh > out.txt 2> err.txt &
  waiter=$!
  wait_for_state 1 running
  run timeout 10 sh -c "until grep -q started out.txt; do sleep 0.1; done"
  "$IA_BIN_DIR/ia-cancel" 1
  rc=0
  wait "$waiter" || rc=$?
  assert_equal "$rc" 1
  assert_equal "$(cat out.txt)" "$(printf 'started\nsaved')"
  assert_equal "$(tail -1 err.txt)" "ia-submit: task 1 cancelled by request: exited with code 3 (ended by SIGTERM within its kill grace)"
}

@test "ia-submit: more tasks than [client] confirm_above ask on a terminal; --yes and scripts are not asked" {
  command -v script >/dev/null || skip "no script(1) to give ia-submit a terminal"
  echo 'print(1)' > a.py
  export IA_CLIENT_CONFIRM_ABOVE=3
  run bash -c "printf 'n\n' | script -qec \"'$IA_BIN_DIR/ia-submit' --array 1-5 a.py\" /dev/null"
  assert_output --partial "ia-submit: submit 5 tasks? [y/N]"
  assert_output --partial "nothing submitted"
  api GET /v1/tasks
  assert_equal "$(jq '.tasks | length' <<< "$body")" 0
  run bash -c "printf 'y\n' | script -qec \"'$IA_BIN_DIR/ia-submit' --parsable --array 1-5 a.py\" /dev/null"
  api GET /v1/tasks
  assert_equal "$(jq '.tasks | length' <<< "$body")" 5
  run bash -c "script -qec \"'$IA_BIN_DIR/ia-submit' --yes --parsable --array 1-5 a.py\" /dev/null < /dev/null"
  refute_output --partial "[y/N]"
  run submit --parsable --array 1-5 a.py < /dev/null
  assert_success
  assert_equal "${#lines[@]}" 5
  api GET /v1/tasks
  assert_equal "$(jq '.tasks | length' <<< "$body")" 15
  run submit --parsable --array 1-3 a.py
  assert_equal "${#lines[@]}" 3
}
