#!/usr/bin/env python3
"""Monte Carlo estimate of pi; run many at once with: ia-submit --array 1-20 examples/pi.py
Each task seeds its generator with IA_ARRAY_INDEX so the samples differ; average the
printed estimates (or sum hits and samples) to combine them."""
import os
import random
import sys

samples = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
index = int(os.environ.get("IA_ARRAY_INDEX", "0"))
rng = random.Random(index)
hits = sum(1 for _ in range(samples) if rng.random() ** 2 + rng.random() ** 2 <= 1.0)
print(f"index={index} samples={samples} hits={hits} pi~{4.0 * hits / samples:.6f}")
