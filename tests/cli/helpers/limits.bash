# Running a tool with little memory, to prove that it does not read an endless input
# (/dev/zero) whole: without a bound it dies of std::bad_alloc, with one it says why.
#
#   skip_without_memory_limits   skips where ulimit -v cannot work (ASan builds)
#   limited CMD...               CMD under ulimit -v of about 1 GB and a 20 s timeout

skip_without_memory_limits() {
  # ASan reserves terabytes of address space at start-up, so ulimit -v stops it before
  # main; the unit tests still cover the bounds there.
  if ldd "$IA_BIN_DIR/ia-submit" 2>/dev/null | grep -q libasan; then
    skip "ASan builds cannot start under ulimit -v"
  fi
}

limited() {
  (ulimit -v 1000000 && exec timeout 20 "$@")
}
