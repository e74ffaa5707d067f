"""A missed activity heartbeat is a ``States.HeartbeatTimeout`` for Retry and Catch.

moto 5.2's interpreter reports every activity timeout as ``States.Timeout``; AWS reports a missed
heartbeat so that ``ErrorEquals: ["States.HeartbeatTimeout"]`` matches it ("only available inside
the Catch and Retry fields"), which is how a job of a dead worker is handed to another worker
without retrying jobs that ran past TimeoutSeconds. This names heartbeat timeouts accordingly.
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-error-representation
"""

from __future__ import annotations


def apply() -> None:
    from moto.stepfunctions.parser.api import ActivityTimedOutEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_activitiy
    from moto.stepfunctions.parser.asl.eval.callback.callback import HeartbeatTimeoutError
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    activity_state = state_task_activitiy.StateTaskActivity
    original = activity_state._from_error

    def _from_error(self, env, ex):
        if isinstance(ex, HeartbeatTimeoutError):
            name = StatesErrorNameType.StatesHeartbeatTimeout
            return FailureEvent(
                env=env,
                error_name=StatesErrorName(typ=name),
                event_type=HistoryEventType.ActivityTimedOut,
                event_details=EventDetails(
                    activityTimedOutEventDetails=ActivityTimedOutEventDetails(error=name.to_name())
                ),
            )
        return original(self, env, ex)

    activity_state._from_error = _from_error
