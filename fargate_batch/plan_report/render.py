"""plan-report.md from plans, synthesized stacks, configurations and scan results: a pure function.

The Markdown is meant for a pull-request comment (GitHub renders the Mermaid blocks and the warning
alert) and stays readable as plain text in a terminal: tables are padded, nothing needs a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fargate_batch.alert_delivery import alert_delivery
from fargate_batch.config.schema import ProjectConfig
from fargate_batch.plan_report.attribute_diff import relevant_drift, render_resource
from fargate_batch.plan_report.fixed_costs import fixed_costs
from fargate_batch.plan_report.plan_summary import PlanSummary, resource_kind, summarize_plan
from fargate_batch.plan_report.pricing import PRICES, PriceTable, TaskCost, transitions_usd
from fargate_batch.plan_report.schedules import MONTH, ScheduleExpressionError, next_fire_times, runs_in_window
from fargate_batch.plan_report.workflows import Workflow, mermaid, workflows
from fargate_batch.security_scan import ScanResult

COMMENT_MARKER = "<!-- fargate-batch:plan-report -->"
DEFAULT_STEP_SECONDS = 60  # StepConfig's default; triggers have no expected duration in the configuration
HOURS_PER_MONTH = MONTH.total_seconds() / 3600


@dataclass(frozen=True)
class StackInput:
    """Everything the report says about one stack."""

    name: str
    config: ProjectConfig
    synthesized: dict  # cdk.tf.json
    plan: dict  # terraform show -json
    scans: tuple[ScanResult, ...] = ()


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> list[str]:
    """A Markdown table padded to line up in a terminal; ``align`` has one ``l``/``r`` per column."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    align = align or "l" * len(headers)

    def line(row: list[str]) -> str:
        padded = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, align, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if a == "r" else ("-" * (w + 2)) for w, a in zip(widths, align, strict=True))
        + "|"
    )
    return [line(cells[0]), rule, *(line(row) for row in cells[1:])]


def usd(value: float) -> str:
    """Dollars with as many decimals as a small amount needs: $17.77, $0.0400, $0.000025."""
    if value >= 1:
        return f"${value:,.2f}"
    if value >= 0.01 or value == 0:
        return f"${value:.4f}"
    return f"${value:.6f}".rstrip("0")


def _plan_section(summary: PlanSummary) -> list[str]:
    out = [f"**{summary.line}**", ""]
    destructive = summary.destructive
    if destructive:
        out += ["> [!WARNING]", f"> This plan destroys or replaces {len(destructive)} resource(s):"]
        for change in destructive:
            why = f" ({change.reason.replace('_', ' ')})" if change.reason else ""
            out.append(f"> - **{change.kind}** `{change.address}`{why}")
        out.append("")
    by_type = summary.by_type()
    if by_type:
        rows = [
            (type_, counts["create"], counts["update"], counts["replace"], counts["delete"])
            for type_, counts in by_type.items()
        ]
        out += ["<details><summary>Changes by resource type</summary>", ""]
        out += table(("resource type", "add", "change", "replace", "destroy"), rows, "lrrrr")
        out += ["", "</details>", ""]
    return out


def _attribute_section(plan: dict) -> list[str]:
    """One collapsed diff per updated or replaced resource; creates and destroys are whole resources."""
    changed = [
        (change, kind)
        for change in plan.get("resource_changes", [])
        if change.get("mode", "managed") == "managed"
        and (kind := resource_kind(change["change"]["actions"])) in ("update", "replace")
    ]
    if not changed:
        return []
    out = [f"### Attribute changes: {len(changed)} resource(s) changed in place or replaced", ""]
    for change, kind in changed:
        out += render_resource(change, kind)
    return out


def _drift_section(plan: dict) -> list[str]:
    """``resource_drift``: what refresh found changed outside Terraform (Terraform prints it before the plan)."""
    drifted = relevant_drift(plan)
    if not drifted:
        return []
    out = [
        f"### Changes outside Terraform: {len(drifted)} resource(s)",
        "",
        "Refresh found these objects changed since the last apply, in attributes the plan depends on "
        "(as Terraform shows them, from `relevant_attributes`); the plan above undoes or builds on them.",
        "",
    ]
    for change, attributes in drifted:
        out += render_resource(change, resource_kind(change["change"]["actions"]), attributes)
    return out


def _schedule_rows(config: ProjectConfig, flows: list[Workflow], now: datetime) -> list[tuple]:
    rows = []
    for flow in flows:
        if flow.schedule is None:
            continue
        expression = flow.schedule["schedule_expression"]
        zone = flow.schedule.get("schedule_expression_timezone", "UTC")
        state = flow.schedule.get("state", "ENABLED")
        try:
            fires = next_fire_times(expression, zone, now)
            times = ", ".join(t.strftime("%Y-%m-%d %H:%M %Z") for t in fires.times) or "none"
            if fires.note:
                times += f" ({fires.note})"
        except ScheduleExpressionError as error:
            times = f"cannot preview: {error}"
        rows.append((flow.name, f"`{expression}`", zone, state, times))
    return rows


def _runs_per_month(flow: Workflow, now: datetime) -> tuple[int | None, str]:
    if flow.kind != "pipeline":
        return None, "per upload" if flow.kind == "trigger" else "per job"
    if flow.schedule is None:
        return None, "on demand"
    if flow.schedule.get("state", "ENABLED") != "ENABLED":
        return 0, "schedule disabled"
    expression = flow.schedule["schedule_expression"]
    zone = flow.schedule.get("schedule_expression_timezone", "UTC")
    try:
        return runs_in_window(expression, zone, now), f"`{expression}` in 30 days"
    except ScheduleExpressionError as error:
        return None, str(error)


def _expected_seconds(config: ProjectConfig, flow: Workflow, step: str) -> tuple[int, bool]:
    """(seconds, assumed): the configured expected duration of a pipeline step, else the default."""
    if flow.kind == "pipeline":
        pipeline = next(p for p in config.pipelines if p.name == flow.name)
        configured = next((s for s in pipeline.steps if s.name == step), None)
        if configured is not None:
            return configured.expected_duration_seconds, False
    return DEFAULT_STEP_SECONDS, True


def _cost_section(
    config: ProjectConfig, synthesized: dict, flows: list[Workflow], now: datetime, prices: PriceTable
) -> list[str]:
    summary_rows = []
    detail: list[str] = []
    runs_total = 0.0
    for flow in flows:
        runs: list[TaskCost] = []
        step_rows = []
        for task_run in flow.task_runs:
            seconds, assumed = _expected_seconds(config, flow, task_run.step)
            cost = TaskCost(task_run.size, seconds, prices)
            runs.append(cost)
            step_rows.append(
                (
                    task_run.step,
                    str(task_run.size),
                    f"{seconds}{' (assumed)' if assumed else ''}",
                    cost.billed_seconds,
                    f"{cost.vcpu_seconds:g}",
                    f"{cost.gb_seconds:g}",
                    usd(cost.usd),
                )
            )
        fargate = sum(r.usd for r in runs)
        transitions = transitions_usd(flow.transitions_per_run, prices)
        per_run = fargate + transitions
        monthly_runs, basis = _runs_per_month(flow, now)
        monthly = per_run * monthly_runs if monthly_runs is not None else None
        runs_total += monthly or 0.0
        summary_rows.append(
            (
                f"{flow.kind} {flow.name}",
                usd(per_run),
                flow.transitions_per_run,
                monthly_runs if monthly_runs is not None else "–",
                usd(monthly) if monthly is not None else "–",
                basis,
            )
        )
        if step_rows:
            detail += [
                f"{flow.kind} **{flow.name}**: {flow.transitions_per_run} state transitions per run "
                f"({usd(transitions)}), Fargate per run {usd(fargate)}",
                "",
            ]
            detail += table(
                ("step", "task size", "expected s", "billed s", "vCPU-s", "GB-s", "Fargate"), step_rows, "llrrrrr"
            )
            detail.append("")
    fixed = fixed_costs(synthesized, flows, HOURS_PER_MONTH, prices)
    fixed_total = sum(f.usd_per_30_days for f in fixed)
    out = ["Per run:", ""]
    out += table(
        ("workflow", "per run", "transitions/run", "runs/30 days", "per 30 days", "basis"),
        summary_rows,
        "lrrrrl",
    )
    out += ["", "<details><summary>Per step</summary>", "", *detail, "</details>", ""]
    if fixed:
        out += [f"Fixed, whether or not anything runs (30 days = {HOURS_PER_MONTH:g} h):", ""]
        out += table(
            ("fixed cost", "quantity", f"unit price ({prices.region})", "per 30 days", "source"),
            [(f.item, f.quantity, f.unit_price, usd(f.usd_per_30_days), f.source) for f in fixed],
            "lllrl",
        )
        out.append("")
    out += [
        f"**Total per 30 days: {usd(runs_total + fixed_total)}** = {usd(runs_total)} scheduled runs + "
        f"{usd(fixed_total)} fixed (uploads and activity jobs are per event, above).",
        "",
    ]
    sources = "; ".join(f"{s.url} ({s.covers}, read {s.as_of})" for s in prices.sources)
    out += [
        f"Prices: {prices.region}, Linux/x86 on demand: Fargate "
        f"${prices.fargate_vcpu_hour_usd} per vCPU-hour and ${prices.fargate_gb_hour_usd} per GB-hour, billed per "
        f"second with a {prices.fargate_minimum_billed_seconds} s minimum; Step Functions Standard "
        f"${prices.state_transition_usd * 1000:g} per 1,000 state transitions (first "
        f"{prices.free_state_transitions_per_month:,} a month free, not deducted); interface endpoints "
        f"${prices.interface_endpoint_az_hour_usd:g} per endpoint per AZ-hour; NAT gateways "
        f"${prices.nat_gateway_hour_usd:g} per hour with ${prices.public_ipv4_hour_usd:g} per public IPv4 "
        f"address-hour; KMS ${prices.kms_key_month_usd:g} "
        f"per key-month. Sources: {sources}.",
    ]
    if config.region != prices.region:
        out.append(f"The stack deploys to {config.region}; its prices differ from {prices.region}'s.")
    out += [
        "Transitions count the states a successful run visits in the parent and in every child execution; "
        "retries add more. Not included: data processed through the interface endpoints "
        f"(${prices.interface_endpoint_gb_usd:g} per GB) and by NAT gateways (${prices.nat_gateway_gb_usd:g} per GB), "
        f"KMS requests (${prices.kms_requests_per_10k_usd:g} per "
        "10,000 beyond 20,000 free a month) and key rotations, CloudWatch Logs, ECR storage, data transfer, "
        "free tiers.",
        "",
    ]
    return out


def _alerts_section(config: ProjectConfig) -> list[str]:
    """Where failure alerts go once deployed, and a warning when they would reach nobody."""
    delivery = alert_delivery(config)
    headline, *rest = delivery.lines()
    out = [f"{headline} (stack output `alert-topic-arn`).", ""]
    if delivery.warning:
        out += ["> [!WARNING]", f"> {delivery.warning}.", ""]
    else:
        out += [f"Note: {line}." for line in rest] + [""]
    return out


def _scan_section(scans: Sequence[ScanResult]) -> list[str]:
    if not scans:
        return ["Not run.", ""]
    rows = [(s.framework, s.passed, len(s.failed), len(s.skipped)) for s in scans]
    out = table(("checkov " + scans[0].checkov_version, "passed", "failed", "skipped"), rows, "lrrr")
    out.append("")
    failures = [(s.framework, f) for s in scans for f in s.failed]
    if failures:
        out += ["> [!CAUTION]", f"> {len(failures)} failed check(s):"]
        out += [f"> - `{f.check_id}` {f.resource} ({framework}): {f.check_name}" for framework, f in failures]
        out.append("")
    reasons: dict[tuple[str, str], list[str]] = {}
    for scan in scans:
        for skip in scan.skipped:
            # terraform_json and terraform_plan name a resource differently; its logical name is the same.
            reasons.setdefault((skip.check_id, skip.reason), []).append(skip.resource.rsplit(".", 1)[-1])
    if reasons:
        out += ["<details><summary>Skipped checks and why</summary>", ""]
        out += table(
            ("check", "where", "reason"),
            [(check, f"{len(set(where))} resource(s)", reason) for (check, reason), where in sorted(reasons.items())],
        )
        out += ["", "</details>", ""]
    return out


def render_report(
    stacks: Sequence[StackInput], *, now: datetime, target: str, prices: PriceTable = PRICES, base: str = ""
) -> str:
    """The whole report. ``now`` anchors the schedule previews and the 30-day window; ``base`` is the one
    line saying which revision the plan starts from (the emulator only)."""
    out = [COMMENT_MARKER, "# Plan review", ""]
    versions = {summarize_plan(s.plan).terraform_version for s in stacks} - {""}
    out += [
        f"Target: {target}. Generated {now:%Y-%m-%d %H:%M %Z}"
        + (f" with Terraform {', '.join(sorted(versions))}." if versions else "."),
        "",
    ]
    if base:
        out += [base, ""]
    for stack in stacks:
        summary = summarize_plan(stack.plan)
        flows = workflows(stack.config, stack.synthesized)
        out += [f"## Stack `{stack.name}`", ""]
        out += _plan_section(summary)
        out += _attribute_section(stack.plan)
        out += _drift_section(stack.plan)
        out += ["### Workflows", ""]
        for flow in flows:
            out += [f"#### {flow.kind} {flow.name}", "", "```mermaid", mermaid(flow), "```", ""]
        schedule_rows = _schedule_rows(stack.config, flows, now)
        if schedule_rows:
            out += ["### Schedules: next 5 fire times", ""]
            out += table(
                ("pipeline", "expression", "time zone", "state", "next fire times (schedule's time zone)"),
                schedule_rows,
            )
            out.append("")
        out += ["### Alerts", ""]
        out += _alerts_section(stack.config)
        out += ["### Estimated cost", ""]
        out += _cost_section(stack.config, stack.synthesized, flows, now, prices)
        out += ["### Security scan", ""]
        out += _scan_section(stack.scans)
    return "\n".join(out).rstrip() + "\n"
