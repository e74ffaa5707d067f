"""SNS topic that receives failure alerts from every workflow, with optional e-mail subscribers."""

from __future__ import annotations

from dataclasses import dataclass

from modules._private.tf import Construct, SnsTopic, SnsTopicSubscription

# The AWS-managed key keeps alerts encrypted at rest without a key policy to maintain; publishers
# need only sns:Publish. https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


@dataclass(frozen=True)
class AlertTopicProps:
    """``email_subscriptions``: Default none. Each address must confirm the subscription e-mail."""

    name: str
    email_subscriptions: tuple[str, ...] = ()
    kms_key_id: str = AWS_MANAGED_SNS_KEY


class AlertTopic(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: AlertTopicProps) -> None:
        super().__init__(scope, id_)
        self.topic = SnsTopic(self, "topic", name=props.name, kms_master_key_id=props.kms_key_id)
        for address in props.email_subscriptions:
            # The address is the id: adding or removing one never replaces the others.
            SnsTopicSubscription(self, f"email-{address}", topic_arn=self.topic.arn, protocol="email", endpoint=address)

    @property
    def arn(self) -> str:
        return self.topic.arn
