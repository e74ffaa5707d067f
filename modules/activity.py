"""A Step Functions activity: work that a worker of ours polls for, rather than a service integration.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fargate_batch.tf import Construct, SfnActivity
from modules._private.iam_statements import Statement

if TYPE_CHECKING:
    from modules.fargate_task import FargateTask


def activity_worker(activity_arn: str) -> Statement:
    """What a worker needs to poll one activity and report on its tasks.

    GetActivityTask is scoped to the activity; the Send* calls authorize by task token and accept
    only ``*`` as resource (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html).
    """
    return Statement(sid="PollThisActivity", actions=("states:GetActivityTask",), resources=(activity_arn,))


def activity_task_reports() -> Statement:
    # The Send* APIs have no resource type in the service authorization reference: "*" is the only value.
    return Statement(
        sid="ReportActivityTasks",
        actions=("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"),
        resources=("*",),
    )


@dataclass(frozen=True)
class ActivityProps:
    name: str


class Activity(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ActivityProps) -> None:
        super().__init__(scope, id_)
        self.name = props.name
        self.activity = SfnActivity(self, "activity", name=props.name)

    @property
    def arn(self) -> str:
        return self.activity.id

    def grant_worker(self, worker: FargateTask) -> None:
        """Let ``worker``'s program poll this activity and report on the tasks it is handed."""
        worker.grant("poll-activity", (activity_worker(self.arn), activity_task_reports()))
