"""EventBridge Scheduler schedule that starts a state machine, with retries and a dead-letter queue.

Scheduler (not an EventBridge rule) because it has time zones, one-time ``at()`` schedules,
flexible windows and per-target retry and DLQ.
https://docs.aws.amazon.com/scheduler/latest/UserGuide/what-is-scheduler.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fargate_batch.config import names
from fargate_batch.tf import Construct, SchedulerSchedule
from modules._private.iam_statements import decrypt_schedule_payload, service_trust, start_one_state_machine
from modules._private.policy import attach_statements, service_role
from modules.aws_scope import aws_scope
from modules.dead_letter_queue import DeadLetterQueue
from modules.schedule_group import ScheduleGroup


@dataclass(frozen=True)
class ScheduleProps:
    """A schedule whose target is ``state_machine_arn``.

    ``expression``: ``cron(...)``, ``rate(...)`` or ``at(...)`` (validated at config load).
    ``time_zone``: Default ``UTC``. ``enabled``: Default true.
    ``flexible_window_minutes``: Default none (mode OFF); 1-1440.
    ``retry_attempts``: Default 185; 0-185. ``max_event_age_seconds``: Default 86400; 60-86400.
    ``input``: Default ``{}``; the execution input.
    https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
    ``kms_key_arn``: Default none (an AWS owned key). A customer managed key encrypts the target input;
    the schedule's role then decrypts it at each invocation.
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/encryption-rest.html
    """

    name: str
    group: ScheduleGroup
    state_machine_arn: str
    dead_letter_queue: DeadLetterQueue
    expression: str
    time_zone: str = "UTC"
    enabled: bool = True
    flexible_window_minutes: int | None = None
    retry_attempts: int = 185
    max_event_age_seconds: int = 86_400
    input: dict = field(default_factory=dict)
    description: str = ""
    kms_key_arn: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.retry_attempts <= 185:
            raise ValueError(f"retry_attempts: {self.retry_attempts} is outside 0-185 (Scheduler RetryPolicy)")
        if not 60 <= self.max_event_age_seconds <= 86_400:
            raise ValueError(
                f"max_event_age_seconds: {self.max_event_age_seconds} is outside 60-86400 (Scheduler RetryPolicy)"
            )
        if self.flexible_window_minutes is not None and not 1 <= self.flexible_window_minutes <= 1440:
            raise ValueError(f"flexible_window_minutes: {self.flexible_window_minutes} is outside 1-1440")


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
            {"mode": "FLEXIBLE", "maximum_window_in_minutes": props.flexible_window_minutes}
            if props.flexible_window_minutes
            else {"mode": "OFF"}
        )
        self.schedule = SchedulerSchedule(
            self,
            "schedule",
            name=props.name,
            group_name=props.group.group.name,
            description=props.description or None,
            schedule_expression=props.expression,
            schedule_expression_timezone=props.time_zone,
            state="ENABLED" if props.enabled else "DISABLED",
            flexible_time_window=window,
            kms_key_arn=props.kms_key_arn,
            target={
                "arn": props.state_machine_arn,
                "role_arn": self.role.arn,
                "input": json.dumps(props.input),
                "retry_policy": {
                    "maximum_retry_attempts": props.retry_attempts,
                    "maximum_event_age_in_seconds": props.max_event_age_seconds,
                },
                "dead_letter_config": {"arn": props.dead_letter_queue.arn},
            },
        )
