"""A Fargate task of the batch image: its roles, its log group and its task definition(s).

The execution role lets ECS pull the image and ship logs; the task role is what the program
itself may do (nothing by default: grant with :meth:`FargateTask.grant`). One task may be registered
under several families that differ only in their tags, so that each pipeline step's tasks carry their
own cost allocation tags (see ``FargateTaskProps.tagged_families``).
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
# Fargate honours a container stopTimeout of at most 120 s (default 30 s).
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_timeout
FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120
# The batch image is built for this architecture (`make push` reads it from the task definition): Fargate
# offers X86_64 in every region and capacity provider, Linux/ARM64 is cheaper per vCPU-hour but the cost
# estimate's price table (fargate_batch/plan_report/pricing.py) is the x86 one.
CPU_ARCHITECTURE = "X86_64"


def write_logs(log_group_arn: str) -> Statement:
    """awslogs driver: streams and events in one log group (``arn`` ends without ``:*``)."""
    return Statement(
        sid="WriteContainerLogs",
        actions=("logs:CreateLogStream", "logs:PutLogEvents"),
        resources=(f"{log_group_arn}:log-stream:*",),
    )


def task_role_trust(*, account_id: str, ecs_arn_pattern: str) -> dict:
    """Task role: ECS tasks of this account, with the confused-deputy conditions ECS documents for task roles.

    "It is recommended that you use the aws:SourceAccount or aws:SourceArn condition keys to scope the
    permissions further to prevent the confused deputy security issue. These condition keys can be specified
    in the trust relationship" (Amazon ECS task IAM role; the documented ``aws:SourceArn`` is
    ``arn:aws:ecs:<region>:<account>:*``, an ECS task ARN of the account):
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    (the wording as quoted in https://github.com/awsdocs/amazon-ecs-developer-guide/issues/208)
    """
    return service_trust("ecs-tasks.amazonaws.com", source_account=account_id, source_arn=ecs_arn_pattern)


def execution_role_trust() -> dict:
    """Task execution role: ``ecs-tasks.amazonaws.com`` with no condition, exactly as ECS documents it.

    The execution role page gives this trust policy without ``aws:SourceArn``/``aws:SourceAccount`` and
    says nothing of ECS's agents sending either when they assume the role to pull the image and ship logs:
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    A condition on a key the caller does not send fails closed ("ECS was unable to assume the role"), so
    only what AWS documents is kept; the role holds only pull-and-log permissions for this one family, and
    only a principal allowed ``iam:PassRole`` on it (the run-task state machines, the worker service) can
    hand it to ECS.
    """
    return {
        "sid": "TrustedService",
        "effect": "Allow",
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}],
    }


@dataclass(frozen=True)
class FargateTaskProps:
    """``cpu``/``memory_mib``: a pair Fargate offers (validated at config load).

    ``stop_timeout_seconds``: Default none: Fargate waits 30 s between SIGTERM and SIGKILL; 1-120 (Fargate
    honours at most 120).
    ``log_retention_days``: Default 365. ``log_kms_key_arn``: Default none; a customer managed key whose
    policy lets CloudWatch Logs use it for ``/ecs/<family>``. ``environment``: the container's base environment; a run
    can override or add variables. ``command``: Default the image's CMD.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html

    ``family`` names the roles and the log group, and the one task definition when ``tagged_families`` is empty.
    ``tagged_families``: Default none. Given (family → tags), one task definition per family instead, identical but
    for its family and tags; a RunTask with ``PropagateTags=TASK_DEFINITION`` copies them onto the task, which
    is how a task launched by Step Functions gets tags at all (the optimized ``ecs:runTask`` takes no ``Tags``).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-propagateTags
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
    stop_timeout_seconds: int | None = None
    tagged_families: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        timeout = self.stop_timeout_seconds
        if timeout is not None and not 1 <= timeout <= FARGATE_MAX_STOP_TIMEOUT_SECONDS:
            raise ValueError(
                f"{self.family}: stop_timeout_seconds {self.stop_timeout_seconds} is outside 1-"
                f"{FARGATE_MAX_STOP_TIMEOUT_SECONDS}, the container stopTimeout Fargate honours"
            )


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
        self.execution_role = service_role(
            self,
            "execution-role",
            name=names.task_execution_role(props.family),
            trust_statement=execution_role_trust(),
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
            trust_statement=task_role_trust(account_id=aws.account_id, ecs_arn_pattern=aws.arn("ecs", "*")),
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
        if props.stop_timeout_seconds is not None:
            container["stopTimeout"] = props.stop_timeout_seconds
        # Tokens inside the JSON text become Terraform interpolations when synthesized.
        container_definitions = json.dumps([container])
        families = props.tagged_families or {props.family: {}}
        self.task_definitions: dict[str, EcsTaskDefinition] = {
            # The construct id is the family: adding or removing a step leaves the others' ids alone.
            family: EcsTaskDefinition(
                self,
                "task-definition" if family == props.family else f"task-definition-{family}",
                family=family,
                requires_compatibilities=["FARGATE"],
                network_mode="awsvpc",
                cpu=str(props.cpu),
                memory=str(props.memory_mib),
                execution_role_arn=self.execution_role.arn,
                task_role_arn=self.task_role.arn,
                runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": CPU_ARCHITECTURE},
                container_definitions=container_definitions,
                tags=dict(tags) or None,
            )
            for family, tags in families.items()
        }

    def grant(self, id_: str, statements: Iterable[Statement]) -> None:
        """Give the program (task role) these permissions, as one inline policy named ``id_``."""
        attach_statements(self, id_, self.task_role, statements)

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(self.task_definitions)

    def task_definition_arn(self, family: str | None = None) -> str:
        """The ARN (with revision) of ``family``'s task definition; ``family`` may be left out when there is one."""
        if family is None:
            if len(self.task_definitions) != 1:
                raise ValueError(f"{self.family} has task definitions {sorted(self.task_definitions)}; name one")
            (definition,) = self.task_definitions.values()
            return definition.arn
        if family not in self.task_definitions:
            raise ValueError(f"{self.family} has no task definition {family!r}; it has {sorted(self.task_definitions)}")
        return self.task_definitions[family].arn
