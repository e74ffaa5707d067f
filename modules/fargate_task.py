"""A Fargate task definition for the batch image, with its roles and log group.

The execution role lets ECS pull the image and ship logs; the task role is what the program
itself may do (nothing by default: grant with :meth:`FargateTask.grant`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from fargate_batch.config import names
from fargate_batch.tf import CloudwatchLogGroup, Construct, EcsTaskDefinition
from modules._private.iam_statements import Statement, service_trust
from modules._private.policy import attach_statements, service_role
from modules.aws_scope import aws_scope
from modules.ecr_repository import EcrRepository

CONTAINER_NAME = "batch"


def write_logs(log_group_arn: str) -> Statement:
    """awslogs driver: streams and events in one log group (``arn`` ends without ``:*``)."""
    return Statement(
        sid="WriteContainerLogs",
        actions=("logs:CreateLogStream", "logs:PutLogEvents"),
        resources=(f"{log_group_arn}:log-stream:*",),
    )


@dataclass(frozen=True)
class FargateTaskProps:
    """``cpu``/``memory_mib``: a pair Fargate offers (validated at config load).

    ``log_retention_days``: Default 365. ``log_kms_key_arn``: Default none; a customer managed key whose
    policy lets CloudWatch Logs use it for ``/ecs/<family>``. ``environment``: the container's base environment; a run
    can override or add variables. ``command``: Default the image's CMD.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
    """

    family: str
    repository: EcrRepository
    image_tag: str
    cpu: int = 256
    memory_mib: int = 512
    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    command: tuple[str, ...] = ()
    log_retention_days: int = 365
    log_kms_key_arn: str | None = None


class FargateTask(Construct):
    container_name = CONTAINER_NAME

    def __init__(self, scope: Construct, id_: str, *, props: FargateTaskProps) -> None:
        super().__init__(scope, id_)
        self.family = props.family
        aws = aws_scope(self)
        self.log_group = CloudwatchLogGroup(
            self,
            "logs",
            name=names.task_log_group(props.family),
            retention_in_days=props.log_retention_days,
            kms_key_id=props.log_kms_key_arn,
        )
        ecs_trust = service_trust(
            "ecs-tasks.amazonaws.com",
            source_account=aws.account_id,
            source_arn=aws.arn("ecs", "*"),
        )
        self.execution_role = service_role(
            self,
            "execution-role",
            name=names.task_execution_role(props.family),
            trust_statement=ecs_trust,
            description=f"ECS pulls the image and ships logs for {props.family}",
        )
        attach_statements(
            self,
            "execution-policy",
            self.execution_role,
            (*props.repository.pull_statements(), write_logs(self.log_group.arn)),
        )
        self.task_role = service_role(
            self,
            "task-role",
            name=names.task_role(props.family),
            trust_statement=ecs_trust,
            description=f"What the {props.family} program may call",
        )
        container: dict = {
            "name": CONTAINER_NAME,
            "image": props.repository.image(props.image_tag),
            "essential": True,
            # Container-level memory mirrors the task size; tools that read it (and our emulator) need it.
            "memory": props.memory_mib,
            "environment": [{"name": k, "value": v} for k, v in sorted(props.environment.items())],
            "readonlyRootFilesystem": True,
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": self.log_group.name,
                    "awslogs-region": aws.region,
                    "awslogs-stream-prefix": "batch",
                },
            },
        }
        if props.command:
            container["command"] = list(props.command)
        self.task_definition = EcsTaskDefinition(
            self,
            "task-definition",
            family=props.family,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(props.cpu),
            memory=str(props.memory_mib),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
            # Tokens inside the JSON text become Terraform interpolations when synthesized.
            container_definitions=json.dumps([container]),
        )

    def grant(self, id_: str, statements: Iterable[Statement]) -> None:
        """Give the program (task role) these permissions, as one inline policy named ``id_``."""
        attach_statements(self, id_, self.task_role, statements)

    @property
    def task_definition_arn(self) -> str:
        return self.task_definition.arn
