"""The fast provider import changes how classes are loaded, never what is synthesized."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

CHILD = REPO_ROOT / "benchmarks" / "synth_child.py"


def synth(tmp_path, stock: bool) -> tuple[bytes, str]:
    """The synthesized stack JSON, and the child's stderr (where Node reports a lazy provider index)."""
    outdir = tmp_path / ("stock" if stock else "fast")
    env = {
        **os.environ,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "FARGATE_BATCH_TARGET": "aws",
        "FARGATE_BATCH_LAZY_INDEX_DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, str(CHILD), *(["--stock"] if stock else []), str(outdir)],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
        text=True,
    )
    return (outdir / "stacks" / "fargate-batch-dev" / "cdk.tf.json").read_bytes(), result.stderr


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("identity")
    return synth(tmp, stock=False), synth(tmp, stock=True)


def test_fast_and_stock_imports_synthesize_byte_identical_json(both):
    (fast, _), (stock, _) = both
    assert fast == stock
    assert "aws_sfn_state_machine" in json.loads(fast)["resource"]


def test_only_the_fast_synth_loads_the_lazy_provider_index(both):
    (_, fast_stderr), (_, stock_stderr) = both
    assert "lazy provider index: @cdktf/provider-aws" in fast_stderr
    assert "lazy provider index" not in stock_stderr


def run_python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={
            **{k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"},
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        },
    ).stdout.strip()


def test_install_replaces_the_package_with_a_lazy_stand_in():
    out = run_python(
        "import os, sys; from fargate_batch import fast_provider_import as f; print(f.install(), f.is_installed());"
        "from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue;"
        "print(sum(m.startswith('cdktf_cdktf_provider_aws.') for m in sys.modules) < 10);"
        "print(os.environ.get('NODE_OPTIONS'))"
    )
    # NODE_OPTIONS carried the Node preload only while jsii started Node: no later child sees it.
    assert out.splitlines() == ["True True", "True", "None"]


def test_load_assemblies_leaves_the_provider_unpacked_and_indexed_in_the_jsii_cache(tmp_path):
    """`make install` runs this so that no synth parses the 120 MB assembly or unpacks the provider."""
    subprocess.run(
        [sys.executable, "-c", "from fargate_batch.fast_provider_import import load_assemblies; load_assemblies()"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=300,
        # A fresh home: jsii's default cache root (~/.cache/aws/jsii/package-cache) starts empty.
        env={**os.environ, "HOME": str(tmp_path), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
    )
    (package_dir,) = (tmp_path / ".cache/aws/jsii/package-cache/@cdktf/provider-aws").glob("*/*/")
    assert (package_dir / "lib" / "index.js").is_file()
    assert (package_dir / ".jsii.runtime.v1.json").is_file()
