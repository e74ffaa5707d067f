"""SNS topic that receives failure alerts from every workflow, with optional e-mail subscribers.

Who may publish: the AWS services named by
:meth:`AlertTopic.allow_publishing_from`, each only for its own rules or alarms. A topic policy
replaces SNS's default one, whose statement lets any principal of the owning account manage and
publish "if its IAM policy allows it"; within one account an IAM policy alone already grants that,
so the policy here names only the services, which have no IAM policy of ours.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (within one account)
https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.tf import Construct, DataAwsIamPolicyDocument, SnsTopic, SnsTopicPolicy, SnsTopicSubscription
from modules.aws_scope import aws_scope
from modules.kms_key import KmsKey

# The AWS-managed key keeps alerts encrypted at rest without a key policy to maintain; publishers
# need only sns:Publish. https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


@dataclass(frozen=True)
class ServicePublisher:
    """An AWS service that publishes to the topic on behalf of resources of this account.

    ``source_arns``: the resources it may publish for (``aws:SourceArn``), exact ARNs or ``*`` patterns;
    with ``source_account`` (``aws:SourceAccount``) they keep another account's rule or alarm from
    using the service to publish here (confused deputy; "aws:SourceAccount versus aws:SourceOwner" in
    https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
    """

    sid: str
    service: str
    source_account: str
    source_arns: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.source_arns:
            raise ValueError(f"{self.sid}: source_arns is empty; name the rules or alarms {self.service} publishes for")

    def statement(self, topic_arn: str) -> dict:
        # ArnEquals for exact ARNs; ArnLike only where a pattern needs its wildcard.
        arn_test = "ArnLike" if any("*" in arn for arn in self.source_arns) else "ArnEquals"
        return {
            "sid": self.sid,
            "effect": "Allow",
            "actions": ["sns:Publish"],
            "resources": [topic_arn],
            "principals": [{"type": "Service", "identifiers": [self.service]}],
            "condition": [
                {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [self.source_account]},
                {"test": arn_test, "variable": "aws:SourceArn", "values": list(self.source_arns)},
            ],
        }


@dataclass(frozen=True)
class AlertTopicProps:
    """``email_subscriptions``: Default none. Each address must confirm the subscription e-mail.

    ``kms_key_id``: Default the AWS-managed ``alias/aws/sns``. With a customer managed key (its ARN),
    publishing services also need ``kms:GenerateDataKey*`` and ``kms:Decrypt`` on it through the key policy
    (:meth:`AlertTopic.allow_publishing_from`). AWS services
    cannot publish to a topic under the AWS-managed key at all: its key policy cannot be changed.
    https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    """

    name: str
    email_subscriptions: tuple[str, ...] = ()
    kms_key_id: str = AWS_MANAGED_SNS_KEY


class AlertTopic(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: AlertTopicProps) -> None:
        super().__init__(scope, id_)
        aws = aws_scope(self)
        self.kms_key_id = props.kms_key_id
        # Built from the name for policies the topic itself depends on (its key's): a reference would be a cycle.
        self.built_arn = aws.arn("sns", props.name)
        self.topic = SnsTopic(self, "topic", name=props.name, kms_master_key_id=props.kms_key_id)
        for address in props.email_subscriptions:
            # The address is the id: adding or removing one never replaces the others.
            SnsTopicSubscription(self, f"email-{address}", topic_arn=self.topic.arn, protocol="email", endpoint=address)
        self._publishers: list[ServicePublisher] = []
        self._policy_document: DataAwsIamPolicyDocument | None = None

    @property
    def arn(self) -> str:
        return self.topic.arn

    def allow_publishing_from(self, publisher: ServicePublisher, *, key: KmsKey | None = None) -> None:
        """Let ``publisher`` publish here: a topic policy statement, and the key policy's consent when the key is ours.

        ``key`` must be the customer managed key the topic is encrypted with (its ARN is ``kms_key_id``):
        without the key policy statement the service's publish fails although the topic policy allows it.
        """
        if self.kms_key_id == AWS_MANAGED_SNS_KEY:
            raise ValueError(
                f"{publisher.service} cannot publish to {self.node.path}: the topic uses the AWS-managed key "
                f"{AWS_MANAGED_SNS_KEY}, whose key policy admits no service; give the topic a customer managed key"
            )
        if key is None or key.arn != self.kms_key_id:
            raise ValueError(
                f"{publisher.sid}: pass the KmsKey the topic is encrypted with ({self.kms_key_id}) as key=, "
                f"so that {publisher.service} may use it"
            )
        if any(p.sid == publisher.sid for p in self._publishers):
            raise ValueError(f"{publisher.sid}: a publisher with this sid is already allowed on {self.node.path}")
        key.allow_service_to_publish_to_topic(publisher.service, topic_arn=self.built_arn, sid=publisher.sid)
        self._publishers.append(publisher)
        statements = [p.statement(self.arn) for p in self._publishers]
        if self._policy_document is None:
            # One policy per topic (a second aws_sns_topic_policy would overwrite the first), made on first use.
            self._policy_document = DataAwsIamPolicyDocument(self, "policy-document", statement=statements)
            SnsTopicPolicy(self, "policy", arn=self.topic.arn, policy=self._policy_document.json)
        else:
            self._policy_document.put_statement(statements)
