"""Child state machine: run one batch task on Fargate and wait for it (``ecs:runTask.sync``).

The execution input chooses what runs (seed 000's shape, with a full environment list) and which of
the task's families (one per pipeline step or trigger, differing only in their cost allocation tags)::

    {"task_definition": "arn:aws:ecs:...:task-definition/<prefix>-<pipeline>-<step>:3",
     "commands": ["echo", "hello"], "environment": [{"Name": "ENV", "Value": "dev"}], "timeout_seconds": 3600}

RunTask is allowed on those families only, so a start naming any other task definition is refused.

A launch that fails ("Capacity is unavailable at this time" surfaces as ECS.AmazonECSException)
is retried here, where the error still has its name: a parent using ``startExecution.sync:2``
only ever sees ``States.TaskFailed`` for a failed child. A container that exits non-zero is a real
failure and fails the execution at once, with a short cause naming the exit code.
https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.config.schema import RetryConfig
from fargate_batch.tf import Construct
from modules._private.asl import (
    ECS_LAUNCH_ERRORS,
    ECS_THROTTLING_RETRIER,
    TIMEOUT_MARGIN_SECONDS,
    retrier,
    retry_budget_seconds,
)
from modules._private.iam_statements import AwsScope, Condition, Statement
from modules._private.integration_patterns import IntegrationPattern, integration_resource
from modules.aws_scope import aws_scope
from modules.ecs_cluster import EcsCluster
from modules.fargate_task import FargateTask
from modules.network import Network
from modules.state_machine import StateMachine, StateMachineLogging, StateMachineProps

# LATEST resolves at each launch to the newest Linux platform (1.4.0 today: encrypted ephemeral storage,
# ENI networking), so tasks and the worker service pick up platform security fixes without a change here.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-linux-fargate.html
PLATFORM_VERSION = "LATEST"


def pass_role(role_arns: tuple[str, ...], service: str) -> Statement:
    """``iam:PassRole`` on exactly these roles, and only to ``service`` (e.g. ecs-tasks.amazonaws.com)."""
    return Statement(
        sid="PassRoleTo" + service.split(".")[0].replace("-", "").title(),
        actions=("iam:PassRole",),
        resources=role_arns,
        conditions=(Condition("StringEquals", "iam:PassedToService", (service,)),),
    )


def ecs_run_task_sync(
    scope: AwsScope,
    *,
    cluster_arn: str,
    cluster_name: str,
    task_definition_families: tuple[str, ...],
    task_role_arn: str,
    execution_role_arn: str,
) -> tuple[Statement, ...]:
    """Permissions for ``arn:aws:states:::ecs:runTask.sync``.

    https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html (Run a Job, .sync)
    """
    return (
        Statement(
            sid="RunTaskOnThisCluster",
            actions=("ecs:RunTask",),
            resources=tuple(scope.arn("ecs", f"task-definition/{family}:*") for family in task_definition_families),
            conditions=(Condition("ArnEquals", "ecs:cluster", (cluster_arn,)),),
        ),
        Statement(
            sid="TrackAndStopTasks",
            actions=("ecs:DescribeTasks", "ecs:StopTask"),
            resources=(scope.arn("ecs", f"task/{cluster_name}/*"),),
        ),
        # RunTask with PropagateTags tags the task with the run tags as it creates it, and ECS authorizes
        # that tagging separately: without ecs:TagResource the launch fails with AccessDeniedException.
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
        Statement(
            sid="TagTasksAtLaunch",
            actions=("ecs:TagResource",),
            resources=(scope.arn("ecs", f"task/{cluster_name}/*"),),
            conditions=(Condition("StringEquals", "ecs:CreateAction", ("RunTask",)),),
        ),
        Statement(
            sid="ManagedRuleForEcsTaskEvents",
            actions=("events:PutTargets", "events:PutRule", "events:DescribeRule"),
            resources=(scope.arn("events", "rule/StepFunctionsGetEventsForECSTaskRule"),),
        ),
        pass_role((task_role_arn, execution_role_arn), "ecs-tasks.amazonaws.com"),
    )


@dataclass(frozen=True)
class RunTaskStateMachineProps:
    """``retry``: launch retries, and only those: a RunTask that placed no task (``ECS_LAUNCH_ERRORS``) is
    launched again (Default: 10 s, backoff 2.0, 4 attempts, max 300 s, full jitter; ``max_attempts = 0``
    turns them off). A container that ran and exited is never retried.

    ``max_task_timeout_seconds``: the longest ``timeout_seconds`` any caller passes for one task (Default
    3600); with the retry budget it bounds the whole execution, a backstop behind the per-task timeout.

    ``families``: which of ``task``'s task definition families callers may run (Default: all of them);
    callers name one per start (``task_definition`` in the input, from :meth:`RunTaskStateMachine.task_definition_arn`).
    """

    name: str
    cluster: EcsCluster
    task: FargateTask
    network: Network
    retry: RetryConfig = RetryConfig()
    max_task_timeout_seconds: int = 3600
    logging: StateMachineLogging = StateMachineLogging()
    families: tuple[str, ...] = ()


# Per-run cost tags (environment, workflow, step) are not RunTask Tags: the optimized ecs:runTask integration
# accepts Cluster, Group, LaunchType, NetworkConfiguration, Overrides, PlacementConstraints, PlacementStrategy,
# PlatformVersion, PropagateTags, TaskDefinition and EnableExecuteCommand, not Tags (the emulator's
# ValidateStateMachineDefinition refuses the field as AWS does). Each step's own task definition carries them,
# the caller names it, and PropagateTags copies them onto the task.
# https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
TASK_INPUT = (
    "Input: task_definition (ARN of one of this machine's families), commands (list), "
    "environment (list of Name/Value), timeout_seconds (one task's limit)"
)


def launch_retriers(retry: RetryConfig) -> list[dict]:
    return [retrier(ECS_LAUNCH_ERRORS, retry), ECS_THROTTLING_RETRIER]


def run_task_definition(
    *,
    cluster_arn: str,
    container_name: str,
    aws_vpc_configuration: dict,
    retry: RetryConfig,
    max_task_timeout_seconds: int,
) -> dict:
    retriers = launch_retriers(retry)
    return {
        "Comment": "Run one batch task on Fargate. " + TASK_INPUT,
        "StartAt": "Run task",
        # A backstop: the task's own timeout fires first and names the cause.
        "TimeoutSeconds": max_task_timeout_seconds + retry_budget_seconds(retriers) + TIMEOUT_MARGIN_SECONDS,
        "States": {
            "Run task": {
                "Type": "Task",
                "Resource": integration_resource("ecs:runTask", IntegrationPattern.RUN_JOB),
                "Parameters": {
                    "LaunchType": "FARGATE",
                    "PlatformVersion": PLATFORM_VERSION,
                    "Cluster": cluster_arn,
                    "TaskDefinition.$": "$.task_definition",
                    "NetworkConfiguration": {"AwsvpcConfiguration": aws_vpc_configuration},
                    "PropagateTags": "TASK_DEFINITION",
                    "Overrides": {
                        "ContainerOverrides": [
                            {"Name": container_name, "Command.$": "$.commands", "Environment.$": "$.environment"}
                        ]
                    },
                },
                # The whole run of the task, from RunTask to the container's exit. When it passes, Step
                # Functions stops the task and fails the state with States.Timeout, which no Catch below
                # matches: the execution fails with it.
                # https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
                "TimeoutSecondsPath": "$.timeout_seconds",
                "Retry": retriers,
                # In a Catch, States.TaskFailed matches every error but States.Timeout: ECS API errors too
                # (ECS.AccessDeniedException, throttling), whose causes are plain text. Only an error named
                # exactly States.TaskFailed carries the stopped task as JSON, so the name is checked first.
                # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
                "Catch": [
                    {"ErrorEquals": list(ECS_LAUNCH_ERRORS), "ResultPath": "$.failure", "Next": "Launch failed"},
                    {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failure", "Next": "Task stopped?"},
                ],
                "End": True,
            },
            "Task stopped?": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.failure.Error", "StringEquals": "States.TaskFailed", "Next": "Read stopped task"}
                ],
                "Default": "Launch failed",
            },
            "Launch failed": {"Type": "Fail", "ErrorPath": "$.failure.Error", "CausePath": "$.failure.Cause"},
            # For ecs:runTask.sync, States.TaskFailed carries the stopped task (DescribeTasks) as JSON.
            "Read stopped task": {
                "Type": "Pass",
                "Parameters": {"error.$": "$.failure.Error", "task.$": "States.StringToJson($.failure.Cause)"},
                "Next": "Exit code known?",
            },
            "Exit code known?": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.task.Containers[0].ExitCode", "IsPresent": True},
                            {"Variable": "$.task.StoppedReason", "IsPresent": True},
                        ],
                        "Next": "Read exit code",
                    }
                ],
                "Default": "Task stopped",
            },
            # A definite path is a scalar in Parameters; intrinsic arguments get plain fields only.
            "Read exit code": {
                "Type": "Pass",
                "Parameters": {"exitCode.$": "$.task.Containers[0].ExitCode", "reason.$": "$.task.StoppedReason"},
                "Next": "Container exited",
            },
            "Container exited": {
                "Type": "Fail",
                "Error": "Batch.ContainerExited",
                "CausePath": "States.Format('exit code {}; {}', $.exitCode, $.reason)",
            },
            # No exit code: the container never ran (image pull, ENI or secrets failure).
            "Task stopped": {
                "Type": "Fail",
                "Error": "Batch.TaskStopped",
                "CausePath": "States.JsonToString($.task)",
            },
        },
    }


class RunTaskStateMachine(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: RunTaskStateMachineProps) -> None:
        super().__init__(scope, id_)
        aws = aws_scope(self)
        self.task = props.task
        families = props.families or props.task.families
        unknown = sorted(set(families) - set(props.task.families))
        if unknown:
            raise ValueError(f"{props.name}: task {props.task.family} has no families {unknown}")
        self.families = families
        definition = run_task_definition(
            cluster_arn=props.cluster.arn,
            container_name=props.task.container_name,
            aws_vpc_configuration=props.network.aws_vpc_configuration,
            retry=props.retry,
            max_task_timeout_seconds=props.max_task_timeout_seconds,
        )
        statements = ecs_run_task_sync(
            aws,
            cluster_arn=props.cluster.arn,
            cluster_name=props.cluster.name,
            task_definition_families=families,
            task_role_arn=props.task.task_role.arn,
            execution_role_arn=props.task.execution_role.arn,
        )
        self.state_machine = StateMachine(
            self,
            "machine",
            props=StateMachineProps(
                name=props.name,
                definition=definition,
                statements=statements,
                logging=props.logging,
            ),
        )
        self.name = props.name
        # What one run may spend retrying its launch before the task starts; callers add it to their waits.
        self.launch_retry_budget_seconds = retry_budget_seconds(launch_retriers(props.retry))

    @property
    def arn(self) -> str:
        return self.state_machine.arn

    def task_definition_arn(self, family: str) -> str:
        """What a caller passes as ``task_definition`` to run ``family`` (one this machine may run)."""
        if family not in self.families:
            raise ValueError(f"{self.name} may run {list(self.families)}, not {family!r}")
        return self.task.task_definition_arn(family)

    @property
    def definition(self) -> dict:
        return self.state_machine.definition
