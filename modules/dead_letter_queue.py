"""Encrypted SQS queue that keeps events a target could not deliver (Scheduler, EventBridge)."""

from __future__ import annotations

from dataclasses import dataclass

from modules._private.tf import Construct, SqsQueue


@dataclass(frozen=True)
class DeadLetterQueueProps:
    """``retention_seconds``: Default 1209600 (14 days, the SQS maximum) so a holiday does not lose events.

    ``kms_key_id``: Default none: SQS-managed encryption (SSE-SQS).
    """

    name: str
    retention_seconds: int = 1_209_600
    kms_key_id: str | None = None


class DeadLetterQueue(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: DeadLetterQueueProps) -> None:
        super().__init__(scope, id_)
        encryption = {"kms_master_key_id": props.kms_key_id} if props.kms_key_id else {"sqs_managed_sse_enabled": True}
        self.queue = SqsQueue(
            self, "queue", name=props.name, message_retention_seconds=props.retention_seconds, **encryption
        )

    @property
    def arn(self) -> str:
        return self.queue.arn

    @property
    def url(self) -> str:
        return self.queue.url
