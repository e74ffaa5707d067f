"""CloudWatch alarm on one metric that tells the alert topic when it fires and when it clears.

Every alarm of the stack acts on the alert topic both ways (``alarm_actions`` and ``ok_actions``): the
people who read "fired" also learn "cleared". The topic must let CloudWatch publish for the alarm
(``AlertTopic.allow_publishing_from`` with the alarms' ARNs) and, under a customer managed key, the key
policy must let ``cloudwatch.amazonaws.com`` use the key, or the notification is never sent.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.tf import CloudwatchMetricAlarm, Construct
from modules.alert_topic import AlertTopic

# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
COMPARISON_OPERATORS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
DESCRIPTION_MAX = 1024
NAME_MAX = 255


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric and the statistic an alarm reads it with."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str

    def __post_init__(self) -> None:
        if self.statistic not in STATISTICS:
            raise ValueError(f"metric {self.name}: statistic {self.statistic!r} is not one of {', '.join(STATISTICS)}")


def queue_messages_visible(queue_name: str) -> Metric:
    """Messages waiting in a queue (its Maximum over a period: was anything there at all).

    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
    """
    return Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", (("QueueName", queue_name),), "Maximum")


def event_rule_failed_invocations(rule_name: str) -> Metric:
    """Invocations of a rule's targets that failed for good (a rule on the default bus: dimension RuleName only).

    EventBridge sends it only when it is not zero. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
    """
    return Metric("AWS/Events", "FailedInvocations", (("RuleName", rule_name),), "Sum")


def scheduler_target_errors(schedule_group: str) -> Metric:
    """Calls of a schedule group's targets that the target refused (each attempt, retried or not).

    https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html
    """
    return Metric("AWS/Scheduler", "TargetErrorCount", (("ScheduleGroup", schedule_group),), "Sum")


def scheduler_dropped_invocations(schedule_group: str) -> Metric:
    """Invocations Scheduler gave up on after the retry policy was exhausted.

    https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html
    """
    return Metric("AWS/Scheduler", "InvocationDroppedCount", (("ScheduleGroup", schedule_group),), "Sum")


@dataclass(frozen=True)
class MetricAlarmProps:
    """An alarm on ``metric``, acting on ``topic`` when it fires and when it clears.

    ``description``: what the alarm means and what to do first (up to 1024 characters); it is in
    every notification.
    ``period_seconds``: Default 300; 10, 30 or a multiple of 60.
    ``evaluation_periods``: Default 1. ``threshold``: Default 0 with ``GreaterThanThreshold``: any
    occurrence fires.
    ``treat_missing_data``: Default ``notBreaching``: the metrics watched here are sent only when
    something happened (EventBridge sends ``FailedInvocations`` only when it is not zero; SQS stops
    sending for an empty, idle queue), so no data means nothing went wrong.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
    """

    name: str
    description: str
    metric: Metric
    topic: AlertTopic
    period_seconds: int = 300
    evaluation_periods: int = 1
    threshold: float = 0
    comparison_operator: str = "GreaterThanThreshold"
    treat_missing_data: str = "notBreaching"

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= len(self.name) <= NAME_MAX:
            problems.append(f"name: {self.name!r} must be 1-{NAME_MAX} characters")
        if not self.description or len(self.description) > DESCRIPTION_MAX:
            problems.append(f"description: must say what the alarm means in 1-{DESCRIPTION_MAX} characters")
        if not (self.period_seconds in (10, 30) or (self.period_seconds >= 60 and self.period_seconds % 60 == 0)):
            problems.append(f"period_seconds: {self.period_seconds} is not 10, 30 or a multiple of 60")
        if self.evaluation_periods < 1:
            problems.append(f"evaluation_periods: {self.evaluation_periods} is below 1")
        if self.comparison_operator not in COMPARISON_OPERATORS:
            problems.append(f"comparison_operator: {self.comparison_operator!r} is not one of {COMPARISON_OPERATORS}")
        if self.treat_missing_data not in TREAT_MISSING_DATA:
            problems.append(f"treat_missing_data: {self.treat_missing_data!r} is not one of {TREAT_MISSING_DATA}")
        if problems:
            raise ValueError(f"alarm {self.name!r}: " + "; ".join(problems))


class MetricAlarm(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: MetricAlarmProps) -> None:
        super().__init__(scope, id_)
        self.name = props.name
        self.alarm = CloudwatchMetricAlarm(
            self,
            "alarm",
            alarm_name=props.name,
            alarm_description=props.description,
            namespace=props.metric.namespace,
            metric_name=props.metric.name,
            dimensions=dict(props.metric.dimensions),
            statistic=props.metric.statistic,
            period=props.period_seconds,
            evaluation_periods=props.evaluation_periods,
            threshold=props.threshold,
            comparison_operator=props.comparison_operator,
            treat_missing_data=props.treat_missing_data,
            actions_enabled=True,
            alarm_actions=[props.topic.arn],
            ok_actions=[props.topic.arn],
        )
