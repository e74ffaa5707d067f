"""ECS tasks stay RUNNING until something stops them, and stop with a real exit code.

moto 5.2 moves a task from RUNNING to STOPPED the first time it is described, with exit code 0,
so ``ecs:runTask.sync`` "succeeds" before any work could run. On AWS a task runs until its essential
container exits, and the container's exit code is reported when it stops. This sets moto's task
transitions to manual (they never advance by being read) and implements SubmitTaskStateChange, the
ECS agent's own API, so the local agent reports STOPPED with the container's exit code and reason.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_SubmitTaskStateChange.html
"""

from __future__ import annotations

import datetime
import json

NEVER = 10**12
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html#ECS-Type-Task-stopCode
USER_INITIATED = "UserInitiated"


def apply() -> None:
    from moto.ecs.models import Container, EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.moto_api import state_manager

    state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": NEVER})

    # Container exit codes are unknown until the container stops (AWS omits exitCode while running).
    Container.exitCode = None
    original_container_init = Container.__init__

    def container_init(self, task_def) -> None:
        original_container_init(self, task_def)
        self.exitCode = None
        self.last_status = "RUNNING"
        self.reason = None

    Container.__init__ = container_init

    def submit_task_state_change(self, cluster: str, task: str, status: str, reason: str, containers: list) -> str:
        cluster_name = cluster.split("/")[-1]
        found = self.tasks.get(cluster_name, {})
        matches = [t for arn, t in found.items() if arn == task or arn.endswith("/" + task.split("/")[-1])]
        if not matches:
            from moto.ecs.exceptions import TaskDefinitionNotFoundException

            raise TaskDefinitionNotFoundException()
        target = matches[0]
        by_name = {c.get("containerName"): c for c in containers or []}
        for container in target.containers:
            change = by_name.get(container.name) or (containers[0] if containers else None)
            if change:
                if change.get("exitCode") is not None:
                    container.exitCode = int(change["exitCode"])
                container.last_status = change.get("status", status)
                container.reason = change.get("reason")
        if status == "STOPPED":
            if getattr(target, "stop_code", None) != USER_INITIATED:
                # The container stopped on its own; after a StopTask the stop keeps the code and reason StopTask set.
                target.stopped_reason = reason or "Essential container in task exited"
                target.stop_code = "EssentialContainerExited"
            target.last_status = "STOPPED"
            target.desired_status = "STOPPED"
            target.stopped_at = datetime.datetime.now(datetime.UTC)
        elif target.desired_status == "RUNNING":
            # An agent runs this task now: StopTask waits for it to report the container's exit.
            target.last_status = status
            target.run_by_agent = True
        return "ACK"

    EC2ContainerServiceBackend.submit_task_state_change = submit_task_state_change

    def submit_task_state_change_response(self) -> str:
        acknowledgment = self.ecs_backend.submit_task_state_change(
            cluster=self._get_param("cluster", "default"),
            task=self._get_param("task"),
            status=self._get_param("status"),
            reason=self._get_param("reason"),
            containers=self._get_param("containers") or [],
        )
        return json.dumps({"acknowledgment": acknowledgment})

    EC2ContainerServiceResponse.submit_task_state_change = submit_task_state_change_response
