"""An EventBridge Scheduler schedule group: one per environment, so its schedules share tags and IAM scope."""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.tf import Construct, SchedulerScheduleGroup
from modules.aws_scope import aws_scope


@dataclass(frozen=True)
class ScheduleGroupProps:
    name: str


class ScheduleGroup(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ScheduleGroupProps) -> None:
        super().__init__(scope, id_)
        self.name = props.name
        self.group = SchedulerScheduleGroup(self, "group", name=props.name)
        # Built, not read from the resource: trust policies name it before the group exists.
        self.arn = aws_scope(self).arn("scheduler", f"schedule-group/{props.name}")
