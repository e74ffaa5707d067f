"""The environment's customer managed KMS key: logs, alerts, dead-letter queues, schedules, images, data.

One symmetric key per environment, rotated yearly. Its policy keeps the account's IAM policies in
charge (the default key policy) and adds only the two service principals that encrypt with the key
without an IAM role of ours: CloudWatch Logs, for this environment's log groups (matched on the
``kms:EncryptionContext:aws:logs:arn`` condition), and EventBridge, for dead letters of this
environment's rules. Roles that publish to the encrypted topic, send to an encrypted queue or
read the data bucket get ``kms:GenerateDataKey``/``kms:Decrypt`` on this key through their own
policies, limited with ``kms:ViaService``.
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
        policy = DataAwsIamPolicyDocument(
            self,
            "policy",
            statement=key_policy_statements(
                aws,
                log_group_name_prefixes=props.log_group_name_prefixes,
                event_rule_name_prefix=props.event_rule_name_prefix,
            ),
        )
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
        return self.key.arn
