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
    # The one warning block is the alerts one (dev has no subscriber): none about destroying anything.
    assert "destroys or replaces" not in report
    assert report.count("[!WARNING]") == 1


def test_alerts_section_warns_that_the_dev_stacks_alerts_reach_nobody(report):
    alerts = section(report, "Alerts")
    assert "SNS topic fargate-batch-dev-alerts, with no subscriber in the configuration" in alerts
    assert "> [!WARNING]\n> alerts reach nobody: add [alerts] email_subscriptions or subscribe the topic" in alerts


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
    # Transitions: the overlap guard's 2 states, 2 steps and each step's child state.
    per_run = fargate + 6 * 0.025 / 1000
    (row,) = [line for line in section(report, "Estimated cost").splitlines() if "| pipeline daily-report" in line]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:5] == [usd(per_run), "6", "30", usd(per_run * 30)]


def worker_monthly(dev_config) -> float:
    activity = dev_config.activities[0]
    vcpu, gb = dev_config.container.cpu / 1024, dev_config.container.memory_mib / 1024
    return activity.worker_desired_count * 720 * (vcpu * 0.04048 + gb * 0.004445)


def fixed_rows(report) -> dict[str, list[str]]:
    lines = section(report, "Estimated cost").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| fixed cost"))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells
    return rows


def test_activity_workers_cost_a_month_of_an_always_on_service_in_the_fixed_costs(report, dev_config):
    rows = fixed_rows(report)
    (worker,) = [cells for item, cells in rows.items() if item == "worker service fargate-batch-dev-worker-hello-world"]
    assert worker[3] == usd(worker_monthly(dev_config))
    (row,) = [line for line in section(report, "Estimated cost").splitlines() if "| activity hello-world" in line]
    assert "per job" in row and usd(worker_monthly(dev_config)) not in row  # counted once, as a fixed cost


def test_interface_endpoints_are_priced_per_endpoint_per_az_hour(report, synthesized):
    all_endpoints = synthesized["resource"]["aws_vpc_endpoint"].values()
    endpoints = [e for e in all_endpoints if e["vpc_endpoint_type"] == "Interface"]
    pairs = sum(len(e["subnet_ids"]) for e in endpoints)
    assert (len(endpoints), pairs) == (4, 8)  # ecr.api, ecr.dkr, logs, states in the dev stack's 2 AZs
    (row,) = [cells for item, cells in fixed_rows(report).items() if item.startswith("VPC interface endpoints")]
    assert row[0] == "VPC interface endpoints (ecr.api, ecr.dkr, logs, states)"
    assert row[1] == "4 × 2 AZ × 720 h"
    assert row[3] == usd(8 * 720 * 0.01) == "$57.60"
    assert row[4] == "https://aws.amazon.com/privatelink/pricing/"


def test_the_kms_key_costs_a_dollar_a_month(report):
    assert fixed_rows(report)["KMS customer managed key"][1:4] == ["1 key", "$1 per key-month", "$1.00"]


def test_total_is_scheduled_runs_plus_fixed_costs(report, dev_config):
    pipeline = dev_config.pipelines[0]
    vcpu, gb = dev_config.container.cpu / 1024, dev_config.container.memory_mib / 1024
    per_run = (
        sum(max(s.expected_duration_seconds, 60) * (vcpu * 0.04048 + gb * 0.004445) / 3600 for s in pipeline.steps)
        + 6 * 0.025 / 1000
    )
    runs = per_run * 30
    fixed = 57.60 + 1.0 + worker_monthly(dev_config)
    assert f"**Total per 30 days: {usd(runs + fixed)}** = {usd(runs)} scheduled runs + {usd(fixed)} fixed" in report


def test_prices_name_their_region_dates_and_sources(report):
    cost = section(report, "Estimated cost")
    assert f"Prices: {PRICES.region}, Linux/x86 on demand" in cost
    assert f"unit price ({PRICES.region})" in cost
    assert all(f"{s.url} ({s.covers}, read {s.as_of})" in cost for s in PRICES.sources)
    assert "The stack deploys to ap-northeast-1" in cost


def test_security_section_shows_counts_and_skip_reasons(report):
    security = section(report, "Security scan")
    assert re.search(r"\| terraform_plan \|\s+10 \|\s+0 \|\s+1 \|", security)
    assert "a reason that says why not" in security
    assert "[!CAUTION]" not in security


def test_failed_checks_are_called_out(local_plan, dev_config):
    failing = ScanResult("terraform_json", 1, (Finding("CKV_AWS_1", "a check", "resource.x"),), (), checkov_version="3")
    assert "> - `CKV_AWS_1` resource.x (terraform_json): a check" in render(local_plan, dev_config, scans=(failing,))


def test_updates_get_a_collapsed_attribute_diff_and_creates_do_not(local_plan, dev_config):
    plan = copy.deepcopy(local_plan.plan)
    changes = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    topic = next(c for c in changes if c["type"] == "aws_sns_topic")
    topic["change"]["actions"] = ["update"]
    topic["change"]["before"] = {**topic["change"]["after"], "display_name": "old name"}
    topic["change"]["after"] = {**topic["change"]["after"], "display_name": "new name"}
    topic["change"]["after_unknown"] = {}  # an update of an existing topic: every other value is known
    text = render(local_plan, dev_config, plan=plan)
    attributes = section(text, "Attribute changes")
    assert attributes.count("<details>") == 1
    assert f"<code>~</code> update <code>{topic['address']}</code>: 1 attribute" in attributes
    assert '- `display_name`: `"old name"` → `"new name"`' in attributes
    assert "### Attribute changes" not in render(local_plan, dev_config)  # every change is a create


def test_changes_outside_terraform_get_their_own_section_when_the_plan_depends_on_them(local_plan, dev_config):
    plan = copy.deepcopy(local_plan.plan)
    queue = next(c for c in plan["resource_changes"] if c["type"] == "aws_sqs_queue")
    plan["resource_drift"] = [
        {
            "address": queue["address"],
            "mode": "managed",
            "type": "aws_sqs_queue",
            "change": {
                "actions": ["update"],
                "before": {"delay_seconds": 0, "tags": None},
                "after": {"delay_seconds": 30, "tags": {}},
            },
        }
    ]
    # Terraform shows drift only in attributes that contributed to the plan (relevant_attributes).
    plan["relevant_attributes"] = [{"resource": queue["address"], "attribute": ["delay_seconds"]}]
    drift = section(render(local_plan, dev_config, plan=plan), "Changes outside Terraform")
    assert "1 resource(s)" in drift and "- `delay_seconds`: `0` → `30`" in drift
    assert "`tags`" not in drift  # null → {} is a provider's normalization, not a change
    plan["relevant_attributes"] = [{"resource": queue["address"], "attribute": ["arn"]}]
    assert "### Changes outside Terraform" not in render(local_plan, dev_config, plan=plan)
    assert "### Changes outside Terraform" not in render(local_plan, dev_config)


def test_the_base_line_follows_the_target_line(local_plan, dev_config):
    stack = StackInput("fargate-batch-dev", dev_config, local_plan.synthesized, local_plan.plan)
    text = render_report([stack], now=NOW, target="local emulator", base="No base: PLAN_BASE=none; planned from empty.")
    lines = text.splitlines()
    assert lines[lines.index("No base: PLAN_BASE=none; planned from empty.") - 2].startswith("Target: local emulator")


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
