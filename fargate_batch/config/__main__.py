"""``python -m fargate_batch.config FILE...``: validate configuration files without synthesizing."""

from __future__ import annotations

import sys

from fargate_batch.config.loader import ConfigError, load_config


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python -m fargate_batch.config config/<env>.toml ...", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
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
