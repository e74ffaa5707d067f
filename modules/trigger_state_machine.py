"""State machine started by an S3 "Object Created" rule: runs the trigger's command with the object key.

Seed 003 wanted ``"Command.$": "States.Array($.detail.object.key)"``. A Pass state builds the whole
command with intrinsic functions instead of an EventBridge input transformer: any argument may embed
``{key}``, quoting is ASL's job rather than string templating, and the original event stays in the
execution input. The task then runs as a nested run-task execution, so launch retries, exit-code
causes and alerts are the same as for pipelines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from fargate_batch.tf import Construct
from modules._private.nested_workflow import ChildCall, nested_workflow_definition
from modules.nested_workflow_state_machine import NestedWorkflowStateMachine
from modules.run_task_state_machine import RunTaskStateMachine
from modules.state_machine import StateMachineLogging

KEY_PLACEHOLDER = "{key}"
OBJECT_KEY_PATH = "$.detail.object.key"
BUCKET_NAME_PATH = "$.detail.bucket.name"


def _asl_string_literal(text: str) -> str:
    # Intrinsic-function string literals: ' { } \ are escaped with a backslash.
    escaped = "".join("\\" + c if c in "'{}\\" else c for c in text)
    return f"'{escaped}'"


def command_expression(command: tuple[str, ...]) -> str:
    """An intrinsic expression building ``command`` with each ``{key}`` replaced by the object key."""
    arguments = []
    for argument in command:
        if argument == KEY_PLACEHOLDER:
            arguments.append(OBJECT_KEY_PATH)
        elif KEY_PLACEHOLDER in argument:
            template = "{}".join(_asl_string_literal(part)[1:-1] for part in argument.split(KEY_PLACEHOLDER))
            paths = ", ".join([OBJECT_KEY_PATH] * argument.count(KEY_PLACEHOLDER))
            arguments.append(f"States.Format('{template}', {paths})")
        else:
            arguments.append(_asl_string_literal(argument))
    return f"States.Array({', '.join(arguments)})"


@dataclass(frozen=True)
class TriggerStateMachineProps:
    """``command``: the task's command; ``{key}`` is replaced by the created object's key.

    The task also gets DATA_BUCKET, OBJECT_KEY and BATCH_TRIGGER in its environment.
    """

    name: str
    trigger_name: str
    command: tuple[str, ...]
    run_task: RunTaskStateMachine
    # The task definition family the trigger's tasks run from (and are tagged by); one of run_task's.
    family: str
    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    timeout_seconds: int = 3600
    logging: StateMachineLogging = StateMachineLogging()


def trigger_definition(
    *,
    trigger_name: str,
    command: tuple[str, ...],
    environment: Mapping[str, str],
    task_definition_arn: str,
    child_arn: str,
    child_retry_budget_seconds: int,
    timeout_seconds: int,
) -> dict:
    static_environment = {**environment, "BATCH_TRIGGER": trigger_name}
    task_environment = [
        {"Name": "DATA_BUCKET", "Value.$": BUCKET_NAME_PATH},
        {"Name": "OBJECT_KEY", "Value.$": OBJECT_KEY_PATH},
        *({"Name": k, "Value": v} for k, v in sorted(static_environment.items())),
    ]
    prelude = {
        "Build task input": {
            "Type": "Pass",
            "Parameters": {"commands.$": command_expression(command), "environment": task_environment},
            "ResultPath": "$.task",
            "Next": "Run task",
        }
    }
    return nested_workflow_definition(
        workflow_kind="trigger",
        workflow_name=trigger_name,
        calls=(
            ChildCall(
                "Run task",
                {
                    "task_definition": task_definition_arn,
                    "commands.$": "$.task.commands",
                    "environment.$": "$.task.environment",
                },
                timeout_seconds,
                child_retry_budget_seconds,
            ),
        ),
        child_arn=child_arn,
        comment=f"Trigger {trigger_name}: run the task for the object that was created",
        prelude=prelude,
    )


class TriggerStateMachine(NestedWorkflowStateMachine):
    def __init__(self, scope: Construct, id_: str, *, props: TriggerStateMachineProps) -> None:
        super().__init__(
            scope,
            id_,
            name=props.name,
            definition=trigger_definition(
                trigger_name=props.trigger_name,
                command=props.command,
                environment=props.environment,
                task_definition_arn=props.run_task.task_definition_arn(props.family),
                child_arn=props.run_task.arn,
                child_retry_budget_seconds=props.run_task.launch_retry_budget_seconds,
                timeout_seconds=props.timeout_seconds,
            ),
            run_task=props.run_task,
            logging=props.logging,
        )
