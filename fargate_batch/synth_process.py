"""Synthesize one configuration by running ``main.py`` in a child process, as ``make synth`` does.

The tools that deploy (``make bootstrap``/``make push``, ``make run``) synthesize this way: the child reads
the configuration and the target from its environment exactly as ``cdktf synth`` runs ``main.py``, and the
jsii Node process a synth starts ends with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fargate_batch.config.targets import ENDPOINT_ENV, TARGET_ENV, Target

REPO_ROOT = Path(__file__).resolve().parents[1]
# How much of the child's output a failure shows: the end, where main.py prints the configuration problems
# (or Python its traceback), without a page of jsii noise.
FAILURE_OUTPUT_CHARACTERS = 4000


class SynthFailed(RuntimeError):
    """``main.py`` exited non-zero; the message holds the exit code and the end of its output.

    A RuntimeError, as the local run's synth raised before this helper existed; ``make push`` prints it as
    a user-facing message (exit 2).
    """


def synthesize(config_path: str | Path, outdir: Path, *, target: Target | None = None) -> None:
    """Run ``main.py`` for ``config_path`` into ``outdir`` (``CDKTF_OUTDIR``).

    ``target``: Default: the target of this process's environment (``FARGATE_BATCH_TARGET`` and
    ``FARGATE_BATCH_ENDPOINT``), as ``make synth`` reads it; given, it replaces them for the child.
    """
    env = {
        **os.environ,
        "FARGATE_BATCH_CONFIG": str(config_path),
        "CDKTF_OUTDIR": str(outdir),
        # The warning banner jsii prints on every start would fill the output a failure shows.
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    if target is not None:
        env[TARGET_ENV] = target.kind
        if target.endpoint_url is None:
            env.pop(ENDPOINT_ENV, None)
        else:
            env[ENDPOINT_ENV] = target.endpoint_url
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py")], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-FAILURE_OUTPUT_CHARACTERS:]
        raise SynthFailed(f"synth failed (exit {result.returncode}):\n{output}")
