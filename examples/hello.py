#!/usr/bin/env python3
"""The quickstart's task: say hello from wherever it ran."""
import os
import platform
import sys

print(f"hello from {platform.node() or 'a sandbox'}")
print(f"python {platform.python_version()} on {platform.system()} {platform.machine()}")
print(f"working directory: {os.getcwd()}")
print(f"arguments: {sys.argv[1:]}")
