"""Parent state machine: run a pipeline's steps in series, each a nested run-task execution.

Each step is ``states:startExecution.sync:2`` of the run-task child, so the parent waits for the
container to stop. A failed step is caught, an alert naming the pipeline, the step, the error and a
short cause is published, and the execution fails: later steps never run.
https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.config.schema import StateMachineLoggingConfig, StepConfig
from fargate_batch.tf import Construct
from modules._private.nested_workflow import ChildCall, nested_workflow_definition
from modules.alert_topic import AlertTopic
from modules.nested_workflow_state_machine import NestedWorkflowStateMachine
from modules.run_task_state_machine import RunTaskStateMachine


@dataclass(frozen=True)
class PipelineStateMachineProps:
    """A child execution that Step Functions refused to start is retried by a fixed retrier
    (``modules._private.asl.nested_start_throttling_retrier``); launch retries are the run-task child's;
    container exits are not retried."""

    name: str
    pipeline_name: str
    steps: tuple[StepConfig, ...]
    run_task: RunTaskStateMachine
    alert_topic: AlertTopic
    logging: StateMachineLoggingConfig = StateMachineLoggingConfig()
    log_retention_days: int = 365
    log_kms_key_arn: str | None = None


def step_input(pipeline_name: str, step: StepConfig) -> dict:
    """The run-task child's input for one step; BATCH_* variables tell the program where it runs."""
    environment = {**step.environment, "BATCH_PIPELINE": pipeline_name, "BATCH_STEP": step.name}
    return {
        "commands": list(step.command),
        "environment": [{"Name": k, "Value": v} for k, v in sorted(environment.items())],
    }


def pipeline_definition(*, pipeline_name: str, steps: tuple[StepConfig, ...], child_arn: str, topic_arn: str) -> dict:
    if not steps:
        raise ValueError(f"pipeline {pipeline_name!r} has no steps; add at least one [[pipelines.steps]]")
    return nested_workflow_definition(
        workflow_kind="pipeline",
        workflow_name=pipeline_name,
        calls=tuple(ChildCall(step.name, step_input(pipeline_name, step)) for step in steps),
        child_arn=child_arn,
        topic_arn=topic_arn,
        comment=f"Pipeline {pipeline_name}: {' -> '.join(s.name for s in steps)}; a failed step stops it",
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
                child_arn=props.run_task.arn,
                topic_arn=props.alert_topic.arn,
            ),
            run_task=props.run_task,
            alert_topic=props.alert_topic,
            logging=props.logging,
            log_retention_days=props.log_retention_days,
            log_kms_key_arn=props.log_kms_key_arn,
        )
        self.pipeline_name = props.pipeline_name
        self.steps = props.steps
