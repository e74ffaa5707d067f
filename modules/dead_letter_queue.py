"""Encrypted SQS queue that keeps events a target could not deliver (Scheduler, EventBridge)."""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.tf import Construct, DataAwsIamPolicyDocument, SqsQueue
from modules._private.iam_statements import Statement, kms_data_keys_via
from modules.aws_scope import aws_scope


def send_to_dead_letter_queue(queue_arn: str) -> Statement:
    """Scheduler and EventBridge deliver undeliverable events to the DLQ with the target role.

    https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
    """
    return Statement(sid="SendToDeadLetterQueue", actions=("sqs:SendMessage",), resources=(queue_arn,))


@dataclass(frozen=True)
class DeadLetterQueueProps:
    """``retention_seconds``: Default 1209600 (14 days, the SQS maximum) so a holiday does not lose events.

    ``kms_key_id``: Default none: SQS-managed encryption (SSE-SQS). With a customer managed key, senders
    need ``kms:GenerateDataKey``/``kms:Decrypt`` on it (:meth:`DeadLetterQueue.send_statements`) and
    EventBridge needs the key policy's consent.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html

    ``event_rule_arns``: EventBridge rules whose targets send dead letters here. EventBridge sends them
    under the queue's resource policy, not the target's role, and a queue has one policy: so the
    queue holds it, naming every rule (``aws:SourceArn``), rather than one policy resource per rule
    overwriting the last. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
    """

    name: str
    retention_seconds: int = 1_209_600
    kms_key_id: str | None = None
    event_rule_arns: tuple[str, ...] = ()


class DeadLetterQueue(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: DeadLetterQueueProps) -> None:
        super().__init__(scope, id_)
        aws = aws_scope(self)
        self.kms_key_id = props.kms_key_id
        self._sqs_endpoint = f"sqs.{aws.region}.amazonaws.com"
        encryption = {"kms_master_key_id": props.kms_key_id} if props.kms_key_id else {"sqs_managed_sse_enabled": True}
        policy = {}
        if props.event_rule_arns:
            # The queue's own ARN is built from its name: a reference to it here would be a cycle.
            document = DataAwsIamPolicyDocument(
                self,
                "policy-document",
                statement=[
                    {
                        "sid": "EventBridgeRuleDeadLetters",
                        "effect": "Allow",
                        "actions": ["sqs:SendMessage"],
                        "resources": [aws.arn("sqs", props.name)],
                        "principals": [{"type": "Service", "identifiers": ["events.amazonaws.com"]}],
                        "condition": [
                            {"test": "ArnEquals", "variable": "aws:SourceArn", "values": list(props.event_rule_arns)}
                        ],
                    }
                ],
            )
            policy = {"policy": document.json}
        self.queue = SqsQueue(
            self, "queue", name=props.name, message_retention_seconds=props.retention_seconds, **encryption, **policy
        )

    @property
    def arn(self) -> str:
        return self.queue.arn

    @property
    def url(self) -> str:
        return self.queue.url

    def send_statements(self) -> tuple[Statement, ...]:
        """What a role needs to send dead letters here: sqs:SendMessage, plus the data key when the key is ours."""
        statements = [send_to_dead_letter_queue(self.arn)]
        if self.kms_key_id:
            statements.append(
                kms_data_keys_via(self.kms_key_id, sid="EncryptDeadLetters", service_endpoint=self._sqs_endpoint)
            )
        return tuple(statements)
