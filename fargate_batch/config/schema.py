"""Typed configuration of one environment (one ``config/<env>.toml`` file).

Every field is validated by :mod:`fargate_batch.config.loader` before any construct is built, so
constructs can trust these values. Units are in the names; defaults are stated as behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal


def _empty_mapping() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class NetworkConfig:
    """Where tasks run. Either existing subnets/security groups, or a new VPC.

    ``create_vpc``: Default false. When true, a VPC with ``az_count`` private subnets (no internet
    route; ECR, logs, S3 and Step Functions are reached through VPC endpoints) and one security group
    with no ingress is created, and ``subnet_ids``/``security_group_ids`` must be empty.
    ``assign_public_ip``: Default false: tasks get no public IP.
    ``availability_zone_ids``: Default none: the first ``az_count`` zones, by name, of those that are
    available and need no opt-in (never a Local Zone or Wavelength Zone). Zone ids such as ``apne1-az1``
    (at least ``az_count`` of them) pin the subnets to those zones. Only with ``create_vpc``.
    https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
    ``nat``: Default ``"none"``: the new VPC has no route to the internet. ``"single"``: one NAT gateway
    (in a public subnet of the first zone) for every private subnet; ``"per_zone"``: one per zone, so
    a zone's outage cannot cut the others off. Each NAT gateway is billed per hour and per GB. Only with
    ``create_vpc``. https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-scenarios.html
    ``existing_subnets_reach_internet``: Default false. Only with existing ``subnet_ids``: you vouch that
    they route to the internet (a NAT gateway, or public subnets with ``assign_public_ip``), which the
    ``notify`` command needs to reach its webhook.
    ``notify_webhook_parameter``: Default none. The name of the SSM parameter holding the Slack webhook
    URL of the ``notify`` command; the tasks that may notify get its name in
    ``SLACK_WEBHOOK_SSM_PARAMETER`` and ``ssm:GetParameter`` on exactly it, and a new VPC gets an ``ssm``
    interface endpoint. ``notify_webhook_kms_key_arn``: Default none (a String parameter, or a
    SecureString under the AWS managed key ``aws/ssm``, whose key policy lets the account decrypt through
    SSM); the ARN of the customer managed key of a SecureString parameter, which the tasks may then use
    for ``kms:Decrypt`` through SSM only.
    https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html
    """

    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    create_vpc: bool = False
    vpc_cidr: str = "10.20.0.0/16"
    az_count: int = 2
    assign_public_ip: bool = False
    availability_zone_ids: tuple[str, ...] = ()
    nat: Literal["none", "single", "per_zone"] = "none"
    existing_subnets_reach_internet: bool = False
    notify_webhook_parameter: str = ""
    notify_webhook_kms_key_arn: str = ""

    @property
    def has_internet_egress(self) -> bool:
        """Whether tasks can reach the internet: a NAT gateway of ours, or existing subnets vouched for."""
        return self.nat != "none" if self.create_vpc else self.existing_subnets_reach_internet


@dataclass(frozen=True)
class ContainerConfig:
    """The batch container image and its Fargate size.

    ``image_tag``: required; ``latest`` or any mutable tag is refused because the repository's tags
    are immutable. ``cpu`` and ``memory_mib``: a pair Fargate offers
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
    ``keep_images``: Default 20 images kept by the ECR lifecycle policy (1-1000).
    Log retention is not here: it is ``[logging] retention_days`` (it covers every log group).
    """

    image_tag: str
    cpu: int = 256
    memory_mib: int = 512
    environment: Mapping[str, str] = field(default_factory=_empty_mapping)
    keep_images: int = 20


@dataclass(frozen=True)
class AlertsConfig:
    """Failure alerts go to one SNS topic; ``email_subscriptions`` are optional addresses.

    Default none: the topic has no subscriber and alerts reach nobody (both reports say so). An e-mail
    subscription stays pending until its recipient follows the link in AWS's confirmation message;
    nothing is delivered to it before, and the link is valid for three days.
    https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
    """

    email_subscriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class StateMachineLoggingConfig:
    """``[logging]``: CloudWatch Logs and X-Ray for every state machine, and how long every log is kept.

    ``level``: Default ``ERROR`` (ALL, ERROR, FATAL or OFF). ``include_execution_data``: Default
    false: inputs and outputs stay out of the logs. ``tracing``: Default true (X-Ray).
    https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
    ``retention_days``: Default 365 (a year, as checkov CKV_AWS_338 asks): how long CloudWatch Logs keeps
    the state machines' logs, the tasks' output and the VPC flow logs; one of the values CloudWatch Logs
    accepts (logs that never expire are refused).
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
    """

    level: Literal["ALL", "ERROR", "FATAL", "OFF"] = "ERROR"
    include_execution_data: bool = False
    tracing: bool = True
    retention_days: int = 365


@dataclass(frozen=True)
class ScheduleConfig:
    """An EventBridge Scheduler schedule that starts a pipeline.

    ``expression``: ``cron(min hour dom month dow year)``, ``rate(N unit)`` or ``at(yyyy-mm-ddThh:mm:ss)``.
    ``time_zone``: Default ``UTC``; an IANA name such as ``Asia/Tokyo``.
    ``enabled``: Default true. ``flexible_window_minutes``: Default none (mode OFF); 1-1440.
    ``retry_attempts``: Default 185 (0-185). ``max_event_age_seconds``: Default 86400 (60-86400).
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
    """

    expression: str
    time_zone: str = "UTC"
    enabled: bool = True
    flexible_window_minutes: int | None = None
    retry_attempts: int = 185
    max_event_age_seconds: int = 86400


@dataclass(frozen=True)
class RetryConfig:
    """``[pipelines.retry]`` / ``[triggers.retry]``: launch retries, and nothing else.

    A task launch that failed (ECS ``RunTask`` placed no task, e.g. "Capacity is unavailable at this
    time", surfacing as ``ECS.AmazonECSException``, or an unexpected ECS error, ``AmazonECS.Unknown``)
    is launched again by the run-task child's ``ecs:runTask.sync`` state with these settings.
    ``max_attempts = 0`` turns launch retries off. It does not govern the parent's retries of a
    throttled nested start (a fixed retrier, ``rules.NESTED_START_THROTTLING_RETRY``), nor an
    activity's redelivery to another worker (fixed in ``modules/activity_state_machine.py``); a
    container that exits non-zero is never retried.

    Defaults: 10 s first interval, backoff 2.0, 4 attempts, delay capped at 300 s, full jitter.
    Ranges follow the ASL Retrier: ``interval_seconds`` 1-99999999, ``backoff_rate`` >= 1.0,
    ``max_attempts`` 0-99999999, ``max_delay_seconds`` 1-31622400.
    https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    """

    interval_seconds: int = 10
    backoff_rate: float = 2.0
    max_attempts: int = 4
    max_delay_seconds: int = 300
    jitter: bool = True


@dataclass(frozen=True)
class StepConfig:
    """One container run in a pipeline: a name, the command list and extra environment.

    ``expected_duration_seconds``: Default 60; used only by the cost estimate of ``make plan-report``.
    ``timeout_seconds``: Default 3600 (one hour): how long one task of this step may run. At least 1;
    at most what keeps the step within a year, the longest a standard Step Functions execution may
    run: the timeout plus the pipeline's launch-retry budget plus the nested-start throttling budget
    (each retry counted as its wait and 60 s for the failed attempt) plus the 60 s timeout margins
    must stay below 31,536,000 s, for each step and for all of a pipeline's steps together (they run
    in series in one parent execution). See ``rules.task_timeout_max_seconds``.
    https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-state-machine-executions
    """

    name: str
    command: tuple[str, ...]
    environment: Mapping[str, str] = field(default_factory=_empty_mapping)
    expected_duration_seconds: int = 60
    timeout_seconds: int = 3600


@dataclass(frozen=True)
class PipelineConfig:
    """Ordered steps run in series; a failed step stops the pipeline. ``schedule`` is optional.

    ``retry``: launch retries of each step's task (see :class:`RetryConfig`).
    ``concurrency``: Default ``"skip"``: what happens when a run starts (a schedule fires, someone
    starts it) while another run of the same pipeline is still running. ``"skip"``: the new run ends
    at once as skipped, launching no task; ``"allow"``: both run side by side.
    """

    name: str
    steps: tuple[StepConfig, ...]
    schedule: ScheduleConfig | None = None
    retry: RetryConfig = field(default_factory=RetryConfig)
    concurrency: Literal["allow", "skip"] = "skip"


@dataclass(frozen=True)
class TriggerConfig:
    """An S3 "Object Created" rule under ``prefix`` (and ``suffix``) that runs ``command``.

    ``command`` must contain the placeholder ``{key}`` in at least one argument; it is replaced by
    the object key. ``environment`` is added to the task's environment. ``retry``: launch retries of
    the task (see :class:`RetryConfig`).
    ``timeout_seconds``: Default 3600 (one hour): how long one triggered task may run; at least 1, and
    with the launch-retry and nested-start throttling budgets below a year, as for a pipeline step
    (:class:`StepConfig`).
    """

    name: str
    prefix: str
    command: tuple[str, ...]
    suffix: str = ""
    environment: Mapping[str, str] = field(default_factory=_empty_mapping)
    retry: RetryConfig = field(default_factory=RetryConfig)
    timeout_seconds: int = 3600


@dataclass(frozen=True)
class ActivityConfig:
    """A Step Functions activity polled by a worker service on Fargate.

    ``heartbeat_seconds``: Default 60. ``timeout_seconds``: Default 3600; must exceed the heartbeat.
    ``worker_desired_count``: Default 1 (0-10).
    """

    name: str
    heartbeat_seconds: int = 60
    timeout_seconds: int = 3600
    worker_desired_count: int = 1


@dataclass(frozen=True)
class BackendConfig:
    """Where Terraform keeps state.

    ``type``: ``local`` (tests, a file under ``path``), ``s3`` (``bucket``, ``key``, ``region``;
    encrypted; native lock file) or ``cloud`` (``organization`` and ``workspace`` or
    ``workspace_tags``; ``hostname`` for Terraform Enterprise).
    """

    type: Literal["local", "s3", "cloud"] = "local"
    path: str = ""
    bucket: str = ""
    key: str = ""
    region: str = ""
    kms_key_id: str = ""
    organization: str = ""
    workspace: str = ""
    workspace_tags: tuple[str, ...] = ()
    hostname: str = ""


@dataclass(frozen=True)
class ProjectConfig:
    """One environment. ``environment`` is the file's stem (``dev`` for ``config/dev.toml``)."""

    environment: str
    name_prefix: str
    region: str
    container: ContainerConfig
    tags: Mapping[str, str] = field(default_factory=_empty_mapping)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    logging: StateMachineLoggingConfig = field(default_factory=StateMachineLoggingConfig)
    backend: BackendConfig = field(default_factory=BackendConfig)
    pipelines: tuple[PipelineConfig, ...] = ()
    triggers: tuple[TriggerConfig, ...] = ()
    activities: tuple[ActivityConfig, ...] = ()
