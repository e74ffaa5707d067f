"""Operations on the emulator: nothing hangs, nothing fails silently, nothing runs twice.

The deployed dev stack (tests/local_emulator/conftest.py adds a pipeline whose step hangs past its
timeout and one that runs for a while) with the emulator's ECS agent running tasks as processes and
its execution-status events delivered through the stack's alert rule to the alert topic.
"""

from __future__ import annotations

import os
import time

import pytest

from fargate_batch.local_run.executions import task_steps, wait_for_execution
from tests.local_emulator.conftest import alerts_for, drain, history, start

pytestmark = pytest.mark.emulator

PREFIX = "fargate-batch-dev"


def child_of(sfn, execution_arn: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = [step.child_execution_arn for step in task_steps(sfn, execution_arn) if step.child_execution_arn]
        if children:
            return children[0]
        time.sleep(0.5)
    raise AssertionError(f"{execution_arn} started no child execution")


def running_task(agent, sfn, child_arn: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for step in task_steps(sfn, child_arn):
            for task_arn in step.task_arns:
                run = agent.runs.get(task_arn)
                if run is not None and run.process is not None:
                    return run
        time.sleep(0.5)
    raise AssertionError(f"no task of {child_arn} started")


def reported_exit_code(run, timeout: float = 20) -> int | None:
    """The exit code the local ECS agent reports for ``run``: set a moment after it reaps the process, so a test
    that saw the process gone must still wait for it."""
    deadline = time.monotonic() + timeout
    while run.exit_code is None and time.monotonic() < deadline:
        time.sleep(0.1)
    return run.exit_code


def process_gone(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_a_step_past_its_timeout_fails_stops_its_task_and_alerts_once(deployed, agent, alert_queue):
    sfn, sqs = deployed.client("stepfunctions"), deployed.client("sqs")
    drain(sqs, alert_queue)
    arn = start(deployed, "pipeline-hung-arn")
    run = running_task(agent, sfn, child_of(sfn, arn))
    description = wait_for_execution(sfn, arn, timeout_seconds=120)
    assert description["status"] == "FAILED"
    # The child's task timed out; the parent names the step and the timeout.
    assert description["error"] == "Workflow.StepFailed"
    assert "step hang" in description["cause"] and "States.Timeout" in description["cause"]
    # Step Functions stopped the task: the process got SIGTERM (exit 143) and is gone.
    assert process_gone(run.process.pid)
    assert reported_exit_code(run) in (143, 137)
    (alert,) = alerts_for(sqs, alert_queue, arn)
    assert "ended FAILED" in alert and "States.Timeout" in alert


def test_a_stopped_execution_aborts_its_child_and_task_and_alerts_once(deployed, agent, alert_queue):
    sfn, sqs = deployed.client("stepfunctions"), deployed.client("sqs")
    drain(sqs, alert_queue)
    arn = start(deployed, "pipeline-slow-arn")
    child = child_of(sfn, arn)
    run = running_task(agent, sfn, child)
    sfn.stop_execution(executionArn=arn, error="Operator", cause="stopped by a test")
    assert wait_for_execution(sfn, arn)["status"] == "ABORTED"
    assert wait_for_execution(sfn, child)["status"] == "ABORTED"
    assert process_gone(run.process.pid)
    # The rule matches top-level workflows only: the aborted child adds no second alert.
    alerts = alerts_for(sqs, alert_queue, arn)
    assert len(alerts) == 1 and "ended ABORTED" in alerts[0]
    assert not [body for body in drain(sqs, alert_queue) if child in body]


def test_a_second_start_while_a_run_is_in_progress_is_skipped_and_launches_nothing(deployed, agent, alert_queue):
    sfn, sqs = deployed.client("stepfunctions"), deployed.client("sqs")
    drain(sqs, alert_queue)
    first = start(deployed, "pipeline-slow-arn")
    child_of(sfn, first)
    second = start(deployed, "pipeline-slow-arn")
    skipped = wait_for_execution(sfn, second)
    assert skipped["status"] == "SUCCEEDED"
    assert first in skipped["output"]
    # No child execution, no ECS task: the guard's own lookup is not a step.
    assert task_steps(sfn, second) == []
    assert "Find runs in progress" in {
        e.get("stateEnteredEventDetails", {}).get("name") for e in history(deployed, second)
    }
    assert wait_for_execution(sfn, first, timeout_seconds=120)["status"] == "SUCCEEDED"
    assert alerts_for(sqs, alert_queue, second) == []


def test_a_start_after_the_run_ended_runs(deployed, agent):
    sfn = deployed.client("stepfunctions")
    arn = start(deployed, "pipeline-slow-arn")
    assert wait_for_execution(sfn, arn, timeout_seconds=120)["status"] == "SUCCEEDED"
    assert [step.name for step in task_steps(sfn, arn)] == ["linger"]


def test_two_objects_with_one_basename_under_two_folders_get_two_results(deployed, agent):
    s3, sfn = deployed.client("s3"), deployed.client("stepfunctions")
    bucket = deployed.outputs["data-bucket-name"]
    prefix = deployed.config.triggers[0].prefix
    machine = deployed.outputs["trigger-target-files-arn"]
    before = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    keys = [f"{prefix}a/same.csv", f"{prefix}b/same.csv"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=f"{key}\n".encode())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        new = [e for e in sfn.list_executions(stateMachineArn=machine)["executions"] if e["executionArn"] not in before]
        if len(new) == 2 and all(e["status"] != "RUNNING" for e in new):
            break
        time.sleep(1)
    assert sorted(e["status"] for e in new) == ["SUCCEEDED", "SUCCEEDED"]
    for key in keys:
        assert s3.head_object(Bucket=bucket, Key=f"output/{key}.result.json")
