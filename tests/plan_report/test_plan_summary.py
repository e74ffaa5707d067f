"""Plan counts and the destroy/replace list, from a real `terraform show -json`."""

from __future__ import annotations

import copy

import pytest

from fargate_batch.plan_report.plan_summary import summarize_plan

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]


def managed(plan):
    return [c for c in plan["resource_changes"] if c["mode"] == "managed"]


def test_counts_match_the_plans_actions(local_plan):
    summary = summarize_plan(local_plan.plan)
    creates = sum(1 for c in managed(local_plan.plan) if c["change"]["actions"] == ["create"])
    assert creates > 50
    assert (summary.to_add, summary.to_change, summary.to_destroy) == (creates, 0, 0)
    assert summary.line == f"Plan: {creates} to add, 0 to change, 0 to destroy."
    assert summary.destructive == ()


def test_replace_counts_as_add_and_destroy_and_is_listed_with_its_reason(local_plan):
    plan = copy.deepcopy(local_plan.plan)
    bucket, repository, topic = (
        next(c for c in managed(plan) if c["type"] == t)
        for t in ("aws_s3_bucket", "aws_ecr_repository", "aws_sns_topic")
    )
    bucket["change"]["actions"] = ["delete"]
    repository["change"]["actions"] = ["delete", "create"]
    repository["action_reason"] = "replace_because_cannot_update"
    topic["change"]["actions"] = ["update"]
    summary = summarize_plan(plan)
    creates = sum(1 for c in managed(plan) if c["change"]["actions"] == ["create"])
    assert (summary.to_add, summary.to_change, summary.to_destroy) == (creates + 1, 1, 2)
    assert {(c.kind, c.address, c.reason) for c in summary.destructive} == {
        ("delete", bucket["address"], ""),
        ("replace", repository["address"], "replace_because_cannot_update"),
    }


def test_no_changes_reads_like_terraform(local_plan):
    plan = copy.deepcopy(local_plan.plan)
    for change in managed(plan):
        change["change"]["actions"] = ["no-op"]
    assert summarize_plan(plan).line == "No changes. Your infrastructure matches the configuration."
