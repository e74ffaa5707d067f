"""Shared fixtures: the provider import and one synth per session (the slow parts), done once."""

from __future__ import annotations

import copy
import json
import os
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from fargate_batch import fast_provider_import

# Before install(): it starts the jsii Node process, which reads its environment once.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
fast_provider_import.install()

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_CONFIG = REPO_ROOT / "config" / "dev.toml"


@pytest.fixture(scope="session")
def dev_config():
    from fargate_batch.config import load_config

    return load_config(DEV_CONFIG)


# Present in the environment during every synth of the session, shaped like real ones, so
# tests/security can find a leak into synthesized files by value and by pattern.
FAKE_SECRETS = MappingProxyType(
    {
        "AWS_ACCESS_KEY_ID": "AKIAZZZZEXAMPLE12345",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzEXAMPLEKEY",
        "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLEsessiontoken0123456789",
        "TF_TOKEN_app_terraform_io": "abcdefghijklmn.atlasv1.EXAMPLEtoken0123456789",
        "TF_TOKEN_tfe_example_com": "opqrstuvwxyz.atlasv1.EXAMPLEtoken9876543210",
    }
)


# The backends the tests synthesize the dev stack with (besides its own local one).
BACKENDS = MappingProxyType(
    {
        "s3": dict(type="s3", bucket="acme-tfstate", key="batch/dev.tfstate", region="us-east-1"),
        "cloud-workspace": dict(type="cloud", organization="acme", workspace="batch-dev"),
        "cloud-tags": dict(type="cloud", organization="acme", workspace_tags=("batch",), hostname="tfe.example.com"),
    }
)


def with_backend(config, name: str):
    from fargate_batch.config.schema import BackendConfig

    return replace(config, backend=BackendConfig(**BACKENDS[name]))


def synth_stack(config, target, outdir: Path) -> tuple[dict, Path]:
    """Synthesize one BatchStack with a full App (as `cdktf synth` would); returns (json, stack dir)."""
    from fargate_batch.config.names import stack_name
    from main import build_app

    app = build_app([config], target, outdir)
    with pytest.MonkeyPatch.context() as environment:
        for name, value in FAKE_SECRETS.items():
            environment.setenv(name, value)
        app.synth()
    stack_dir = outdir / "stacks" / stack_name(config)
    return json.loads((stack_dir / "cdk.tf.json").read_text()), stack_dir


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """``synth(config, target) -> (json, stack dir)``: each distinct stack is synthesized once per session."""
    synthesized: dict[str, tuple[dict, Path]] = {}

    def synth_once(config, target) -> tuple[dict, Path]:
        # Configurations are frozen dataclasses whose repr lists every field.
        key = repr((config, target))
        if key not in synthesized:
            synthesized[key] = synth_stack(config, target, tmp_path_factory.mktemp("synth"))
        return copy.deepcopy(synthesized[key][0]), synthesized[key][1]

    return synth_once


@pytest.fixture(scope="session")
def aws_synth(dev_config, synth) -> tuple[dict, Path]:
    from fargate_batch.config.targets import Target

    return synth(dev_config, Target("aws"))


@pytest.fixture(scope="session")
def synthesized(aws_synth) -> dict:
    """The dev stack as synthesized for a real AWS account."""
    return aws_synth[0]


@pytest.fixture(scope="session")
def two_triggers_synth(dev_config, synth) -> dict:
    """The dev stack with a second trigger, on JSON files under incoming/: triggers share resources."""
    from fargate_batch.config.targets import Target

    json_files = replace(dev_config.triggers[0], name="json-files", prefix="incoming/", suffix=".json")
    return synth(replace(dev_config, triggers=(*dev_config.triggers, json_files)), Target("aws"))[0]


@pytest.fixture(scope="session")
def existing_network_synth(dev_config, synth) -> dict:
    """The dev stack on existing subnets, with a flexible window and e-mail alerts."""
    from fargate_batch.config.schema import NetworkConfig
    from fargate_batch.config.targets import Target

    pipeline = dev_config.pipelines[0]
    config = replace(
        dev_config,
        network=NetworkConfig(subnet_ids=("subnet-0123456789abcdef0",), security_group_ids=("sg-0123456789abcdef0",)),
        alerts=replace(dev_config.alerts, email_subscriptions=("ops@example.com",)),
        pipelines=(replace(pipeline, schedule=replace(pipeline.schedule, flexible_window_minutes=15, enabled=False)),),
    )
    return synth(config, Target("aws"))[0]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """The local AWS emulator (moto + local_emulator corrections) on a free loopback port."""
    from local_emulator.server import start_emulator

    log = tmp_path_factory.mktemp("emulator") / "emulator.log"
    with start_emulator(log_path=log) as running:
        yield running
