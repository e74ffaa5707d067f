"""The fast provider import changes how classes are loaded, never what is synthesized."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

CHILD = REPO_ROOT / "benchmarks" / "synth_child.py"


def synth(tmp_path, stock: bool) -> bytes:
    outdir = tmp_path / ("stock" if stock else "fast")
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "FARGATE_BATCH_TARGET": "aws"}
    subprocess.run(
        [sys.executable, str(CHILD), *(["--stock"] if stock else []), str(outdir)],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (outdir / "stacks" / "fargate-batch-dev" / "cdk.tf.json").read_bytes()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("identity")
    return synth(tmp, stock=False), synth(tmp, stock=True)


def test_fast_and_stock_imports_synthesize_byte_identical_json(both):
    fast, stock = both
    assert fast == stock
    assert "aws_sfn_state_machine" in json.loads(fast)["resource"]


def run_python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
    ).stdout.strip()


def test_install_replaces_the_package_with_a_lazy_stand_in():
    out = run_python(
        "import sys; from fargate_batch import fast_provider_import as f; print(f.install(), f.is_installed());"
        "from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue;"
        "print(sum(m.startswith('cdktf_cdktf_provider_aws.') for m in sys.modules) < 10)"
    )
    assert out.splitlines() == ["True True", "True"]
