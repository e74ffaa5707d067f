"""Amazon States Language fragments shared by the state machines.

https://states-language.net/spec.html and
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
"""

from __future__ import annotations

from fargate_batch.config.rules import NESTED_START_THROTTLING_RETRY
from fargate_batch.config.schema import RetryConfig
from modules._private.integration_patterns import IntegrationPattern, integration_resource

# How a failed task launch surfaces from ecs:runTask.sync: RunTask answers HTTP 200 with a
# "failures" list ("Capacity is unavailable at this time") which Step Functions raises as
# ECS.AmazonECSException; unexpected service errors come back as AmazonECS.Unknown. Retried with the
# workflow's configured launch retries ([pipelines.retry] / [triggers.retry]), and only those.
ECS_LAUNCH_ERRORS = ("ECS.AmazonECSException", "AmazonECS.Unknown")

# Starting a child execution can be refused by Step Functions itself (too many open executions,
# a transient client error): never a step failure, so the parent tries again with a fixed retrier
# (rules.NESTED_START_THROTTLING_RETRY), whatever the launch retries say. AWS's own example of a
# nested start retries "StepFunctions.ExecutionLimitExceeded"
# (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-nested-workflows.html); the SDK's
# exception class name is matched too.
NESTED_START_THROTTLING_ERRORS = (
    "StepFunctions.ExecutionLimitExceeded",
    "StepFunctions.ExecutionLimitExceededException",
    "StepFunctions.SdkClientException",
)


def retrier(errors: tuple[str, ...], retry: RetryConfig) -> dict:
    rendered = {
        "ErrorEquals": list(errors),
        "IntervalSeconds": retry.interval_seconds,
        "BackoffRate": retry.backoff_rate,
        "MaxAttempts": retry.max_attempts,
        "MaxDelaySeconds": retry.max_delay_seconds,
    }
    if retry.jitter:
        rendered["JitterStrategy"] = "FULL"
    return rendered


def nested_start_throttling_retrier() -> dict:
    """The parent's retrier of a refused nested start: fixed, independent of the launch retries."""
    return retrier(NESTED_START_THROTTLING_ERRORS, NESTED_START_THROTTLING_RETRY)


def catch_all(next_state: str, result_path: str = "$.failure") -> dict:
    return {"ErrorEquals": ["States.ALL"], "ResultPath": result_path, "Next": next_state}


def alert_states(
    *, topic_arn: str, workflow_kind: str, workflow_name: str, notify_state: str, fail_state: str
) -> dict[str, dict]:
    """A Publish to the alert topic followed by a Fail, so a caught failure still fails the execution.

    Expects ``$.alert`` = {"step": ..., "error": ..., "cause": ...}, built by the state that caught it.
    """
    return {
        notify_state: {
            "Type": "Task",
            "Comment": "Tell people, then fail: a caught error must not look like success.",
            "Resource": integration_resource("sns:publish", IntegrationPattern.REQUEST_RESPONSE),
            "Parameters": {
                "TopicArn": topic_arn,
                "Subject": f"fargate-batch: {workflow_kind} {workflow_name} failed"[:100],
                "Message.$": (
                    f"States.Format('{workflow_kind} {workflow_name} failed at step {{}}: {{}}. "
                    "Cause: {}. Execution: {}', $.alert.step, $.alert.error, $.alert.cause, $$.Execution.Id)"
                ),
                "MessageAttributes": {
                    "workflow": {"DataType": "String", "StringValue": workflow_name},
                    "step": {"DataType": "String", "StringValue.$": "$.alert.step"},
                    "error": {"DataType": "String", "StringValue.$": "$.alert.error"},
                },
            },
            "ResultPath": None,
            # An alert that cannot be sent must not hide the original failure.
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": f"{fail_state}?"}],
            "Next": f"{fail_state}?",
        },
        # A Fail state may not raise a reserved "States." name; those keep their name in the cause.
        f"{fail_state}?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.alert.error", "StringMatches": "States.*", "Next": f"{fail_state} (States error)"}
            ],
            "Default": fail_state,
        },
        f"{fail_state} (States error)": {
            "Type": "Fail",
            "Error": "Workflow.StepFailed",
            "CausePath": "States.Format('{}: {}', $.alert.error, $.alert.cause)",
        },
        fail_state: {
            "Type": "Fail",
            "ErrorPath": "$.alert.error",
            "CausePath": "$.alert.cause",
        },
    }
