"""``make bench-local``: a cold ``make run`` and a warm one after a one-line edit, side by side.

Cold: nothing up; the run starts its own emulator, applies everything, checks the plan, runs every
workflow, tears down. Warm: with ``make up`` running and the stack deployed, one step's command is
edited (in a copy of the configuration) and ``make run`` applies only that change and runs every
workflow. Also prints, for every pipeline execution, the gap between one step's task stopping and the
next step's task starting (what cron chains waste hours on). Goals: warm ≤ 30 s, gap ≤ 1 s.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], env: dict[str, str] | None = None) -> float:
    started = time.monotonic()
    result = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return time.monotonic() - started


def local_run(config: Path, work_dir: Path) -> tuple[float, dict]:
    env = {**os.environ, "FARGATE_BATCH_CONFIG": str(config)}
    seconds = run([sys.executable, "-m", "fargate_batch.local_run", "--work-dir", str(work_dir)], env)
    return seconds, json.loads((work_dir / "report.json").read_text())


def edited_copy(source: Path, directory: Path, marker: str) -> Path:
    """The configuration with the first step's first argument changed (the file name keeps the stack name)."""
    text = source.read_text()
    edited, count = re.subn(r'(command = \["echo", ")([^"]*)"', rf'\g<1>\g<2>-{marker}"', text, count=1)
    if count != 1:
        raise SystemExit(f"{source}: no echo step to edit")
    target = directory / source.name
    target.write_text(edited)
    return target


def main() -> int:
    from local_emulator.server import free_port

    config = REPO_ROOT / os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml")
    local = [sys.executable, "-m", "fargate_batch.local_aws"]
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        cold_seconds, cold = local_run(config, scratch_dir / "cold")
        # A port of its own, so a local AWS the developer keeps up is left alone.
        run([*local, "--work-dir", str(scratch_dir / "warm"), "up"], {**os.environ, "LOCAL_AWS_PORT": str(free_port())})
        try:
            local_run(edited_copy(config, scratch_dir, "first"), scratch_dir / "warm")
            warm_seconds, warm = local_run(edited_copy(config, scratch_dir, "second"), scratch_dir / "warm")
        finally:
            run([*local, "--work-dir", str(scratch_dir / "warm"), "down"])
    phases = list(dict.fromkeys([*cold["phases"], *warm["phases"]]))
    print(f"{'phase':36} {'cold':>8} {'warm':>8}")
    for name in phases:
        cells = [f"{r['phases'][name]:8.1f}" if name in r["phases"] else f"{'-':>8}" for r in (cold, warm)]
        print(f"{name:36} {cells[0]} {cells[1]}")
    print(f"{'whole make run':36} {cold_seconds:8.1f} {warm_seconds:8.1f}   (goal: warm ≤ 30 s)")
    changed = [sum(r["apply_changes"].values()) for r in (cold, warm)]
    print(f"{'resources changed by apply':36} {changed[0]:8d} {changed[1]:8d}")
    print()
    for execution in cold["executions"]:
        tasks = [s for s in execution["steps"] if s.get("task_started") is not None]
        for before, after in zip(tasks, tasks[1:], strict=False):
            gap = after["task_started"] - before["task_stopped"]
            print(
                f"{execution['workflow']}: {before['name']} → {after['name']}: {gap:.2f} s between tasks (goal ≤ 1 s)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
