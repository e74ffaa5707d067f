"""The program the lifecycle tests' ECS tasks run: it records its process ids, then waits to be stopped.

``task_program.py PID_FILE [--ignore-sigterm] [--child-ignoring-sigterm] [--seconds N] [--exit-code N]``:
writes its pid (and its child's, when it starts one) to PID_FILE, then sleeps N seconds (default 60)
and exits with the given code (default 0).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CHILD = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pid_file", type=Path)
    parser.add_argument("--ignore-sigterm", action="store_true")
    parser.add_argument("--child-ignoring-sigterm", action="store_true")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--exit-code", type=int, default=0)
    args = parser.parse_args()
    if args.ignore_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    pids = [os.getpid()]
    if args.child_ignoring_sigterm:
        pids.append(subprocess.Popen([sys.executable, "-c", CHILD]).pid)
    partial = args.pid_file.with_suffix(".partial")
    partial.write_text(" ".join(map(str, pids)))
    partial.rename(args.pid_file)  # whole or absent: a reader never sees half of it
    time.sleep(args.seconds)
    return args.exit_code


if __name__ == "__main__":
    sys.exit(main())
