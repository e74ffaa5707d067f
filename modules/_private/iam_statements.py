"""IAM types and the statements several constructs share.

A statement one construct needs lives beside it, CDK-style (``ecs_run_task_sync`` in
``run_task_state_machine.py``, ``DataBucket.grant_read_write``); what stays here is shared: the
``Statement``/``Condition`` types constructs render into ``aws_iam_policy_document``, trust policies,
starting one state machine (schedules and rules) and customer-managed-key data keys through a service.
ARNs are passed in (often Terraform references), so these functions are testable without synthesizing.
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


def start_one_state_machine(state_machine_arn: str) -> Statement:
    """What a Scheduler or EventBridge target role needs: start exactly this state machine."""
    return Statement(sid="StartThisStateMachine", actions=("states:StartExecution",), resources=(state_machine_arn,))


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
