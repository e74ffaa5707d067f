"""``synth_process.synthesize``: ``main.py`` in a child process, for the target its caller names."""

from __future__ import annotations

import json

import pytest

from fargate_batch.config.targets import ENDPOINT_ENV, TARGET_ENV, Target
from fargate_batch.synth_process import SynthFailed, synthesize
from tests.conftest import DEV_CONFIG

# A loopback port nothing listens on: synth only writes the endpoint into the provider, it never calls it.
ENDPOINT = "http://127.0.0.1:5999"


def test_a_failed_synth_names_the_exit_code_and_shows_what_main_printed(tmp_path):
    missing = tmp_path / "staging.toml"
    with pytest.raises(SynthFailed) as failed:
        synthesize(missing, tmp_path / "out")
    message = str(failed.value)
    # main.py exits 2 on a configuration problem and prints it; the message carries both.
    assert message.startswith("synth failed (exit 2):\n")
    assert f"{missing}: no such configuration file" in message
    assert "Traceback" not in message
    assert not (tmp_path / "out").exists()


def test_the_named_target_replaces_the_one_in_the_environment(tmp_path, monkeypatch):
    # The caller's own environment says aws: make run must still synthesize for its emulator.
    monkeypatch.setenv(TARGET_ENV, "aws")
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)
    synthesize(DEV_CONFIG, tmp_path, target=Target("local", ENDPOINT))
    stack = json.loads((tmp_path / "stacks" / "fargate-batch-dev" / "cdk.tf.json").read_text())
    (provider,) = stack["provider"]["aws"]
    (endpoints,) = provider["endpoints"]
    assert set(endpoints.values()) == {ENDPOINT}
    assert provider["access_key"] == "testing"  # the local target's fake credentials, never the caller's
