#!/usr/bin/env bats
# ia-status and ia-cancel against a real ia-sched (no node: tasks stay queued unless started).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/sched'
load 'helpers/node'
load 'helpers/fake_sched'

setup() {
  export IA_CONFIG=/dev/null XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg" NO_COLOR=1
  SCHED_DIR= NODE_PID= NODE_TOKEN= FAKE_PID=
  start_sched
  export IA_SERVER=$SCHED_URL IA_TOKEN=$ADMIN_TOKEN
  cd "$BATS_TEST_TMPDIR"
  echo 'print("hello")' > a.py
}

teardown() {
  owner_leaves
  [ -n "${NODE_PID:-}" ] && kill -9 "$NODE_PID" 2>/dev/null
  stop_fake_sched
  stop_sched
  true
}

status() { "$IA_BIN_DIR/ia-status" "$@"; }
cancel() { "$IA_BIN_DIR/ia-cancel" "$@"; }
submit() { "$IA_BIN_DIR/ia-submit" "$@"; }

@test "ia-status: the overview counts tasks and nodes; --json has the documented fields" {
  submit --parsable a.py
  run status
  assert_success
  assert_output --partial "1 queued"
  assert_output --partial "0 idle"
  run status --json
  assert_equal "$(jq -c '[.tasks.queued, .nodes.total, (.last_hour|has("tasks")), (.capacity|has("free"))]' <<< "$output")" '[1,0,true,true]'
}

@test "ia-status: --watch waits the whole period, even past 4294s (no 32-bit wrap)" {
  run timeout 2 "$IA_BIN_DIR/ia-status" --watch 4295s
  assert_failure 124
  assert_equal "$(grep -c '^tasks' <<< "$output")" 1
}

@test "ia-status: tasks, a task in detail, --state, --format and bad columns" {
  submit --parsable --name first a.py
  submit --parsable --name second a.py
  run status tasks
  assert_success
  assert_line --index 0 --regexp "^ID +STATE +NAME"
  assert_output --partial "second"
  run status tasks --format id,name
  assert_line --index 1 --regexp "^ +1 +first$"
  run status tasks --state succeeded --json
  assert_equal "$(jq '.tasks | length' <<< "$output")" 0
  run status 2
  assert_output --partial "name: second"
  run status tasks --format id,nope
  assert_failure 2
  assert_output --partial "unknown column 'nope'"
  run status 99
  assert_failure 5
  run status abc
  assert_failure 2
}

@test "ia-status: nodes, queue, top and logs with a node at work" {
  start_node --node-id worker-1
  id=$(submit --parsable a.py)
  wait_for_state "$id" succeeded
  run status nodes
  assert_output --partial "worker-1"
  run status queue --json
  assert_success
  jq -e '.nodes' <<< "$output"
  run status top
  assert_output --partial "worker-1"
  run status logs "$id"
  assert_output "hello"
  run status logs --follow "$id"
  assert_output "hello"
}

@test "ia-status: logs --json is one object with the output and its stderr ranges" {
  start_node
  printf 'import sys, time\nprint("out", flush=True)\ntime.sleep(0.2)\nprint("err", file=sys.stderr, flush=True)\n' > both.py
  id=$(submit --parsable both.py)
  run status --json logs --follow "$id"
  assert_success
  assert_equal "$(jq -c '[.task_id, .output, .stderr_ranges, .finished, .status]' <<< "$output")" \
    "[$id,\"out\\nerr\\n\",[[4,8]],true,\"succeeded\"]"
  run status --json logs "$id"
  assert_equal "$(jq -r .output <<< "$output")" "$(printf 'out\nerr')"
}

@test "ia-cancel: by id, by --state and by --name; says what it cancelled" {
  for n in a b c; do submit --parsable --name "job-$n" a.py; done
  submit --parsable --name other a.py
  run cancel 1
  assert_success
  assert_output "cancelled task 1 (cancelled)"
  run cancel --name 'job-*'
  assert_output "cancelled 2 tasks"
  api GET /v1/tasks
  assert_equal "$(jq -c '[.tasks[].status]' <<< "$body")" '["cancelled","cancelled","cancelled","queued"]'
  run cancel --state queued
  assert_output "cancelled 1 task"
  run cancel --state queued
  assert_success
  assert_output "ia-cancel: no task matched"
}

@test "ia-cancel: --state queued cancels a whole array in one request; --json lists the ids" {
  submit --parsable --yes --array 1-300 a.py > /dev/null
  run cancel --state queued --json
  assert_success
  assert_equal "$(jq '.cancelled | length' <<< "$output")" 300
  api GET "/v1/tasks?status=queued"
  assert_equal "$(jq '.tasks | length' <<< "$body")" 0
}

@test "ia-cancel: a task named twice, or named and matched, is cancelled once; exit 0" {
  submit --parsable --name job a.py
  submit --parsable --name other a.py
  run cancel 1 1
  assert_success
  assert_output "cancelled task 1 (cancelled)"
  run cancel --name other 2
  assert_success
  assert_line "cancelled task 2 (cancelled)"
  run cancel 2
  assert_success
  assert_output "task 2 was already cancelled"
}

@test "ia-cancel: --json prints each failure as the wire error on stdout too" {
  submit --parsable a.py
  run bash -c "'$IA_BIN_DIR/ia-cancel' --json 1 99999 2>/dev/null"
  assert_failure 5
  assert_equal "${#lines[@]}" 2
  assert_equal "$(jq -r .status <<< "${lines[0]}")" cancelled
  assert_equal "$(jq -r .error.code <<< "${lines[1]}")" TASK_NOT_FOUND
}

@test "ia-cancel: nothing named exits 2, an unknown id 5, a non-number 2" {
  run cancel
  assert_failure 2
  run cancel 42
  assert_failure 5
  run cancel x1
  assert_failure 2
}

@test "ia-status: a token holding CR/LF is refused with exit 2 instead of injecting headers" {
  printf 'tok\r\nX-Injected: yes\r\n' > ti
  IA_TOKEN= run status --token-file ti
  assert_failure 2
  assert_output --partial "ti holds a control character"
  run status --token $'abc\r\nX-Api-Token: evil'
  assert_failure 2
  assert_output --partial "the token from --token holds a control character"
}

@test "ia-status: control characters in a server's strings are shown as escapes, not run" {
  hostile=$'\e]0;pwned\a\e[31mred\nrow'
  task=$(jq -cn --arg name "$hostile" '{task_id: 1, status: "queued", name: $name}')
  start_fake_sched "$(jq -cn --argjson task "$(reply "$task")" \
    --argjson list "$(reply "{\"tasks\":[$task],\"next_after\":null}")" \
    --argjson gone "$(reply "$(jq -cn --arg m "$hostile" '{error: {code: "TASK_NOT_FOUND", message: $m}}')" 404)" \
    '{"GET /v1/tasks": $list, "GET /v1/tasks/1": $task, "DELETE /v1/tasks/1": $gone}')"
  export IA_SERVER=$FAKE_URL
  run status tasks --format id,name
  assert_success
  assert_equal "${#lines[@]}" 2
  assert_line --index 1 --regexp '^ +1 +\\x1b\]0;pwned\\x07\\x1b\[31mred\\nrow$'
  refute_output --partial $'\e'
  run status 1
  assert_output --partial 'name: \x1b]0;pwned\x07\x1b[31mred\nrow'
  refute_output --partial $'\e'
  run status --json 1
  assert_equal "$(jq -r .name <<< "$output")" "$hostile"
  run cancel 1
  assert_failure 5
  assert_output --partial 'error: \x1b]0;pwned\x07\x1b[31mred\nrow'
  refute_output --partial $'\e'
}

@test "ia-status: --state must name a task state; exit 2, nothing pasted into the query" {
  for bad in "a b" "queued&limit=100000" "done"; do
    run status tasks --state "$bad"
    assert_failure 2
    assert_output --partial "unknown task state '$bad'"
    run cancel --state "$bad"
    assert_failure 2
    assert_output --partial "unknown task state '$bad'"
  done
}

@test "ia-status: a token file that cannot be read exits 2, as a bad --ca-file does" {
  IA_TOKEN= IA_TOKEN_FILE=/nonexistent run status
  assert_failure 2
  assert_output --partial "/nonexistent"
  IA_TOKEN= run cancel --token-file "$BATS_TEST_TMPDIR" 1
  assert_failure 2
}

@test "ia-status: a server answering HTML with 200 is a failure (exit 1), not bad flags" {
  start_fake_sched "$(jq -cn --argjson html "$(reply '<html>login</html>' 200 text/html)" \
    '{"*": $html}')"
  export IA_SERVER=$FAKE_URL
  run status
  assert_failure 1
  assert_output --partial "not JSON"
  run cancel 1
  assert_failure 1
  run submit a.py
  assert_failure 1
}

@test "ia-cancel: a scheduler whose cancel-by-filter answer has no list is an error naming it" {
  start_fake_sched "$(jq -cn --argjson r "$(reply '{"ok":true}')" '{"*": $r}')"
  export IA_SERVER=$FAKE_URL
  run timeout 10 "$IA_BIN_DIR/ia-cancel" --state queued
  assert_failure 1
  assert_output --partial "has no 'cancelled' list"
  [ "$(fake_requests)" -eq 1 ]
}

@test "ia-status, ia-cancel: a task answer without task_id or status is an error naming it" {
  for body in '' '[]' '{"task_id":"x"}' '{"task_id":1}' '{"task_id":2,"status":"queued"}'; do
    start_fake_sched "$(jq -cn --argjson r "$(reply "$body")" '{"*": $r}')"
    export IA_SERVER=$FAKE_URL
    run cancel 1
    assert_failure 1
    assert_output --regexp "answer for task 1 (is not a JSON object|has no whole-number 'task_id'|has no 'status'|is about task 2)"
    refute_output --partial "cancelled task"
    run status 1
    assert_failure 1
    assert_output --partial "answer for task 1"
    run status tasks
    assert_failure 1
    assert_output --partial "has no 'tasks' list"
    stop_fake_sched
  done
}

@test "ia-submit: a task no registered node could run is warned about, --strict refuses it, ia-status says why it waits" {
  # With no node at all the pool is being set up: no warning, but --strict refuses.
  run submit --memory 100G a.py
  assert_success
  refute_output --partial "warning"
  run submit --strict a.py
  assert_failure 1
  assert_output --partial "no registered node could ever run this task: no node has registered yet"
  start_node
  wait_for_nodes 1
  api GET /v1/nodes
  most=$(jq -r '.nodes[0].capacity.memory' <<< "$body")
  run submit --strict --memory 100G a.py
  assert_failure 1
  assert_output --partial "no registered node could ever run this task: no registered node has 100G of memory (the most is "
  run submit --gpus 4 --parsable a.py
  assert_success
  assert_line --partial "no registered node has 4 GPUs (the most is 0 GPUs)"
  id=${lines[-1]}
  run submit --label gpu=a100 a.py
  assert_line --partial "no registered node carries the label gpu=a100"
  run status "$id"
  assert_line "waiting: no registered node has 4 GPUs (the most is 0 GPUs)"
  # What a node can run is submitted without a word.
  run submit a.py
  assert_output --regexp '^submitted task [0-9]+ \(1 CPU, 512M, 5m\)$'
  [ "$most" -gt 0 ]
}

@test "ia-status: units on WALL, MEMORY and COMPUTE; ATTEMPT counts from 1; the overview counts leased tasks" {
  start_node
  wait_for_nodes 1
  id=$(submit --parsable a.py)
  wait_for_state "$id" succeeded
  run status tasks --format id,wall,attempt
  assert_success
  assert_line --regexp "^ +$id +[0-9.]+(ms|s) +1$"
  run status nodes --format memory,compute
  assert_line --regexp "^ *[0-9.]+[KMGT] +[0-9.]+(ms|s)$"
  run status
  assert_output --regexp "tasks  0 queued, 0 leased, 0 running, 1 succeeded"
}

@test "ia-status: the owner back shows on the node, a frozen task says so, a vacated one why and where" {
  SUSPEND_GRACE=3s start_node
  wait_for_nodes 1
  node=$(jq -r '.nodes[0].node_id' <<< "$body")
  echo 'import time; time.sleep(60)' > slow.py
  id=$(submit --parsable --kill-grace 1s slow.py)
  wait_for_state "$id" running
  owner_arrives
  run timeout 10 sh -c "until grep -q 'task $id frozen' '$NODE_DIR/node.log'; do sleep 0.1; done"
  run timeout 10 sh -c "until '$IA_BIN_DIR/ia-status' nodes --format state | grep -q 'owner back'; do sleep 0.2; done"
  assert_success
  run status nodes --format node,state
  assert_line --regexp "^$node +owner back, frozen$"
  run status "$id"
  assert_line "frozen: the owner of $node is back"
  wait_for_state "$id" queued 20
  run status "$id"
  assert_line "node: -"
  assert_line --regexp "^reason: vacated: the machine's owner came back \(.*\) \(on $node\)$"
  api GET "/v1/tasks/$id"
  assert_equal "$(jq -c '[.node_id, .last_node]' <<< "$body")" "[null,\"$node\"]"
  run status nodes --format node,state
  assert_line --regexp "^$node +owner back$"
  owner_leaves
}

@test "ia-status: a token just created works at once, read from --token-file" {
  (umask 077; new_token client fresh > fresh.token)
  IA_TOKEN= run "$IA_BIN_DIR/ia-status" tasks --token-file fresh.token
  assert_success
  IA_TOKEN=ia_0000000000000000000000000000000000000000000000000000000000000000 run status tasks
  assert_failure 4
}

@test "ia-status tasks: a cut listing says where it stopped, --after pages on, --limit as documented" {
  submit --parsable --array 1-5 a.py > /dev/null
  "$IA_BIN_DIR/ia-status" tasks --limit 2 --format id > out.txt 2> err.txt
  assert_equal "$(tr -s ' \n' ' ' < out.txt)" "ID 1 2 "
  assert_equal "$(cat err.txt)" "ia-status: showing 2 tasks; more with --after 2 (--limit up to 1000)"
  run status tasks --after 4 --format id
  assert_success
  assert_equal "$(tr -s ' \n' ' ' <<< "$output")" "ID 5 "
  run status tasks --limit 1000
  assert_success
  run status tasks --limit 1001
  assert_failure 2
}
