"""When a schedule fires: EventBridge Scheduler's cron, rate and at expressions, in the schedule's time zone.

Cron fields are evaluated on the wall clock of ``time_zone`` with AWS cron semantics (aws-croniter:
six fields, ``?``, ``L``, ``W``, ``#``, day-of-week 1 = Sunday). Daylight saving time follows
EventBridge Scheduler: a wall-clock time that does not exist (clocks spring forward) is skipped, and
one that happens twice (clocks fall back) fires once, at its first occurrence.
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aws_croniter import AwsCroniter

MONTH = timedelta(days=30)
# A cron that fires every minute fires 43,200 times in 30 days; anything beyond this is a runaway loop.
_MAX_CRON_STEPS = 200_000
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_CRON = re.compile(r"cron\((.+)\)")
_UNIT = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


class ScheduleExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class FireTimes:
    """The next fire times of a schedule and how sure they are."""

    kind: str  # "cron", "rate" or "at"
    times: tuple[datetime, ...]
    note: str = ""


def _wall_time_exists(wall: datetime, zone: ZoneInfo) -> bool:
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def _cron_times(fields: str, zone: ZoneInfo, after: datetime, until: datetime | None, count: int | None):
    try:
        cron = AwsCroniter(fields)
    except Exception as error:  # aws-croniter raises its own exception types for each field
        raise ScheduleExpressionError(f"cron({fields}): {error}") from None
    # aws-croniter works on UTC datetimes; feed it the zone's wall clock dressed as UTC.
    # Whole seconds: aws-croniter rounds to the millisecond, which could step over the next minute.
    cursor = after.astimezone(zone).replace(tzinfo=None, microsecond=0)
    for _ in range(_MAX_CRON_STEPS):
        following = cron.occurrence(cursor.replace(tzinfo=UTC)).next()
        if following is None:
            return
        cursor = following.replace(tzinfo=None)
        if not _wall_time_exists(cursor, zone):
            continue  # spring forward: Scheduler skips a time that does not exist
        fire = cursor.replace(tzinfo=zone, fold=0)  # fall back: the first of the two, once
        if fire <= after:
            continue
        if until is not None and fire >= until:
            return
        yield fire
        if count is not None:
            count -= 1
            if count == 0:
                return
    raise ScheduleExpressionError(f"cron({fields}) fires more than {_MAX_CRON_STEPS} times; cannot preview it")


def parse_rate(expression: str) -> timedelta:
    match = _RATE.fullmatch(expression)
    if not match or int(match.group(1)) < 1:
        raise ScheduleExpressionError(f"{expression!r} is not rate(<positive number> minute(s)|hour(s)|day(s))")
    return int(match.group(1)) * _UNIT[match.group(2).rstrip("s")]


def next_fire_times(expression: str, time_zone: str, after: datetime, count: int = 5) -> FireTimes:
    """The next ``count`` times (aware, in ``time_zone``) the schedule fires after ``after``."""
    zone = ZoneInfo(time_zone)
    if match := _CRON.fullmatch(expression):
        return FireTimes("cron", tuple(_cron_times(match.group(1), zone, after, None, count)))
    if _RATE.fullmatch(expression):
        interval = parse_rate(expression)
        local = after.astimezone(zone)
        return FireTimes(
            "rate",
            tuple(local + interval * k for k in range(1, count + 1)),
            note=f"every {expression[5:-1]} from when the schedule is created or updated; times shown from now",
        )
    if match := _AT.fullmatch(expression):
        fire = datetime.fromisoformat(match.group(1)).replace(tzinfo=zone)
        if fire > after:
            return FireTimes("at", (fire,), note="one-time schedule")
        return FireTimes("at", (), note=f"one-time schedule at {fire.isoformat()}: already passed, will not fire")
    raise ScheduleExpressionError(f"{expression!r} is not a cron(...), rate(...) or at(...) expression")


def runs_in_window(expression: str, time_zone: str, start: datetime, window: timedelta = MONTH) -> int:
    """How many times the schedule fires in [start, start + window): runs per month for the cost estimate."""
    zone = ZoneInfo(time_zone)
    until = start + window
    if match := _CRON.fullmatch(expression):
        return sum(1 for _ in _cron_times(match.group(1), zone, start - timedelta(microseconds=1), until, None))
    if _RATE.fullmatch(expression):
        return int(window / parse_rate(expression))
    if match := _AT.fullmatch(expression):
        fire = datetime.fromisoformat(match.group(1)).replace(tzinfo=zone)
        return 1 if start <= fire < until else 0
    raise ScheduleExpressionError(f"{expression!r} is not a cron(...), rate(...) or at(...) expression")
