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

t0 = time.perf_counter()
if "--stock" in sys.argv:
    import cdktf_cdktf_provider_aws  # noqa: F401  (the stock import: every submodule)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import main  # noqa: E402

app = main.build_app([os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml")], sys.argv[-1])
t_built = time.perf_counter()
app.synth()
t_done = time.perf_counter()
print(
    json.dumps(
        {
            "build_seconds": t_built - t0,
            "synth_seconds": t_done - t0,
            "python_max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    ),
    flush=True,
)
os._exit(0)
