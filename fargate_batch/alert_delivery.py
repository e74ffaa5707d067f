"""Where failure alerts go, said the same way by ``make run``, ``make plan-report`` and the README.

Every alert (failed, timed-out or aborted execution; every alarm) is published to the stack's one SNS
topic. SNS delivers only to the topic's subscribers: with none, alerts reach nobody. An e-mail
subscriber must first follow the link in AWS's confirmation message: until then the subscription is
"PendingConfirmation" and nothing is delivered to it; the link is valid for three days.
https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.config import names
from fargate_batch.config.schema import ProjectConfig

NO_SUBSCRIBER_WARNING = (
    "alerts reach nobody: add [alerts] email_subscriptions or subscribe the topic (AWS Chatbot for Slack, "
    "an SQS queue, an HTTPS endpoint: README, Alerts)"
)
EMAIL_CONFIRMATION = (
    "an e-mail subscription is pending until its recipient follows the link in AWS's confirmation message "
    "(valid three days); nothing is delivered to it before"
)


@dataclass(frozen=True)
class AlertDelivery:
    topic: str  # the topic's name (its ARN is the stack output alert-topic-arn)
    email_subscriptions: tuple[str, ...]

    @property
    def warning(self) -> str | None:
        return None if self.email_subscriptions else NO_SUBSCRIBER_WARNING

    def lines(self) -> list[str]:
        """What the configuration subscribes, the confirmation rule, or the warning; one fact a line."""
        if not self.email_subscriptions:
            return [f"Alerts: SNS topic {self.topic}, with no subscriber in the configuration", self.warning]
        return [
            f"Alerts: SNS topic {self.topic} → e-mail {', '.join(self.email_subscriptions)}",
            EMAIL_CONFIRMATION,
        ]


def alert_delivery(config: ProjectConfig) -> AlertDelivery:
    return AlertDelivery(names.SharedNames(config.name_prefix).alert_topic, config.alerts.email_subscriptions)
