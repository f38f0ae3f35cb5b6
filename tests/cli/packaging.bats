#!/usr/bin/env bats
# Installing ia (issue 20): --version names the revision built, cmake --install lays out
# every file, the units verify, the versions agree, and the Homebrew formula parses.
# The .deb packages themselves are built, installed and purged by scripts/checks/packages.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
  SRC=$IA_SOURCE_DIR
  BUILD=$IA_TEST_BINARY_DIR/..
  VERSION=$(sed -n 's/^project(ia VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
}

# The revision Revision.cmake writes for a source tree: runs it on $1, prints k_revision.
revision_of() {
  cmake -DSOURCE_DIR="$1" -DINPUT="$SRC/lib/core/version.hpp.in" \
    -DOUTPUT="$BATS_TEST_TMPDIR/version.hpp" -DPROJECT_VERSION=9.8.7 \
    -P "$SRC/cmake/Revision.cmake"
  sed -n 's/.*k_revision = "\(.*\)";/\1/p' "$BATS_TEST_TMPDIR/version.hpp"
}

@test "packaging: --version of every tool prints the version and the commit built" {
  # The revision this build recorded: a commit of this checkout (plus "-dirty" when the
  # tree had changes then), or a release tarball's REVISION.
  revision=$(sed -n 's/.*k_revision = "\(.*\)";/\1/p' "$BUILD/lib/core/version.hpp")
  if [ -e "$SRC/.git" ]; then
    git -C "$SRC" cat-file -e "${revision%-dirty}^{commit}"
  else
    [ "$revision" = "$(cat "$SRC/REVISION")" ]
  fi
  for tool in ia-idle ia-sandbox ia-sched ia-node ia-submit ia-status ia-cancel; do
    run "$IA_BIN_DIR/$tool" --version
    assert_success
    assert_output "$tool $VERSION (git $revision)"
  done
}

@test "packaging: a tree without .git takes the REVISION file; with neither, 'unknown'" {
  tree=$BATS_TEST_TMPDIR/tree
  mkdir -p "$tree"
  echo 0123456789ab > "$tree/REVISION"
  run revision_of "$tree"
  assert_output 0123456789ab
  rm "$tree/REVISION"
  run revision_of "$tree"
  assert_output unknown
  grep -q 'k_version = "9.8.7"' "$BATS_TEST_TMPDIR/version.hpp"
}

@test "packaging: a hostile REVISION file cannot break out of the C++ string" {
  tree=$BATS_TEST_TMPDIR/tree
  mkdir -p "$tree"
  printf '%s\n' 'abc"; int x = 1; //' > "$tree/REVISION"
  run revision_of "$tree"
  assert_output abcintx1
  run g++ -std=c++20 -fsyntax-only -x c++ "$BATS_TEST_TMPDIR/version.hpp"
  assert_success
}

@test "packaging: cmake --install with DESTDIR lays out binaries, pages, completions, units" {
  dest=$BATS_TEST_TMPDIR/dest
  DESTDIR=$dest run cmake --install "$BUILD" --prefix /usr
  assert_success
  tools=(ia-idle ia-sandbox ia-sched ia-node ia-submit ia-status ia-cancel)
  for tool in "${tools[@]}"; do
    [ -x "$dest/usr/bin/$tool" ]
    [ -f "$dest/usr/share/man/man1/$tool.1" ]
    [ -f "$dest/usr/share/bash-completion/completions/$tool" ]
    [ -f "$dest/usr/share/zsh/site-functions/_$tool" ]
    [ -f "$dest/usr/share/fish/vendor_completions.d/$tool.fish" ]
  done
  [ -f "$dest/usr/share/man/man5/ia.toml.5" ]
  [ -f "$dest/usr/share/doc/ia/examples/ia.toml" ]
  [ -f "$dest/usr/share/doc/ia/examples/ia-node.cron" ]
  run grep -h '^ExecStart=' "$dest"/usr/lib/systemd/system/ia-sched.service \
    "$dest"/usr/lib/systemd/system/ia-node.service
  assert_line "ExecStart=/usr/bin/ia-sched --state-dir /var/lib/ia/sched"
  assert_line "ExecStart=/usr/bin/ia-node run"
  # Nothing unlisted: five files a tool, the ia.toml page, two examples, two units.
  [ "$(find "$dest" -type f | wc -l)" -eq $(( ${#tools[@]} * 5 + 5 )) ]
}

@test "packaging: the units pass systemd-analyze verify" {
  command -v systemd-analyze || skip "systemd-analyze is not installed (scripts/bootstrap installs systemd)"
  for unit in ia-sched.service ia-node.service; do
    # verify wants ExecStart's program to exist: point it at this build's binaries.
    sed "s|^ExecStart=[^ ]*/|ExecStart=$IA_BIN_DIR/|" "$BUILD/packaging/$unit" \
      > "$BATS_TEST_TMPDIR/$unit"
  done
  run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/ia-sched.service" \
    "$BATS_TEST_TMPDIR/ia-node.service"
  assert_success
  assert_output ""
  # The check can fail: an unknown setting is reported.
  echo "ProtectSystm=strict" >> "$BATS_TEST_TMPDIR/ia-sched.service"
  run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/ia-sched.service"
  assert_output --partial "ProtectSystm"
}

@test "packaging: CMakeLists.txt, debian/changelog and the formula name one version" {
  run dpkg-parsechangelog -l "$SRC/packaging/debian/changelog" -S Version
  assert_output "$VERSION"
  grep -q "url \".*/ia-$VERSION\\.tar\\.gz\"" "$SRC/packaging/homebrew/ia.rb"
}

@test "packaging: ruby -c passes the Homebrew formula and the copy scripts/release writes" {
  command -v ruby || skip "ruby is not installed (scripts/bootstrap installs it)"
  run ruby -c "$SRC/packaging/homebrew/ia.rb"
  assert_success
  assert_output "Syntax OK"
  [ -e "$SRC/.git" ] || skip "scripts/release needs a git checkout"
  run "$SRC/scripts/release" "$BATS_TEST_TMPDIR/release"
  assert_success
  tarball=$BATS_TEST_TMPDIR/release/ia-$VERSION.tar.gz
  assert_output "$tarball"
  run ruby -c "$BATS_TEST_TMPDIR/release/ia.rb"
  assert_output "Syntax OK"
  sha=$(sha256sum "$tarball" | cut -d' ' -f1)
  grep -q "sha256 \"$sha\"" "$BATS_TEST_TMPDIR/release/ia.rb"
  grep -q "url \"file://$tarball\"" "$BATS_TEST_TMPDIR/release/ia.rb"
  # The tarball carries the revision and no .git.
  run tar -tzf "$tarball"
  assert_line "ia-$VERSION/REVISION"
  assert_line "ia-$VERSION/packaging/debian/rules"
  refute_line --regexp '(^|/)\.git/'
}

# Listens on a datagram socket at $1 as systemd does, and prints each message received,
# one a line, until $2 messages came or 30 s passed.
notify_listener() {
  /usr/bin/python3 - "$1" "$2" <<'PY' &
import socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
sock.settimeout(30)
for _ in range(int(sys.argv[2])):
    try:
        print(sock.recv(4096).decode().replace("\n", " "), flush=True)
    except socket.timeout:
        break
PY
  LISTENER=$!
  for _ in $(seq 50); do [ -S "$1" ] && return; sleep 0.1; done
}

@test "packaging: ia-sched tells NOTIFY_SOCKET READY=1 once listening, STOPPING=1 on SIGTERM" {
  socket=$BATS_TEST_TMPDIR/notify
  notify_listener "$socket" 2 > "$BATS_TEST_TMPDIR/told"
  NOTIFY_SOCKET=$socket IA_CONFIG=/dev/null "$IA_BIN_DIR/ia-sched" \
    --state-dir "$BATS_TEST_TMPDIR/sched" --listen 127.0.0.1:0 2>"$BATS_TEST_TMPDIR/log" &
  sched=$!
  for _ in $(seq 100); do grep -q READY=1 "$BATS_TEST_TMPDIR/told" && break; sleep 0.1; done
  run cat "$BATS_TEST_TMPDIR/told"
  assert_output "READY=1"
  grep -q "listening on" "$BATS_TEST_TMPDIR/log"
  kill -TERM "$sched"
  wait "$sched"
  wait "$LISTENER"
  run cat "$BATS_TEST_TMPDIR/told"
  assert_output $'READY=1\nSTOPPING=1'
}

@test "packaging: ia-node tells NOTIFY_SOCKET READY=1 with its spool open, STOPPING=1 on SIGTERM" {
  socket=$BATS_TEST_TMPDIR/notify
  notify_listener "$socket" 2 > "$BATS_TEST_TMPDIR/told"
  # No scheduler listens: the agent is ready all the same, and keeps trying it.
  NOTIFY_SOCKET=$socket IA_CONFIG=/dev/null "$IA_BIN_DIR/ia-node" --server http://127.0.0.1:9 \
    --token none --idle always --state-dir "$BATS_TEST_TMPDIR/node" run 2>/dev/null &
  node=$!
  for _ in $(seq 100); do grep -q READY=1 "$BATS_TEST_TMPDIR/told" && break; sleep 0.1; done
  run cat "$BATS_TEST_TMPDIR/told"
  assert_output "READY=1"
  [ -d "$BATS_TEST_TMPDIR/node/spool" ]
  kill -TERM "$node"
  wait "$node"
  wait "$LISTENER"
  run cat "$BATS_TEST_TMPDIR/told"
  assert_output $'READY=1\nSTOPPING=1'
}

@test "packaging: a NOTIFY_SOCKET nobody listens on is a warning, not a failure to start" {
  NOTIFY_SOCKET=$BATS_TEST_TMPDIR/nobody IA_CONFIG=/dev/null "$IA_BIN_DIR/ia-sched" \
    --state-dir "$BATS_TEST_TMPDIR/sched" --listen 127.0.0.1:0 2>"$BATS_TEST_TMPDIR/log" &
  sched=$!
  for _ in $(seq 100); do grep -q "service manager" "$BATS_TEST_TMPDIR/log" && break; sleep 0.1; done
  kill -0 "$sched"
  kill -TERM "$sched"
  wait "$sched"
  run cat "$BATS_TEST_TMPDIR/log"
  assert_output --partial "send to the service manager"
  assert_output --partial "$BATS_TEST_TMPDIR/nobody"
}
