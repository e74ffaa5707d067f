"""SNS topic that receives failure alerts from every workflow, with optional e-mail subscribers."""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.tf import Construct, SnsTopic, SnsTopicSubscription
from modules._private.iam_statements import Statement, kms_data_keys_via
from modules.aws_scope import aws_scope

# The AWS-managed key keeps alerts encrypted at rest without a key policy to maintain; publishers
# need only sns:Publish. https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


def sns_publish(topic_arn: str) -> Statement:
    """``arn:aws:states:::sns:publish``. https://docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html"""
    return Statement(sid="PublishAlerts", actions=("sns:Publish",), resources=(topic_arn,))


@dataclass(frozen=True)
class AlertTopicProps:
    """``email_subscriptions``: Default none. Each address must confirm the subscription e-mail.

    ``kms_key_id``: Default the AWS-managed ``alias/aws/sns``. With a customer managed key (its ARN),
    publishers also need ``kms:GenerateDataKey`` and ``kms:Decrypt`` on it: :meth:`AlertTopic.publish_statements`.
    https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    """

    name: str
    email_subscriptions: tuple[str, ...] = ()
    kms_key_id: str = AWS_MANAGED_SNS_KEY


class AlertTopic(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: AlertTopicProps) -> None:
        super().__init__(scope, id_)
        self.kms_key_id = props.kms_key_id
        self._sns_endpoint = f"sns.{aws_scope(self).region}.amazonaws.com"
        self.topic = SnsTopic(self, "topic", name=props.name, kms_master_key_id=props.kms_key_id)
        for address in props.email_subscriptions:
            # The address is the id: adding or removing one never replaces the others.
            SnsTopicSubscription(self, f"email-{address}", topic_arn=self.topic.arn, protocol="email", endpoint=address)

    @property
    def arn(self) -> str:
        return self.topic.arn

    def publish_statements(self) -> tuple[Statement, ...]:
        """What a role needs to publish here: sns:Publish, plus the data key when the key is ours."""
        statements = [sns_publish(self.arn)]
        if self.kms_key_id != AWS_MANAGED_SNS_KEY:
            statements.append(
                kms_data_keys_via(self.kms_key_id, sid="EncryptAlerts", service_endpoint=self._sns_endpoint)
            )
        return tuple(statements)
