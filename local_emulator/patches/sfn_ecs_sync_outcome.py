"""How ``ecs:runTask.sync`` ends: launch failures and non-zero exit codes.

moto 5.2's interpreter (from LocalStack) indexes ``Tasks[0]`` of the RunTask answer, so a RunTask
that placed nothing fails with an IndexError; and it reports success for any stopped task. AWS
raises ``ECS.AmazonECSException`` with the failure reason when RunTask places nothing, and fails
the state with ``States.TaskFailed`` (cause: the stopped task, as JSON) when an essential container
exits non-zero.
https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
"""

from __future__ import annotations


def _failure(env, service, error: str, cause: str):
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    error_name = (
        StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed)
        if error == "States.TaskFailed"
        else CustomErrorName(error)
    )
    return FailureEventException(
        FailureEvent(
            env=env,
            error_name=error_name,
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(
                    resource=service._get_sfn_resource(),
                    resourceType=service._get_sfn_resource_type(),
                    error=error,
                    cause=cause,
                )
            ),
        )
    )


def apply() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs import (
        StateTaskServiceEcs,
    )
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    original_eval = StateTaskServiceEcs._eval_service_task
    original_build = StateTaskServiceEcs._build_sync_resolver

    def _eval_service_task(self, env, resource_runtime_part, normalised_parameters, state_credentials):
        if self._get_boto_service_action() == "run_task":
            ecs = boto_client_for(
                region=resource_runtime_part.region, service="ecs", state_credentials=state_credentials
            )
            response = ecs.run_task(**normalised_parameters)
            if not response.get("tasks"):
                reasons = "; ".join(f.get("reason", "unknown") for f in response.get("failures", []))
                raise _failure(env, self, "ECS.AmazonECSException", reasons or "RunTask started no task")
            # Placed: describe it as AWS does (the original path), without a second RunTask.
            describe = ecs.describe_tasks(
                cluster=response["tasks"][0]["clusterArn"], tasks=[response["tasks"][0]["taskArn"]]
            )
            describe.pop("ResponseMetadata", None)
            self._normalise_response(response=describe, service_action_name="describe_tasks")
            env.stack.append(describe)
            return None
        return original_eval(self, env, resource_runtime_part, normalised_parameters, state_credentials)

    def _build_sync_resolver(self, env, resource_runtime_part, normalised_parameters, state_credentials):
        resolver = original_build(self, env, resource_runtime_part, normalised_parameters, state_credentials)

        def checked():
            task = resolver()
            if task is None:
                return None
            exit_codes = [c.get("ExitCode") for c in task.get("Containers", [])]
            if any(code not in (0, None) for code in exit_codes) or all(code is None for code in exit_codes):
                raise _failure(env, self, "States.TaskFailed", to_json_str(task))
            return task

        return checked

    StateTaskServiceEcs._eval_service_task = _eval_service_task
    StateTaskServiceEcs._build_sync_resolver = _build_sync_resolver
