"""``make bench-local``: figures of one ``make run`` from .local/report.json.

Prints the time of each phase and, for every pipeline execution, the gap between one step's task
stopping and the next step's task starting (what cron chains waste hours on). Targets: whole run
≤ 90 s, step-to-step gap ≤ 1 s.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    report = json.loads(Path(path).read_text())
    total = sum(report["phases"].values())
    print(f"{'phase':36} {'seconds':>8}")
    for name, seconds in report["phases"].items():
        print(f"{name:36} {seconds:>8.1f}")
    print(f"{'total':36} {total:>8.1f}   (goal ≤ 90 s)")
    print()
    for execution in report["executions"]:
        tasks = [s for s in execution["steps"] if s.get("task_started") is not None]
        for before, after in zip(tasks, tasks[1:], strict=False):
            gap = after["task_started"] - before["task_stopped"]
            print(
                f"{execution['workflow']}: {before['name']} → {after['name']}: {gap:.2f} s between tasks   (goal ≤ 1 s)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else ".local/report.json"))
