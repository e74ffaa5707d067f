"""CDKTF app: one stack per configuration file. ``cdktf synth`` runs this file.

Environment: FARGATE_BATCH_CONFIG (default config/dev.toml), FARGATE_BATCH_TARGET (local|aws,
default local), FARGATE_BATCH_ENDPOINT (the emulator, for local).
"""

from __future__ import annotations

import os
import sys

from fargate_batch import fast_provider_import

DEFAULT_CONFIG = "config/dev.toml"


def build_app(config_paths: list[str], outdir: str | None = None):
    """Load and validate every configuration first, then build the stacks (nothing half-built)."""
    fast_provider_import.install()
    from fargate_batch.config import load_configs
    from fargate_batch.config.names import stack_name
    from fargate_batch.targets import target_from_environment
    from modules._private.tf import App
    from stacks.batch_stack import BatchStack

    target = target_from_environment()
    configs = load_configs(config_paths)
    app = App(outdir=outdir) if outdir else App()
    for config in configs:
        BatchStack(app, stack_name(config), config=config, target=target)
    return app


def main() -> int:
    from fargate_batch.config import ConfigError, config_paths
    from fargate_batch.targets import TargetError

    paths = config_paths(os.environ.get("FARGATE_BATCH_CONFIG", DEFAULT_CONFIG))
    try:
        app = build_app(paths)
    except (ConfigError, TargetError) as error:
        print(f"fargate-batch: configuration problems:\n{error}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Tearing down ~40k jsii proxies and the Node process costs seconds and changes nothing on disk.
    os._exit(code)
