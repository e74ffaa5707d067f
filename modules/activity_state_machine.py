"""State machine whose one Task is an activity, with heartbeat, timeout and retry; a failure fails the execution.

A worker that dies mid-task stops heart-beating; after ``HeartbeatSeconds`` the task fails with
``States.HeartbeatTimeout`` and the retry hands it to the next worker that polls, so no job is
silently lost. A worker that is being stopped reports ``Worker.Stopped``, retried the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.config import rules
from fargate_batch.config.schema import RetryConfig
from fargate_batch.tf import Construct
from modules._private.asl import failure_entry, failure_states, retrier
from modules.activity import Activity
from modules.state_machine import StateMachine, StateMachineLogging, StateMachineProps

REDELIVERED_ERRORS = ("States.HeartbeatTimeout", "Worker.Stopped")
# How a job whose worker was lost or stopped is handed to the next worker (10 s, doubling, 4 times, at most
# 300 s apart, fully jittered): owned by the configuration, whose timeout check counts its deliveries.
ACTIVITY_REDELIVERY = rules.ACTIVITY_REDELIVERY


@dataclass(frozen=True)
class ActivityStateMachineProps:
    """``heartbeat_seconds``: Default 60. ``timeout_seconds``: Default 3600 (must exceed the heartbeat).

    ``redelivery``: Default ``ACTIVITY_REDELIVERY``: how a job is handed to another worker after its
    worker stopped heart-beating or reported ``Worker.Stopped``.
    """

    name: str
    activity_name: str
    activity: Activity
    heartbeat_seconds: int = 60
    timeout_seconds: int = 3600
    redelivery: RetryConfig = ACTIVITY_REDELIVERY
    logging: StateMachineLogging = StateMachineLogging()

    def __post_init__(self) -> None:
        if self.heartbeat_seconds >= self.timeout_seconds:
            raise ValueError(
                f"heartbeat_seconds ({self.heartbeat_seconds}) must be less than timeout_seconds "
                f"({self.timeout_seconds}); a heartbeat that never comes before the timeout detects nothing"
            )


def activity_definition(
    *,
    activity_name: str,
    activity_arn: str,
    heartbeat_seconds: int,
    timeout_seconds: int,
    redelivery: RetryConfig,
) -> dict:
    retriers = [retrier(REDELIVERED_ERRORS, redelivery)]
    return {
        "Comment": f"Activity {activity_name}: a worker on Fargate does the work",
        "StartAt": "Do work",
        # Every delivery may run to its own timeout; the backstop allows each, with the waits between them
        # (the count the configuration's timeout check uses).
        "TimeoutSeconds": rules.activity_execution_timeout_seconds(timeout_seconds, redelivery),
        "States": {
            "Do work": {
                "Type": "Task",
                "Resource": activity_arn,
                "HeartbeatSeconds": heartbeat_seconds,
                "TimeoutSeconds": timeout_seconds,
                "Retry": retriers,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Record failure"}],
                "End": True,
            },
            "Record failure": {
                "Type": "Pass",
                "Parameters": {"step": "Do work", "error.$": "$.failure.Error", "cause.$": "$.failure.Cause"},
                "ResultPath": "$.alert",
                "Next": failure_entry("Activity failed"),
            },
            **failure_states("Activity failed"),
        },
    }


class ActivityStateMachine(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ActivityStateMachineProps) -> None:
        super().__init__(scope, id_)
        definition = activity_definition(
            activity_name=props.activity_name,
            activity_arn=props.activity.arn,
            heartbeat_seconds=props.heartbeat_seconds,
            timeout_seconds=props.timeout_seconds,
            redelivery=props.redelivery,
        )
        # Activity tasks need no permission on the state machine's side: the worker pulls them.
        self.state_machine = StateMachine(
            self,
            "machine",
            props=StateMachineProps(
                name=props.name,
                definition=definition,
                statements=(),
                logging=props.logging,
            ),
        )

    @property
    def arn(self) -> str:
        return self.state_machine.arn

    @property
    def definition(self) -> dict:
        return self.state_machine.definition
