"""EventBridge rule: an object created under a key prefix (and suffix) in one bucket starts a state machine.

The target gets the whole S3 event as input (no input transformer): the state machine builds the
task's command from ``$.detail.object.key`` itself, where escaping is handled by ASL's intrinsic
functions, and the event stays in the execution history for whoever debugs a run.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fargate_batch.config import names
from fargate_batch.tf import (
    CloudwatchEventRule,
    CloudwatchEventTarget,
    Construct,
)
from modules._private.iam_statements import AwsScope, service_trust, start_one_state_machine
from modules._private.policy import attach_statements, service_role
from modules.aws_scope import aws_scope
from modules.dead_letter_queue import DeadLetterQueue


def _escape_wildcard(text: str) -> str:
    # In EventBridge wildcard patterns only "*" is special; "\" escapes it (and itself).
    return text.replace("\\", "\\\\").replace("*", "\\*")


def object_created_pattern(*, bucket_name: str, prefix: str, suffix: str = "") -> dict:
    """Event pattern for S3 "Object Created" events of one bucket under ``prefix`` (and ending in ``suffix``).

    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
    """
    key_matcher = (
        {"wildcard": f"{_escape_wildcard(prefix)}*{_escape_wildcard(suffix)}"} if suffix else {"prefix": prefix}
    )
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket_name]}, "object": {"key": [key_matcher]}},
    }


def event_rule_arn(aws: AwsScope, rule_name: str) -> str:
    """A rule's ARN on the default event bus, known before the rule exists (for the DLQ's policy)."""
    return aws.arn("events", f"rule/{rule_name}")


@dataclass(frozen=True)
class ObjectCreatedRuleProps:
    """``retry_attempts``: Default 185 (0-185). ``max_event_age_seconds``: Default 86400 (60-86400).

    ``dead_letter_queue`` must name this rule in its ``event_rule_arns`` (:func:`event_rule_arn`): the
    queue's policy is what lets EventBridge deliver there.

    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
    """

    name: str
    bucket_name: str
    prefix: str
    state_machine_arn: str
    dead_letter_queue: DeadLetterQueue
    suffix: str = ""
    retry_attempts: int = 185
    max_event_age_seconds: int = 86_400


class ObjectCreatedRule(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ObjectCreatedRuleProps) -> None:
        super().__init__(scope, id_)
        aws = aws_scope(self)
        self.pattern = object_created_pattern(bucket_name=props.bucket_name, prefix=props.prefix, suffix=props.suffix)
        self.rule = CloudwatchEventRule(
            self,
            "rule",
            name=props.name,
            description=f"Objects created under {props.prefix}*{props.suffix} start {props.name}",
            event_pattern=json.dumps(self.pattern),
        )
        rule_arn = event_rule_arn(aws, props.name)
        self.role = service_role(
            self,
            "role",
            name=names.event_rule_role(props.name),
            trust_statement=service_trust("events.amazonaws.com", source_account=aws.account_id, source_arn=rule_arn),
            description=f"EventBridge rule {props.name} starts its state machine",
        )
        attach_statements(self, "policy", self.role, (start_one_state_machine(props.state_machine_arn),))
        self.target = CloudwatchEventTarget(
            self,
            "target",
            rule=self.rule.name,
            target_id="state-machine",
            arn=props.state_machine_arn,
            role_arn=self.role.arn,
            retry_policy={
                "maximum_retry_attempts": props.retry_attempts,
                "maximum_event_age_in_seconds": props.max_event_age_seconds,
            },
            dead_letter_config={"arn": props.dead_letter_queue.arn},
        )
