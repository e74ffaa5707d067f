"""Synthesize one construct in a stack of its own, for props the dev configuration does not use."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def synth_construct(outdir: Path, build: Callable[[object], None]) -> dict:
    """``build(stack)`` adds the construct; returns cdk.tf.json, "//" comments included (Testing.synth drops them)."""
    from fargate_batch.tf import App, AwsProvider, TerraformStack

    app = App(outdir=str(outdir))
    stack = TerraformStack(app, "small")
    AwsProvider(stack, "aws", region="us-east-1")
    build(stack)
    app.synth()
    return json.loads((outdir / "stacks" / "small" / "cdk.tf.json").read_text())
