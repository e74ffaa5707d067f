"""The pipeline parent: steps in series via startExecution.sync:2, catch → alert → fail."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fargate_batch.config.schema import StepConfig
from fargate_batch.config.targets import Target
from modules.pipeline_state_machine import pipeline_definition
from tests.helpers import definition, reference, role_policy_statements

PARENT = "fargate-batch-dev-daily-report"
CHILD = "fargate-batch-dev-daily-report-run-task"


@pytest.fixture(scope="module")
def parent(synthesized):
    return definition(synthesized, PARENT)


def test_starts_with_the_overlap_guard_then_chains_steps_in_configured_order(parent, dev_config):
    steps = [s.name for s in dev_config.pipelines[0].steps]
    assert dev_config.pipelines[0].concurrency == "skip"
    assert parent["StartAt"] == "Find runs in progress"
    guard = parent["States"]["Another run in progress?"]
    assert guard["Choices"][0]["Next"] == steps[0]
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


def test_each_step_runs_its_own_tagged_task_definition(parent, synthesized, dev_config):
    """The child takes the task definition from its input; each step names the one whose tags name the step."""
    pipeline = dev_config.pipelines[0]
    for step in pipeline.steps:
        family = f"{dev_config.name_prefix}-{pipeline.name}-{step.name}"
        child_input = parent["States"][step.name]["Parameters"]["Input"]
        assert child_input["task_definition"] == reference(synthesized, "aws_ecs_task_definition", "arn", family=family)


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
    launch, throttling = definition(without_launch_retries, CHILD)["States"]["Run task"]["Retry"]
    assert launch["ErrorEquals"] == ["ECS.AmazonECSException", "AmazonECS.Unknown"]
    assert launch["MaxAttempts"] == 0
    # Throttling of RunTask itself is not a launch retry: it stays on.
    assert throttling["ErrorEquals"] == ["ECS.ThrottlingException"] and throttling["MaxAttempts"] > 0


def test_max_attempts_zero_still_retries_a_throttled_nested_start(without_launch_retries, dev_config):
    parent = definition(without_launch_retries, PARENT)
    for step in dev_config.pipelines[0].steps:
        assert parent["States"][step.name]["Retry"] == [NESTED_START_RETRIER]


def test_a_caught_failure_fails_the_execution_naming_the_step_and_publishes_nothing(parent):
    assert parent["States"]["Pipeline failed"] == {
        "Type": "Fail",
        "ErrorPath": "$.alert.error",
        "CausePath": "States.Format('step {}: {}', $.alert.step, $.alert.cause)",
    }
    # The stack's execution-status rule alerts on every FAILED, TIMED_OUT and ABORTED run; a publish
    # here as well would alert twice for a caught failure.
    assert not [s for s in parent["States"].values() if "sns:publish" in s.get("Resource", "")]


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


def test_parent_role_starts_only_its_child_and_publishes_nothing(synthesized):
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
    assert not [s for s in statements.values() if any(a.startswith("sns:") for a in s["actions"])]


def test_only_log_delivery_and_xray_use_wildcard_resources(synthesized):
    wildcard = {s["sid"] for s in role_policy_statements(synthesized, f"{PARENT}-sfn") if "*" in s["resources"]}
    assert wildcard == {"DeliverExecutionLogs", "SendTraces"}


def test_refuses_a_pipeline_without_steps():
    with pytest.raises(ValueError, match="has no steps"):
        pipeline_definition(
            pipeline_name="empty",
            steps=(),
            step_task_definitions={},
            child_arn="arn",
            child_retry_budget_seconds=0,
        )


def test_reserved_states_errors_fail_under_a_custom_name_with_the_original_in_the_cause(parent):
    choice = parent["States"]["Pipeline failed?"]
    assert choice["Choices"] == [
        {"Variable": "$.alert.error", "StringMatches": "States.*", "Next": "Pipeline failed (States error)"}
    ]
    assert choice["Default"] == "Pipeline failed"
    assert parent["States"]["Pipeline failed (States error)"] == {
        "Type": "Fail",
        "Error": "Workflow.StepFailed",
        "CausePath": "States.Format('step {}: {}: {}', $.alert.step, $.alert.error, $.alert.cause)",
    }


def test_overlap_guard_lets_only_the_oldest_running_execution_go_on(parent):
    find = parent["States"]["Find runs in progress"]
    assert find["Resource"] == "arn:aws:states:::aws-sdk:sfn:listExecutions"
    assert find["Parameters"] == {
        "StateMachineArn.$": "$$.StateMachine.Id",
        "StatusFilter": "RUNNING",
        "MaxResults": 100,
    }
    # ListExecutions lists the newest first, so the last item is the oldest run.
    assert "States.ArrayLength($.Executions)" in find["ResultSelector"]["oldest.$"]
    assert find["ResultSelector"]["self.$"] == "$$.Execution.Id"
    (choice,) = parent["States"]["Another run in progress?"]["Choices"]
    assert choice == {
        "Variable": "$.runs.oldest.ExecutionArn",
        "StringEqualsPath": "$.runs.self",
        "Next": "extract",
    }
    skip = parent["States"][parent["States"]["Another run in progress?"]["Default"]]
    assert skip["Type"] == "Pass" and skip["End"] is True


def test_pipeline_may_list_its_own_runs_and_nothing_else(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{PARENT}-sfn")}
    assert statements["ListOwnRuns"]["actions"] == ["states:ListExecutions"]
    (resource,) = statements["ListOwnRuns"]["resources"]
    assert resource.endswith(f":stateMachine:{PARENT}")


def test_allow_concurrency_has_no_guard():
    definition_ = pipeline_definition(
        pipeline_name="p",
        steps=(StepConfig("only", ("echo",)),),
        step_task_definitions={"only": "arn:task-definition/p-only:1"},
        child_arn="arn:child",
        child_retry_budget_seconds=100,
        concurrency="allow",
    )
    assert definition_["StartAt"] == "only"
    assert "Find runs in progress" not in definition_["States"]


def test_each_step_waits_for_its_task_timeout_plus_the_childs_launch_retries(parent, dev_config, synthesized):
    child = definition(synthesized, CHILD)
    for step in dev_config.pipelines[0].steps:
        state = parent["States"][step.name]
        assert state["Parameters"]["Input"]["timeout_seconds"] == step.timeout_seconds
        assert state["TimeoutSeconds"] > step.timeout_seconds
        # The child's backstop covers its longest task; the parent's step waits at least as long.
        assert state["TimeoutSeconds"] <= child["TimeoutSeconds"] + 60
    step_waits = sum(parent["States"][s.name]["TimeoutSeconds"] for s in dev_config.pipelines[0].steps)
    assert parent["TimeoutSeconds"] > step_waits
