"""CDKTF app: one stack per configuration file. ``cdktf synth`` runs this file.

Environment: FARGATE_BATCH_CONFIG (default config/dev.toml), FARGATE_BATCH_TARGET (local|aws,
default local), FARGATE_BATCH_ENDPOINT (the emulator, for local).

``build_app`` is the one place an App is assembled: ``cdktf synth``, the plan report, the HCL export,
the benchmarks and the tests all call it. Importing this module synthesizes nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fargate_batch.config import ProjectConfig
    from fargate_batch.config.targets import Target
    from fargate_batch.tf import App

DEFAULT_CONFIG = "config/dev.toml"


def build_app(configs: Sequence[ProjectConfig], target: Target, outdir: str | Path | None = None) -> App:
    """One stack per (already validated) configuration; nothing is built before every one has loaded."""
    from fargate_batch.config.names import stack_name
    from fargate_batch.tf import App
    from stacks.batch_stack import BatchStack

    app = App(outdir=str(outdir)) if outdir else App()
    for config in configs:
        BatchStack(app, stack_name(config), config=config, target=target)
    return app


def stack_directories(configs: Sequence[ProjectConfig], outdir: str | Path) -> dict[str, Path]:
    """Stack name → the directory ``app.synth()`` writes it to."""
    from fargate_batch.config.names import stack_name

    return {stack_name(config): Path(outdir) / "stacks" / stack_name(config) for config in configs}


def main() -> int:
    from fargate_batch.config import ConfigError, config_paths, load_configs
    from fargate_batch.config.targets import TargetError, target_from_environment

    paths = config_paths(os.environ.get("FARGATE_BATCH_CONFIG", DEFAULT_CONFIG))
    try:
        target = target_from_environment()
        configs = load_configs(paths)
    except (ConfigError, TargetError) as error:
        print(f"fargate-batch: configuration problems:\n{error}", file=sys.stderr)
        return 2
    build_app(configs, target).synth()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Tearing down ~40k jsii proxies and the Node process costs seconds and changes nothing on disk.
    os._exit(code)
