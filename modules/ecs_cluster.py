"""ECS cluster for Fargate tasks, with Container Insights on."""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.tf import Construct
from fargate_batch.tf import EcsCluster as EcsClusterResource


@dataclass(frozen=True)
class EcsClusterProps:
    name: str


class EcsCluster(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: EcsClusterProps) -> None:
        super().__init__(scope, id_)
        self.name = props.name
        self.cluster = EcsClusterResource(
            self,
            "cluster",
            name=props.name,
            # Per-task CPU, memory and exit metrics: the first place to look when a step fails.
            setting=[{"name": "containerInsights", "value": "enabled"}],
        )

    @property
    def arn(self) -> str:
        return self.cluster.arn
