"""ECS service on Fargate running the activity worker (``batch_container activity-worker``).

The worker long-polls GetActivityTask; the service keeps ``desired_count`` of them alive. Its task
role may poll only this activity. No load balancer: nothing connects to a worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.tf import Construct, EcsService
from modules.activity import Activity
from modules.ecs_cluster import EcsCluster
from modules.fargate_task import FargateTask
from modules.network import Network
from modules.run_task_state_machine import PLATFORM_VERSION

# The worker's shutdown budget, mirrored from batch_container/batch_job/activity_worker.py (the stack never
# imports the batch program: tests/test_layers.py). tests/modules/test_activity_worker_service.py reads
# both and fails when they drift.
WORKER_LONG_POLL_SECONDS = 60
"""activity_worker.LONG_POLL_SECONDS: Step Functions holds a GetActivityTask call up to 60 s."""
WORKER_SHUTDOWN_GRACE_SECONDS = 25
"""activity_worker.SHUTDOWN_GRACE_SECONDS: the job in hand gets this long after SIGTERM."""
WORKER_STOP_TIMEOUT_MARGIN_SECONDS = 5
"""Room for the process to start its shutdown and for the Fargate agent's own signal delivery."""
WORKER_STOP_TIMEOUT_SECONDS = (
    WORKER_LONG_POLL_SECONDS + WORKER_SHUTDOWN_GRACE_SECONDS + WORKER_STOP_TIMEOUT_MARGIN_SECONDS
)
"""The worker container's ``stopTimeout`` (90 s): the batch program's README requires more than
LONG_POLL_SECONDS + SHUTDOWN_GRACE_SECONDS (its worst case is max(60, 25 + 3) + 10 s of reporting); Fargate's
default 30 s would SIGKILL a worker in a long poll or mid-job on every deploy, and Fargate honours at most 120 s.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_timeout
"""


@dataclass(frozen=True)
class ActivityWorkerServiceProps:
    """``desired_count``: Default 1 (0-10); 0 parks the workers without deleting the service."""

    name: str
    activity: Activity
    task: FargateTask
    cluster: EcsCluster
    network: Network
    desired_count: int = 1


class ActivityWorkerService(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ActivityWorkerServiceProps) -> None:
        super().__init__(scope, id_)
        props.activity.grant_worker(props.task)
        self.service = EcsService(
            self,
            "service",
            name=props.name,
            cluster=props.cluster.arn,
            task_definition=props.task.task_definition_arn(),
            desired_count=props.desired_count,
            launch_type="FARGATE",
            platform_version=PLATFORM_VERSION,
            propagate_tags="TASK_DEFINITION",
            enable_execute_command=False,
            network_configuration={
                "subnets": props.network.subnet_ids,
                "security_groups": props.network.security_group_ids,
                "assign_public_ip": props.network.assign_public_ip,
            },
            # A worker that cannot start rolls back instead of looping forever.
            deployment_circuit_breaker={"enable": True, "rollback": True},
            wait_for_steady_state=False,
        )
