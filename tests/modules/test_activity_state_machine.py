"""Activity, its state machine (heartbeat, timeout, re-delivery, alert) and the worker service."""

from __future__ import annotations

import json

import pytest

from fargate_batch.config.schema import RetryConfig
from modules.activity_state_machine import ActivityStateMachineProps
from tests.helpers import definition, find, reference, role_policy_statements

NAME = "fargate-batch-dev-activity-hello-world"
WORKER = "fargate-batch-dev-worker-hello-world"


def test_task_uses_the_activity_with_heartbeat_and_timeout(synthesized, dev_config):
    activity = dev_config.activities[0]
    work = definition(synthesized, NAME)["States"]["Do work"]
    assert work["Resource"] == reference(synthesized, "aws_sfn_activity", "id", name=NAME)
    assert work["HeartbeatSeconds"] == activity.heartbeat_seconds
    assert work["TimeoutSeconds"] == activity.timeout_seconds


def test_lost_workers_tasks_are_redelivered_not_lost(synthesized):
    (retrier,) = definition(synthesized, NAME)["States"]["Do work"]["Retry"]
    assert retrier == {
        "ErrorEquals": ["States.HeartbeatTimeout", "Worker.Stopped"],
        "IntervalSeconds": 10,
        "BackoffRate": 2.0,
        "MaxAttempts": 4,
        "MaxDelaySeconds": 300,
        "JitterStrategy": "FULL",
    }


def test_failure_fails_the_execution_and_publishes_nothing_itself(synthesized):
    states = definition(synthesized, NAME)["States"]
    assert states["Do work"]["Catch"][0]["Next"] == "Record failure"
    assert states["Record failure"]["Next"] == "Activity failed?"
    # The stack's execution-status rule alerts; a publish here would alert twice.
    assert not [s for s in states.values() if "sns:publish" in s.get("Resource", "")]


def test_worker_service_runs_the_worker_on_fargate_in_private_subnets(synthesized, dev_config):
    service = find(synthesized, "aws_ecs_service", name=WORKER)
    assert service["launch_type"] == "FARGATE"
    assert service["desired_count"] == dev_config.activities[0].worker_desired_count
    assert service["network_configuration"]["assign_public_ip"] is False
    task = find(synthesized, "aws_ecs_task_definition", family=WORKER)
    (container,) = json.loads(task["container_definitions"])
    assert container["command"] == ["activity-worker"]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert environment["ACTIVITY_ARN"] == reference(synthesized, "aws_sfn_activity", "id", name=NAME)


def test_worker_may_poll_only_its_activity(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{WORKER}-task")}
    assert statements["PollThisActivity"]["actions"] == ["states:GetActivityTask"]
    assert statements["PollThisActivity"]["resources"] == [reference(synthesized, "aws_sfn_activity", "id", name=NAME)]
    # SendTask* authorize by task token; the service authorization reference lists no resource type.
    assert statements["ReportActivityTasks"]["resources"] == ["*"]


def test_heartbeat_must_be_shorter_than_timeout():
    with pytest.raises(ValueError, match=r"heartbeat_seconds \(60\) must be less than timeout_seconds \(60\)"):
        ActivityStateMachineProps(
            name="a",
            activity_name="a",
            activity=None,
            heartbeat_seconds=60,
            timeout_seconds=60,
            redelivery=RetryConfig(),
        )


def test_worker_service_follows_the_latest_fargate_platform(synthesized):
    assert find(synthesized, "aws_ecs_service", name=WORKER)["platform_version"] == "LATEST"


def test_whole_execution_allows_every_delivery_its_timeout_and_then_stops(synthesized, dev_config):
    activity = dev_config.activities[0]
    machine = definition(synthesized, NAME)
    (retrier,) = machine["States"]["Do work"]["Retry"]
    deliveries = 1 + retrier["MaxAttempts"]
    assert machine["TimeoutSeconds"] > deliveries * activity.timeout_seconds
