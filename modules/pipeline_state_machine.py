"""Parent state machine: run a pipeline's steps in series, each a nested run-task execution.

Each step is ``states:startExecution.sync:2`` of the run-task child, so the parent waits for the
container to stop; each names its own task definition (the one tagged with the step). A failed step is
caught and the execution fails with the step, the error and a short cause: later steps never run, and the
stack's execution-status rule alerts once (modules/execution_alert_rule.py).
https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fargate_batch.config.schema import StepConfig
from fargate_batch.tf import Construct
from modules._private.iam_statements import AwsScope, Statement
from modules._private.integration_patterns import IntegrationPattern, integration_resource
from modules._private.nested_workflow import ChildCall, nested_workflow_definition
from modules.aws_scope import aws_scope
from modules.nested_workflow_state_machine import NestedWorkflowStateMachine
from modules.run_task_state_machine import RunTaskStateMachine
from modules.state_machine import StateMachineLogging


@dataclass(frozen=True)
class PipelineStateMachineProps:
    """A child execution that Step Functions refused to start is retried by a fixed retrier
    (``modules._private.asl.nested_start_throttling_retrier``); launch retries are the run-task child's;
    container exits are not retried."""

    name: str
    pipeline_name: str
    steps: tuple[StepConfig, ...]
    run_task: RunTaskStateMachine
    # Step name -> the task definition family its tasks run from (and are tagged by); one of run_task's.
    step_families: Mapping[str, str]
    concurrency: str = "skip"
    logging: StateMachineLogging = StateMachineLogging()


def list_own_runs(aws: AwsScope, state_machine_name: str) -> Statement:
    """``states:ListExecutions`` on this pipeline only, for the overlap guard (resource type stateMachine).

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
    """
    return Statement(
        sid="ListOwnRuns",
        actions=("states:ListExecutions",),
        resources=(aws.arn("states", f"stateMachine:{state_machine_name}"),),
    )


def step_input(pipeline_name: str, step: StepConfig, task_definition_arn: str) -> dict:
    """The run-task child's input for one step; BATCH_* variables tell the program where it runs."""
    environment = {**step.environment, "BATCH_PIPELINE": pipeline_name, "BATCH_STEP": step.name}
    return {
        "task_definition": task_definition_arn,
        "commands": list(step.command),
        "environment": [{"Name": k, "Value": v} for k, v in sorted(environment.items())],
    }


SKIP_STATE = "Skip: another run is in progress"


def overlap_guard(first_step: str) -> dict[str, dict]:
    """States that end a run at once when an older run of the same pipeline is still RUNNING.

    ListExecutions returns the newest execution first, so the last RUNNING one is the oldest; only it
    goes on. Two starts a moment apart (a slow run and the next schedule, or a Scheduler/S3 event
    delivered twice — both are at-least-once) then launch one set of tasks, not two.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
    """
    return {
        "Find runs in progress": {
            "Type": "Task",
            "Resource": integration_resource("aws-sdk:sfn:listExecutions", IntegrationPattern.REQUEST_RESPONSE),
            "Parameters": {"StateMachineArn.$": "$$.StateMachine.Id", "StatusFilter": "RUNNING", "MaxResults": 100},
            "ResultSelector": {
                "oldest.$": "States.ArrayGetItem($.Executions, States.MathAdd(States.ArrayLength($.Executions), -1))",
                # Beside the result, so the Choice compares two input paths.
                "self.$": "$$.Execution.Id",
            },
            "ResultPath": "$.runs",
            # Throttled or failed, the guard lets the run go on: a skipped run is worse than an overlap.
            "Retry": [
                {
                    "ErrorEquals": ["Sfn.SfnException", "States.TaskFailed"],
                    "IntervalSeconds": 1,
                    "BackoffRate": 2.0,
                    "MaxAttempts": 3,
                    "JitterStrategy": "FULL",
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": first_step}],
            "Next": "Another run in progress?",
        },
        "Another run in progress?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.runs.oldest.ExecutionArn",
                    "StringEqualsPath": "$.runs.self",
                    "Next": first_step,
                }
            ],
            "Default": SKIP_STATE,
        },
        SKIP_STATE: {
            "Type": "Pass",
            "Comment": "concurrency = skip: this start ends here, launching nothing and alerting nobody",
            "Parameters": {"skipped.$": "States.Format('still running: {}', $.runs.oldest.ExecutionArn)"},
            "End": True,
        },
    }


def pipeline_definition(
    *,
    pipeline_name: str,
    steps: tuple[StepConfig, ...],
    step_task_definitions: Mapping[str, str],
    child_arn: str,
    child_retry_budget_seconds: int,
    concurrency: str = "skip",
) -> dict:
    """``step_task_definitions``: step name → the task definition ARN the step runs."""
    if not steps:
        raise ValueError(f"pipeline {pipeline_name!r} has no steps; add at least one [[pipelines.steps]]")
    return nested_workflow_definition(
        workflow_kind="pipeline",
        workflow_name=pipeline_name,
        calls=tuple(
            ChildCall(
                step.name,
                step_input(pipeline_name, step, step_task_definitions[step.name]),
                step.timeout_seconds,
                child_retry_budget_seconds,
            )
            for step in steps
        ),
        child_arn=child_arn,
        comment=f"Pipeline {pipeline_name}: {' -> '.join(s.name for s in steps)}; a failed step stops it",
        prelude=overlap_guard(steps[0].name) if concurrency == "skip" else None,
    )


class PipelineStateMachine(NestedWorkflowStateMachine):
    def __init__(self, scope: Construct, id_: str, *, props: PipelineStateMachineProps) -> None:
        super().__init__(
            scope,
            id_,
            name=props.name,
            definition=pipeline_definition(
                pipeline_name=props.pipeline_name,
                steps=props.steps,
                step_task_definitions={
                    step.name: props.run_task.task_definition_arn(props.step_families[step.name])
                    for step in props.steps
                },
                child_arn=props.run_task.arn,
                child_retry_budget_seconds=props.run_task.launch_retry_budget_seconds,
                concurrency=props.concurrency,
            ),
            run_task=props.run_task,
            logging=props.logging,
            extra_statements=(list_own_runs(aws_scope(scope), props.name),) if props.concurrency == "skip" else (),
        )
        self.pipeline_name = props.pipeline_name
        self.steps = props.steps
