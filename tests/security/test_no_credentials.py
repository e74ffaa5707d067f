"""Credentials never reach synthesized files for the aws target, whatever the environment holds."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from fargate_batch.config.schema import BackendConfig
from fargate_batch.targets import Target
from tests.conftest import synth_stack

# Shaped like real ones, so a leak would be found by value and by pattern.
FAKE_SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAZZZZEXAMPLE12345",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLEsessiontoken0123456789",
    "TF_TOKEN_app_terraform_io": "abcdefghijklmn.atlasv1.EXAMPLEtoken0123456789",
    "TF_TOKEN_tfe_example_com": "opqrstuvwxyz.atlasv1.EXAMPLEtoken9876543210",
}
CREDENTIAL_KEYS = re.compile(r'"(access_key|secret_key|token|session_token|shared_credentials_files?|profile)"\s*:')
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")


@pytest.mark.parametrize(
    "backend",
    [
        BackendConfig(type="local"),
        BackendConfig(type="s3", bucket="acme-tfstate", key="batch/dev.tfstate", region="us-east-1"),
        BackendConfig(type="cloud", organization="acme", workspace="batch-dev", hostname="tfe.example.com"),
    ],
    ids=lambda b: b.type,
)
def test_no_synthesized_file_holds_a_credential(dev_config, tmp_path, monkeypatch, backend):
    for name, value in FAKE_SECRETS.items():
        monkeypatch.setenv(name, value)
    synth_stack(replace(dev_config, backend=backend), Target("aws"), tmp_path)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "cdk.tf.json" for p in files)
    for path in files:
        text = path.read_text()
        assert not [v for v in FAKE_SECRETS.values() if v in text], path
        assert not ACCESS_KEY_ID.search(text), path
        assert not CREDENTIAL_KEYS.search(text), (path, CREDENTIAL_KEYS.search(text))
