"""A state machine that runs run-task child executions (``startExecution.sync:2``) and alerts on failure.

Pipelines and S3 triggers are both this: they differ only in the definition they hand over.
"""

from __future__ import annotations

from fargate_batch.tf import Construct
from modules._private.iam_statements import AwsScope, Statement
from modules.aws_scope import aws_scope
from modules.run_task_state_machine import RunTaskStateMachine
from modules.state_machine import StateMachine, StateMachineLogging, StateMachineProps


def start_execution_sync2(scope: AwsScope, *, state_machine_arn: str, state_machine_name: str) -> tuple[Statement, ...]:
    """Permissions for ``arn:aws:states:::states:startExecution.sync:2`` of one child.

    https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html (Synchronous)
    """
    return (
        Statement(
            sid="StartChildExecution",
            actions=("states:StartExecution",),
            resources=(state_machine_arn,),
        ),
        Statement(
            sid="TrackAndStopChildExecutions",
            actions=("states:DescribeExecution", "states:StopExecution"),
            resources=(scope.arn("states", f"execution:{state_machine_name}:*"),),
        ),
        Statement(
            sid="ManagedRuleForExecutionEvents",
            actions=("events:PutTargets", "events:PutRule", "events:DescribeRule"),
            resources=(scope.arn("events", "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"),),
        ),
    )


class NestedWorkflowStateMachine(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        definition: dict,
        run_task: RunTaskStateMachine,
        logging: StateMachineLogging,
        extra_statements: tuple[Statement, ...] = (),
    ) -> None:
        super().__init__(scope, id_)
        statements = (
            *start_execution_sync2(aws_scope(self), state_machine_arn=run_task.arn, state_machine_name=run_task.name),
            *extra_statements,
        )
        self.state_machine = StateMachine(
            self,
            "machine",
            props=StateMachineProps(
                name=name,
                definition=definition,
                statements=statements,
                logging=logging,
            ),
        )

    @property
    def arn(self) -> str:
        return self.state_machine.arn

    @property
    def definition(self) -> dict:
        return self.state_machine.definition
