"""The run report: readable lines while it works, the same facts as JSON in .local/report.json."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fargate_batch.alert_delivery import AlertDelivery


@dataclass
class StepReport:
    name: str
    status: str
    duration_seconds: float | None
    exit_code: int | None = None
    error: str | None = None
    cause: str | None = None
    attempts: int = 1
    command: list[str] = field(default_factory=list)
    output: str = ""
    # The cost allocation tags the (last) task carries (names.RUN_TAG_KEYS), as ECS reports them.
    tags: dict[str, str] = field(default_factory=dict)
    # Monotonic clock of the agent when the step's (last) task started and stopped, for gap figures.
    task_started: float | None = None
    task_stopped: float | None = None


@dataclass
class ExecutionReport:
    workflow: str
    trigger: str
    execution_arn: str
    status: str
    duration_seconds: float | None
    steps: list[StepReport] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    stack: str
    endpoint: str
    phases: dict[str, float] = field(default_factory=dict)
    executions: list[ExecutionReport] = field(default_factory=list)
    plan_after_apply_has_changes: bool | None = None
    # terraform apply's change summary: {"add": N, "change": N, "remove": N}.
    apply_changes: dict = field(default_factory=dict)
    # {"decisions": N, "denied": [{"principal", "action", "resource", "reason", "message"}]} from the emulator.
    authorization: dict = field(default_factory=lambda: {"decisions": 0, "denied": []})
    # The emulator's evaluation of the stack's CloudWatch alarms after the workflows ran:
    # {"alarms": [{"name", "state", "reason", "notified", "failed_actions", ...}], "not_computed": [...]}.
    alarms: dict = field(default_factory=lambda: {"alarms": [], "not_computed": []})
    # Where alerts go in the account: {"topic", "email_subscriptions", "warning"} (fargate_batch.alert_delivery).
    alert_delivery: dict = field(default_factory=dict)

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2, default=str) + "\n")


class Progress:
    """One line per event on stderr-free stdout, with elapsed time, so a person can follow along."""

    def __init__(self, stream=sys.stdout) -> None:
        self.stream = stream
        self.start = time.monotonic()

    def say(self, message: str) -> None:
        print(f"[{time.monotonic() - self.start:6.1f}s] {message}", file=self.stream, flush=True)

    def phase(self, name: str, report: RunReport):
        progress = self

        class _Phase:
            def __enter__(self):
                self.t0 = time.monotonic()
                progress.say(f"{name} ...")
                return self

            def __exit__(self, *exc):
                elapsed = time.monotonic() - self.t0
                report.phases[name] = round(elapsed, 2)
                if exc[0] is None:
                    progress.say(f"{name} done in {elapsed:.1f}s")
                return False

        return _Phase()


def _alert_delivery_lines(delivery: dict) -> list[str]:
    """Where alerts would go in an account; here an SQS queue of the run receives them (the "alert:" lines)."""
    if not delivery:
        return []
    described = AlertDelivery(delivery["topic"], tuple(delivery["email_subscriptions"])).lines()
    lines = [described[0] + " (in this run, an SQS queue subscribed to it received the alerts above)"]
    lines += [f"  {'WARNING: ' if delivery.get('warning') else ''}{line}" for line in described[1:]]
    return lines


def render_text(report: RunReport) -> str:
    lines = [f"Stack {report.stack} on the local emulator ({report.endpoint})", ""]
    for execution in report.executions:
        duration = f"{execution.duration_seconds:.1f}s" if execution.duration_seconds is not None else "-"
        lines.append(f"{execution.workflow} ({execution.trigger}): {execution.status} in {duration}")
        for step in execution.steps:
            step_duration = f"{step.duration_seconds:.1f}s" if step.duration_seconds is not None else "-"
            exit_code = "-" if step.exit_code is None else str(step.exit_code)
            retried = f", {step.attempts - 1} retries" if step.attempts > 1 else ""
            lines.append(f"  - {step.name}: {step.status}, exit code {exit_code}, {step_duration}{retried}")
            if step.command:
                lines.append(f"      command: {' '.join(step.command)}")
            if step.tags:
                lines.append(f"      tags: {', '.join(f'{key}={value}' for key, value in sorted(step.tags.items()))}")
            if step.error:
                lines.append(f"      error: {step.error}: {(step.cause or '')[:200]}")
        for alert in execution.alerts:
            lines.append(f"  alert: {alert[:300]}")
        for output in execution.outputs:
            lines.append(f"  output: {output}")
        lines.append("")
    if report.apply_changes:
        changes = report.apply_changes
        lines.append(
            f"terraform apply: {changes.get('add', 0)} added, {changes.get('change', 0)} changed, "
            f"{changes.get('remove', 0)} destroyed"
        )
    if report.plan_after_apply_has_changes is not None:
        lines.append(
            "terraform plan after apply: "
            + (
                "CHANGES (the emulator and the configuration disagree)"
                if report.plan_after_apply_has_changes
                else "no changes"
            )
        )
    denied = report.authorization.get("denied", [])
    lines.append(
        f"Authorization: {report.authorization.get('decisions', 0)} decisions against the deployed IAM, "
        f"{len(denied)} denied"
    )
    for denial in denied:
        lines.append(f"  DENIED: {denial['message']}")
    alarms = report.alarms.get("alarms", [])
    firing = [alarm for alarm in alarms if alarm.get("state") == "ALARM"]
    lines.append(
        f"Alarms: {len(alarms)} evaluated, {len(firing)} in ALARM"
        + (
            f", {len(report.alarms['not_computed'])} not computable locally"
            if report.alarms.get("not_computed")
            else ""
        )
    )
    for alarm in firing:
        lines.append(f"  ALARM {alarm['name']}: {alarm.get('reason', '')[:200]}")
    for alarm in alarms:
        for failure in alarm.get("failed_actions", []):
            lines.append(f"  ALARM ACTION FAILED {alarm['name']}: {failure[:300]}")
    lines += _alert_delivery_lines(report.alert_delivery)
    lines.append("Phases: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.phases.items()))
    lines.append(
        "This is an emulation: it proves wiring, inputs, retries, catches, event routing and IAM authorization "
        "of every run-time call (not service quotas, SCPs or permission boundaries; see the README)."
    )
    return "\n".join(lines)
