"""Pure checks of schedules and time zones, without loading a file."""

from __future__ import annotations

import pytest

from fargate_batch.config import rules
from fargate_batch.config.schema import RetryConfig


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 10 29 2 ? *)",  # leap years
        "cron(0 10 29 2 ? 2028)",
        "cron(0 10 29 2 ? 2027,2028)",
        "cron(0 10 31 1-12 ? *)",
        "cron(0 10 31 4-7 ? *)",  # May and July have a 31st
        "cron(0 10 30,31 2,3 ? *)",
        "cron(0 10 L 2 ? *)",
        "cron(0 10 L-3 2 ? *)",
        "cron(0 10 ? * 6L *)",
        "cron(0 10 ? 2 FRI#5 *)",  # a leap February that starts on a Friday, e.g. 2036
        "cron(0 10 ? FEB 6#5 2036)",
        "cron(0 10 ? 2 MON#4 2027)",
    ],
)
def test_accepts_cron_expressions_that_fire_on_some_day(expression):
    assert rules.check_schedule_expression(expression) == []


@pytest.mark.parametrize(
    "expression, reason",
    [
        ("cron(0 10 31 2 ? *)", "day-of-month '31' is past the end of month '2' (at most 29 days)"),
        ("cron(0 10 30,31 FEB ? *)", "day-of-month '30,31' is past the end of month 'FEB' (at most 29 days)"),
        ("cron(0 10 29 2 ? 2027)", "day-of-month '29' is past the end of month '2' in year '2027' (at most 28 days)"),
        (
            "cron(0 10 29 2 ? 2025-2027)",
            "day-of-month '29' is past the end of month '2' in years '2025-2027' (at most 28 days)",
        ),
        ("cron(0 10 31 4,6,9,11 ? *)", "day-of-month '31' is past the end of months '4,6,9,11' (at most 30 days)"),
        (
            "cron(0 10 ? FEB FRI#5 2026-2035)",
            "day-of-week 'FRI#5' (the fifth Friday) never occurs in month 'FEB' in years '2026-2035'; "
            "use 6L for the last Friday of the month",
        ),
    ],
)
def test_rejects_cron_expressions_that_can_never_fire(expression, reason):
    (problem,) = rules.check_schedule_expression(expression)
    assert problem.startswith(f"{expression!r} can never fire: {reason}")
    assert problem.endswith("(AWS cron: minutes hours day-of-month month day-of-week year)")


@pytest.mark.parametrize(
    "expression", ["at(2028-02-29T10:00:00)", "at(2026-12-31T23:59:59)", "at(2026-01-01T00:00:00)"]
)
def test_accepts_one_time_schedules_on_real_dates(expression):
    assert rules.check_schedule_expression(expression) == []


@pytest.mark.parametrize(
    "expression, problem",
    [
        ("at(2026-02-30T10:00:00)", "February 2026 has 28 days, so there is no day 30"),
        ("at(2027-02-29T10:00:00)", "February 2027 has 28 days, so there is no day 29"),
        ("at(2026-04-31T10:00:00)", "April 2026 has 30 days, so there is no day 31"),
        ("at(2026-01-00T10:00:00)", "January 2026 has 31 days, so there is no day 00"),
        ("at(2026-13-01T10:00:00)", "there is no month 13; months are 01-12"),
        ("at(2026-00-01T10:00:00)", "there is no month 00; months are 01-12"),
        ("at(2026-01-01T24:00:00)", "there is no hour 24; hours are 00-23"),
        ("at(2026-01-01T23:60:00)", "there is no minute 60; minutes are 00-59"),
        ("at(2026-01-01T23:59:60)", "there is no second 60; seconds are 00-59"),
        ("at(0000-01-01T00:00:00)", "there is no year 0000"),
    ],
)
def test_rejects_one_time_schedules_at_a_date_or_time_that_does_not_exist(expression, problem):
    assert rules.check_schedule_expression(expression) == [f"{expression!r} does not exist: {problem}"]


HINT = "use an IANA name such as 'Asia/Tokyo' or 'UTC'"
ARTIFACT_FIXES = {
    "localtime": HINT,
    "posixrules": HINT,
    "Factory": HINT,
    "posix/Asia/Tokyo": "use 'Asia/Tokyo'",
    "right/UTC": "use 'UTC'",
    "SystemV/AST4": HINT,
}


@pytest.fixture
def host_listing_artifacts(monkeypatch):
    """A host whose zoneinfo lists the tz database's artifacts next to real zones (which ones varies by host)."""
    monkeypatch.setattr(rules.zoneinfo, "available_timezones", lambda: {"UTC", "Asia/Tokyo", *ARTIFACT_FIXES})
    rules.time_zones.cache_clear()
    yield
    rules.time_zones.cache_clear()


@pytest.mark.parametrize("zone, fix", ARTIFACT_FIXES.items())
def test_refuses_tz_database_artifacts_even_where_zoneinfo_lists_them(host_listing_artifacts, zone, fix):
    (problem,) = rules.check_time_zone(zone)
    assert problem.startswith(f"{zone!r} ")
    assert problem.endswith(f"; {fix}")


def test_never_suggests_an_artifact_for_a_misspelt_zone(host_listing_artifacts):
    assert rules.time_zones() == {"UTC", "Asia/Tokyo"}
    (problem,) = rules.check_time_zone("Factroy")
    assert "Factory" not in problem


def test_a_zone_under_posix_points_at_the_zone_itself():
    assert rules.check_time_zone("posix/Asia/Tokyo") == [
        "'posix/Asia/Tokyo' is under the tz database's posix/ directory, not an IANA time zone name; use 'Asia/Tokyo'"
    ]


@pytest.mark.parametrize("zone", ["/etc/localtime", "/usr/share/zoneinfo/Asia/Tokyo", "../UTC", "Asia/./Tokyo", "UTC/"])
def test_refuses_file_paths_as_time_zones(zone):
    assert rules.check_time_zone(zone) == [f"{zone!r} is a file path, not a time zone name; {HINT}"]


def test_refuses_an_empty_time_zone():
    assert rules.check_time_zone("") == [f"is empty; {HINT}"]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Argentina/Buenos_Aires", "Etc/GMT+9"])
def test_accepts_iana_names(zone):
    assert rules.check_time_zone(zone) == []


@pytest.mark.parametrize(
    "retry, budget",
    [
        # The default: 10, 20, 40, 80 s (doubling from 10 s, under the 300 s cap).
        (RetryConfig(), 150),
        # Capped: 10, 20, 40, 80, 160, then 300 instead of 320, then 300 again.
        (RetryConfig(max_attempts=7), 910),
        # No backoff: every delay is the interval.
        (RetryConfig(interval_seconds=5, backoff_rate=1.0, max_attempts=3), 15),
        # Off.
        (RetryConfig(max_attempts=0), 0),
        # ASL's largest values, answered without one loop turn per attempt.
        (RetryConfig(interval_seconds=1, backoff_rate=1.5, max_attempts=99_999_999, max_delay_seconds=31_622_400), -1),
    ],
)
def test_retry_budget_is_the_sum_of_the_capped_backoff_delays(retry, budget):
    if budget == -1:  # too large to write out
        assert rules.retry_budget_seconds(retry) > 99_999_000 * 31_622_400
    else:
        assert rules.retry_budget_seconds(retry) == budget


def test_nested_start_throttling_retrier_follows_aws_guidance_for_transient_errors():
    # bp-lambda-serviceexception: IntervalSeconds 2, MaxAttempts 6, BackoffRate 2; capped and jittered here.
    retry = rules.NESTED_START_THROTTLING_RETRY
    assert (retry.interval_seconds, retry.backoff_rate, retry.max_attempts) == (2, 2.0, 6)
    assert (retry.max_delay_seconds, retry.jitter) == (60, True)
    assert rules.retry_budget_seconds(retry) == 2 + 4 + 8 + 16 + 32 + 60
