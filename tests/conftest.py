"""Shared fixtures: the provider import and one synth per session (the slow parts), done once."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from fargate_batch import fast_provider_import

fast_provider_import.install()
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_CONFIG = REPO_ROOT / "config" / "dev.toml"


@pytest.fixture(scope="session")
def dev_config():
    from fargate_batch.config import load_config

    return load_config(DEV_CONFIG)


def synth_stack(config, target, outdir: Path) -> tuple[dict, Path]:
    """Synthesize one BatchStack with a full App (as `cdktf synth` would); returns (json, stack dir)."""
    from modules._private.tf import App
    from stacks.batch_stack import BatchStack, stack_name

    app = App(outdir=str(outdir))
    BatchStack(app, stack_name(config), config=config, target=target)
    app.synth()
    stack_dir = outdir / "stacks" / stack_name(config)
    return json.loads((stack_dir / "cdk.tf.json").read_text()), stack_dir


@pytest.fixture(scope="session")
def aws_synth(dev_config, tmp_path_factory) -> tuple[dict, Path]:
    from fargate_batch.targets import Target

    return synth_stack(dev_config, Target("aws"), tmp_path_factory.mktemp("synth-aws"))


@pytest.fixture(scope="session")
def synthesized(aws_synth) -> dict:
    """The dev stack as synthesized for a real AWS account."""
    return aws_synth[0]


@pytest.fixture(scope="session")
def existing_network_synth(dev_config, tmp_path_factory) -> dict:
    """The dev stack on existing subnets, with a flexible window and e-mail alerts."""
    from fargate_batch.config.schema import NetworkConfig
    from fargate_batch.targets import Target

    pipeline = dev_config.pipelines[0]
    config = replace(
        dev_config,
        network=NetworkConfig(subnet_ids=("subnet-0123456789abcdef0",), security_group_ids=("sg-0123456789abcdef0",)),
        alerts=replace(dev_config.alerts, email_subscriptions=("ops@example.com",)),
        pipelines=(replace(pipeline, schedule=replace(pipeline.schedule, flexible_window_minutes=15, enabled=False)),),
    )
    return synth_stack(config, Target("aws"), tmp_path_factory.mktemp("synth-existing"))[0]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """The local AWS emulator (moto + local_emulator corrections) on a free loopback port."""
    from local_emulator.server import start_emulator

    log = tmp_path_factory.mktemp("emulator") / "emulator.log"
    with start_emulator(log_path=log) as running:
        yield running
