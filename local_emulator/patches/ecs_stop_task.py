"""StopTask stops a running task the way ECS does: the task is STOPPED once its container has exited.

moto 5.2 marks the task STOPPED the moment StopTask is called, with no stop code and no exit code,
so a caller sees the task stopped while its program still runs. On AWS, StopTask sets the desired
status to STOPPED; the agent sends SIGTERM, then SIGKILL after the container's stop timeout, and the
task reaches STOPPED with the container's exit code (143 after SIGTERM, 137 after SIGKILL), stop code
``UserInitiated`` and the reason given to StopTask.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html#ECS-Type-Task-stopCode

Here a task the local ECS agent runs (it reported RUNNING through SubmitTaskStateChange) waits for
the agent to report the exit; a task no agent runs has nothing to wait for and stops at once.
"""

from __future__ import annotations

import datetime

from local_emulator.patches.ecs_task_lifecycle import USER_INITIATED

# What ECS reports when StopTask was called without a reason (the console's "Task stopped by user").
DEFAULT_STOPPED_REASON = "Task stopped by user"


def apply() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    original_stop_task = EC2ContainerServiceBackend.stop_task

    def stop_task(self, cluster_str: str, task_str: str, reason: str):
        cluster = self._get_cluster(cluster_str)
        task_id = task_str.split("/")[-1]
        found = [t for arn, t in self.tasks.get(cluster.name, {}).items() if arn.endswith("/" + task_id)]
        if found and found[0].last_status == "STOPPED":
            return found[0]  # stopping a stopped task changes nothing
        now = datetime.datetime.now(datetime.UTC)
        if found and getattr(found[0], "run_by_agent", False):
            task = found[0]
            task.desired_status = "STOPPED"
            # The first status of a stopping Fargate task; STOPPED follows when the agent reports the exit.
            # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
            task.last_status = "DEACTIVATING"
        else:
            task = original_stop_task(self, cluster_str, task_str, reason)
            task.stopped_at = now
            for container in task.containers:
                container.last_status = "STOPPED"
        task.stop_code = USER_INITIATED
        task.stopped_reason = reason or DEFAULT_STOPPED_REASON
        task.stopping_at = now
        return task

    EC2ContainerServiceBackend.stop_task = stop_task
