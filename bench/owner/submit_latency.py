#!/usr/bin/python3
"""Times `ia-submit --wait` of a two-line shell script to its output, N times, and prints
p50/p90/p99/max in milliseconds on one line: the caller (bench/owner/run) starts the
scheduler and the nodes. Usage: submit_latency.py LABEL N ia-submit-args..."""
import statistics
import subprocess
import sys
import time


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    label, runs, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append((time.perf_counter() - start) * 1000)
        if out.returncode != 0 or "second" not in out.stdout:
            sys.exit(f"bench: ia-submit failed ({out.returncode}): {out.stderr.strip()}")
    print(f"{label:<46} p50 {percentile(times, 50):7.1f} ms  p90 {percentile(times, 90):7.1f}"
          f"  p99 {percentile(times, 99):7.1f}  max {max(times):7.1f}"
          f"  mean {statistics.mean(times):7.1f}  ({runs} runs)")


main()
