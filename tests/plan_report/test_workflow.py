"""The pull-request workflow, read as YAML: jobs, permissions, pinned actions, caches, the plan of the change,
one comment, the reviewed apply, the drift check, and the API-driven Terraform Cloud flow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

GITHUB = Path(__file__).resolve().parents[2] / ".github"
WORKFLOW = GITHUB / "workflows" / "plan.yml"
INSTALL_ACTION = GITHUB / "actions" / "install" / "action.yml"
TFC = "hashicorp/tfc-workflows-github/actions/"


@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load(WORKFLOW.read_text())


@pytest.fixture(scope="module")
def install_action():
    return yaml.safe_load(INSTALL_ACTION.read_text())


def run_lines(job) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses(job) -> list[str]:
    return [step["uses"] for step in job["steps"] if "uses" in step]


def step_using(job, action: str) -> dict:
    (step,) = [s for s in job["steps"] if s.get("uses", "").startswith(action)]
    return step


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_tag_in_a_comment():
    pinned = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+(\.\d+)*$")
    lines = [
        line
        for path in sorted(GITHUB.rglob("*.yml"))
        for line in path.read_text().splitlines()
        if re.match(r"^\s*(-\s+)?uses:", line)
    ]
    remote = [line for line in lines if "uses: ./" not in line]
    assert len(remote) > 10
    assert [line for line in remote if not pinned.match(line)] == []


def test_dependabot_proposes_action_updates():
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text())
    (update,) = config["updates"]
    assert update["package-ecosystem"] == "github-actions"
    assert "/" in update["directories"] and "/.github/actions/install" in update["directories"]


def test_install_caches_pipenv_npm_jsii_and_terraform_plugins(install_action):
    steps = install_action["runs"]["steps"]
    cached = "\n".join(s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/cache@"))
    for path in (".venv", "~/.cache/pipenv", ".venv-checkov", "~/.cache/aws/jsii/package-cache"):
        assert path in cached
    assert "~/.terraform.d/plugin-cache" in cached
    node = next(s for s in steps if s.get("uses", "").startswith("actions/setup-node@"))
    assert node["with"]["cache"] == "npm"
    plugin_env = next(s["run"] for s in steps if "TF_PLUGIN_CACHE_DIR" in s.get("run", ""))
    # Without it Terraform ignores the cache for stacks that have no lock file yet (every fresh synth).
    assert "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE=true" in plugin_env
    assert steps[-1]["run"] == "make install"


def test_pull_requests_plan_the_change_from_the_base_commit(workflow):
    plan = workflow["jobs"]["plan"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    checkout = step_using(plan, "actions/checkout@")
    assert checkout["with"]["fetch-depth"] >= 2  # the merge commit's first parent is the base commit
    assert "./.github/actions/install" in uses(plan)
    report = next(s for s in plan["steps"] if s.get("id") == "report")
    assert report["env"]["PLAN_BASE"] == "${{ github.event.pull_request.base.sha }}"
    assert "make plan-report" in report["run"]


def test_the_whole_report_goes_to_the_job_summary(workflow):
    (summary,) = [s for s in workflow["jobs"]["plan"]["steps"] if s.get("name") == "Job summary"]
    assert summary["run"].startswith("python -m fargate_batch.plan_report.comment plan-report.md --limit 1000000")
    assert summary["run"].rstrip().endswith('>> "$GITHUB_STEP_SUMMARY"')


def test_one_comment_is_fitted_found_by_the_marker_and_updated(workflow):
    comment = workflow["jobs"]["comment"]
    assert set(comment["needs"]) == {"plan", "terraform-cloud-plan"}
    assert "always()" in comment["if"] and "head.repo.full_name == github.repository" in comment["if"]
    fit = "\n".join(run_lines(comment))
    assert "python -m fargate_batch.plan_report.comment reviewed/plan-report.md --terraform-cloud" in fit
    script = step_using(comment, "actions/github-script@")["with"]["script"]
    assert "<!-- fargate-batch:plan-report -->" in script
    assert "readFileSync('comment.md'" in script
    assert "updateComment" in script and "createComment" in script
    assert ".slice(" not in script  # no cut at an arbitrary offset


def test_jobs_get_only_the_permissions_they_use(workflow):
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {}
    assert jobs["plan"]["permissions"] == {"contents": "read", "id-token": "write"}
    assert jobs["comment"]["permissions"] == {"pull-requests": "write"}
    assert jobs["apply"]["permissions"] == {
        "contents": "read",
        "actions": "read",
        "pull-requests": "read",
        "id-token": "write",
    }
    for name in ("terraform-cloud-workspaces", "terraform-cloud-plan", "terraform-cloud-apply"):
        assert jobs[name]["permissions"] == {"contents": "read"}, name
    # id-token only where configure-aws-credentials runs.
    for name, job in jobs.items():
        oidc = any("configure-aws-credentials" in u for u in uses(job))
        assert (job["permissions"].get("id-token") == "write") == oidc, name


def test_aws_access_is_oidc_only_and_the_only_secret_is_the_terraform_cloud_token(workflow):
    text = WORKFLOW.read_text()
    assert "AWS_ACCESS_KEY_ID" not in text and "aws-secret-access-key" not in text
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"TF_API_TOKEN"}
    for name, job in workflow["jobs"].items():
        if "TF_API_TOKEN" in str(job):
            assert name.startswith("terraform-cloud-"), name
        for step in job["steps"]:
            if "configure-aws-credentials" in step.get("uses", ""):
                assert set(step["with"]) == {"role-to-assume", "aws-region", "role-session-name"}


def test_apply_runs_only_on_main_for_aws_and_applies_the_saved_plan(workflow):
    apply = workflow["jobs"]["apply"]
    assert "refs/heads/main" in apply["if"] and "vars.FARGATE_BATCH_TARGET == 'aws'" in apply["if"]
    assert "vars.APPLY_MODE != 'terraform-cloud'" in apply["if"]
    applied = next(s["run"] for s in apply["steps"] if s.get("name") == "Apply the reviewed plan")
    assert "apply -input=false -no-color plan.tfplan" in applied
    assert "plan " not in applied.replace("plan.tfplan", "")  # never a fresh, unreviewed plan


def test_after_the_apply_a_plan_of_main_must_show_no_changes_naming_the_stack(workflow):
    apply = workflow["jobs"]["apply"]
    names = [s.get("name", "") for s in apply["steps"]]
    assert names.index("Drift check (plan of main must show no changes)") > names.index("Apply the reviewed plan")
    drift = apply["steps"][names.index("Drift check (plan of main must show no changes)")]
    assert "python -m fargate_batch.terraform_runner drift cdktf.out/stacks/*/" in drift["run"]
    # -detailed-exitcode would count the check block's data-source read as a change on every plan.
    assert "-detailed-exitcode" not in drift["run"]


def test_terraform_cloud_pull_requests_upload_a_speculative_configuration_and_plan_only(workflow):
    job = workflow["jobs"]["terraform-cloud-plan"]
    assert "github.event_name == 'pull_request'" in job["if"] and "vars.APPLY_MODE == 'terraform-cloud'" in job["if"]
    assert job["needs"] == "terraform-cloud-workspaces"
    assert job["strategy"]["matrix"] == "${{ fromJSON(needs.terraform-cloud-workspaces.outputs.matrix) }}"
    synth = next(s for s in job["steps"] if s.get("run") == "make synth")
    assert synth["env"]["FARGATE_BATCH_TARGET"] == "aws"  # never the emulator's endpoints
    upload = step_using(job, TFC + "upload-configuration@")
    assert upload["with"] == {
        "workspace": "${{ matrix.workspace }}",
        "directory": "${{ matrix.directory }}",
        "speculative": True,
    }
    run = step_using(job, TFC + "create-run@")
    assert run["with"]["plan_only"] is True
    assert run["with"]["configuration_version"] == "${{ steps.upload.outputs.configuration_version_id }}"
    assert TFC + "plan-output@" in "\n".join(uses(job))
    assert not any(u.startswith(TFC + "apply-run@") for u in uses(job))
    artifact = step_using(job, "actions/upload-artifact@")
    assert artifact["with"]["name"] == "terraform-cloud-plan-${{ matrix.stack }}"
    assert job["env"]["TF_API_TOKEN"] == "${{ secrets.TF_API_TOKEN }}"


def test_terraform_cloud_applies_the_workspace_run_after_merge_then_checks_for_drift(workflow):
    job = workflow["jobs"]["terraform-cloud-apply"]
    assert "refs/heads/main" in job["if"] and "vars.APPLY_MODE == 'terraform-cloud'" in job["if"]
    assert job["environment"] == "production"
    steps = [s.get("uses", "").split("@")[0].removeprefix(TFC) for s in job["steps"]]
    apply_at = steps.index("apply-run")
    assert steps.index("upload-configuration") < steps.index("create-run") < apply_at
    apply = job["steps"][apply_at]
    assert apply["with"]["run"] == "${{ steps.run.outputs.run_id }}"
    assert "IsConfirmable" in apply["if"]
    assert "plan-output" in steps[apply_at:]
    assert "drifted" in job["steps"][-1]["run"] and job["steps"][-1]["run"].rstrip().endswith("exit 1")


def test_workspaces_job_resolves_tf_workspace_through_the_project(workflow):
    job = workflow["jobs"]["terraform-cloud-workspaces"]
    step = next(s for s in job["steps"] if s.get("id") == "workspaces")
    assert "python -m fargate_batch.plan_report.terraform_cloud" in step["run"]
    assert step["env"]["TF_WORKSPACE"] == "${{ vars.TF_WORKSPACE }}"
    assert job["outputs"]["matrix"] == "${{ steps.workspaces.outputs.matrix }}"
