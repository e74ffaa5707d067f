"""``make bench``: synthesis time and memory, stock provider import vs. this project's.

Each run is a fresh process (as ``cdktf synth`` runs the app). Wall time includes interpreter start
and the Node (jsii) process; max RSS is reported for Python and for the largest jsii Node process.
Targets (issue "Synthesis in under 4 seconds"): project ≤ 4 s wall, Python ≤ 200 MB, ratio ≥ 3.5.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = ROOT / "benchmarks" / "synth_child.py"


def one_run(stock: bool) -> dict:
    with tempfile.TemporaryDirectory() as outdir:
        env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "FARGATE_BATCH_TARGET": "aws"}
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, str(CHILD), *(["--stock"] if stock else []), outdir],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - start
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        figures["wall_seconds"] = wall
        return figures


def summarize(name: str, runs: list[dict]) -> dict:
    walls = [r["wall_seconds"] for r in runs]
    return {
        "name": name,
        "runs": len(runs),
        "wall_min": min(walls),
        "wall_median": statistics.median(walls),
        "python_rss": max(r["python_max_rss_mib"] for r in runs),
        "node_rss": max((r["node_max_rss_mib"] or 0) for r in runs) or None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-runs", type=int, default=5)
    parser.add_argument("--stock-runs", type=int, default=3)
    args = parser.parse_args(argv)
    project = summarize("project (fast provider import)", [one_run(False) for _ in range(args.project_runs)])
    stock = summarize("stock (import cdktf_cdktf_provider_aws)", [one_run(True) for _ in range(args.stock_runs)])
    header = f"{'synth of config/dev.toml':42} {'runs':>4} {'wall min':>9} {'median':>8}"
    print(f"{header} {'Python RSS':>11} {'Node RSS':>9}")
    for row in (stock, project):
        node = f"{row['node_rss']:>6.0f} MB" if row["node_rss"] else f"{'n/a':>9}"
        print(
            f"{row['name']:42} {row['runs']:>4} {row['wall_min']:>8.2f}s {row['wall_median']:>7.2f}s "
            f"{row['python_rss']:>8.0f} MB {node}"
        )
    ratio = stock["wall_median"] / project["wall_median"]
    print(f"\nratio stock/project (median wall): {ratio:.1f}x   (goal ≥ 3.5)")
    print(f"project median wall: {project['wall_median']:.2f}s   (goal ≤ 4 s)")
    print(f"project Python max RSS: {project['python_rss']:.0f} MB   (goal ≤ 200 MB)")
    print("Node RSS is the largest jsii Node process (peak, from /proc), where the provider's JavaScript loads.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
