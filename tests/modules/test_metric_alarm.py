"""Alarms: one on every dead-letter queue, every EventBridge rule and the schedule group, all telling the topic."""

from __future__ import annotations

import pytest

from modules.metric_alarm import MetricAlarmProps, queue_messages_visible
from tests.helpers import reference, resources

TOPIC = "fargate-batch-dev-alerts"


def alarms_by_name(synthesized: dict) -> dict[str, dict]:
    return {a["alarm_name"]: a for a in resources(synthesized, "aws_cloudwatch_metric_alarm")}


def metric(alarm: dict) -> tuple:
    return (alarm["namespace"], alarm["metric_name"], alarm["dimensions"], alarm["statistic"])


def test_every_alarm_tells_the_topic_when_it_fires_and_when_it_clears(synthesized):
    topic = reference(synthesized, "aws_sns_topic", "arn", name=TOPIC)
    alarms = resources(synthesized, "aws_cloudwatch_metric_alarm")
    assert alarms
    for alarm in alarms:
        assert (alarm["alarm_actions"], alarm["ok_actions"], alarm["actions_enabled"]) == ([topic], [topic], True)


def test_every_alarm_fires_on_the_first_occurrence_and_ignores_missing_data(synthesized):
    for alarm in resources(synthesized, "aws_cloudwatch_metric_alarm"):
        assert (alarm["comparison_operator"], alarm["threshold"], alarm["evaluation_periods"]) == (
            "GreaterThanThreshold",
            0,
            1,
        )
        assert alarm["treat_missing_data"] == "notBreaching"
        assert 60 <= alarm["period"] <= 300


def test_every_queue_of_the_stack_has_a_messages_visible_alarm(synthesized):
    # A queue added later without an alarm fails here.
    watched = {
        a["dimensions"]["QueueName"]
        for a in resources(synthesized, "aws_cloudwatch_metric_alarm")
        if (a["namespace"], a["metric_name"], a["statistic"])
        == ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum")
    }
    queues = {q["name"] for q in resources(synthesized, "aws_sqs_queue")}
    assert (
        queues
        == watched
        == {
            "fargate-batch-dev-schedule-dlq",
            "fargate-batch-dev-trigger-dlq",
            "fargate-batch-dev-execution-alerts-dlq",
        }
    )


def test_every_event_rule_of_the_stack_has_a_failed_invocations_alarm(synthesized):
    watched = {
        a["dimensions"]["RuleName"]
        for a in resources(synthesized, "aws_cloudwatch_metric_alarm")
        if (a["namespace"], a["metric_name"], a["statistic"]) == ("AWS/Events", "FailedInvocations", "Sum")
    }
    rules = {r["name"] for r in resources(synthesized, "aws_cloudwatch_event_rule")}
    assert rules == watched == {"fargate-batch-dev-trigger-target-files", "fargate-batch-dev-execution-alerts"}


def test_dead_letter_queue_alarms_are_named_after_their_queue_and_say_what_to_do(synthesized):
    alarm = alarms_by_name(synthesized)["fargate-batch-dev-schedule-dlq-has-messages"]
    assert metric(alarm) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "fargate-batch-dev-schedule-dlq"},
        "Maximum",
    )
    assert "read the messages in SQS queue fargate-batch-dev-schedule-dlq" in alarm["alarm_description"]
    assert "start the pipeline by hand" in alarm["alarm_description"]


def test_rule_alarms_watch_failed_invocations_of_each_rule_by_name(synthesized):
    alarms = alarms_by_name(synthesized)
    assert metric(alarms["fargate-batch-dev-trigger-target-files-failed-invocations"]) == (
        "AWS/Events",
        "FailedInvocations",
        {"RuleName": "fargate-batch-dev-trigger-target-files"},
        "Sum",
    )
    assert metric(alarms["fargate-batch-dev-execution-alerts-failed-invocations"]) == (
        "AWS/Events",
        "FailedInvocations",
        {"RuleName": "fargate-batch-dev-execution-alerts"},
        "Sum",
    )


def test_schedule_group_has_target_error_and_dropped_invocation_alarms(synthesized):
    alarms = alarms_by_name(synthesized)
    group = {"ScheduleGroup": "fargate-batch-dev"}
    assert metric(alarms["fargate-batch-dev-scheduler-target-errors"]) == (
        "AWS/Scheduler",
        "TargetErrorCount",
        group,
        "Sum",
    )
    assert metric(alarms["fargate-batch-dev-scheduler-dropped-invocations"]) == (
        "AWS/Scheduler",
        "InvocationDroppedCount",
        group,
        "Sum",
    )


def test_alarm_count_is_one_per_queue_rule_and_scheduler_metric(synthesized):
    assert len(resources(synthesized, "aws_cloudwatch_metric_alarm")) == 3 + 2 + 2


def test_no_schedule_or_trigger_alarms_without_schedules_or_triggers(pipelines_only_synth):
    assert set(alarms_by_name(pipelines_only_synth)) == {
        "fargate-batch-dev-execution-alerts-dlq-has-messages",
        "fargate-batch-dev-execution-alerts-failed-invocations",
    }
    assert {q["name"] for q in resources(pipelines_only_synth, "aws_sqs_queue")} == {
        "fargate-batch-dev-execution-alerts-dlq"
    }


def _props(**overrides) -> MetricAlarmProps:
    values = {
        "name": "a",
        "description": "what to do",
        "metric": queue_messages_visible("q"),
        "topic": None,
        **overrides,
    }
    return MetricAlarmProps(**values)


def test_fails_when_period_is_not_10_30_or_a_multiple_of_60():
    with pytest.raises(ValueError, match="period_seconds: 90 is not 10, 30 or a multiple of 60"):
        _props(period_seconds=90)


def test_fails_without_a_description():
    with pytest.raises(ValueError, match="description: must say what the alarm means"):
        _props(description="")


def test_fails_on_an_unknown_treat_missing_data():
    with pytest.raises(ValueError, match="treat_missing_data: 'notbreaching' is not one of"):
        _props(treat_missing_data="notbreaching")
