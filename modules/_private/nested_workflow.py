"""ASL for a workflow that runs run-task child executions in series and fails at the first failure.

Pipelines (fixed steps) and S3 triggers (one step whose input is built from the event) share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules._private.asl import (
    TIMEOUT_MARGIN_SECONDS,
    failure_entry,
    failure_states,
    nested_start_throttling_retrier,
    retry_budget_seconds,
)
from modules._private.integration_patterns import IntegrationPattern, integration_resource


@dataclass(frozen=True)
class ChildCall:
    """One nested ``startExecution.sync:2`` of the run-task child.

    ``state_name`` names the step's state; ``child_input`` holds the task definition, command and environment;
    ``timeout_seconds`` limits the task; ``child_retry_budget_seconds`` is what the child may spend
    retrying its launch, so the nested call waits for both.
    """

    state_name: str
    child_input: dict
    timeout_seconds: int
    child_retry_budget_seconds: int

    @property
    def nested_timeout_seconds(self) -> int:
        return self.timeout_seconds + self.child_retry_budget_seconds + TIMEOUT_MARGIN_SECONDS


def nested_workflow_definition(
    *,
    workflow_kind: str,
    workflow_name: str,
    calls: tuple[ChildCall, ...],
    child_arn: str,
    comment: str,
    prelude: dict[str, dict] | None = None,
) -> dict:
    """``prelude`` states (if any) run first, in insertion order, and must end with ``Next`` = the first call."""
    if not calls:
        raise ValueError(f"{workflow_kind} {workflow_name!r} has no steps; add at least one")
    fail_state = f"{workflow_kind.capitalize()} failed"
    fail = failure_entry(fail_state)
    states: dict[str, dict] = dict(prelude or {})
    # A refused start only; a child that ran and failed is never started again.
    nested_retriers = [nested_start_throttling_retrier()]
    for index, call in enumerate(calls):
        record_state = f"Record failure of {call.state_name}"
        states[call.state_name] = {
            "Type": "Task",
            "Comment": f"Step {index + 1} of {len(calls)}",
            "Resource": integration_resource("states:startExecution", IntegrationPattern.RUN_JOB),
            "Parameters": {
                "StateMachineArn": child_arn,
                # Links the child execution to this one in the console.
                "Input": {
                    **call.child_input,
                    "timeout_seconds": call.timeout_seconds,
                    "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
                },
            },
            # The child's whole run: its task's timeout plus its launch retries. Past it, Step Functions
            # stops the child execution (and the child's task with it) and raises States.Timeout here.
            "TimeoutSeconds": call.nested_timeout_seconds,
            # The workflow's input flows on to every step unchanged.
            "ResultPath": None,
            "Retry": nested_retriers,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": record_state}],
            **({"Next": calls[index + 1].state_name} if index + 1 < len(calls) else {"End": True}),
        }
        states[record_state] = {
            "Type": "Pass",
            "Parameters": {"step": call.state_name, "error.$": "$.failure.Error", "cause.$": "$.failure.Cause"},
            "ResultPath": "$.alert",
            "Next": "Child execution failed?",
        }
    states.update(
        {
            # A failed child surfaces as States.TaskFailed whose cause is the child's DescribeExecution
            # output; its own Error/Cause (e.g. "exit code 3; ...") are what a person needs to read.
            "Child execution failed?": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.alert.error", "StringEquals": "States.TaskFailed", "Next": "Read child execution"}
                ],
                "Default": fail,
            },
            "Read child execution": {
                "Type": "Pass",
                "Parameters": {"execution.$": "States.StringToJson($.alert.cause)"},
                "ResultPath": "$.child",
                "Next": "Child error known?",
            },
            "Child error known?": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.child.execution.Error", "IsPresent": True},
                            {"Variable": "$.child.execution.Cause", "IsPresent": True},
                        ],
                        "Next": "Use child error",
                    }
                ],
                "Default": fail,
            },
            "Use child error": {
                "Type": "Pass",
                "Parameters": {
                    "step.$": "$.alert.step",
                    "error.$": "$.child.execution.Error",
                    "cause.$": "$.child.execution.Cause",
                },
                "ResultPath": "$.alert",
                "Next": fail,
            },
            **failure_states(fail_state),
        }
    )
    start_at = next(iter(prelude)) if prelude else calls[0].state_name
    # A backstop for the whole workflow; each step's own timeout fires first.
    budget = sum(call.nested_timeout_seconds + retry_budget_seconds(nested_retriers) for call in calls)
    return {
        "Comment": comment,
        "StartAt": start_at,
        "TimeoutSeconds": budget + TIMEOUT_MARGIN_SECONDS,
        "States": states,
    }
