"""The synthesized stack is valid Terraform for the real provider (from the mirror where one exists)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from fargate_batch.terraform_cli import terraform_environment

pytestmark = pytest.mark.terraform


def run_terraform(args, cwd, env):
    return subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def initialized(aws_synth, tmp_path_factory):
    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on PATH; install Terraform 1.11 (see README)")
    _, stack_dir = aws_synth
    env = terraform_environment(tmp_path_factory.mktemp("tf-cli"))
    # validate needs no state: skip the backend so the test never touches one.
    result = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], stack_dir, env)
    assert result.returncode == 0, result.stdout + result.stderr
    return stack_dir, env


def test_synthesized_stack_validates_with_the_real_provider(initialized):
    stack_dir, env = initialized
    result = run_terraform(["validate", "-json", "-no-color"], stack_dir, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"valid": true' in result.stdout


def test_provider_is_hashicorp_aws_5_100_0(initialized):
    stack_dir, env = initialized
    result = run_terraform(["version", "-json"], stack_dir, env)
    assert '"registry.terraform.io/hashicorp/aws": "5.100.0"' in result.stdout
