"""Step Functions "Execution Status Change" events on the account's default event bus.

moto 5.2 changes an execution's status without telling EventBridge, so a rule on failed executions
never fires. AWS puts an event on the default bus whenever a Standard workflow's execution changes
status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED); Express workflows emit none:
https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html
https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html (the event examples)
https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-states.html

The event: ``source`` ``aws.states``, ``detail-type`` ``Step Functions Execution Status Change``,
``resources`` ``[executionArn]``, and a ``detail`` with executionArn, stateMachineArn, name, status,
startDate and stopDate (epoch milliseconds; stopDate null while running), input and inputDetails, output
and outputDetails (null unless SUCCEEDED), error and cause (null unless set). Rules on the bus then deliver
it as they deliver any event (``events_sns_sqs_targets``, ``events_state_machine_target``).
"""

from __future__ import annotations

import json


def _millis(moment) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def status_change_detail(execution, status: str) -> dict:
    succeeded = status == "SUCCEEDED"
    return {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine.arn,
        "name": execution.name,
        "status": status,
        "startDate": _millis(execution.start_date),
        "stopDate": None if status == "RUNNING" else _millis(execution.stop_date),
        "input": json.dumps(execution.input_data, separators=(",", ":")),
        "output": json.dumps(execution.output, separators=(",", ":")) if succeeded else None,
        "inputDetails": {"included": True},
        "outputDetails": {"included": True} if succeeded else None,
        "error": execution.error,
        "cause": execution.cause,
    }


def put_status_change_event(execution, status: str) -> None:
    """Put the event on the default bus of the execution's account and region (EventBridge routes it)."""
    from moto.events.models import events_backends
    from moto.stepfunctions.parser.api import StateMachineType

    if execution.sm_type != StateMachineType.STANDARD:
        return
    events_backends[execution.account_id][execution.region_name].put_events(
        [
            {
                "Source": "aws.states",
                "DetailType": "Step Functions Execution Status Change",
                "Detail": json.dumps(status_change_detail(execution, status), default=str),
                "Resources": [execution.exec_arn],
            }
        ]
    )


def _announce(execution, status: str) -> None:
    """Delivery problems are the rules' to record (dead-letter queues, FailedInvocations); an error in the emulator
    itself must not change the execution's outcome, so it is printed to the emulator's log instead."""
    import sys
    import traceback

    try:
        put_status_change_event(execution, status)
    except Exception:
        print(f"sfn-status-events: {execution.exec_arn} {status}\n{traceback.format_exc()}", file=sys.stderr)


def apply() -> None:
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution

    original_worker = Execution._get_start_execution_worker

    def _get_start_execution_worker(self):
        worker = original_worker(self)
        start = worker.start

        def start_and_announce():
            # start() has set RUNNING by now; the event goes out before the worker can finish.
            _announce(self, "RUNNING")
            start()

        worker.start = start_and_announce
        return worker

    Execution._get_start_execution_worker = _get_start_execution_worker

    original_terminated = BaseExecutionWorkerCommunication.terminated

    def terminated(self) -> None:
        original_terminated(self)
        _announce(self.execution, self.execution.exec_status.value)

    BaseExecutionWorkerCommunication.terminated = terminated
