"""Credentials never reach synthesized files for the aws target, whatever the environment holds."""

from __future__ import annotations

import re

import pytest

from fargate_batch.targets import Target
from tests.conftest import BACKENDS, FAKE_SECRETS, with_backend

CREDENTIAL_KEYS = re.compile(r'"(access_key|secret_key|token|session_token|shared_credentials_files?|profile)"\s*:')
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")


@pytest.mark.parametrize("backend", ["local", *BACKENDS])
def test_no_synthesized_file_holds_a_credential(dev_config, synth, backend):
    """Every synth of the session runs with FAKE_SECRETS set (tests/conftest.py); check their files."""
    config = dev_config if backend == "local" else with_backend(dev_config, backend)
    _, stack_dir = synth(config, Target("aws"))
    outdir = stack_dir.parent.parent
    files = [p for p in outdir.rglob("*") if p.is_file()]
    assert any(p.name == "cdk.tf.json" for p in files)
    for path in files:
        text = path.read_text()
        assert not [v for v in FAKE_SECRETS.values() if v in text], path
        assert not ACCESS_KEY_ID.search(text), path
        assert not CREDENTIAL_KEYS.search(text), (path, CREDENTIAL_KEYS.search(text))
