#!/usr/bin/env python3
"""Counts the primes below N (default 2,000,000) with a sieve: a small CPU-bound task.
Usage: ia-submit examples/primes.py -- 5000000"""
import sys

limit = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
sieve = bytearray([1]) * limit
sieve[0:2] = b"\x00\x00"
for n in range(2, int(limit ** 0.5) + 1):
    if sieve[n]:
        sieve[n * n::n] = bytearray(len(range(n * n, limit, n)))
print(f"{sum(sieve)} primes below {limit}")
