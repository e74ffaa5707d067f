"""The HCL export validates, plans exactly like the synthesized JSON, and keeps checkov's skips."""

from __future__ import annotations

import json
import subprocess

import pytest

from fargate_batch.hcl_export import export_stacks
from fargate_batch.plan_report.runner import plan_stack
from fargate_batch.security_scan import OFFLINE_ENVIRONMENT, checkov_binary
from fargate_batch.terraform_cli import terraform_environment

pytestmark = pytest.mark.terraform


@pytest.fixture(scope="module")
def aws_export(aws_synth, tmp_path_factory):
    _, stack_dir = aws_synth
    out = tmp_path_factory.mktemp("hcl-aws")
    work = tmp_path_factory.mktemp("hcl-aws-work")
    (directory,) = export_stacks({stack_dir.name: stack_dir}, out, work).values()
    return directory, work


def run(args, cwd, env):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_export_is_one_main_tf_per_stack_without_json(aws_export):
    directory, _ = aws_export
    assert sorted(p.name for p in directory.iterdir()) == ["main.tf"]
    assert 'resource "aws_sfn_state_machine"' in (directory / "main.tf").read_text()


def test_export_is_valid_terraform_for_the_real_provider(aws_export):
    directory, work = aws_export
    env = terraform_environment(work)
    init = run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], directory, env)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = run(["terraform", "validate", "-json", "-no-color"], directory, env)
    assert json.loads(validate.stdout)["valid"] is True, validate.stdout
    assert json.loads(validate.stdout)["warning_count"] == 0, validate.stdout


def test_checkov_reads_the_exported_skip_comments_natively(aws_export, synthesized):
    from fargate_batch.checkov_skips import recorded_skips

    directory, _ = aws_export
    result = run(
        [checkov_binary(), "-d", str(directory), "--framework", "terraform", "-o", "json", "--skip-path", ".terraform"],
        directory,
        {**OFFLINE_ENVIRONMENT, "PATH": "/usr/bin:/bin"},
    )
    summary = json.loads(result.stdout)["summary"]
    assert summary["failed"] == 0, result.stdout[-3000:]
    assert summary["skipped"] == len(recorded_skips(synthesized))


@pytest.mark.emulator
def test_export_plans_exactly_like_the_synthesized_json(local_plan, tmp_path):
    (directory,) = export_stacks({local_plan.stack_dir.name: local_plan.stack_dir}, tmp_path / "hcl", tmp_path).values()
    hcl_plan = plan_stack(directory, tmp_path)

    def changes(plan):
        return {
            c["address"]: (c["change"]["actions"], c["change"]["after"], c["change"]["after_unknown"])
            for c in plan["resource_changes"]
        }

    json_changes, hcl_changes = changes(local_plan.plan), changes(hcl_plan)
    assert sorted(hcl_changes) == sorted(json_changes)
    different = [address for address in json_changes if json_changes[address] != hcl_changes[address]]
    assert different == []
    assert hcl_plan["output_changes"] == local_plan.plan["output_changes"]
