"""The scheduler clock fires each schedule when EventBridge Scheduler would.

https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (cron in a time zone, rate, at),
https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html
"""

from __future__ import annotations

import datetime as dt

import pytest

from fargate_batch.local_run.executions import wait_for_execution
from local_emulator.scheduler_clock import SchedulerClock, planned_time

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 0, 30, tzinfo=UTC)


def latest(low: float, high: float) -> float:
    return high


def test_cron_fires_at_its_wall_clock_time_in_the_schedule_time_zone():
    schedule = {"ScheduleExpression": "cron(0 10 * * ? *)", "ScheduleExpressionTimezone": "Asia/Tokyo"}
    assert planned_time(schedule, NOW) == dt.datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 10:00 JST
    assert planned_time(schedule, dt.datetime(2026, 12, 2, 1, 0, tzinfo=UTC)) == dt.datetime(
        2026, 12, 3, 1, 0, tzinfo=UTC
    )


def test_rate_counts_from_when_the_schedule_was_created():
    schedule = {"ScheduleExpression": "rate(5 minutes)", "CreationDate": NOW - dt.timedelta(minutes=7)}
    assert planned_time(schedule, NOW) == NOW + dt.timedelta(minutes=3)


def test_rate_counts_from_the_start_date_when_there_is_one():
    start = NOW + dt.timedelta(hours=1)
    schedule = {"ScheduleExpression": "rate(1 hour)", "StartDate": start, "CreationDate": NOW - dt.timedelta(days=1)}
    assert planned_time(schedule, NOW) == start + dt.timedelta(hours=1)


def test_one_time_schedule_fires_once():
    schedule = {"ScheduleExpression": "at(2026-12-02T12:00:00)", "ScheduleExpressionTimezone": "Asia/Tokyo"}
    due = planned_time(schedule, NOW)
    assert due == dt.datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    assert planned_time(schedule, due) is None


def test_nothing_fires_after_the_end_date():
    schedule = {"ScheduleExpression": "cron(0 10 * * ? *)", "ScheduleExpressionTimezone": "Asia/Tokyo"}
    assert planned_time({**schedule, "EndDate": NOW + dt.timedelta(minutes=29)}, NOW) is None
    assert planned_time({**schedule, "EndDate": NOW + dt.timedelta(minutes=31)}, NOW) is not None


def test_flexible_window_delays_each_invocation_by_at_most_the_window():
    schedule = {
        "ScheduleExpression": "cron(0 10 * * ? *)",
        "ScheduleExpressionTimezone": "Asia/Tokyo",
        "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
    }
    assert planned_time(schedule, NOW, jitter=latest) == dt.datetime(2026, 12, 2, 1, 15, tzinfo=UTC)
    assert planned_time(schedule, NOW, jitter=lambda low, high: low) == dt.datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


@pytest.mark.emulator
def test_clock_starts_the_deployed_pipeline_when_its_time_comes_and_not_before(deployed, agent):
    clock = SchedulerClock(deployed.endpoint, (deployed.region,), log=lambda line: None)
    start = dt.datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    assert clock.tick(start) == []
    schedule_arn = next(arn for arn in clock._plans if arn.endswith("/fargate-batch-dev-daily-report"))
    due = clock.next_due(schedule_arn)
    assert due == dt.datetime(2030, 1, 1, 1, 0, tzinfo=UTC)  # cron(0 10 * * ? *) Asia/Tokyo
    assert clock.tick(due - dt.timedelta(seconds=1)) == []
    (invocation,) = [i for i in clock.tick(due) if i.schedule_arn == schedule_arn]
    assert invocation.error is None
    assert wait_for_execution(deployed.client("stepfunctions"), invocation.execution_arn)["status"] == "SUCCEEDED"
    assert clock.next_due(schedule_arn) == dt.datetime(2030, 1, 2, 1, 0, tzinfo=UTC)
