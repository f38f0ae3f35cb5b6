#!/usr/bin/env bats
# ia-sandbox started without root (uid 65534 through setpriv): user namespaces only, no
# cgroup; every hostile case of issue 3 must still hold, and --json must say what applied.

bats_require_minimum_version 1.5.0
load 'helpers/sandbox'
load 'helpers/sandbox_checks'

setup() { sandbox_setup; }
teardown() { sandbox_teardown; }

@test "non-root: a listener on the host's 127.0.0.1 is refused" { use_nobody; check_loopback_refused; }
@test "non-root: the task has a loopback of its own and no other interface" { use_nobody; check_private_loopback; }
@test "non-root: host Unix sockets are refused" { use_nobody; check_unix_sockets_refused; }
@test "non-root: host processes are not visible" { use_nobody; check_host_process_invisible; }
@test "non-root: remounting / read-write is denied" { use_nobody; check_remount_denied; }
@test "non-root: /etc/shadow and other users' files are unreadable" { use_nobody; check_secrets_unreadable; }
@test "non-root: the caller's memory cannot be read through the task's init" { use_nobody; check_caller_memory_unreadable; }
@test "non-root: a caller's umask of 077 leaves the new root readable" { use_nobody; check_caller_umask; }
@test "non-root: writes outside the working directory are denied" { use_nobody; check_writes_confined; }
@test "non-root: a fork bomb is contained" { use_nobody; check_fork_bomb_contained; }
@test "non-root: 2 GiB under a 256 MiB limit is refused (RLIMIT_AS)" { use_nobody; check_memory_limit; }
@test "non-root: a double-forked setsid daemon is gone" { use_nobody; check_daemon_gone; }
@test "non-root: sleeping past the timeout exits 124" { use_nobody; check_timeout; }
@test "non-root: a task killed at its timeout still reports its CPU time" { use_nobody; check_cpu_counted_when_killed; }
@test "non-root: 1 GiB of output is truncated" { use_nobody; check_huge_output; }
@test "non-root: escape calls are denied" { use_nobody; check_escape_syscalls_denied; }
@test "non-root: kill -9 -1 inside kills only sandbox processes" { use_nobody; check_kill_all_inside; }
@test "non-root: normal cases pass through" { use_nobody; check_normal_cases; }
@test "non-root: --json says user namespaces only, no cgroup" { use_nobody; check_isolation_reported; }

