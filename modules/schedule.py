"""EventBridge Scheduler schedule that starts a state machine, with retries and a dead-letter queue.

Scheduler (not an EventBridge rule) because it has time zones, one-time ``at()`` schedules,
flexible windows and per-target retry and DLQ.
https://docs.aws.amazon.com/scheduler/latest/UserGuide/what-is-scheduler.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fargate_batch.config import names
from fargate_batch.config.schema import ScheduleConfig
from fargate_batch.tf import Construct, SchedulerSchedule
from modules._private.iam_statements import Condition, Statement, service_trust, start_one_state_machine
from modules._private.policy import attach_statements, service_role
from modules.aws_scope import aws_scope
from modules.dead_letter_queue import DeadLetterQueue
from modules.schedule_group import ScheduleGroup


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


@dataclass(frozen=True)
class ScheduleProps:
    """A schedule whose target is ``state_machine_arn``, as configured by ``schedule`` (``[pipelines.schedule]``).

    The expression, time zone, flexible window and retry policy come from the configuration, which
    checks their ranges at load (``fargate_batch/config``).
    https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
    ``input``: Default ``{}``; the execution input.
    ``kms_key_arn``: Default none (an AWS owned key). A customer managed key encrypts the target input;
    the schedule's role then decrypts it at each invocation.
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/encryption-rest.html
    """

    name: str
    group: ScheduleGroup
    state_machine_arn: str
    dead_letter_queue: DeadLetterQueue
    schedule: ScheduleConfig
    input: dict = field(default_factory=dict)
    description: str = ""
    kms_key_arn: str | None = None


class Schedule(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ScheduleProps) -> None:
        super().__init__(scope, id_)
        aws = aws_scope(self)
        self.name = props.name
        schedule_arn = aws.arn("scheduler", f"schedule/{props.group.name}/{props.name}")
        self.role = service_role(
            self,
            "role",
            name=names.schedule_role(props.name),
            # Scheduler assumes the role with aws:SourceArn = the schedule *group* ARN; a trust scoped to the
            # schedule itself is refused ("Do not scope the aws:SourceArn statement to a specific schedule").
            # https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
            trust_statement=service_trust(
                "scheduler.amazonaws.com",
                source_account=aws.account_id,
                source_arn=props.group.arn,
            ),
            description=f"EventBridge Scheduler starts {props.name}",
        )
        statements = [start_one_state_machine(props.state_machine_arn), *props.dead_letter_queue.send_statements()]
        if props.kms_key_arn:
            statements.append(decrypt_schedule_payload(props.kms_key_arn, schedule_arn))
        attach_statements(self, "policy", self.role, statements)
        window = (
            {"mode": "FLEXIBLE", "maximum_window_in_minutes": props.schedule.flexible_window_minutes}
            if props.schedule.flexible_window_minutes
            else {"mode": "OFF"}
        )
        self.schedule = SchedulerSchedule(
            self,
            "schedule",
            name=props.name,
            group_name=props.group.group.name,
            description=props.description or None,
            schedule_expression=props.schedule.expression,
            schedule_expression_timezone=props.schedule.time_zone,
            state="ENABLED" if props.schedule.enabled else "DISABLED",
            flexible_time_window=window,
            kms_key_arn=props.kms_key_arn,
            target={
                "arn": props.state_machine_arn,
                "role_arn": self.role.arn,
                "input": json.dumps(props.input),
                "retry_policy": {
                    "maximum_retry_attempts": props.schedule.retry_attempts,
                    "maximum_event_age_in_seconds": props.schedule.max_event_age_seconds,
                },
                "dead_letter_config": {"arn": props.dead_letter_queue.arn},
            },
        )
