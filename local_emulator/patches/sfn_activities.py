"""Activities: a Task whose Resource is an activity ARN, and the worker APIs.

moto 5.2 creates activities but its interpreter starts every execution with an empty activity
store (the task fails with a broken ActivityDoesNotExist), has no GetActivityTask handler, and
drops the ``cause`` of SendTaskFailure; and its task-token APIs (Send*, and the task hand-over here) walk
every RUNNING execution, failing with an AttributeError on one started a moment ago whose interpreter
has no environment yet (so a task handed out while another execution starts is lost until its heartbeat
times out). AWS queues the task on the activity, hands it to the next GetActivityTask (which waits up to
60 s), and records error and cause of a failure. This keeps one activity store per account and region,
used by every execution, adds GetActivityTask, and skips executions not yet running their interpreter.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html
"""

from __future__ import annotations

import json
import time

POLL_SECONDS = 60

stores: dict[tuple[str, str], dict] = {}


def store_for(account_id: str, region: str) -> dict:
    return stores.setdefault((account_id, region), {})


def apply() -> None:
    from moto.stepfunctions import models as sfn_models
    from moto.stepfunctions.parser import models as parser_models
    from moto.stepfunctions.parser.asl.eval.callback.callback import ActivityCallbackEndpoint
    from moto.stepfunctions.parser.backend.activity import Activity as ParserActivity
    from moto.stepfunctions.responses import StepFunctionResponse

    original_create = sfn_models.StepFunctionBackend.create_activity

    def create_activity(self, name, tags=None, encryption_configuration=None):
        activity = original_create(self, name, tags, encryption_configuration)
        store_for(self.account_id, self.region_name)[activity.arn] = ParserActivity(activity.arn, name)
        return activity

    sfn_models.StepFunctionBackend.create_activity = create_activity

    class Execution(parser_models.Execution):
        def __init__(self, *args, **kwargs):
            kwargs["activity_store"] = store_for(kwargs["account_id"], kwargs["region_name"])
            super().__init__(*args, **kwargs)

    parser_models.Execution = Execution

    def get_activity_task(self) -> str:
        activity_arn = self._get_param("activityArn")
        self.stepfunction_backend.describe_activity(activity_arn)  # AWS-shaped ActivityDoesNotExist
        activity = store_for(self.current_account, self.region).get(activity_arn)
        deadline = time.monotonic() + POLL_SECONDS
        while activity is not None and time.monotonic() < deadline:
            try:
                task = activity.get_task()
            except IndexError:
                time.sleep(0.05)
                continue
            for execution in self.stepfunction_backend._get_executions():
                # An execution started a moment ago may not have its environment yet; failing here would lose the
                # task already taken off the queue (it would come back only after its heartbeat timeout).
                env = getattr(getattr(execution, "exec_worker", None), "env", None)
                endpoint = env.callback_pool_manager.get(task.task_token) if env is not None else None
                if isinstance(endpoint, ActivityCallbackEndpoint):
                    endpoint.notify_activity_task_start(worker_name=self._get_param("workerName"))
                    break
            return json.dumps({"taskToken": task.task_token, "input": task.task_input})
        return json.dumps({})

    StepFunctionResponse.get_activity_task = get_activity_task

    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original_get_executions = StepFunctionsParserBackend._get_executions

    def _get_executions(self, execution_status=None):
        executions = original_get_executions(self, execution_status)
        if execution_status != ExecutionStatus.RUNNING:
            return executions
        return [e for e in executions if getattr(getattr(e, "exec_worker", None), "env", None) is not None]

    StepFunctionsParserBackend._get_executions = _get_executions

    def send_task_failure(self) -> str:
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
        )
        return "{}"

    StepFunctionResponse.send_task_failure = send_task_failure
