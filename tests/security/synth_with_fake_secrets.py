"""``python -m tests.security.synth_with_fake_secrets OUTDIR CONFIG... --copy-into-tag VARIABLE``

Builds the app with ``main.build_app`` and adds to every stack a test-only construct that copies an
environment variable into a tag while it is built: the leak tests/security/test_no_credentials.py must
catch. It lives here, not in the product, so that the product never has such a construct.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.security.synth_with_fake_secrets")
    parser.add_argument("outdir")
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--copy-into-tag", metavar="VARIABLE", required=True)
    args = parser.parse_args(argv)

    from fargate_batch.config import load_configs
    from fargate_batch.config.targets import target_from_environment
    from fargate_batch.tf import CloudwatchLogGroup, Construct, TerraformStack
    from main import build_app

    class CopiesEnvironmentIntoTag(Construct):
        """The mistake to catch: a construct that reads a credential from the environment as it is built."""

        def __init__(self, scope: Construct, id_: str, *, variable: str) -> None:
            super().__init__(scope, id_)
            # os.environ[...], not .get: if the variable is not set yet, the planted leak must not pass quietly.
            CloudwatchLogGroup(self, "group", name="copied-environment", tags={"Copied": os.environ[variable]})

    app = build_app(load_configs(args.configs), target_from_environment(), args.outdir)
    stacks = [child for child in app.node.children if isinstance(child, TerraformStack)]
    if not stacks:
        raise SystemExit("synth_with_fake_secrets: the app has no stack to plant the construct in")
    for stack in stacks:
        CopiesEnvironmentIntoTag(stack, "copies-environment", variable=args.copy_into_tag)
    app.synth()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # As main.py: tearing down the jsii proxies costs seconds and changes nothing on disk.
    os._exit(code)
