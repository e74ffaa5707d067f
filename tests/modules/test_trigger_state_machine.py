"""S3 trigger state machine: command built from the object key, nested run-task, alert on failure."""

from __future__ import annotations

import pytest

from modules.trigger_state_machine import command_expression
from tests.helpers import definition, reference, role_policy_statements

TRIGGER = "fargate-batch-dev-trigger-target-files"
CHILD = f"{TRIGGER}-run-task"


@pytest.fixture(scope="module")
def trigger(synthesized):
    return definition(synthesized, TRIGGER)


def test_key_placeholder_becomes_the_object_key_path():
    assert command_expression(("process", "{key}")) == "States.Array('process', $.detail.object.key)"


def test_placeholder_inside_an_argument_is_formatted():
    assert (
        command_expression(("--input=s3://{key}",))
        == "States.Array(States.Format('--input=s3://{}', $.detail.object.key))"
    )


def test_literal_quotes_and_braces_are_escaped():
    assert command_expression(("it's", "{x}", "{key}")) == ("States.Array('it\\'s', '\\{x\\}', $.detail.object.key)")


def test_builds_the_task_input_from_the_event_first(trigger, dev_config):
    assert trigger["StartAt"] == "Build task input"
    build = trigger["States"]["Build task input"]
    assert build["Parameters"]["commands.$"] == command_expression(dev_config.triggers[0].command)
    environment = build["Parameters"]["environment"]
    assert {"Name": "DATA_BUCKET", "Value.$": "$.detail.bucket.name"} in environment
    assert {"Name": "OBJECT_KEY", "Value.$": "$.detail.object.key"} in environment
    assert {"Name": "BATCH_TRIGGER", "Value": "target-files"} in environment
    assert build["ResultPath"] == "$.task"


def test_runs_the_task_as_a_nested_execution_of_its_run_task_machine(trigger, synthesized):
    run = trigger["States"]["Run task"]
    assert run["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert run["Parameters"]["StateMachineArn"] == reference(synthesized, "aws_sfn_state_machine", "arn", name=CHILD)
    assert run["Parameters"]["Input"]["commands.$"] == "$.task.commands"
    assert run["Parameters"]["Input"]["environment.$"] == "$.task.environment"


def test_failure_fails_the_execution(trigger):
    assert trigger["States"]["Run task"]["Catch"][0]["Next"] == "Record failure of Run task"
    assert trigger["States"]["Record failure of Run task"]["Next"] == "Child execution failed?"
    assert trigger["States"]["Trigger failed"]["Type"] == "Fail"


def test_trigger_task_reads_only_under_its_prefix_and_writes_only_results(synthesized, dev_config):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, "fargate-batch-dev-trigger-task")}
    bucket = reference(synthesized, "aws_s3_bucket", "arn", force_destroy=False)
    assert statements["ReadTriggeredObjects"]["actions"] == ["s3:GetObject"]
    assert statements["ReadTriggeredObjects"]["resources"] == [f"{bucket}/{dev_config.triggers[0].prefix}*"]
    assert statements["WriteResults"]["actions"] == ["s3:PutObject"]
    assert statements["WriteResults"]["resources"] == [f"{bucket}/output/*"]


def test_trigger_task_reads_only_objects_a_trigger_with_a_suffix_matches(two_triggers_synth):
    statements = {s["sid"]: s for s in role_policy_statements(two_triggers_synth, "fargate-batch-dev-trigger-task")}
    bucket = reference(two_triggers_synth, "aws_s3_bucket", "arn", force_destroy=False)
    assert statements["ReadTriggeredObjects"]["resources"] == [f"{bucket}/target/*", f"{bucket}/incoming/*.json"]


def test_a_refused_nested_start_is_retried_with_the_fixed_retrier_not_the_launch_retries(trigger, synthesized):
    from tests.modules.test_pipeline_state_machine import NESTED_START_RETRIER

    assert trigger["States"]["Run task"]["Retry"] == [NESTED_START_RETRIER]
    launch, _throttling = definition(synthesized, CHILD)["States"]["Run task"]["Retry"]
    assert launch["ErrorEquals"] == ["ECS.AmazonECSException", "AmazonECS.Unknown"]
