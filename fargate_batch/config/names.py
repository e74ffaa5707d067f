"""Every AWS name derived from the configuration, in one place.

The stack and its constructs, the configuration's clash check, the plan report and the local run all
ask here, so a name is derived once and the tools cannot drift from what is deployed. Pure and cheap to
import (a tool that only needs a name must not load the construct library).

Names that could exceed an AWS limit for the longest accepted inputs are shortened deterministically
(:func:`bounded_name`); the others fit by the length limits the configuration check enforces.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fargate_batch.config.limits import NAME_LIMITS
from fargate_batch.config.schema import ProjectConfig

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (role name: 64 characters)
IAM_ROLE_NAME_LIMIT = NAME_LIMITS["iam_role"].max_length
# "<prefix>-trigger-<name>" reaches 32 + 9 + 24 = 65 for the longest accepted inputs; rules take 64.
# https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
EVENT_RULE_NAME_LIMIT = NAME_LIMITS["event_rule"].max_length
# A stand-in account id for names that contain the account (the data bucket): every account id has 12 digits.
EXAMPLE_ACCOUNT_ID = "123456789012"

# One derived name and the kind of resource it names (a key of limits.NAME_LIMITS).
NamedResource = tuple[str, str]


def stack_name(config: ProjectConfig) -> str:
    return f"fargate-batch-{config.environment}"


def resource_name(prefix: str, *parts: str) -> str:
    return "-".join((prefix, *parts))


def bounded_name(name: str, limit: int) -> str:
    """``name`` if it fits AWS's ``limit``, else a truncation made unique by a hash of the full name."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}-{digest}"


# Roles are named after what assumes them, so a role's name says whose it is.
def state_machine_role(state_machine: str) -> str:
    return bounded_name(f"{state_machine}-sfn", IAM_ROLE_NAME_LIMIT)


def schedule_role(schedule: str) -> str:
    return bounded_name(f"{schedule}-scheduler", IAM_ROLE_NAME_LIMIT)


def event_rule_role(rule: str) -> str:
    return bounded_name(f"{rule}-events", IAM_ROLE_NAME_LIMIT)


def task_execution_role(family: str) -> str:
    return bounded_name(f"{family}-execution", IAM_ROLE_NAME_LIMIT)


def task_role(family: str) -> str:
    return bounded_name(f"{family}-task", IAM_ROLE_NAME_LIMIT)


def task_log_group(family: str) -> str:
    return f"/ecs/{family}"


def state_machine_log_group(state_machine: str) -> str:
    # Step Functions vends logs through CloudWatch Logs' resource policy only under this prefix.
    # https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
    return f"/aws/vendedlogs/states/{state_machine}"


def task_roles(family: str) -> tuple[str, str]:
    return task_execution_role(family), task_role(family)


# Cost allocation tags of every task a pipeline step, a trigger or an activity worker runs. Each step (each
# trigger, each worker) has its own task definition carrying them, and RunTask or the worker's service
# copies them onto the task (PropagateTags=TASK_DEFINITION): Step Functions' optimized ecs:runTask takes no
# Tags. Activated as cost allocation tags, they split Fargate costs per environment, workflow and step.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html
# https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html
RUN_TAG_PREFIX = "fargate-batch:"
ENVIRONMENT_TAG = f"{RUN_TAG_PREFIX}environment"
WORKFLOW_TAG = f"{RUN_TAG_PREFIX}workflow"
STEP_TAG = f"{RUN_TAG_PREFIX}step"
RUN_TAG_KEYS = (ENVIRONMENT_TAG, WORKFLOW_TAG, STEP_TAG)


def run_tags(prefix: str, workflow_kind: str, workflow: str, step: str | None = None) -> dict[str, str]:
    """``workflow_kind``: pipeline, trigger or activity. Only pipeline steps get a step tag: a trigger or an
    activity runs one kind of task (Cost Explorer groups those under "no tag key" for the step)."""
    tags = {ENVIRONMENT_TAG: prefix, WORKFLOW_TAG: f"{workflow_kind}/{workflow}"}
    if step is not None:
        tags[STEP_TAG] = step
    return tags


# Alarms are named after what they watch and start with the prefix (the alert topic's policy lets
# CloudWatch publish for alarms named "<prefix>-*"). CloudWatch alarm names: up to 255 characters.
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
def dead_letter_queue_alarm(queue: str) -> str:
    return f"{queue}-has-messages"


def event_rule_failed_invocations_alarm(rule: str) -> str:
    return f"{rule}-failed-invocations"


def scheduler_target_errors_alarm(schedule_group: str) -> str:
    return f"{schedule_group}-scheduler-target-errors"


def scheduler_dropped_invocations_alarm(schedule_group: str) -> str:
    return f"{schedule_group}-scheduler-dropped-invocations"


@dataclass(frozen=True)
class SharedNames:
    """What one environment makes once, whatever its workflows."""

    prefix: str

    @property
    def repository(self) -> str:
        return self.prefix

    @property
    def cluster(self) -> str:
        return self.prefix

    @property
    def schedule_group(self) -> str:
        return self.prefix

    @property
    def batch_task(self) -> str:
        """Names the roles and the log group every pipeline step's task shares (each step has its own family)."""
        return resource_name(self.prefix, "batch")

    @property
    def trigger_task(self) -> str:
        """Names the roles and the log group every trigger's task shares (each trigger has its own family)."""
        return resource_name(self.prefix, "trigger")

    @property
    def alert_topic(self) -> str:
        return resource_name(self.prefix, "alerts")

    @property
    def schedule_dead_letter_queue(self) -> str:
        return resource_name(self.prefix, "schedule-dlq")

    @property
    def trigger_dead_letter_queue(self) -> str:
        return resource_name(self.prefix, "trigger-dlq")

    @property
    def execution_alert_rule(self) -> str:
        """The EventBridge rule that alerts on failed, timed-out and aborted executions (the first of them)."""
        return resource_name(self.prefix, "execution-alerts")

    def execution_alert_rule_numbered(self, number: int) -> str:
        """Rule ``number`` (from 1) of those alerting on failed executions: an event pattern holds ~30 state
        machine ARNs, so an environment with more workflows gets more rules; the first keeps the plain name."""
        return self.execution_alert_rule if number == 1 else f"{self.execution_alert_rule}-{number}"

    @property
    def execution_alert_dead_letter_queue(self) -> str:
        return resource_name(self.prefix, "execution-alerts-dlq")

    @property
    def alarm_name_prefix(self) -> str:
        """Every alarm of the environment is named ``<prefix>-...`` (the functions above derive them)."""
        return f"{self.prefix}-"

    @property
    def flow_log_group(self) -> str:
        return f"/vpc/flow-logs/{self.prefix}"

    @property
    def flow_logs_role(self) -> str:
        return resource_name(self.prefix, "flow-logs")

    def data_bucket(self, account_id: str) -> str:
        return resource_name(self.prefix, "data", account_id)

    @property
    def key_alias(self) -> str:
        """The alias of the environment's customer managed key."""
        return f"alias/{self.prefix}"

    @property
    def security_groups(self) -> tuple[str, str]:
        """The task and endpoint security groups of a created VPC (spelled in modules/network.py too)."""
        return resource_name(self.prefix, "tasks"), resource_name(self.prefix, "endpoints")

    def resources(self, account_id: str = EXAMPLE_ACCOUNT_ID) -> tuple[NamedResource, ...]:
        """Every name the environment makes once, with the kind of resource it names."""
        tasks = (self.batch_task, self.trigger_task)
        queues = (
            self.schedule_dead_letter_queue,
            self.trigger_dead_letter_queue,
            self.execution_alert_dead_letter_queue,
        )
        return (
            ("ecr_repository", self.repository),
            ("ecs_cluster", self.cluster),
            ("scheduler_group", self.schedule_group),
            *(("iam_role", role) for task in tasks for role in task_roles(task)),
            *(("log_group", task_log_group(task)) for task in tasks),
            ("sns_topic", self.alert_topic),
            *(("sqs_queue", queue) for queue in queues),
            *(("cloudwatch_alarm", dead_letter_queue_alarm(queue)) for queue in queues),
            ("event_rule", self.execution_alert_rule),
            ("cloudwatch_alarm", event_rule_failed_invocations_alarm(self.execution_alert_rule)),
            ("cloudwatch_alarm", scheduler_target_errors_alarm(self.schedule_group)),
            ("cloudwatch_alarm", scheduler_dropped_invocations_alarm(self.schedule_group)),
            ("log_group", self.flow_log_group),
            ("iam_role", self.flow_logs_role),
            ("s3_bucket", self.data_bucket(account_id)),
            ("kms_alias", self.key_alias),
            *(("security_group", group) for group in self.security_groups),
        )

    def aws_names(self) -> dict[str, str]:
        """IAM roles, task families and the status rule, whose names a workflow's could take (name → what it is)."""
        batch_execution, batch_task = task_roles(self.batch_task)
        trigger_execution, trigger_task = task_roles(self.trigger_task)
        return {
            batch_execution: "the batch task's execution role",
            batch_task: "the batch task's role",
            trigger_execution: "the triggered task's execution role",
            trigger_task: "the triggered task's role",
            self.flow_logs_role: "the VPC flow logs role",
            self.execution_alert_rule: "the rule that alerts on failed executions",
        }


def _state_machine_resources(*machines: str) -> tuple[NamedResource, ...]:
    """Each state machine with the role and log group named after it."""
    return (
        *(("sfn_state_machine", machine) for machine in machines),
        *(("iam_role", state_machine_role(machine)) for machine in machines),
        *(("log_group", state_machine_log_group(machine)) for machine in machines),
    )


@dataclass(frozen=True)
class PipelineNames:
    """``steps``: the step names, for the names made per step (Default none: the pipeline's own names only)."""

    prefix: str
    pipeline: str
    steps: tuple[str, ...] = ()

    @property
    def state_machine(self) -> str:
        return resource_name(self.prefix, self.pipeline)

    @property
    def run_task_state_machine(self) -> str:
        return resource_name(self.prefix, self.pipeline, "run-task")

    @property
    def schedule(self) -> str:
        return resource_name(self.prefix, self.pipeline)

    @property
    def schedule_in_group(self) -> str:
        """``group/name``, as ``aws scheduler get-schedule`` and the outputs name it."""
        return f"{SharedNames(self.prefix).schedule_group}/{self.schedule}"

    def step_family(self, step: str) -> str:
        """The task definition family of one step: its tasks carry the step's cost allocation tags."""
        return resource_name(self.prefix, self.pipeline, step)

    def aws_names(self) -> tuple[str, ...]:
        return (
            self.state_machine,
            self.run_task_state_machine,
            state_machine_role(self.state_machine),
            state_machine_role(self.run_task_state_machine),
            schedule_role(self.schedule),
        )

    def families(self) -> tuple[str, ...]:
        """Task definition families, a namespace of their own: only another family can clash with one."""
        return tuple(self.step_family(step) for step in self.steps)

    def resources(self) -> tuple[NamedResource, ...]:
        return (
            *_state_machine_resources(self.state_machine, self.run_task_state_machine),
            ("scheduler_schedule", self.schedule),
            ("iam_role", schedule_role(self.schedule)),
            *(("ecs_family", self.step_family(step)) for step in self.steps),
        )


@dataclass(frozen=True)
class TriggerNames:
    prefix: str
    trigger: str

    @property
    def state_machine(self) -> str:
        return resource_name(self.prefix, "trigger", self.trigger)

    @property
    def run_task_state_machine(self) -> str:
        return resource_name(self.prefix, "trigger", self.trigger, "run-task")

    @property
    def event_rule(self) -> str:
        return bounded_name(resource_name(self.prefix, "trigger", self.trigger), EVENT_RULE_NAME_LIMIT)

    @property
    def family(self) -> str:
        """The trigger's task definition family: its tasks carry the trigger's cost allocation tags."""
        return resource_name(self.prefix, "trigger", self.trigger)

    def aws_names(self) -> tuple[str, ...]:
        return (
            self.state_machine,
            self.run_task_state_machine,
            state_machine_role(self.state_machine),
            state_machine_role(self.run_task_state_machine),
            self.event_rule,
            event_rule_role(self.event_rule),
        )

    def families(self) -> tuple[str, ...]:
        return (self.family,)

    def resources(self) -> tuple[NamedResource, ...]:
        return (
            *_state_machine_resources(self.state_machine, self.run_task_state_machine),
            ("ecs_family", self.family),
            ("event_rule", self.event_rule),
            ("iam_role", event_rule_role(self.event_rule)),
            ("cloudwatch_alarm", event_rule_failed_invocations_alarm(self.event_rule)),
        )


@dataclass(frozen=True)
class ActivityNames:
    prefix: str
    activity_name: str

    @property
    def activity(self) -> str:
        return resource_name(self.prefix, "activity", self.activity_name)

    @property
    def state_machine(self) -> str:
        return self.activity

    @property
    def worker(self) -> str:
        """The worker's task family and its ECS service."""
        return resource_name(self.prefix, "worker", self.activity_name)

    def aws_names(self) -> tuple[str, ...]:
        return (self.activity, state_machine_role(self.state_machine), self.worker, *task_roles(self.worker))

    def families(self) -> tuple[str, ...]:
        return (self.worker,)

    def resources(self) -> tuple[NamedResource, ...]:
        return (
            ("sfn_activity", self.activity),
            ("sfn_state_machine", self.state_machine),
            ("iam_role", state_machine_role(self.state_machine)),
            ("log_group", state_machine_log_group(self.state_machine)),
            ("ecs_family", self.worker),
            ("ecs_service", self.worker),
            *(("iam_role", role) for role in task_roles(self.worker)),
            ("log_group", task_log_group(self.worker)),
        )


WorkflowNames = PipelineNames | TriggerNames | ActivityNames
WORKFLOW_NAMES: dict[str, type[PipelineNames] | type[TriggerNames] | type[ActivityNames]] = {
    "pipelines": PipelineNames,
    "triggers": TriggerNames,
    "activities": ActivityNames,
}


def workflow_names(kind: str, prefix: str, workflow) -> WorkflowNames:
    """The names one workflow of ``kind`` ("pipelines", "triggers", "activities") makes; ``workflow`` is its
    configuration (a pipeline's steps name a family each)."""
    if kind == "pipelines":
        return PipelineNames(prefix, workflow.name, tuple(step.name for step in workflow.steps))
    return WORKFLOW_NAMES[kind](prefix, workflow.name)
