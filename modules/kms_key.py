"""The environment's customer managed KMS key: logs, alerts, dead-letter queues, schedules, images, data.

One symmetric key per environment, rotated yearly. Its policy keeps the account's IAM policies in
charge (the default key policy) and adds only the service principals that encrypt with the key
without an IAM role of ours: CloudWatch Logs, for this environment's log groups (matched on the
``kms:EncryptionContext:aws:logs:arn`` condition), EventBridge, for dead letters of this
environment's rules, and the services that publish to the encrypted alert topic themselves
(EventBridge rules and CloudWatch alarms, :meth:`KmsKey.allow_service_to_publish_to_topic`). Roles
that publish to the encrypted topic, send to an encrypted queue or read the data bucket get
``kms:GenerateDataKey``/``kms:Decrypt`` on this key through their own policies, limited with
``kms:ViaService``.
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.checkov_skips import CheckovSkip, skip_checks
from fargate_batch.tf import Construct, DataAwsIamPolicyDocument, KmsAlias, KmsKeyResource
from modules._private.iam_statements import AwsScope
from modules.aws_scope import aws_scope


@dataclass(frozen=True)
class KmsKeyProps:
    """``name``: the key's alias becomes ``alias/<name>``.

    ``log_group_name_prefixes``: Default none. CloudWatch Logs may use the key for log groups whose
    names start with one of these (``/ecs/fargate-batch-dev-``).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    ``event_rule_name_prefix``: Default none. EventBridge rules whose names start with it may write
    dead letters to queues encrypted with the key.
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
    ``deletion_window_days``: Default 30, the longest wait before a scheduled deletion (7-30).
    """

    name: str
    log_group_name_prefixes: tuple[str, ...] = ()
    event_rule_name_prefix: str | None = None
    deletion_window_days: int = 30

    def __post_init__(self) -> None:
        if not 7 <= self.deletion_window_days <= 30:
            raise ValueError(
                f"deletion_window_days: {self.deletion_window_days} is outside 7-30 (KMS ScheduleKeyDeletion)"
            )


def key_policy_statements(
    aws: AwsScope, *, log_group_name_prefixes: tuple[str, ...], event_rule_name_prefix: str | None
) -> list[dict]:
    """Statements of the key policy, as ``aws_iam_policy_document`` blocks. In a key policy ``*`` is this key."""
    statements: list[dict] = [
        {
            "sid": "AccountIamPoliciesGovernKeyUse",
            "effect": "Allow",
            "actions": ["kms:*"],
            "resources": ["*"],
            "principals": [{"type": "AWS", "identifiers": [f"arn:{aws.partition}:iam::{aws.account_id}:root"]}],
        }
    ]
    if log_group_name_prefixes:
        statements.append(
            {
                "sid": "CloudWatchLogsEncryptThisEnvironmentsLogGroups",
                "effect": "Allow",
                "actions": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "resources": ["*"],
                "principals": [{"type": "Service", "identifiers": [f"logs.{aws.region}.amazonaws.com"]}],
                "condition": [
                    {
                        "test": "ArnLike",
                        "variable": "kms:EncryptionContext:aws:logs:arn",
                        "values": [aws.arn("logs", f"log-group:{prefix}*") for prefix in log_group_name_prefixes],
                    }
                ],
            }
        )
    if event_rule_name_prefix is not None:
        statements.append(
            {
                "sid": "EventBridgeRulesWriteDeadLetters",
                "effect": "Allow",
                "actions": ["kms:GenerateDataKey", "kms:Decrypt"],
                "resources": ["*"],
                "principals": [{"type": "Service", "identifiers": ["events.amazonaws.com"]}],
                "condition": [
                    {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [aws.account_id]},
                    {
                        "test": "ArnLike",
                        "variable": "aws:SourceArn",
                        "values": [aws.arn("events", f"rule/{event_rule_name_prefix}*")],
                    },
                ],
            }
        )
    return statements


def topic_publisher_statement(service: str, *, topic_arn: str, sid: str) -> dict:
    """Let an AWS service that publishes to an SNS topic encrypted with this key use the key for that topic.

    SNS encrypts a message with the publisher's permission on the key, and a service principal has no IAM
    policy: the key policy must allow it ``kms:GenerateDataKey*`` and ``kms:Decrypt``, as SNS documents
    in "Enable compatibility between event sources from AWS services and encrypted topics"
    (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
    Without it the service's publish fails and only the service's own history says so: a CloudWatch
    alarm changes state and nobody is told
    (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns).

    The grant is limited to the one topic with ``kms:EncryptionContext:aws:sns:topicArn``, the context
    SNS encrypts every message of a topic under. Which rules and alarms may publish is the topic
    policy's decision (``aws:SourceArn``/``aws:SourceAccount`` there, :meth:`AlertTopic.allow_publishing_from`);
    repeating those keys here would make delivery depend on SNS forwarding them to KMS, which neither
    SNS nor EventBridge documents for this call.
    """
    return {
        "sid": sid,
        "effect": "Allow",
        "actions": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "resources": ["*"],
        "principals": [{"type": "Service", "identifiers": [service]}],
        "condition": [
            {"test": "StringEquals", "variable": "kms:EncryptionContext:aws:sns:topicArn", "values": [topic_arn]}
        ],
    }


# checkov reads the key policy document as if it were an identity policy. In a key policy the resource
# "*" means this key and nothing else, and the account-root statement is AWS's default key policy,
# which hands control of the key to the account's IAM policies.
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
_KEY_POLICY_RESOURCE = (
    "a key policy applies only to its own key, so its Resource '*' is this one key; the account-root "
    "kms:* statement is the default key policy that delegates to the account's IAM policies"
)
KEY_POLICY_SKIPS = tuple(
    CheckovSkip(check, _KEY_POLICY_RESOURCE) for check in ("CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356")
)


class KmsKey(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: KmsKeyProps) -> None:
        super().__init__(scope, id_)
        aws = aws_scope(self)
        self._statements = key_policy_statements(
            aws,
            log_group_name_prefixes=props.log_group_name_prefixes,
            event_rule_name_prefix=props.event_rule_name_prefix,
        )
        self.policy = policy = DataAwsIamPolicyDocument(self, "policy", statement=self._statements)
        skip_checks(policy, *KEY_POLICY_SKIPS)
        self.key = KmsKeyResource(
            self,
            "key",
            description=f"{props.name}: logs, alerts, dead letters, schedules, images and data at rest",
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=policy.json,
        )
        self.alias = KmsAlias(self, "alias", name=f"alias/{props.name}", target_key_id=self.key.key_id)

    @property
    def arn(self) -> str:
        # One token for the key's ARN, so that a construct given it can tell it is this key's.
        if not hasattr(self, "_arn"):
            self._arn = self.key.arn
        return self._arn

    def allow_service_to_publish_to_topic(self, service: str, *, topic_arn: str, sid: str) -> None:
        """Add :func:`topic_publisher_statement` to the key policy (``topic_arn`` built from the topic's name:
        the topic refers to this key, so a reference back would be a cycle)."""
        if any(statement["sid"] == sid for statement in self._statements):
            raise ValueError(f"key policy statement {sid!r} is already granted on {self.node.path}")
        self._statements.append(topic_publisher_statement(service, topic_arn=topic_arn, sid=sid))
        self.policy.put_statement(self._statements)
