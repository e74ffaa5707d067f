"""A task whose image is not in the emulator's ECR fails to start, as ECS reports a failed pull.

moto 5.2 runs a task whatever its image names. On AWS the container image is pulled before the task
runs; when the image's repository does not hold that tag (or digest), the task never runs: it goes
STOPPED with stop code ``TaskFailedToStart`` and a ``CannotPullContainerError`` stopped reason, and an
``ecs:runTask.sync`` state then fails with ``States.TaskFailed``. This checks each container image that
names an ECR repository (``<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:<tag>|@sha256:<digest>]``)
against the emulator's ECR when RunTask places the task; any other image (a public one) runs as before.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html

The check is on unless the emulator's environment holds ``LOCAL_EMULATOR_ECR_IMAGE_CHECK=off``
(``start_emulator`` and ``make up`` pass their environment on); record an image with
``local_emulator.ecr_images.record_pushed_image`` as ``docker push`` would.
"""

from __future__ import annotations

import datetime
import os
import re

SWITCH = "LOCAL_EMULATOR_ECR_IMAGE_CHECK"
TASK_FAILED_TO_START = "TaskFailedToStart"
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9._/-]+?)(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


def check_enabled() -> bool:
    return os.environ.get(SWITCH, "on").strip().lower() not in ("off", "0", "false", "no")


def pull_failure(image: str) -> str | None:
    """The CannotPullContainerError ECS reports for ``image``, or None when it can be pulled (or is not ECR's)."""
    match = ECR_IMAGE.match(image)
    if match is None:
        return None
    from moto.ecr.models import ecr_backends

    repository = ecr_backends[match["account"]][match["region"]].repositories.get(match["repository"])
    tag, digest = match["tag"], match["digest"]
    if tag is None and digest is None:
        tag = "latest"  # what docker pulls when the image names neither
    held = repository is not None and any(
        (tag is None or tag in image.image_tags) and (digest is None or digest == image.get_image_digest())
        for image in repository.images
    )
    if held:
        return None
    # The Fargate agent's wording for a reference the registry does not hold (task_cannot_pull_image.html).
    return (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
        f"failed to resolve ref {image}: {image}: not found"
    )


def apply() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    original_run_task = EC2ContainerServiceBackend.run_task

    def run_task(self, *args, **kwargs):
        tasks = original_run_task(self, *args, **kwargs)
        if not check_enabled():
            return tasks
        for task in tasks:
            definition = self.describe_task_definition(task.task_definition_arn)
            failures = [pull_failure(c.get("image", "")) for c in definition.container_definitions]
            reason = next((f for f in failures if f), None)
            if reason is None:
                continue
            # Placed, then never ran: STOPPED before any agent starts it, with no exit code.
            now = datetime.datetime.now(datetime.UTC)
            task.last_status = "STOPPED"
            task.desired_status = "STOPPED"
            task.stop_code = TASK_FAILED_TO_START
            task.stopped_reason = reason
            task.stopping_at = task.stopped_at = now
            for container in task.containers:
                container.last_status = "STOPPED"
                container.reason = reason
        return tasks

    EC2ContainerServiceBackend.run_task = run_task
