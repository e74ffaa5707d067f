"""plan-report.md rendered from a real plan of the dev stack on the local emulator."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta

import pytest

from fargate_batch.plan_report.pricing import PRICES
from fargate_batch.plan_report.render import COMMENT_MARKER, StackInput, render_report, usd
from fargate_batch.security_scan import Finding, ScanResult, SkippedFinding

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
CLEAN_SCAN = ScanResult(
    "terraform_plan",
    passed=10,
    failed=(),
    skipped=(SkippedFinding("CKV_AWS_18", "S3 logging", "aws_s3_bucket.b", "a reason that says why not"),),
    checkov_version="3.3.30",
)


def render(local_plan, dev_config, plan=None, scans=(CLEAN_SCAN,)):
    stack = StackInput("fargate-batch-dev", dev_config, local_plan.synthesized, plan or local_plan.plan, scans)
    return render_report([stack], now=NOW, target="local emulator")


@pytest.fixture(scope="module")
def report(local_plan, dev_config):
    return render(local_plan, dev_config)


def section(report: str, title: str) -> str:
    start = report.index(f"### {title}")
    end = report.find("\n### ", start + 1)
    return report[start : end if end != -1 else None]


def test_report_starts_with_the_marker_the_workflow_updates_its_comment_by(report):
    assert report.startswith(COMMENT_MARKER + "\n# Plan review")


def test_plan_line_counts_every_create_of_the_plan(report, local_plan):
    creates = sum(
        1
        for c in local_plan.plan["resource_changes"]
        if c["mode"] == "managed" and c["change"]["actions"] == ["create"]
    )
    assert f"**Plan: {creates} to add, 0 to change, 0 to destroy.**" in report
    assert "[!WARNING]" not in report


def test_destroy_and_replace_get_a_warning_block_naming_each_resource(local_plan, dev_config):
    plan = copy.deepcopy(local_plan.plan)
    changes = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    repository = next(c for c in changes if c["type"] == "aws_ecr_repository")
    queue = next(c for c in changes if c["type"] == "aws_sqs_queue")
    repository["change"]["actions"] = ["delete", "create"]
    repository["action_reason"] = "replace_because_cannot_update"
    queue["change"]["actions"] = ["delete"]
    text = render(local_plan, dev_config, plan=plan)
    warning = [line for line in text.splitlines() if line.startswith(">")]
    assert warning[:2] == ["> [!WARNING]", "> This plan destroys or replaces 2 resource(s):"]
    assert f"> - **replace** `{repository['address']}` (replace because cannot update)" in warning
    assert f"> - **delete** `{queue['address']}`" in warning


def test_one_mermaid_flowchart_per_pipeline_trigger_and_activity(report, dev_config):
    workflows = section(report, "Workflows")
    charts = re.findall(r"```mermaid\nflowchart LR\n(.*?)```", workflows, re.S)
    expected = len(dev_config.pipelines) + len(dev_config.triggers) + len(dev_config.activities)
    assert len(charts) == expected
    assert "#### pipeline daily-report" in workflows
    assert "cron(0 10 * * ? *)<br/>Asia/Tokyo" in charts[0]


def test_schedule_table_lists_the_next_five_times_in_the_schedules_time_zone(report):
    (row,) = [line for line in section(report, "Schedules").splitlines() if line.startswith("| daily-report")]
    expected = [f"2026-11-{23 + day} 10:00 JST" for day in range(5)]
    assert re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d JST", row) == expected


def test_pipeline_cost_is_its_steps_fargate_seconds_plus_its_transitions(report, dev_config):
    pipeline = dev_config.pipelines[0]
    vcpu, gb = dev_config.container.cpu / 1024, dev_config.container.memory_mib / 1024
    fargate = sum(
        max(s.expected_duration_seconds, 60) * (vcpu * 0.04048 + gb * 0.004445) / 3600 for s in pipeline.steps
    )
    per_run = fargate + 4 * 0.025 / 1000
    (row,) = [line for line in section(report, "Estimated cost").splitlines() if "| pipeline daily-report" in line]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:5] == [usd(per_run), "4", "30", usd(per_run * 30)]


def test_activity_workers_cost_a_month_of_an_always_on_service(report, dev_config):
    activity = dev_config.activities[0]
    vcpu, gb = dev_config.container.cpu / 1024, dev_config.container.memory_mib / 1024
    monthly = (
        activity.worker_desired_count * 720 * (vcpu * PRICES.fargate_vcpu_hour_usd + gb * PRICES.fargate_gb_hour_usd)
    )
    (row,) = [line for line in section(report, "Estimated cost").splitlines() if "| activity hello-world" in line]
    assert usd(monthly) in row


def test_prices_name_their_region_date_and_sources(report):
    cost = section(report, "Estimated cost")
    assert f"Prices: {PRICES.region}, Linux/x86 on demand, as of {PRICES.as_of}" in cost
    assert all(url in cost for url in PRICES.sources)
    assert "The stack deploys to ap-northeast-1" in cost


def test_security_section_shows_counts_and_skip_reasons(report):
    security = section(report, "Security scan")
    assert re.search(r"\| terraform_plan \|\s+10 \|\s+0 \|\s+1 \|", security)
    assert "a reason that says why not" in security
    assert "[!CAUTION]" not in security


def test_failed_checks_are_called_out(local_plan, dev_config):
    failing = ScanResult("terraform_json", 1, (Finding("CKV_AWS_1", "a check", "resource.x"),), (), checkov_version="3")
    assert "> - `CKV_AWS_1` resource.x (terraform_json): a check" in render(local_plan, dev_config, scans=(failing,))


def test_tables_line_up_in_a_terminal(report):
    lines = report.splitlines()
    tables, current = [], []
    for line in lines:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    assert len(tables) >= 4
    for rows in tables:
        assert len({len(row) for row in rows}) == 1, rows[0]


def test_schedules_are_previewed_from_now_not_from_a_fixed_date(local_plan, dev_config):
    later = render_report(
        [StackInput("s", dev_config, local_plan.synthesized, local_plan.plan)],
        now=NOW + timedelta(days=10),
        target="t",
    )
    assert "2026-12-03 10:00 JST" in later
    assert "2026-11-23 10:00 JST" not in later
