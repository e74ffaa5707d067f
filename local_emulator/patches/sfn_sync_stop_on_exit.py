"""A ``.sync`` state that ends before its job does stops the job: StopTask, or StopExecution of the child.

moto 5.2's interpreter stops waiting when a ``.sync`` state times out (``TimeoutSeconds``,
``HeartbeatSeconds``), when its execution is stopped (``StopExecution``, ``ABORTED``) or times out
(state-machine ``TimeoutSeconds``, ``TIMED_OUT``), and leaves the ECS task or the child execution running.
On AWS, Step Functions stops what a ``.sync`` state started when the state ends before it: that is why the
``.sync`` policies it generates grant ``ecs:StopTask`` ("You can only stop Amazon ECS tasks that were
started by Step Functions") and ``states:StopExecution`` on the child's executions.
https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html
https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html
https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-sync

Each call is made with the execution's role, like every other integration call, so a role without
``ecs:StopTask`` leaves the task running and the denial is in the authorization report.

Left as moto has it: after an execution is stopped or times out, the abandoned state still writes a
``TaskSucceeded`` event before ``ExecutionAborted``/``ExecutionTimedOut`` (AWS writes none).
"""

from __future__ import annotations

import sys


def _stopper_for_task(ecs, submission: dict):
    task = (submission.get("Tasks") or [{}])[0]
    task_arn, cluster_arn = task.get("TaskArn"), task.get("ClusterArn")
    if not task_arn:
        return None
    return lambda: ecs.stop_task(cluster=cluster_arn, task=task_arn)


def _stopper_for_execution(sfn, submission: dict):
    execution_arn = submission.get("ExecutionArn")
    if not execution_arn:
        return None
    return lambda: sfn.stop_execution(executionArn=execution_arn)


def _watched(resolver, stop_job):
    """The resolver, noting whether it saw the job end (a result, or a failure it raised)."""
    if resolver is None or stop_job is None:
        return resolver

    def resolve():
        try:
            result = resolver()
        except Exception:
            resolve.job_ended = True
            raise
        if result is not None:
            resolve.job_ended = True
        return result

    resolve.job_ended = False
    resolve.stop_job = stop_job
    return resolve


def _wrap_builder(cls, name: str, service: str, stopper) -> None:
    from moto.stepfunctions.parser.asl.utils import boto_client as boto_client_module

    original = getattr(cls, name)

    def build(self, env, resource_runtime_part, normalised_parameters, state_credentials):
        submission = env.stack[-1] if env.stack and isinstance(env.stack[-1], dict) else {}
        resolver = original(self, env, resource_runtime_part, normalised_parameters, state_credentials)
        # The module attribute is read now: the authorization patch replaced it with one that signs as the execution.
        client = boto_client_module.boto_client_for(
            region=resource_runtime_part.region, service=service, state_credentials=state_credentials
        )
        return _watched(resolver, stopper(client, submission))

    setattr(cls, name, build)


def apply() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
        StateTaskServiceCallback,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs import (
        StateTaskServiceEcs,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )

    _wrap_builder(StateTaskServiceEcs, "_build_sync_resolver", "ecs", _stopper_for_task)
    _wrap_builder(StateTaskServiceSfn, "_build_sync_resolver", "stepfunctions", _stopper_for_execution)
    _wrap_builder(StateTaskServiceSfn, "_build_sync2_resolver", "stepfunctions", _stopper_for_execution)

    original_eval_sync = StateTaskServiceCallback._eval_sync

    def _eval_sync(self, env, sync_resolver, *args, **kwargs):
        try:
            return original_eval_sync(self, env, sync_resolver, *args, **kwargs)
        finally:
            # The wait ended (state timeout, heartbeat timeout, execution stopped or timed out) but the job did not.
            if getattr(sync_resolver, "job_ended", True) is False:
                try:
                    sync_resolver.stop_job()
                except Exception as error:  # best effort, as in AWS: the state's own outcome stands
                    print(f"local-emulator: could not stop the job of a .sync state: {error}", file=sys.stderr)

    StateTaskServiceCallback._eval_sync = _eval_sync
