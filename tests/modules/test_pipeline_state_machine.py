"""The pipeline parent: steps in series via startExecution.sync:2, catch → alert → fail."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fargate_batch.config.targets import Target
from modules.pipeline_state_machine import pipeline_definition
from tests.helpers import definition, reference, role_policy_statements

PARENT = "fargate-batch-dev-daily-report"
CHILD = "fargate-batch-dev-daily-report-run-task"


@pytest.fixture(scope="module")
def parent(synthesized):
    return definition(synthesized, PARENT)


def test_starts_at_the_first_step_and_chains_steps_in_configured_order(parent, dev_config):
    steps = [s.name for s in dev_config.pipelines[0].steps]
    assert parent["StartAt"] == steps[0]
    for current, following in zip(steps, steps[1:], strict=False):
        assert parent["States"][current]["Next"] == following
    assert parent["States"][steps[-1]]["End"] is True


def test_each_step_is_a_nested_sync2_execution_of_the_run_task_child(parent, synthesized, dev_config):
    child_arn = reference(synthesized, "aws_sfn_state_machine", "arn", name=CHILD)
    for step in dev_config.pipelines[0].steps:
        state = parent["States"][step.name]
        assert state["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
        assert state["Parameters"]["StateMachineArn"] == child_arn


def test_step_input_carries_its_command_and_environment(parent, dev_config):
    pipeline = dev_config.pipelines[0]
    for step in pipeline.steps:
        child_input = parent["States"][step.name]["Parameters"]["Input"]
        assert child_input["commands"] == list(step.command)
        environment = {e["Name"]: e["Value"] for e in child_input["environment"]}
        assert environment == {**step.environment, "BATCH_PIPELINE": pipeline.name, "BATCH_STEP": step.name}
        assert child_input["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$"] == "$$.Execution.Id"


def test_seed_steps_differ_in_command_and_env(parent):
    first, second = parent["States"]["extract"], parent["States"]["load"]
    assert first["Parameters"]["Input"]["commands"] != second["Parameters"]["Input"]["commands"]
    env = [{e["Name"]: e["Value"] for e in s["Parameters"]["Input"]["environment"]}["ENV"] for s in (first, second)]
    assert env == ["Start Execution input1", "Start Execution input2"]


def test_every_step_catches_everything_and_goes_to_alerting(parent, dev_config):
    for step in dev_config.pipelines[0].steps:
        catchers = parent["States"][step.name]["Catch"]
        assert catchers == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": f"Record failure of {step.name}"}
        ]
        record = parent["States"][f"Record failure of {step.name}"]
        assert record["Parameters"]["step"] == step.name
        assert record["ResultPath"] == "$.alert"


# A refused nested start is retried as AWS advises for transient service errors (2 s, backoff 2, 6 attempts:
# https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html), capped at 60 s and
# fully jittered; the error names are those of AWS's nested-workflow example and of the SDK's exception class
# (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-nested-workflows.html).
NESTED_START_RETRIER = {
    "ErrorEquals": [
        "StepFunctions.ExecutionLimitExceeded",
        "StepFunctions.ExecutionLimitExceededException",
        "StepFunctions.SdkClientException",
    ],
    "IntervalSeconds": 2,
    "BackoffRate": 2.0,
    "MaxAttempts": 6,
    "MaxDelaySeconds": 60,
    "JitterStrategy": "FULL",
}


def test_a_failed_child_is_not_blanket_retried(parent, dev_config):
    for step in dev_config.pipelines[0].steps:
        retried = {e for r in parent["States"][step.name]["Retry"] for e in r["ErrorEquals"]}
        assert "States.ALL" not in retried and "States.TaskFailed" not in retried


def test_a_refused_nested_start_is_retried_with_its_own_fixed_retrier(parent, dev_config):
    for step in dev_config.pipelines[0].steps:
        assert parent["States"][step.name]["Retry"] == [NESTED_START_RETRIER]


@pytest.fixture(scope="module")
def without_launch_retries(dev_config, synth):
    """The dev stack with [pipelines.retry] max_attempts = 0."""
    pipeline = dev_config.pipelines[0]
    config = replace(dev_config, pipelines=(replace(pipeline, retry=replace(pipeline.retry, max_attempts=0)),))
    return synth(config, Target("aws"))[0]


def test_max_attempts_zero_turns_off_launch_retries(without_launch_retries):
    (launch,) = definition(without_launch_retries, CHILD)["States"]["Run task"]["Retry"]
    assert launch["ErrorEquals"] == ["ECS.AmazonECSException", "AmazonECS.Unknown"]
    assert launch["MaxAttempts"] == 0


def test_max_attempts_zero_still_retries_a_throttled_nested_start(without_launch_retries, dev_config):
    parent = definition(without_launch_retries, PARENT)
    for step in dev_config.pipelines[0].steps:
        assert parent["States"][step.name]["Retry"] == [NESTED_START_RETRIER]


def test_alert_names_pipeline_step_error_and_cause_then_fails(parent, synthesized):
    notify = parent["States"]["Notify failure"]
    assert notify["Resource"] == "arn:aws:states:::sns:publish"
    assert notify["Parameters"]["TopicArn"] == reference(
        synthesized, "aws_sns_topic", "arn", name="fargate-batch-dev-alerts"
    )
    message = notify["Parameters"]["Message.$"]
    assert message.startswith("States.Format('pipeline daily-report failed at step {}")
    assert "$.alert.step, $.alert.error, $.alert.cause" in message
    assert notify["Next"] == "Pipeline failed?"
    assert parent["States"]["Pipeline failed"] == {
        "Type": "Fail",
        "ErrorPath": "$.alert.error",
        "CausePath": "$.alert.cause",
    }


def test_no_path_from_a_failure_reaches_a_later_step(parent, dev_config):
    """Walk every transition from each failure handler: none may lead back to a step."""
    step_names = {s.name for s in dev_config.pipelines[0].steps}
    states = parent["States"]

    def successors(name):
        state = states[name]
        nexts = [state.get("Next"), state.get("Default")]
        nexts += [c.get("Next") for c in state.get("Choices", [])]
        nexts += [c.get("Next") for c in state.get("Catch", [])]
        return {n for n in nexts if n}

    seen, frontier = set(), {f"Record failure of {s}" for s in step_names}
    while frontier:
        name = frontier.pop()
        seen.add(name)
        frontier |= successors(name) - seen
    assert not seen & step_names
    assert "Pipeline failed" in seen


def test_parent_role_starts_only_its_child_and_publishes_only_to_the_alert_topic(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{PARENT}-sfn")}
    assert statements["StartChildExecution"] == {
        "sid": "StartChildExecution",
        "effect": "Allow",
        "actions": ["states:StartExecution"],
        "resources": [reference(synthesized, "aws_sfn_state_machine", "arn", name=CHILD)],
    }
    track = statements["TrackAndStopChildExecutions"]
    assert track["actions"] == ["states:DescribeExecution", "states:StopExecution"]
    assert track["resources"][0].endswith(f":execution:{CHILD}:*")
    rule = statements["ManagedRuleForExecutionEvents"]
    assert rule["resources"][0].endswith(":rule/StepFunctionsGetEventsForStepFunctionsExecutionRule")
    assert statements["PublishAlerts"]["resources"] == [
        reference(synthesized, "aws_sns_topic", "arn", name="fargate-batch-dev-alerts")
    ]


def test_only_log_delivery_and_xray_use_wildcard_resources(synthesized):
    wildcard = {s["sid"] for s in role_policy_statements(synthesized, f"{PARENT}-sfn") if "*" in s["resources"]}
    assert wildcard == {"DeliverExecutionLogs", "SendTraces"}


def test_refuses_a_pipeline_without_steps():
    with pytest.raises(ValueError, match="has no steps"):
        pipeline_definition(pipeline_name="empty", steps=(), child_arn="arn", topic_arn="arn")


def test_reserved_states_errors_fail_under_a_custom_name_with_the_original_in_the_cause(parent):
    choice = parent["States"]["Pipeline failed?"]
    assert choice["Choices"] == [
        {"Variable": "$.alert.error", "StringMatches": "States.*", "Next": "Pipeline failed (States error)"}
    ]
    assert choice["Default"] == "Pipeline failed"
    assert parent["States"]["Pipeline failed (States error)"] == {
        "Type": "Fail",
        "Error": "Workflow.StepFailed",
        "CausePath": "States.Format('{}: {}', $.alert.error, $.alert.cause)",
    }
