"""One synthesis, run as a child process by synth_bench.py; prints its own figures as JSON.

``--stock`` imports the whole provider package first and exits normally, freeing every object (what
a stock CDKTF Python app does); the project's app skips that teardown with ``os._exit`` (main.py).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in map(int, children.read_text().split()):
            found += [child, *descendants(child)]
    return found


def node_peak_rss_mib() -> float | None:
    """Largest peak RSS (VmHWM) among this process's descendants: the jsii Node processes.

    Read from /proc before exiting because the app ends with os._exit, so nobody waits for Node and
    getrusage(RUSAGE_CHILDREN) never sees it. None where /proc is not Linux's.
    """
    peaks = []
    for pid in descendants(os.getpid()):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return max(peaks, default=None)


t0 = time.perf_counter()
if "--stock" in sys.argv:
    import cdktf_cdktf_provider_aws  # noqa: F401  (the stock import: every submodule)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import main  # noqa: E402
from fargate_batch.config import load_configs  # noqa: E402
from fargate_batch.config.targets import target_from_environment  # noqa: E402

configs = load_configs([os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml")])
app = main.build_app(configs, target_from_environment(), sys.argv[-1])
t_built = time.perf_counter()
app.synth()
t_done = time.perf_counter()
print(
    json.dumps(
        {
            "build_seconds": t_built - t0,
            "synth_seconds": t_done - t0,
            "python_max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "node_max_rss_mib": node_peak_rss_mib(),
        }
    ),
    flush=True,
)
os._exit(0)
