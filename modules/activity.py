"""A Step Functions activity: work that a worker of ours polls for, rather than a service integration.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.tf import Construct, SfnActivity


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
