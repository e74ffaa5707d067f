"""End to end on the emulator: the synthesized stack deployed by terraform, the workflows really run.

The state machines are the synthesized definitions executed by moto's ASL interpreter; each ECS
task is batch_container run as a process by the local ECS agent with the overrides Step Functions sent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from fargate_batch.local_run.executions import task_steps, wait_for_execution, wait_for_new_execution
from local_emulator.scheduler_clock import fire_now
from local_emulator.service_roles import as_environment, assume_role_as_service
from tests.local_emulator.conftest import REPO, alerts_for, drain, history, set_capacity_failures, start

pytestmark = pytest.mark.emulator

PREFIX = "fargate-batch-dev"


def runs_of(agent, deployed, execution_arn):
    """The agent's task runs behind each step of a pipeline execution, in order."""
    sfn = deployed.client("stepfunctions")
    runs = []
    for step in task_steps(sfn, execution_arn):
        arns = list(step.task_arns)
        if step.child_execution_arn:
            for child_step in task_steps(sfn, step.child_execution_arn):
                arns += child_step.task_arns
        runs.append((step.name, [agent.runs[a] for a in arns if a in agent.runs]))
    return runs


def test_apply_then_plan_shows_no_changes(deployed):
    assert deployed.deployment.terraform().plan_has_changes() is False


def test_deployed_trigger_dead_letter_queue_lets_both_trigger_rules_send(deployed):
    sqs, events = deployed.client("sqs"), deployed.client("events")
    url = sqs.get_queue_url(QueueName=f"{PREFIX}-trigger-dlq")["QueueUrl"]
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    (statement,) = policy["Statement"]
    rule_arns = {
        events.describe_rule(Name=f"{PREFIX}-trigger-{name}")["Arn"] for name in ("target-files", "json-files")
    }
    assert set(statement["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}


def test_terraform_output_is_kept_for_reading_what_apply_did(deployed):
    log = deployed.deployment.terraform_log.read_text()
    assert "$ terraform apply -input=false -auto-approve -json  (exit 0)" in log
    assert '"type":"apply_complete"' not in log  # the human-readable messages, not the JSON stream
    assert "aws_sfn_state_machine." in log
    assert "Apply complete!" in log


def test_schedule_starts_the_pipeline_and_each_task_receives_its_command_and_environment(deployed, agent, alert_queue):
    sfn = deployed.client("stepfunctions")
    arn = fire_now(deployed.client("scheduler"), sfn, name=f"{PREFIX}-daily-report", group=PREFIX)
    assert wait_for_execution(sfn, arn)["status"] == "SUCCEEDED"
    steps = runs_of(agent, deployed, arn)
    assert [name for name, _ in steps] == ["extract", "load"]
    for (name, runs), step in zip(steps, deployed.config.pipelines[0].steps, strict=True):
        (run,) = runs
        printed = json.loads(run.output.splitlines()[0])
        assert ["echo", *printed["args"]] == list(step.command)
        assert printed["environment"]["ENV"] == step.environment["ENV"]
        assert printed["environment"]["BATCH_STEP"] == name
        assert run.exit_code == 0


def test_steps_run_in_series_with_a_short_gap(deployed, agent):
    sfn = deployed.client("stepfunctions")
    arn = start(deployed, "pipeline-daily-report-arn")
    wait_for_execution(sfn, arn)
    (_, (first,)), (_, (second,)) = runs_of(agent, deployed, arn)
    assert second.started_at >= first.stopped_at


def task_tags(deployed, task_arn: str) -> dict[str, str]:
    tags = deployed.client("ecs").list_tags_for_resource(resourceArn=task_arn)["tags"]
    return {tag["key"]: tag["value"] for tag in tags}


def test_each_task_carries_its_environment_pipeline_and_step_as_cost_allocation_tags(deployed, agent):
    """RunTask's PropagateTags copies the step's task definition tags onto the task (with the provider's
    default tags), so Cost Explorer can split Fargate cost per pipeline and step.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html"""
    sfn = deployed.client("stepfunctions")
    arn = start(deployed, "pipeline-daily-report-arn")
    assert wait_for_execution(sfn, arn)["status"] == "SUCCEEDED"
    for name, (run,) in runs_of(agent, deployed, arn):
        tags = task_tags(deployed, run.task_arn)
        assert {key: tags.get(key) for key in ("fargate-batch:environment", "fargate-batch:workflow")} == {
            "fargate-batch:environment": PREFIX,
            "fargate-batch:workflow": "pipeline/daily-report",
        }
        assert tags["fargate-batch:step"] == name
        assert {key: tags.get(key) for key in deployed.config.tags} == dict(deployed.config.tags)


def test_failed_step_stops_the_pipeline_and_alerts_with_the_exit_code(deployed, agent, alert_queue):
    sfn, sqs = deployed.client("stepfunctions"), deployed.client("sqs")
    drain(sqs, alert_queue)
    arn = start(deployed, "pipeline-failing-arn")
    description = wait_for_execution(sfn, arn)
    assert description["status"] == "FAILED"
    assert description["error"] == "Batch.ContainerExited"
    steps = runs_of(agent, deployed, arn)
    assert [name for name, _ in steps] == ["explode"]
    assert steps[0][1][0].exit_code == 3
    (alert,) = alerts_for(sqs, alert_queue, arn)
    assert "ended FAILED" in alert and f"{PREFIX}-failing" in alert
    assert "Batch.ContainerExited" in alert and "step explode: exit code 3" in alert


def test_capacity_shortage_at_launch_is_retried_and_the_pipeline_succeeds(deployed, agent):
    sfn = deployed.client("stepfunctions")
    set_capacity_failures(deployed.endpoint, f"{PREFIX}-daily-report-extract", 1)
    arn = start(deployed, "pipeline-daily-report-arn")
    assert wait_for_execution(sfn, arn)["status"] == "SUCCEEDED"
    child = task_steps(sfn, arn)[0].child_execution_arn
    events = history(deployed, child)
    failures = [e for e in events if e["type"] == "TaskFailed"]
    assert [f["taskFailedEventDetails"]["error"] for f in failures] == ["ECS.AmazonECSException"]
    assert "Capacity is unavailable" in failures[0]["taskFailedEventDetails"]["cause"]
    assert sum(e["type"] == "TaskScheduled" for e in events) == 2


def test_launch_failing_every_time_exhausts_retries_alerts_and_fails(deployed, agent, alert_queue):
    sfn, sqs = deployed.client("stepfunctions"), deployed.client("sqs")
    drain(sqs, alert_queue)
    set_capacity_failures(deployed.endpoint, f"{PREFIX}-daily-report-extract", 100)
    try:
        arn = start(deployed, "pipeline-daily-report-arn")
        description = wait_for_execution(sfn, arn)
    finally:
        set_capacity_failures(deployed.endpoint, f"{PREFIX}-daily-report-extract", 0)
    assert description["status"] == "FAILED"
    assert description["error"] == "ECS.AmazonECSException"
    child = task_steps(sfn, arn)[0].child_execution_arn
    max_attempts = deployed.config.pipelines[0].retry.max_attempts
    assert sum(e["type"] == "TaskScheduled" for e in history(deployed, child)) == max_attempts + 1
    (alert,) = alerts_for(sqs, alert_queue, arn)
    assert "ended FAILED" in alert and "Error: ECS.AmazonECSException" in alert and "step extract" in alert


def test_upload_under_the_prefix_runs_the_task_with_the_object_key(deployed, agent):
    sfn, s3 = deployed.client("stepfunctions"), deployed.client("s3")
    bucket, machine = deployed.outputs["data-bucket-name"], deployed.outputs["trigger-target-files-arn"]
    known = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    s3.put_object(Bucket=bucket, Key="target/e2e.csv", Body=b"a\nb\nc\n")
    arn = wait_for_new_execution(sfn, machine, known, timeout_seconds=10)
    assert arn is not None
    assert wait_for_execution(sfn, arn)["status"] == "SUCCEEDED"
    ((_, (run,)),) = runs_of(agent, deployed, arn)
    assert run.command == ["process", "target/e2e.csv"]
    assert run.environment["OBJECT_KEY"] == "target/e2e.csv"
    assert run.environment["DATA_BUCKET"] == bucket
    result = json.loads(s3.get_object(Bucket=bucket, Key="output/target/e2e.csv.result.json")["Body"].read())
    assert (result["bytes"], result["lines"]) == (6, 3)
    tags = task_tags(deployed, run.task_arn)
    assert tags["fargate-batch:workflow"] == "trigger/target-files"
    assert "fargate-batch:step" not in tags


def test_upload_outside_the_prefix_starts_nothing(deployed):
    sfn, s3 = deployed.client("stepfunctions"), deployed.client("s3")
    bucket, machine = deployed.outputs["data-bucket-name"], deployed.outputs["trigger-target-files-arn"]
    known = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    s3.put_object(Bucket=bucket, Key="elsewhere/e2e.csv", Body=b"x")
    s3.put_object(Bucket=bucket, Key="targets/e2e.csv", Body=b"x")  # a prefix of the prefix's name is not the prefix
    assert wait_for_new_execution(sfn, machine, known, timeout_seconds=2) is None


def worker_task_role_environment(deployed) -> dict[str, str]:
    """A session of the worker's task role, assumed as ECS assumes it for a task of the worker service."""
    family = f"{PREFIX}-worker-hello-world"
    role_arn = deployed.client("ecs").describe_task_definition(taskDefinition=family)["taskDefinition"]["taskRoleArn"]
    task_arn = f"arn:aws:ecs:{deployed.region}:123456789012:task/{PREFIX}/{uuid.uuid4().hex}"
    credentials = assume_role_as_service(
        deployed.endpoint,
        service="ecs-tasks.amazonaws.com",
        role_arn=role_arn,
        source_arn=task_arn,
        source_account="123456789012",
        region=deployed.region,
    )
    return as_environment(credentials)


def worker(deployed, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "batch_container" / "main.py"), "activity-worker", "--max-tasks", "1"],
        env={
            "PATH": os.environ["PATH"],
            "ACTIVITY_ARN": deployed.outputs["activity-hello-world-arn"],
            "AWS_ENDPOINT_URL": deployed.endpoint,
            "AWS_DEFAULT_REGION": deployed.region,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_CONFIG_FILE": os.devnull,
            **worker_task_role_environment(deployed),
            "HEARTBEAT_INTERVAL_SECONDS": "0.5",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_event(deployed, arn: str, kind: str, count: int = 1, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(e["type"] == kind for e in history(deployed, arn)) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"no {kind} in {arn} after {timeout} s")


def test_activity_job_round_trip(deployed):
    sfn = deployed.client("stepfunctions")
    arn = start(deployed, "activity-hello-world-state-machine-arn", {"command": ["echo", "from", "activity"]})
    process = worker(deployed)
    assert process.wait(timeout=30) == 0
    description = wait_for_execution(sfn, arn)
    assert description["status"] == "SUCCEEDED"
    assert json.loads(json.loads(description["output"])["output"].splitlines()[0])["args"] == ["from", "activity"]


def test_killed_worker_loses_no_job_it_is_redelivered_after_the_heartbeat_timeout(deployed):
    sfn = deployed.client("stepfunctions")
    arn = start(deployed, "activity-hello-world-state-machine-arn", {"sleep_seconds": 2})
    first = worker(deployed)
    wait_for_event(deployed, arn, "ActivityStarted")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    wait_for_event(deployed, arn, "ActivityTimedOut", timeout=20)
    second = worker(deployed)
    assert second.wait(timeout=40) == 0
    assert wait_for_execution(sfn, arn)["status"] == "SUCCEEDED"
    timed_out = [e for e in history(deployed, arn) if e["type"] == "ActivityTimedOut"]
    assert timed_out[0]["activityTimedOutEventDetails"]["error"] == "States.HeartbeatTimeout"


def test_stopped_worker_fails_its_job_at_once_and_the_job_is_retried(deployed):
    sfn = deployed.client("stepfunctions")
    arn = start(deployed, "activity-hello-world-state-machine-arn", {"sleep_seconds": 5})
    first = worker(deployed, STOP_GRACE_SECONDS="0.2")
    wait_for_event(deployed, arn, "ActivityStarted")
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=10) == 0
    failed = [e for e in history(deployed, arn) if e["type"] == "ActivityFailed"]
    assert failed[0]["activityFailedEventDetails"]["error"] == "Worker.Stopped"
    second = worker(deployed)
    assert second.wait(timeout=40) == 0
    assert wait_for_execution(sfn, arn)["status"] == "SUCCEEDED"


def test_two_applies_at_once_one_is_refused_by_the_state_lock(deployed):
    terraform = deployed.deployment.terraform()
    command = ["terraform", "apply", "-input=false", "-auto-approve", "-no-color", "-lock-timeout=0s"]
    first = subprocess.Popen(
        command, cwd=terraform.stack_dir, env=terraform.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    time.sleep(0.3)
    second = subprocess.run(
        command, cwd=terraform.stack_dir, env=terraform.env, capture_output=True, text=True, timeout=300
    )
    first_output, _ = first.communicate(timeout=300)
    outcomes = sorted([first.returncode, second.returncode])
    assert outcomes[0] == 0 and outcomes[1] != 0, (first_output, second.stdout + second.stderr)
    refused = second.stdout + second.stderr if second.returncode else first_output
    assert "Error acquiring the state lock" in refused
    assert terraform.plan_has_changes() is False
