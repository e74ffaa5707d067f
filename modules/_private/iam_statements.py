"""IAM statements derived from each integration, one pure function per integration.

Each function returns plain statements; constructs render them into an
``aws_iam_policy_document`` data source. ARNs are passed in (often Terraform references), so these
functions are testable without synthesizing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Condition:
    test: str
    variable: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...] = field(default=())

    def render(self) -> dict:
        """The shape of a ``statement`` block of ``aws_iam_policy_document``."""
        rendered: dict = {
            "sid": self.sid,
            "effect": "Allow",
            "actions": list(self.actions),
            "resources": list(self.resources),
        }
        if self.conditions:
            rendered["condition"] = [
                {"test": c.test, "variable": c.variable, "values": list(c.values)} for c in self.conditions
            ]
        return rendered


@dataclass(frozen=True)
class AwsScope:
    """Partition, region and account used to build ARNs (Terraform references in stacks)."""

    partition: str
    region: str
    account_id: str

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"


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
    task_definition_family: str,
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
            resources=(scope.arn("ecs", f"task-definition/{task_definition_family}:*"),),
            conditions=(Condition("ArnEquals", "ecs:cluster", (cluster_arn,)),),
        ),
        Statement(
            sid="TrackAndStopTasks",
            actions=("ecs:DescribeTasks", "ecs:StopTask"),
            resources=(scope.arn("ecs", f"task/{cluster_name}/*"),),
        ),
        # RunTask with PropagateTags (or Tags) tags the task as it creates it, and ECS authorizes that
        # tagging separately: without ecs:TagResource the launch fails with AccessDeniedException.
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


def start_execution_sync2(scope: AwsScope, *, state_machine_arn: str, state_machine_name: str) -> tuple[Statement, ...]:
    """Permissions for ``arn:aws:states:::states:startExecution.sync:2`` of one child.

    https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html (Synchronous)
    """
    return (
        Statement(
            sid="StartChildExecution",
            actions=("states:StartExecution",),
            resources=(state_machine_arn,),
        ),
        Statement(
            sid="TrackAndStopChildExecutions",
            actions=("states:DescribeExecution", "states:StopExecution"),
            resources=(scope.arn("states", f"execution:{state_machine_name}:*"),),
        ),
        Statement(
            sid="ManagedRuleForExecutionEvents",
            actions=("events:PutTargets", "events:PutRule", "events:DescribeRule"),
            resources=(scope.arn("events", "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"),),
        ),
    )


def sns_publish(topic_arn: str) -> Statement:
    """``arn:aws:states:::sns:publish``. https://docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html"""
    return Statement(sid="PublishAlerts", actions=("sns:Publish",), resources=(topic_arn,))


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


def log_delivery() -> Statement:
    """Vended log delivery for state machine logging; AWS documents ``*`` as the only resource.

    https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy
    """
    return Statement(
        sid="DeliverExecutionLogs",
        actions=(
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        ),
        resources=("*",),
    )


def xray_tracing() -> Statement:
    """X-Ray trace segments; the actions take no resource-level scoping.

    https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html
    """
    return Statement(
        sid="SendTraces",
        actions=(
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
        ),
        resources=("*",),
    )


def start_one_state_machine(state_machine_arn: str) -> Statement:
    """What a Scheduler or EventBridge target role needs: start exactly this state machine."""
    return Statement(sid="StartThisStateMachine", actions=("states:StartExecution",), resources=(state_machine_arn,))


def send_to_dead_letter_queue(queue_arn: str) -> Statement:
    """Scheduler and EventBridge deliver undeliverable events to the DLQ with the target role.

    https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
    """
    return Statement(sid="SendToDeadLetterQueue", actions=("sqs:SendMessage",), resources=(queue_arn,))


def ecr_pull(repository_arn: str) -> tuple[Statement, ...]:
    """Task execution role: pull from one repository. GetAuthorizationToken has no resource type."""
    return (
        Statement(sid="GetRegistryToken", actions=("ecr:GetAuthorizationToken",), resources=("*",)),
        Statement(
            sid="PullBatchImage",
            actions=("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"),
            resources=(repository_arn,),
        ),
    )


def write_logs(log_group_arn: str) -> Statement:
    """awslogs driver: streams and events in one log group (``arn`` ends without ``:*``)."""
    return Statement(
        sid="WriteContainerLogs",
        actions=("logs:CreateLogStream", "logs:PutLogEvents"),
        resources=(f"{log_group_arn}:log-stream:*",),
    )


def service_trust(service: str, *, source_account: str, source_arn: str | None = None) -> dict:
    """Trust policy statement for a service principal with confused-deputy conditions.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """
    conditions = [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": [source_account]}]
    if source_arn is not None:
        conditions.append({"test": "ArnLike", "variable": "aws:SourceArn", "values": [source_arn]})
    return {
        "sid": "TrustedService",
        "effect": "Allow",
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": [service]}],
        "condition": conditions,
    }


def kms_data_keys_via(key_arn: str, *, sid: str, service_endpoint: str) -> Statement:
    """Encrypt and decrypt messages of one service with a customer managed key (SNS publish, SQS send, S3).

    ``kms:ViaService`` (e.g. ``sns.ap-northeast-1.amazonaws.com``) keeps the grant to calls that service
    makes for the principal. https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html and
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    """
    return Statement(
        sid=sid,
        actions=("kms:GenerateDataKey", "kms:Decrypt"),
        resources=(key_arn,),
        conditions=(Condition("StringEquals", "kms:ViaService", (service_endpoint,)),),
    )


def decrypt_schedule_payload(key_arn: str, schedule_arn: str) -> Statement:
    """A schedule encrypted with a customer managed key is decrypted with its execution role at invoke time.

    The encryption context names the schedule. https://docs.aws.amazon.com/scheduler/latest/UserGuide/encryption-rest.html
    """
    return Statement(
        sid="DecryptSchedulePayload",
        actions=("kms:Decrypt",),
        resources=(key_arn,),
        conditions=(Condition("ArnEquals", "kms:EncryptionContext:aws:scheduler:schedule:arn", (schedule_arn,)),),
    )


def deliver_flow_logs(log_group_arn: str) -> tuple[Statement, ...]:
    """VPC Flow Logs publishing to one log group (``arn`` without ``:*``).

    DescribeLogGroups is a list action with no resource type in the service authorization reference,
    so it takes ``*``. https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
    """
    return (
        Statement(
            sid="DeliverFlowLogs",
            actions=("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
            resources=(log_group_arn, f"{log_group_arn}:log-stream:*"),
        ),
        Statement(sid="FindFlowLogGroup", actions=("logs:DescribeLogGroups",), resources=("*",)),
    )
