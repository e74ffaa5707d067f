"""CloudWatch alarms that evaluate, which moto's alarms never do: they keep whatever state they were given.

:func:`evaluate_alarms` (inside the emulator process) evaluates every alarm in moto's CloudWatch once;
:class:`AlarmEvaluatorLoop` does it every few seconds (``make up`` runs it); a client in another process
(the local run, a test) asks the emulator with :func:`evaluate_alarms_over_http`.

For each alarm it computes the metric from emulator state where it can:

- ``AWS/SQS`` ``ApproximateNumberOfMessagesVisible`` (``QueueName``): the queue's visible messages now;
- ``AWS/Events`` ``FailedInvocations`` / ``Invocations`` (``RuleName``) and ``AWS/Scheduler``
  ``TargetErrorCount`` / ``InvocationDroppedCount`` (no dimension, or ``ScheduleGroup``): the data points the
  emulator published as the service does (``local_emulator.service_metrics``) within the alarm's window
  (``Period`` × ``EvaluationPeriods`` seconds), reduced with the alarm's statistic.
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
  https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html

It applies the comparison and threshold and ``TreatMissingData`` (``missing`` → INSUFFICIENT_DATA,
``notBreaching`` → OK, ``breaching`` → ALARM, ``ignore`` → unchanged):
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
**Evaluation periods and DatapointsToAlarm are treated as met at once**: the emulator has one value for the
window, not one per period, so a breaching value alarms on the first evaluation rather than after N periods.

On a change of state the alarm's actions for the new state run: each SNS topic gets AWS's alarm
notification, published **as cloudwatch.amazonaws.com**: the topic policy must allow that service and, for
a topic encrypted with a customer managed key, the key policy must let it use the key, or AWS drops the
notification without a word (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html). Every
decision lands in the decision log; a denied action adds AWS's "Failed to execute action" item to the
alarm's history (moto keeps it, though it serves no DescribeAlarmHistory) and to the result.
Alarms on other metrics (or metric math) stay INSUFFICIENT_DATA and are listed in ``not_computed``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.request
from dataclasses import asdict, dataclass, field

from local_emulator.background import BackgroundLoop

EVALUATE_PATH = "/moto-api/local-emulator/evaluate-alarms"

COMPARISONS = {
    "GreaterThanThreshold": (lambda value, threshold: value > threshold, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda value, threshold: value >= threshold, "greater than or equal to"),
    "LessThanThreshold": (lambda value, threshold: value < threshold, "less than"),
    "LessThanOrEqualToThreshold": (lambda value, threshold: value <= threshold, "less than or equal to"),
}
# Metrics the emulator publishes as the service does, by namespace: metric names and the dimension sets used.
PUBLISHED = {
    "AWS/Events": ({"FailedInvocations", "Invocations"}, ({"RuleName"},)),
    "AWS/Scheduler": (
        {"TargetErrorCount", "InvocationDroppedCount", "InvocationAttemptCount", "InvocationsSentToDeadLetterCount"},
        (set(), {"ScheduleGroup"}),
    ),
}
INITIAL_REASON = "Unchecked: Initial alarm creation"  # moto's; AWS creates alarms in INSUFFICIENT_DATA


@dataclass
class AlarmResult:
    name: str
    arn: str
    state: str
    previous_state: str
    value: float | None
    reason: str
    notified: list[str] = field(default_factory=list)  # topic ARNs that received the notification
    failed_actions: list[str] = field(default_factory=list)  # "Failed to execute action ..." texts


@dataclass
class Evaluation:
    alarms: list[AlarmResult]
    not_computed: list[dict]  # {"name", "arn", "namespace", "metric", "reason"}

    def as_json(self) -> dict:
        return {"alarms": [asdict(a) for a in self.alarms], "not_computed": self.not_computed}


_lock = threading.Lock()


def evaluate_alarms(now: dt.datetime | None = None) -> Evaluation:
    """Evaluate every alarm of every account and region once (inside the emulator process)."""
    from moto.cloudwatch.models import cloudwatch_backends

    now = now or dt.datetime.now(dt.UTC)
    results, not_computed = [], []
    with _lock:
        for account, regions in list(cloudwatch_backends.items()):
            for region, backend in list(regions.items()):
                for alarm in list(backend.alarms.values()):
                    if getattr(alarm, "rule", None):
                        continue  # a composite alarm follows its children; not evaluated here
                    computed = _metric_value(alarm, backend, account, region, now)
                    if isinstance(computed, str):
                        not_computed.append(_not_computed(alarm, computed))
                        results.append(_set_state(alarm, backend, account, "INSUFFICIENT_DATA", None, computed))
                        continue
                    state, reason = _judge(alarm, computed, now)
                    results.append(_set_state(alarm, backend, account, state, computed, reason))
    return Evaluation(results, not_computed)


def _not_computed(alarm, reason: str) -> dict:
    return {
        "name": alarm.name,
        "arn": alarm.alarm_arn,
        "namespace": alarm.namespace,
        "metric": alarm.metric_name,
        "reason": reason,
    }


def _dimensions(alarm) -> dict[str, str]:
    return {d.name: d.value for d in alarm.dimensions}


def _metric_value(alarm, backend, account: str, region: str, now: dt.datetime) -> float | None | str:
    """The metric's value in the alarm's window, None when there is no data, or why it cannot be computed."""
    dimensions = _dimensions(alarm)
    if alarm.metric_data_queries or not alarm.metric_name:
        return "metric math is not evaluated by the local emulator"
    if (alarm.namespace, alarm.metric_name) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible"):
        if set(dimensions) != {"QueueName"}:
            return "AWS/SQS ApproximateNumberOfMessagesVisible is published per QueueName only"
        from moto.sqs.models import sqs_backends

        queue = sqs_backends[account][region].queues.get(dimensions["QueueName"])
        return None if queue is None else float(queue.approximate_number_of_messages)
    names, dimension_sets = PUBLISHED.get(alarm.namespace, (set(), ()))
    if alarm.metric_name not in names or set(dimensions) not in dimension_sets:
        return f"the local emulator does not compute {alarm.namespace} {alarm.metric_name} {sorted(dimensions)}"
    window_start = now - dt.timedelta(seconds=(alarm.period or 60) * (alarm.evaluation_periods or 1))
    values = [
        datum.value
        for datum in backend.metric_data
        if datum.namespace == alarm.namespace
        and datum.name == alarm.metric_name
        and {d.name: d.value for d in datum.dimensions} == dimensions
        and hasattr(datum, "value")
        and _aware(datum.timestamp) >= window_start
    ]
    if not values:
        return None
    statistic = alarm.statistic or "Sum"
    reducers = {
        "Sum": sum,
        "Maximum": max,
        "Minimum": min,
        "Average": lambda v: sum(v) / len(v),
        "SampleCount": len,
    }
    if statistic not in reducers:
        return f"the statistic {statistic} is not evaluated by the local emulator"
    return float(reducers[statistic](values))


def _aware(moment) -> dt.datetime:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _current_state(alarm) -> str:
    return "INSUFFICIENT_DATA" if alarm.state_reason == INITIAL_REASON else alarm.state_value


def _judge(alarm, value: float | None, now: dt.datetime) -> tuple[str, str]:
    comparison = COMPARISONS.get(alarm.comparison_operator)
    if comparison is None:
        return "INSUFFICIENT_DATA", f"the comparison {alarm.comparison_operator} is not evaluated by the local emulator"
    if value is None:
        treat = alarm.treat_missing_data or "missing"
        state = {"notBreaching": "OK", "breaching": "ALARM", "ignore": _current_state(alarm)}.get(
            treat, "INSUFFICIENT_DATA"
        )
        return state, f"no datapoints in the window; TreatMissingData is {treat}"
    test, words = comparison
    breaching = test(value, float(alarm.threshold))
    verb = "was" if breaching else "was not"
    stamp = now.strftime("%d/%m/%y %H:%M:%S")
    reason = (
        f"Threshold Crossed: 1 datapoint [{value} ({stamp})] {verb} {words} the threshold ({float(alarm.threshold)})."
    )
    return ("ALARM" if breaching else "OK"), reason


def _set_state(alarm, backend, account: str, state: str, value: float | None, reason: str) -> AlarmResult:
    previous = _current_state(alarm)
    result = AlarmResult(alarm.name, alarm.alarm_arn, state, previous, value, reason)
    if state == previous and alarm.state_reason != INITIAL_REASON:
        return result
    reason_data = json.dumps({"version": "1.0", "recentDatapoints": [] if value is None else [value]})
    backend.set_alarm_state(alarm.name, reason, reason_data, state)
    if state == previous:
        return result  # moto's placeholder state replaced by the one AWS starts with: no transition, no action
    actions = {
        "ALARM": alarm.alarm_actions,
        "OK": alarm.ok_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }
    if alarm.actions_enabled:
        for action in actions[state] or []:
            _run_action(alarm, account, action, previous, result)
    return result


def notification(alarm, account: str, previous_state: str) -> tuple[str, str]:
    """(subject, message) of an alarm's SNS notification, in the shape AWS sends.

    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html (AWS writes the
    Region's long name, "Asia Pacific (Tokyo)"; the emulator writes its code)."""
    timestamp = alarm.state_updated_timestamp
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description or None,
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated_timestamp.isoformat(),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": timestamp.isoformat() if hasattr(timestamp, "isoformat") else str(timestamp),
        "Region": alarm.region_name,
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": previous_state,
        "OKActions": alarm.ok_actions,
        "AlarmActions": alarm.alarm_actions,
        "InsufficientDataActions": alarm.insufficient_data_actions,
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "StatisticType": "Statistic",
            "Statistic": (alarm.statistic or "").upper(),
            "Unit": alarm.unit,
            "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": float(alarm.threshold),
            "TreatMissingData": alarm.treat_missing_data or "missing",
        },
    }
    subject = f'{alarm.state_value}: "{alarm.name}" in {alarm.region_name}'
    return subject[:100], json.dumps(message)


def _run_action(alarm, account: str, action: str, previous_state: str, result: AlarmResult) -> None:
    from moto.sns.models import sns_backends

    from local_emulator.authorization.authorizer import authorize_service
    from local_emulator.authorization.policy_evaluation import denial_message
    from local_emulator.authorization.run_time_calls import Check, service_publishes_to_topic

    if action.split(":")[2:3] != ["sns"]:
        result.failed_actions.append(f"Failed to execute action {action}: the local emulator runs SNS actions only")
        return
    topic_region, topic_account = action.split(":")[3], action.split(":")[4]
    publish, *kms = service_publishes_to_topic(action)
    # CloudWatch publishes for its own account: the SNS default topic policy's AWS:SourceOwner condition holds.
    publish = Check(
        publish.action, publish.resource, {"aws:SourceOwner": account}, publish.resource_policy, publish.kind
    )
    denied = authorize_service(
        "cloudwatch.amazonaws.com",
        [publish, *kms],
        source_arn=alarm.alarm_arn,
        source_account=account,
        region=topic_region,
    )
    if denied is None:
        try:
            subject, message = notification(alarm, account, previous_state)
            sns_backends[topic_account][topic_region].publish(message, arn=action, subject=subject)
            result.notified.append(action)
            return
        except Exception as error:  # the topic is gone
            text = f"Failed to execute action {action}. Received error: {type(error).__name__}: {error}"
    else:
        text = f"Failed to execute action {action}. Received error: {denial_message(denied)}"
    result.failed_actions.append(text)
    alarm.history.append(
        ("Action", text, json.dumps({"actionState": "Failed"}), alarm.state_value, dt.datetime.now(dt.UTC))
    )


class AlarmEvaluatorLoop:
    """Evaluates every alarm every ``poll_seconds`` in a background thread (the local AWS of ``make up``)."""

    def __init__(self, *, poll_seconds: float = 10.0, log=print) -> None:
        self.poll_seconds, self.log = poll_seconds, log
        self._loop = BackgroundLoop(
            "alarm-evaluator", self._evaluate_once, poll_seconds=poll_seconds, report=log, wait_first=True
        )

    def start(self) -> AlarmEvaluatorLoop:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop()

    def _evaluate_once(self) -> None:
        evaluation = evaluate_alarms()
        for alarm in evaluation.alarms:
            if alarm.state != alarm.previous_state:
                self.log(f"alarm-evaluator: {alarm.name} {alarm.previous_state} -> {alarm.state}: {alarm.reason}")
            for failed in alarm.failed_actions:
                self.log(f"alarm-evaluator: {alarm.name}: {failed}")


def evaluate_alarms_over_http(endpoint: str) -> dict:
    """Ask the emulator at ``endpoint`` to evaluate every alarm once; :meth:`Evaluation.as_json`."""
    request = urllib.request.Request(endpoint.rstrip("/") + EVALUATE_PATH, data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
