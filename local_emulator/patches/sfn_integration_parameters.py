"""Optimized-integration parameters and responses (``ecs:runTask``, ``states:startExecution``, ``sns:publish``).

moto 5.2's ASL interpreter leaves ``_normalise_parameters`` and ``_normalise_response`` empty, so
ASL's PascalCase parameters reach boto3 unchanged and a RunTask fails with ``KeyError 'LaunchType'``
(StartExecution: ``'Input'``). AWS maps ASL parameters onto the service API's own members
(``LaunchType`` → ``launchType``; a JSON object ``Input`` → a JSON string) and returns responses
PascalCased, with timestamps as epoch milliseconds (moto leaves datetime objects, and the
execution's output then fails to serialize: DescribeExecution answers HTTP 500). This fills both
in from botocore's service model, as LocalStack (where the interpreter comes from) does.
"""

from __future__ import annotations

import datetime
from functools import cache

import botocore.session


@cache
def _operation_model(service_name: str, snake_action: str):
    service_model = botocore.session.get_session().get_service_model(service_name)
    by_snake = {botocore.xform_name(name): name for name in service_model.operation_names}
    return service_model.operation_model(by_snake[snake_action])


def epoch_millis(value):
    """Timestamps inside integration results as AWS renders them in state output: epoch milliseconds."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: epoch_millis(v) for k, v in value.items()}
    if isinstance(value, list):
        return [epoch_millis(v) for v in value]
    return value


def apply() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
        StateTaskService,
    )

    def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None) -> None:
        operation = _operation_model(
            self._get_boto_service_name(boto_service_name), self._get_boto_service_action(service_action_name)
        )
        if operation.input_shape is not None:
            self._to_boto_request(parameters, operation.input_shape)

    def _normalise_response(self, response, boto_service_name=None, service_action_name=None) -> None:
        operation = _operation_model(
            self._get_boto_service_name(boto_service_name), self._get_boto_service_action(service_action_name)
        )
        if operation.output_shape is not None:
            self._from_boto_response(response, operation.output_shape)
        if isinstance(response, dict):
            response.update(epoch_millis(response))

    StateTaskService._normalise_parameters = _normalise_parameters
    StateTaskService._normalise_response = _normalise_response
