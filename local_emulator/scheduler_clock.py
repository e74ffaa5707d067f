"""EventBridge Scheduler's clock, which the emulator lacks: moto stores schedules but never fires them.

:func:`fire_now` starts a schedule's target with the input the schedule holds, as Scheduler would
at a fire time; :func:`next_fire_times` computes when Scheduler would fire (AWS cron in the
schedule's time zone, rate, at), and :func:`wait_and_fire` sleeps until the next one.
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
"""

from __future__ import annotations

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def next_fire_times(expression: str, time_zone: str, after: dt.datetime, count: int = 5) -> list[dt.datetime]:
    """The next ``count`` fire times after ``after`` (aware), in the schedule's time zone."""
    zone = ZoneInfo(time_zone)
    after = after.astimezone(dt.UTC)
    if expression.startswith("cron("):
        from aws_croniter import AwsCroniter

        cron = AwsCroniter(expression[len("cron(") : -1])
        # aws-croniter evaluates the fields in UTC; evaluate them in the schedule's zone instead by
        # shifting wall-clock time, then mapping each local match back to an instant (DST aware).
        local_after = after.astimezone(zone).replace(tzinfo=dt.UTC)
        times, cursor = [], local_after
        while len(times) < count:
            match = cron.occurrence(cursor).next()
            cursor = match
            instant = match.replace(tzinfo=None).replace(tzinfo=zone)
            if instant.astimezone(dt.UTC) > after:
                times.append(instant)
        return times
    rate = RATE.match(expression)
    if rate:
        step = dt.timedelta(seconds=int(rate.group(1)) * UNIT_SECONDS[rate.group(2).rstrip("s")])
        return [(after + step * (i + 1)).astimezone(zone) for i in range(count)]
    at = AT.match(expression)
    if at:
        instant = dt.datetime.fromisoformat(at.group(1)).replace(tzinfo=zone)
        return [instant] if instant > after else []
    raise ValueError(f"{expression!r} is not a cron(), rate() or at() expression")


def fire_now(scheduler, sfn, *, name: str, group: str = "default") -> str:
    """Start the schedule's target as Scheduler would; returns the execution ARN."""
    schedule = scheduler.get_schedule(Name=name, GroupName=group)
    target = schedule["Target"]
    if ":states:" not in target["Arn"]:
        raise ValueError(f"schedule {group}/{name} targets {target['Arn']}; this clock starts state machines only")
    return sfn.start_execution(stateMachineArn=target["Arn"], input=target.get("Input") or "{}")["executionArn"]


def wait_and_fire(scheduler, sfn, *, name: str, group: str = "default", now=None, sleep=time.sleep) -> str:
    schedule = scheduler.get_schedule(Name=name, GroupName=group)
    now = now or dt.datetime.now(dt.UTC)
    (first, *_) = next_fire_times(
        schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone", "UTC"), now, 1
    )
    sleep(max(0.0, (first - now).total_seconds()))
    return fire_now(scheduler, sfn, name=name, group=group)
