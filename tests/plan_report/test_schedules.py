"""Schedule previews: AWS cron semantics on the schedule's wall clock, DST as EventBridge Scheduler does it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fargate_batch.plan_report.schedules import ScheduleExpressionError, next_fire_times, runs_in_window

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def test_daily_tokyo_cron_fires_at_ten_local_which_is_one_utc():
    fires = next_fire_times("cron(0 10 * * ? *)", "Asia/Tokyo", NOW)
    assert [t.astimezone(UTC) for t in fires.times] == [
        datetime(2026, 11, 23 + day, 1, 0, tzinfo=UTC) for day in range(5)
    ]
    assert all(t.tzinfo == ZoneInfo("Asia/Tokyo") and t.hour == 10 for t in fires.times)


def test_day_of_week_one_is_sunday():
    fires = next_fire_times("cron(0 9 ? * 1 *)", "UTC", NOW)
    assert {t.strftime("%A") for t in fires.times} == {"Sunday"}


def test_nth_weekday_and_last_day_of_month():
    first_monday = next_fire_times("cron(0 12 ? * MON#1 *)", "UTC", NOW).times[0]
    assert (first_monday.date(), first_monday.strftime("%A")) == (datetime(2026, 12, 7).date(), "Monday")
    last_days = next_fire_times("cron(0 0 L * ? *)", "UTC", NOW, count=3).times
    assert [t.date().isoformat() for t in last_days] == ["2026-11-30", "2026-12-31", "2027-01-31"]


def test_a_time_that_does_not_exist_when_clocks_spring_forward_is_skipped():
    # 2026-03-08 02:30 does not exist in New York (02:00 EST → 03:00 EDT).
    fires = next_fire_times("cron(30 2 * * ? *)", "America/New_York", datetime(2026, 3, 6, 12, tzinfo=UTC), count=3)
    assert [t.day for t in fires.times] == [7, 9, 10]


def test_a_time_that_happens_twice_when_clocks_fall_back_fires_once_at_the_first():
    # 2026-11-01 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    fires = next_fire_times("cron(30 1 * * ? *)", "America/New_York", datetime(2026, 10, 31, 12, tzinfo=UTC), count=2)
    assert [t.astimezone(UTC) for t in fires.times] == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),
    ]


def test_rate_fires_every_interval_from_creation_and_says_so():
    fires = next_fire_times("rate(5 minutes)", "UTC", NOW)
    assert [t - NOW for t in fires.times] == [timedelta(minutes=5 * k) for k in range(1, 6)]
    assert "from when the schedule is created" in fires.note


def test_one_time_schedule_fires_once_in_its_time_zone_or_not_at_all_once_passed():
    upcoming = next_fire_times("at(2026-12-01T09:00:00)", "Europe/Paris", NOW)
    assert upcoming.times == (datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris")),)
    passed = next_fire_times("at(2026-01-01T09:00:00)", "Europe/Paris", NOW)
    assert passed.times == ()
    assert "already passed" in passed.note


@pytest.mark.parametrize(
    "expression, runs",
    [
        ("cron(0 10 * * ? *)", 30),
        ("cron(* * * * ? *)", 30 * 24 * 60),
        ("rate(5 minutes)", 30 * 24 * 12),
        ("rate(1 day)", 30),
        ("at(2026-12-01T09:00:00)", 1),
        ("at(2027-01-01T09:00:00)", 0),
    ],
)
def test_runs_in_a_30_day_window(expression, runs):
    assert runs_in_window(expression, "UTC", NOW) == runs


def test_weekday_runs_match_a_count_of_weekdays():
    start = datetime(2026, 11, 22, 0, 0, tzinfo=NEW_YORK)
    weekdays = sum(1 for d in range(30) if (start + timedelta(days=d)).weekday() < 5)
    assert runs_in_window("cron(0 9 ? * MON-FRI *)", "America/New_York", start) == weekdays


@pytest.mark.parametrize("expression", ["cron(0 25 * * ? *)", "rate(0 minutes)", "every day", "cron(0 10 * * * *)"])
def test_rejects_expressions_scheduler_would_reject(expression):
    with pytest.raises(ScheduleExpressionError):
        next_fire_times(expression, "UTC", NOW)
