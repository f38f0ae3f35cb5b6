// TEMPORARY timing instrumentation (IA_ZTRACE=<t0 ns>); removed before commit.
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <string.h>
inline void ztrace(const char* what) {
  static const char* t0s = getenv("IA_ZTRACE");
  if (!t0s) return;
  long long t0 = atoll(t0s);
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  long long now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
  char buf[128];
  int n = snprintf(buf, sizeof buf, "ZT %8.3f %s\n", (now - t0) / 1e6, what);
  (void)!write(2, buf, n);
}
