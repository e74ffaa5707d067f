"""Read what an execution did from its history: steps, nested executions, ECS tasks, errors."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime

TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


class ExecutionTimeout(RuntimeError):
    pass


def wait_for_execution(sfn, execution_arn: str, *, timeout_seconds: float = 60, poll_seconds: float = 0.1) -> dict:
    deadline = time.monotonic() + timeout_seconds
    while True:
        description = sfn.describe_execution(executionArn=execution_arn)
        if description["status"] in TERMINAL:
            return description
        if time.monotonic() > deadline:
            raise ExecutionTimeout(f"{execution_arn} still {description['status']} after {timeout_seconds:.0f} s")
        time.sleep(poll_seconds)


def wait_for_new_execution(sfn, state_machine_arn: str, known: set[str], *, timeout_seconds: float = 20) -> str | None:
    """The ARN of an execution of ``state_machine_arn`` not in ``known``, or None after the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        for execution in sfn.list_executions(stateMachineArn=state_machine_arn)["executions"]:
            if execution["executionArn"] not in known:
                return execution["executionArn"]
        time.sleep(0.1)
    return None


@dataclass
class Step:
    name: str
    status: str = "RUNNING"
    started: datetime | None = None
    stopped: datetime | None = None
    error: str | None = None
    cause: str | None = None
    child_execution_arn: str | None = None
    task_arns: list[str] = field(default_factory=list)
    attempts: int = 0

    @property
    def duration_seconds(self) -> float | None:
        if self.started and self.stopped:
            return (self.stopped - self.started).total_seconds()
        return None


def _json(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def task_steps(sfn, execution_arn: str) -> list[Step]:
    """Task states that ran work (a nested execution, an ECS task, an activity), in the order they ran."""
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    steps: list[Step] = []
    current: Step | None = None
    for event in events:
        kind = event["type"]
        if kind == "TaskStateEntered":
            current = Step(name=event["stateEnteredEventDetails"]["name"], started=event["timestamp"])
            steps.append(current)
        elif current is None:
            continue
        elif kind == "TaskScheduled":
            if event["taskScheduledEventDetails"].get("resourceType", "").startswith("aws-sdk"):
                # Bookkeeping of the workflow itself (the overlap guard's ListExecutions), not a step.
                steps.remove(current)
                current = None
                continue
            current.attempts += 1
        elif kind == "TaskSubmitted":
            output = _json(event["taskSubmittedEventDetails"].get("output"))
            if "ExecutionArn" in output:
                current.child_execution_arn = output["ExecutionArn"]
            current.task_arns += [t["TaskArn"] for t in output.get("Tasks", []) if "TaskArn" in t]
        elif kind == "TaskSucceeded":
            output = _json(event["taskSucceededEventDetails"].get("output"))
            current.child_execution_arn = output.get("ExecutionArn", current.child_execution_arn)
            if output.get("TaskArn") and output["TaskArn"] not in current.task_arns:
                current.task_arns.append(output["TaskArn"])
            current.status, current.stopped = "SUCCEEDED", event["timestamp"]
        elif kind in ("TaskFailed", "TaskTimedOut"):
            details = event.get("taskFailedEventDetails") or event.get("taskTimedOutEventDetails") or {}
            current.status, current.stopped = "FAILED", event["timestamp"]
            current.error, current.cause = details.get("error"), details.get("cause")
        elif kind == "ActivityScheduled":
            current.attempts += 1
        elif kind == "ActivitySucceeded":
            current.status, current.stopped = "SUCCEEDED", event["timestamp"]
        elif kind in ("ActivityFailed", "ActivityTimedOut"):
            details = event.get("activityFailedEventDetails") or event.get("activityTimedOutEventDetails") or {}
            current.status, current.stopped = "FAILED", event["timestamp"]
            current.error, current.cause = details.get("error"), details.get("cause")
    return steps
