"""End to end: `make plan-report PLAN_BASE=HEAD~1` after a commit that removes the S3 trigger and edits a step's
command shows Terraform's plan of that change: the destroys, the warning naming them, the edited command.

Built in a temporary repository holding the working tree's files, so no branch of this checkout is touched.
Real git worktree for the base, real synth of each revision by its own code, real terraform apply and plan
on the real emulator (several minutes).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fargate_batch.plan_report.runner import main

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

REPO_ROOT = Path(__file__).resolve().parents[2]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=test@example.com", "-c", "user.name=test", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def copy_of_the_working_tree(destination: Path) -> Path:
    """A new repository whose first commit is this checkout's files as they are now (the code under test)."""
    listed = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git(destination, "init", "-q", "-b", "feature")
    git(destination, "add", "-A")
    git(destination, "commit", "-qm", "base")
    return destination


def remove_trigger_and_edit_command(config: Path) -> None:
    text = config.read_text()
    trigger = re.search(r"\n# Seed 003.*?\n(?=# Seed 002)", text, re.S)
    assert trigger and "[[triggers]]" in trigger.group(0)
    text = text.replace(trigger.group(0), "\n")
    assert 'command = ["echo", "from1", "object1"]' in text
    config.write_text(text.replace('command = ["echo", "from1", "object1"]', 'command = ["echo", "from1", "edited"]'))


@pytest.fixture(scope="module")
def change(tmp_path_factory):
    repo = copy_of_the_working_tree(tmp_path_factory.mktemp("clone"))
    remove_trigger_and_edit_command(repo / "config" / "dev.toml")
    git(repo, "commit", "-qam", "Remove the S3 trigger, edit the extract step's command")
    with pytest.MonkeyPatch.context() as environment:
        environment.chdir(repo)
        environment.setenv("PLAN_BASE", "HEAD~1")
        environment.delenv("FARGATE_BATCH_TARGET", raising=False)
        environment.delenv("FARGATE_BATCH_CONFIG", raising=False)
        code = main(["--output", str(repo / "plan-report.md")])
    plan = json.loads((repo / ".local/plan-report/cdktf.out/stacks/fargate-batch-dev/plan.json").read_text())
    return repo, code, (repo / "plan-report.md").read_text(), plan


def actions(plan, wanted):
    return [c for c in plan["resource_changes"] if c["mode"] == "managed" and c["change"]["actions"] == wanted]


def test_the_report_says_which_base_it_planned_from(change):
    repo, code, report, _ = change
    assert code == 0
    base = git(repo, "rev-parse", "HEAD~1").strip()
    assert f"Base: `HEAD~1` ({base[:12]}) synthesized by its own code and applied to the emulator first" in report
    assert len(git(repo, "worktree", "list").splitlines()) == 1  # the base's worktree is gone


def test_the_plan_line_counts_the_trigger_destroys_and_nothing_new(change):
    _, _, report, plan = change
    deleted = actions(plan, ["delete"])
    assert actions(plan, ["create"]) == [] and actions(plan, ["delete", "create"]) == []
    deleted_types = {c["type"] for c in deleted}
    # What an S3 trigger is made of: the EventBridge rule and target, its state machines, its task definition.
    assert {"aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_ecs_task_definition"} <= deleted_types
    machines = [c["change"]["before"]["name"] for c in deleted if c["type"] == "aws_sfn_state_machine"]
    assert machines and all("trigger-target-files" in name for name in machines)
    updated = actions(plan, ["update"])
    assert f"**Plan: 0 to add, {len(updated)} to change, {len(deleted)} to destroy.**" in report


def test_the_warning_names_every_destroy(change):
    _, _, report, plan = change
    warning = [line for line in report.splitlines() if line.startswith(">")]
    deleted = actions(plan, ["delete"])
    assert f"> This plan destroys or replaces {len(deleted)} resource(s):" in warning
    for resource in deleted:
        assert f"> - **delete** `{resource['address']}` (delete because no resource config)" in warning


def test_the_attribute_diff_shows_the_edited_command(change):
    _, _, report, plan = change
    (pipeline,) = [
        c
        for c in actions(plan, ["update"])
        if c["type"] == "aws_sfn_state_machine" and c["change"]["after"]["name"] == "fargate-batch-dev-daily-report"
    ]
    attributes = report[report.index("### Attribute changes") :]
    start = attributes.index(f"<code>{pipeline['address']}</code>")
    block = attributes[start : attributes.index("</details>", start)]
    diff = block[block.index("```diff") :]
    assert re.search(r'^-\s+"object1"$', diff, re.M)
    assert re.search(r'^\+\s+"edited"$', diff, re.M)
