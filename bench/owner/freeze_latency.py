#!/usr/bin/python3
"""From the owner's input to the running task frozen: TRIALS times, moves the pointer of
$DISPLAY with xdotool and polls the task's freezer.state (every 0.5 ms) until FROZEN,
then waits for THAWED before the next trial. Prints p50/p90/p99/max in ms on one line.
The time includes starting xdotool (a few ms), so it is an upper bound.
Usage: freeze_latency.py LABEL TRIALS FREEZER_STATE_FILE"""
import statistics
import subprocess
import sys
import time


def state(path):
    with open(path) as f:
        return f.read().strip()


def wait_for(path, want, limit_s):
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if state(path) == want:
            return time.monotonic()
        time.sleep(0.0005)
    sys.exit(f"bench: {path} not {want} within {limit_s}s")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    label, trials, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    times = []
    for trial in range(trials):
        wait_for(path, "THAWED", 60)
        time.sleep(0.3)  # the node's idle look after thawing
        start = time.monotonic()
        subprocess.run(["xdotool", "mousemove", str(10 + trial % 2 * 50), "20"], check=True)
        times.append((wait_for(path, "FROZEN", 60) - start) * 1000)
    print(f"{label:<46} p50 {percentile(times, 50):7.1f} ms  p90 {percentile(times, 90):7.1f}"
          f"  p99 {percentile(times, 99):7.1f}  max {max(times):7.1f}"
          f"  mean {statistics.mean(times):7.1f}  ({trials} trials)")


main()
