"""The pull-request workflow: installs like the README, comments once, applies the reviewed plan, no AWS keys."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "plan.yml"


@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load(WORKFLOW.read_text())


def run_lines(job) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_pull_requests_install_like_the_readme_and_run_make_plan_report(workflow):
    plan = workflow["jobs"]["plan"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    commands = "\n".join(run_lines(plan))
    assert "make install" in commands
    assert "make plan-report" in commands


def test_one_comment_is_found_by_the_reports_marker_and_updated(workflow):
    script = next(
        s["with"]["script"] for s in workflow["jobs"]["plan"]["steps"] if "github-script" in s.get("uses", "")
    )
    assert "<!-- fargate-batch:plan-report -->" in script
    assert "updateComment" in script and "createComment" in script


def test_jobs_get_only_the_permissions_they_use(workflow):
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["plan"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "id-token": "write",
    }
    assert workflow["jobs"]["apply"]["permissions"] == {
        "contents": "read",
        "actions": "read",
        "pull-requests": "read",
        "id-token": "write",
    }


def test_aws_access_is_oidc_only(workflow):
    text = WORKFLOW.read_text()
    assert "AWS_ACCESS_KEY_ID" not in text and "aws-secret-access-key" not in text and "secrets." not in text
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "configure-aws-credentials" in step.get("uses", ""):
                assert set(step["with"]) == {"role-to-assume", "aws-region", "role-session-name"}


def test_apply_runs_only_on_main_for_aws_and_applies_the_saved_plan(workflow):
    apply = workflow["jobs"]["apply"]
    assert "refs/heads/main" in apply["if"] and "vars.FARGATE_BATCH_TARGET == 'aws'" in apply["if"]
    assert "vars.APPLY_MODE != 'terraform-cloud'" in apply["if"]
    (command,) = run_lines(apply)
    assert "apply -input=false -no-color plan.tfplan" in command
    assert "plan " not in command.replace("plan.tfplan", "")  # never a fresh, unreviewed plan
