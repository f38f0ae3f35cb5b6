#!/usr/bin/env python3
"""Reports the GPUs this task was given: ia-submit --gpus 1 examples/gpu_check.py
Without a GPU it says so and exits 0, so it also runs on machines that have none."""
import glob
import os
import shutil
import subprocess

visible = os.environ.get("CUDA_VISIBLE_DEVICES")
devices = sorted(glob.glob("/dev/nvidia[0-9]*"))
print(f"CUDA_VISIBLE_DEVICES={visible if visible is not None else '(unset)'}")
print(f"device nodes: {', '.join(devices) if devices else 'none'}")
if not devices:
    print("no GPU is visible to this task")
elif shutil.which("nvidia-smi"):
    query = ["nvidia-smi", "--query-gpu=index,name,memory.total", "--format=csv,noheader"]
    print(subprocess.run(query, capture_output=True, text=True).stdout.strip())
else:
    try:
        import torch  # noqa: F401  (present on some GPU machines)
        print(f"torch sees {torch.cuda.device_count()} GPU(s): "
              f"{[torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]}")
    except ImportError:
        print("GPU device nodes are present; no nvidia-smi or torch to query them")
