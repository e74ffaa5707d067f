"""Credentials never reach synthesized files for the aws target, whatever the environment holds.

The app is synthesized in a fresh process whose environment holds FAKE_SECRETS from its start, as a
shell's would for `cdktf synth`: every construct, and the jsii Node process, can read them while the
app is built. (Setting them only around ``app.synth()`` would come after the constructs had read the
environment, and a construct that copied a token into a tag would pass.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, DEV_CONFIG, FAKE_SECRETS, REPO_ROOT

CREDENTIAL_KEYS = re.compile(r'"(access_key|secret_key|token|session_token|shared_credentials_files?|profile)"\s*:')
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
LOCAL_BACKEND = '[backend]\ntype = "local"\n'


def synth_with_fake_secrets(command: list[str], config_files: list[Path], outdir: Path) -> None:
    environment = {
        **os.environ,
        **FAKE_SECRETS,
        "FARGATE_BATCH_TARGET": "aws",
        "FARGATE_BATCH_CONFIG": ",".join(map(str, config_files)),
        "CDKTF_OUTDIR": str(outdir),
    }
    result = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def credentials_in(outdir: Path) -> list[str]:
    """Every file of a synth output that holds a fake secret, an access key id or a credential argument."""
    found = []
    for path in sorted(p for p in outdir.rglob("*") if p.is_file()):
        text = path.read_text()
        found += [f"{path}: holds the value of {name}" for name, value in FAKE_SECRETS.items() if value in text]
        if match := ACCESS_KEY_ID.search(text):
            found.append(f"{path}: holds an access key id {match.group()}")
        if match := CREDENTIAL_KEYS.search(text):
            found.append(f"{path}: sets {match.group(1)}")
    return found


def backend_type(synthesized: dict) -> str:
    """'local' or 's3' (a ``backend`` block), or 'cloud' (a ``cloud`` block)."""
    terraform = synthesized["terraform"]
    if "cloud" in terraform:
        return "cloud"
    (name,) = terraform["backend"]
    return name


@pytest.fixture(scope="module")
def config_files(tmp_path_factory) -> list[Path]:
    """config/dev.toml once per backend; each file's name is its environment, so each is its own stack."""
    directory = tmp_path_factory.mktemp("configs")
    text = DEV_CONFIG.read_text()
    assert LOCAL_BACKEND in text, "config/dev.toml no longer has a local [backend]"
    files = [directory / "dev.toml"]
    files[0].write_text(text)
    for name, settings in BACKENDS.items():
        lines = [f"{key} = {json.dumps(list(v) if isinstance(v, tuple) else v)}" for key, v in settings.items()]
        files.append(directory / f"{name}.toml")
        files[-1].write_text(text.replace(LOCAL_BACKEND, "[backend]\n" + "\n".join(lines) + "\n"))
    return files


@pytest.fixture(scope="module")
def synthesized(config_files, tmp_path_factory) -> Path:
    """Every backend synthesized by main.py, as `cdktf synth` runs it."""
    outdir = tmp_path_factory.mktemp("synth-with-secrets")
    synth_with_fake_secrets([sys.executable, "main.py"], config_files, outdir)
    return outdir


def test_main_synthesizes_one_stack_per_backend_for_the_scan(synthesized):
    backends = {
        path.parent.name: backend_type(json.loads(path.read_text())) for path in synthesized.rglob("cdk.tf.json")
    }
    assert backends == {
        "fargate-batch-dev": "local",
        "fargate-batch-s3": "s3",
        "fargate-batch-cloud-workspace": "cloud",
        "fargate-batch-cloud-tags": "cloud",
    }


def test_no_synthesized_file_holds_a_credential(synthesized):
    assert credentials_in(synthesized) == []


def test_a_construct_that_copies_a_secret_into_a_tag_is_caught(config_files, tmp_path):
    outdir = tmp_path / "out"
    command = [sys.executable, "-m", "tests.security.synth_with_fake_secrets", str(outdir), str(config_files[0])]
    synth_with_fake_secrets([*command, "--copy-into-tag", "AWS_SESSION_TOKEN"], config_files[:1], outdir)
    stack = outdir / "stacks" / "fargate-batch-dev" / "cdk.tf.json"
    assert credentials_in(outdir) == [f"{stack}: holds the value of AWS_SESSION_TOKEN"]
