"""``python -m fargate_batch.config FILE...``: validate configuration files without synthesizing."""

from __future__ import annotations

import sys
from pathlib import Path

from fargate_batch.config.loader import ConfigError, claim_stack, load_config


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python -m fargate_batch.config config/<env>.toml ...", file=sys.stderr)
        return 2
    failed = False
    # The files are checked as one app would load them: two files for one stack are refused.
    claimed: dict[str, Path] = {}
    for path in paths:
        try:
            claim_stack(path, claimed)
            config = load_config(path)
        except ConfigError as error:
            failed = True
            print(error, file=sys.stderr)
            continue
        print(
            f"{path}: ok ({len(config.pipelines)} pipelines, {len(config.triggers)} triggers, "
            f"{len(config.activities)} activities)"
        )
    return 2 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
