"""Amazon States Language fragments shared by the state machines.

https://states-language.net/spec.html and
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
"""

from __future__ import annotations

from fargate_batch.config import rules

# Owned by the configuration, whose timeout checks must count exactly what the budgets below add; named
# here too (re-exported) for the state machines that add them.
from fargate_batch.config.rules import FAILED_ATTEMPT_ALLOWANCE_SECONDS as FAILED_ATTEMPT_ALLOWANCE_SECONDS
from fargate_batch.config.rules import TIMEOUT_MARGIN_SECONDS as TIMEOUT_MARGIN_SECONDS
from fargate_batch.config.schema import RetryConfig

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


# ECS throttles API calls per account and Region ("Rate exceeded"); AWS's guidance is to retry with
# exponential backoff and jitter. A fixed policy (rules.ECS_THROTTLING_RETRY): it is never a user's choice
# to give up on throttling. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
ECS_THROTTLING_RETRIER = retrier(("ECS.ThrottlingException",), rules.ECS_THROTTLING_RETRY)


def retry_budget_seconds(retriers: list[dict]) -> int:
    """The longest a state can spend failing and waiting before its retriers give up.

    Each rendered retrier is counted by the configuration's own rule (``rules.retrier_budget_seconds``: its
    waits in closed form, a retrier may allow 10^8 attempts, plus ``FAILED_ATTEMPT_ALLOWANCE_SECONDS`` per
    attempt), the one its timeout checks use. The retriers count attempts independently, so the worst case
    is every retrier used up in turn.
    https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    """
    return sum(
        rules.retrier_budget_seconds(
            RetryConfig(
                interval_seconds=rendered.get("IntervalSeconds", 1),
                backoff_rate=rendered.get("BackoffRate", 2.0),
                max_attempts=rendered.get("MaxAttempts", 3),
                max_delay_seconds=rendered.get("MaxDelaySeconds", rules.STANDARD_EXECUTION_MAX_SECONDS),
            )
        )
        for rendered in retriers
    )


def nested_start_throttling_retrier() -> dict:
    """The parent's retrier of a refused nested start: fixed, independent of the launch retries."""
    return retrier(NESTED_START_THROTTLING_ERRORS, rules.NESTED_START_THROTTLING_RETRY)


def failure_states(fail_state: str) -> dict[str, dict]:
    """Fail the execution with the caught error, the failed step named in the cause.

    Nothing is published here: the stack's execution-status rule (``modules/execution_alert_rule.py``)
    alerts once for every FAILED, TIMED_OUT and ABORTED execution, which a Catch cannot all see; a
    publish here as well would alert twice. Expects ``$.alert`` = {"step", "error", "cause"} from the
    state that caught the error; the entry state is ``failure_entry(fail_state)``.
    """
    return {
        # A Fail state may not raise a reserved "States." name; those keep their name in the cause.
        failure_entry(fail_state): {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.alert.error", "StringMatches": "States.*", "Next": f"{fail_state} (States error)"}
            ],
            "Default": fail_state,
        },
        f"{fail_state} (States error)": {
            "Type": "Fail",
            "Error": "Workflow.StepFailed",
            "CausePath": "States.Format('step {}: {}: {}', $.alert.step, $.alert.error, $.alert.cause)",
        },
        fail_state: {
            "Type": "Fail",
            "ErrorPath": "$.alert.error",
            "CausePath": "States.Format('step {}: {}', $.alert.step, $.alert.cause)",
        },
    }


def failure_entry(fail_state: str) -> str:
    return f"{fail_state}?"
