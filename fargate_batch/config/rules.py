"""Allowed values and pure validators of the configuration, one place for every AWS limit.

Each validator returns problem messages (empty when fine). A message names what is wrong and how
to fix it; checks.py prefixes the field path.
"""

from __future__ import annotations

import calendar
import difflib
import ipaddress
import math
import re
import zoneinfo
from dataclasses import replace
from functools import cache

from fargate_batch.config.schema import RetryConfig

# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_MEMORY_BY_CPU: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

# Keys that moved, by their old field path -> (table, key) they live in now; the loader names the new
# place instead of calling them unknown.
MOVED_KEYS: dict[str, tuple[str, str]] = {
    # Retention covers every log group (tasks, state machines, VPC flow logs), not the container alone.
    "container.log_retention_days": ("logging", "retention_days"),
}

# A standard workflow's execution runs at most one year; a parent waiting on a child, and the child's
# task, must fit in it. https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-state-machine-executions
STANDARD_EXECUTION_MAX_SECONDS = 365 * 24 * 60 * 60

# The parent's retrier for a nested StartExecution that was refused (throttled, too many open
# executions, a transient client error): fixed, not configurable, because it is about Step Functions'
# own quotas, not about the task. AWS's documented retrier for transient service errors of an
# integration is 2 s, backoff 2, 6 attempts
# (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html); the delay is
# capped at 60 s and fully jittered so that many parents throttled together do not retry together
# (JitterStrategy, MaxDelaySeconds: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html;
# https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_mitigate_interaction_failure_limit_retries.html).
# At most 2 + 4 + 8 + 16 + 32 + 60 = 122 s of waiting before the step gives up and alerts.
NESTED_START_THROTTLING_RETRY = RetryConfig(
    interval_seconds=2, backoff_rate=2.0, max_attempts=6, max_delay_seconds=60, jitter=True
)

# The run-task child's retrier for ECS throttling ("Rate exceeded"), beside the configured launch retries:
# fixed, because giving up on throttling is never a user's choice; AWS's guidance is exponential backoff
# with jitter. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
# Rendered by modules/_private/asl.py (ECS_THROTTLING_RETRIER); kept here so that the timeout checks below
# count what the synthesized state machines wait.
ECS_THROTTLING_RETRY = RetryConfig(
    interval_seconds=2, backoff_rate=2.0, max_attempts=6, max_delay_seconds=60, jitter=True
)

# A failed launch (capacity, throttling) fails within seconds; this bounds the time one failed attempt
# takes before its retry wait, when the time a retried state may need is added up (here and in the ASL
# timeout budgets, modules/_private/asl.retry_budget_seconds).
FAILED_ATTEMPT_ALLOWANCE_SECONDS = 60
# Slack between a timeout and the one around it, so the inner one always fires first and names the cause:
# a nested step waits its task's timeout plus the child's launch retries plus this, and a workflow's own
# TimeoutSeconds adds it once more (modules/_private/nested_workflow.py).
TIMEOUT_MARGIN_SECONDS = 60

TASK_TIMEOUT_DEFAULT_SECONDS = 3600
# ASL Retrier MaxAttempts: 0-99999999. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
RETRY_MAX_ATTEMPTS_MAX = 99_999_999

LOGGING_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
BACKEND_TYPES = ("local", "s3", "cloud")

# Construct ids the stack derives from each workflow's name ("<kind prefix><name><suffix>"): two ids
# alike stop synthesis (tests/stacks keep these tables in step with the synthesized stack). The AWS
# names workflows make are derived in names.py.
CONSTRUCT_ID_PREFIXES = {"pipelines": "pipeline-", "triggers": "trigger-", "activities": "activity-"}
CONSTRUCT_ID_SUFFIXES: dict[str, tuple[str, ...]] = {
    "pipelines": ("", "-run-task", "-schedule", "-arn", "-run-task-arn", "-schedule-name"),
    "triggers": ("", "-run-task", "-rule", "-arn"),
    "activities": ("", "-machine", "-worker-task", "-workers", "-arn", "-state-machine-arn"),
}
SHARED_CONSTRUCT_IDS: dict[str, str] = {
    "trigger-task": "the task definition of triggered tasks",
    "trigger-dlq": "the dead-letter queue of triggers",
}

# Derived names must fit AWS limits: state machines 80, schedules and IAM roles 64, buckets 63.
# "{prefix}-trigger-{name}-run-task-sfn" is the longest role name: 32 + 24 + 22 = 78 → bounded_name
# shortens role names with a hash, but state machine names must fit as they are (≤ 80).
NAME_PREFIX_MAX = 32
WORKFLOW_NAME_MAX = 24
# A step is a state, and so is its failure handler "Record failure of <step>": 18 + 62 = 80, the
# Step Functions limit for state names.
STEP_NAME_MAX = 62
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
# name_prefix is also the ECR repository's name and starts the data bucket's name: both take only
# lowercase letters, digits and single hyphens (no '_').
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
NAME_PREFIX_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The configuration file's name without ".toml" names the environment and the stack
# ("fargate-batch-<environment>"), which is also a directory and a state key.
ENVIRONMENT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Set by fargate-batch itself (stacks/batch_stack.py, modules/*_state_machine.py): a configured value
# would be silently replaced or sent twice.
RESERVED_ENV_VARS: dict[str, str] = {
    "BATCH_PIPELINE": "the pipeline's name, on every step",
    "BATCH_STEP": "the step's name, on every step",
    "BATCH_TRIGGER": "the trigger's name, on triggered tasks",
    "DATA_BUCKET": "the data bucket, on triggered tasks",
    "OBJECT_KEY": "the created object's key, on triggered tasks",
    "OUTPUT_PREFIX": "where triggered tasks write results",
    "ACTIVITY_ARN": "the activity a worker polls",
    "HEARTBEAT_INTERVAL_SECONDS": "how often a worker sends heartbeats",
}
IMAGE_TAG_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
MUTABLE_TAGS = ("latest", "stable", "main", "master", "prod", "production")
SUBNET_PATTERN = re.compile(r"^subnet-[0-9a-f]{8,17}$")
SECURITY_GROUP_PATTERN = re.compile(r"^sg-[0-9a-f]{8,17}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
RATE_PATTERN = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
AT_PATTERN = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")
CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
CRON_RANGES = {
    "minutes": "0-59",
    "hours": "0-23",
    "day-of-month": "1-31",
    "month": "1-12 or JAN-DEC",
    "day-of-week": "1-7 or SUN-SAT",
    "year": "1970-2199",
}
# AWS cron's year field; day-of-week counts from Sunday.
# https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
CRON_YEARS = range(1970, 2200)
CRON_WEEKDAYS = {1: "Sunday", 2: "Monday", 3: "Tuesday", 4: "Wednesday", 5: "Thursday", 6: "Friday", 7: "Saturday"}
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
SCHEDULE_FORMS = (
    "cron(minutes hours day-of-month month day-of-week year), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)"
)
KEY_PLACEHOLDER = "{key}"
PLACEHOLDER_PATTERN = re.compile(r"\{[^{}]*\}")
# Where triggered tasks write results (stacks.batch_stack.TRIGGER_OUTPUT_PREFIX): a trigger there would loop.
TRIGGER_OUTPUT_PREFIX = "output/"


def suggest(value: str, choices) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def retry_budget_seconds(retry: RetryConfig) -> int:
    """The longest a retrier can wait in all: ``max_attempts`` delays, each IntervalSeconds × BackoffRate^n
    capped at MaxDelaySeconds (full jitter only shortens them).
    https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    """
    attempts, interval, cap = retry.max_attempts, retry.interval_seconds, retry.max_delay_seconds
    if attempts <= 0:
        return 0
    # Out-of-range intervals and caps are reported by the retry check; counted here at their least valid
    # value so that the other checks can still ask (an interval of 0 would divide by zero below).
    interval, cap = max(interval, 1), max(cap, 1)
    if interval >= cap or retry.backoff_rate <= 1.0:
        return attempts * min(interval, cap)
    # Delays grow geometrically until they reach the cap, then stay there; no loop over 10^8 attempts.
    growing = min(attempts, math.ceil(math.log(cap / interval, retry.backoff_rate)))
    geometric = interval * (retry.backoff_rate**growing - 1) / (retry.backoff_rate - 1)
    return math.ceil(min(geometric, growing * cap)) + (attempts - growing) * cap


def retrier_budget_seconds(retry: RetryConfig) -> int:
    """The longest one retrier can spend failing and waiting: its waits plus, for each attempt it allows,
    ``FAILED_ATTEMPT_ALLOWANCE_SECONDS`` for the failed attempt itself. The count the ASL timeout budgets
    add per retrier (modules/_private/asl.retry_budget_seconds)."""
    return retry_budget_seconds(retry) + max(retry.max_attempts, 0) * FAILED_ATTEMPT_ALLOWANCE_SECONDS


def launch_retry_budget_seconds(retry: RetryConfig) -> int:
    """What one run of the run-task child may spend before its task starts: the configured launch retrier
    and the fixed ECS throttling retrier, each used up in turn (they count attempts independently)."""
    return retrier_budget_seconds(retry) + retrier_budget_seconds(ECS_THROTTLING_RETRY)


def step_overhead_seconds(retry: RetryConfig) -> int:
    """What a workflow's execution adds to one step's (or trigger's) ``timeout_seconds``: the step's nested
    timeout covers the child's launch retries and a margin, and a refused nested start is retried first."""
    return (
        launch_retry_budget_seconds(retry)
        + TIMEOUT_MARGIN_SECONDS
        + retrier_budget_seconds(NESTED_START_THROTTLING_RETRY)
    )


def execution_timeout_seconds(timeouts: list[int] | tuple[int, ...], retry: RetryConfig) -> int:
    """The ``TimeoutSeconds`` a pipeline (steps' ``timeouts`` in series) or a trigger (one timeout) synthesizes
    to: every step with its overhead, plus the margin that lets the steps' own timeouts fire first."""
    return sum(timeouts) + len(timeouts) * step_overhead_seconds(retry) + TIMEOUT_MARGIN_SECONDS


def task_timeout_max_seconds(retry: RetryConfig) -> int:
    """The longest ``timeout_seconds`` a task launched with ``retry`` may have: the execution that runs it
    alone (``execution_timeout_seconds``) must end below one standard execution's year."""
    return STANDARD_EXECUTION_MAX_SECONDS - 1 - execution_timeout_seconds([0], retry)


# How a job whose worker was lost or stopped is handed to the next worker: 10 s, doubling, 4 times,
# at most 300 s apart, fully jittered. Its own setting, not the pipelines' launch retries; the activity
# state machine renders it (modules/activity_state_machine.py).
ACTIVITY_REDELIVERY = RetryConfig(interval_seconds=10, backoff_rate=2.0, max_attempts=4, max_delay_seconds=300)


def activity_deliveries(redelivery: RetryConfig = ACTIVITY_REDELIVERY) -> int:
    """How many times one job may be handed to a worker: the first delivery and every redelivery."""
    return 1 + max(redelivery.max_attempts, 0)


def activity_execution_timeout_seconds(timeout_seconds: int, redelivery: RetryConfig = ACTIVITY_REDELIVERY) -> int:
    """The ``TimeoutSeconds`` an activity's state machine synthesizes to: every delivery may run to its own
    timeout, with the redelivery waits between them and the margin."""
    return (
        activity_deliveries(redelivery) * timeout_seconds + retrier_budget_seconds(redelivery) + TIMEOUT_MARGIN_SECONDS
    )


def activity_timeout_max_seconds(redelivery: RetryConfig = ACTIVITY_REDELIVERY) -> int:
    """The longest ``timeout_seconds`` of one job whose every delivery still ends within a standard execution's year."""
    spare = STANDARD_EXECUTION_MAX_SECONDS - 1 - activity_execution_timeout_seconds(0, redelivery)
    return spare // activity_deliveries(redelivery)


def launch_attempts_max(retry: RetryConfig) -> int:
    """The most ``max_attempts`` that leave a task at least one second (``task_timeout_max_seconds`` >= 1) with
    ``retry``'s interval, backoff and cap, up to ASL's MaxAttempts limit. The budget grows with the attempts,
    so a bisection over the closed-form count finds it in ~27 steps."""
    low, high = 0, RETRY_MAX_ATTEMPTS_MAX
    if task_timeout_max_seconds(replace(retry, max_attempts=high)) >= 1:
        return high
    while high - low > 1:  # invariant: low fits, high does not (0 attempts fit: the fixed retriers take 1,084 s)
        middle = (low + high) // 2
        if task_timeout_max_seconds(replace(retry, max_attempts=middle)) >= 1:
            low = middle
        else:
            high = middle
    return low


def check_in_range(value: int | float, low: float, high: float, what: str) -> list[str]:
    if low <= value <= high:
        return []
    return [f"{value!r} is outside {low:g}-{high:g}; {what}"]


def check_name(value: str, max_length: int, what: str) -> list[str]:
    problems = []
    if not NAME_PATTERN.match(value):
        problems.append(
            f"{value!r} is not a valid name; use letters, digits, '-' and '_', starting with a letter or digit ({what})"
        )
    return problems + check_length(value, max_length, what)


def check_length(value: str, max_length: int, what: str) -> list[str]:
    if len(value) <= max_length:
        return []
    return [f"{value!r} has {len(value)} characters; at most {max_length} ({what})"]


def check_cron(expression: str) -> list[str]:
    from aws_croniter import AwsCroniter

    body = expression[len("cron(") : -1]
    fields = body.split()
    if len(fields) != 6:
        return [
            f"{expression!r} has {len(fields)} fields; AWS cron has 6: "
            "minutes hours day-of-month month day-of-week year (e.g. cron(0 10 * * ? *))"
        ]
    if (fields[2] == "?") == (fields[4] == "?"):
        return [
            f"{expression!r}: exactly one of day-of-month ({fields[2]!r}) and day-of-week ({fields[4]!r}) must be '?' "
            "(AWS cron: minutes hours day-of-month month day-of-week year)"
        ]
    try:
        cron = AwsCroniter(body)
    except Exception as error:  # aws-croniter raises one exception class per field
        name = type(error).__name__.removeprefix("AwsCroniterExpression").removesuffix("Error")
        field_index = {
            "Minute": 0,
            "Hour": 1,
            "DayOfMonth": 2,
            "Month": 3,
            "DayOfWeek": 4,
            "Year": 5,
        }.get(name)
        if field_index is None:
            return [f"{expression!r} is not a valid AWS cron expression: {error}"]
        field_name = CRON_FIELDS[field_index]
        return [
            f"{expression!r} has {field_name} {fields[field_index]!r}; {field_name} are {CRON_RANGES[field_name]} "
            "(AWS cron: minutes hours day-of-month month day-of-week year)"
        ]
    return check_cron_fires(expression, fields, cron)


def check_cron_fires(expression: str, fields: list[str], cron) -> list[str]:
    """A day that none of the chosen months (in the chosen years) has: Scheduler takes it and never runs it.

    ``cron`` is the parsed ``AwsCroniter``. Only plain day-of-month values and day-of-week ``n#k`` are
    judged; every month has a last day (``L``), a weekday near a day (``W``) and four of each weekday,
    so the other forms always fire. Refusing a schedule that does fire would be worse than missing one.
    """
    years = [year for year in cron.years if CRON_YEARS.start <= year < CRON_YEARS.stop]
    months_of_years = [(year, month) for year in years for month in cron.months]
    if not months_of_years:  # the field checks above keep both non-empty; never guess
        return []
    in_years = f" in year{'s' if len(years) > 1 else ''} {fields[5]!r}" if fields[5] != "*" else ""
    months = f"month{'s' if len(cron.months) > 1 else ''} {fields[3]!r}"
    days, weekdays = cron.days_of_month, cron.days_of_week
    if days and all(isinstance(day, int) for day in days):
        longest = max(calendar.monthrange(year, month)[1] for year, month in months_of_years)
        if min(days) > longest:
            return [
                f"{expression!r} can never fire: day-of-month {fields[2]!r} is past the end of {months}{in_years} "
                f"(at most {longest} days); use a day that exists, or L for the last day of the month "
                "(AWS cron: minutes hours day-of-month month day-of-week year)"
            ]
    elif weekdays and weekdays[0] == "#":
        _, weekday, week = weekdays
        if not any(_has_nth_weekday(year, month, weekday, week) for year, month in months_of_years):
            name = CRON_WEEKDAYS[weekday]
            return [
                f"{expression!r} can never fire: day-of-week {fields[4]!r} (the {_ORDINALS[week]} {name}) never "
                f"occurs in {months}{in_years}; use {weekday}L for the last {name} of the month "
                "(AWS cron: minutes hours day-of-month month day-of-week year)"
            ]
    return []


def _has_nth_weekday(year: int, month: int, weekday: int, week: int) -> bool:
    """Whether ``month`` of ``year`` has a ``week``-th ``weekday`` (AWS numbering, 1 = Sunday)."""
    first_weekday, days = calendar.monthrange(year, month)  # Python numbering, 0 = Monday
    first = 1 + (weekday - (first_weekday + 1) % 7 - 1) % 7
    return first + 7 * (week - 1) <= days


def check_schedule_expression(expression: str) -> list[str]:
    if expression.startswith("cron(") and expression.endswith(")"):
        return check_cron(expression)
    if expression.startswith("rate("):
        match = RATE_PATTERN.match(expression)
        if not match:
            return [f"{expression!r} is not a valid rate; use rate(N minutes|hours|days), e.g. rate(5 minutes)"]
        count, unit = int(match.group(1)), match.group(2)
        if count < 1:
            return [f"{expression!r}: the rate must be at least 1"]
        if (count == 1) != (not unit.endswith("s")):
            fixed = f"rate({count} {unit.rstrip('s') if count == 1 else unit + 's'})"
            return [f"{expression!r}: use the singular unit only for 1 (AWS requires it); write {fixed}"]
        return []
    if expression.startswith("at("):
        if not AT_PATTERN.match(expression):
            return [f"{expression!r} is not a valid one-time schedule; use at(yyyy-mm-ddThh:mm:ss)"]
        return check_at_exists(expression)
    return [f"{expression!r} is not a schedule expression; use {SCHEDULE_FORMS}"]


def check_at_exists(expression: str) -> list[str]:
    """The date and time of an ``at(yyyy-mm-ddThh:mm:ss)`` that AT_PATTERN matched exist on the calendar."""
    date, time = expression[len("at(") : -1].split("T")
    year, month, day = (int(part) for part in date.split("-"))
    hour, minute, second = (int(part) for part in time.split(":"))
    if year < 1:
        problem = "there is no year 0000"
    elif not 1 <= month <= 12:
        problem = f"there is no month {month:02d}; months are 01-12"
    elif not 1 <= day <= calendar.monthrange(year, month)[1]:
        length = calendar.monthrange(year, month)[1]
        problem = f"{calendar.month_name[month]} {year} has {length} days, so there is no day {day:02d}"
    elif hour > 23:
        problem = f"there is no hour {hour:02d}; hours are 00-23"
    elif minute > 59:
        problem = f"there is no minute {minute:02d}; minutes are 00-59"
    elif second > 59:
        problem = f"there is no second {second:02d}; seconds are 00-59"
    else:
        return []
    return [f"{expression!r} does not exist: {problem}"]


# Names Python's zoneinfo may know that are not time zones EventBridge Scheduler takes: "localtime" is a
# host's link to its own setting, "Factory" and "posixrules" are tz database placeholders, posix/ and
# right/ are copies of the whole tree (right/ counting leap seconds), SystemV/ zones left tzdata in 2020.
# Which of them zoneinfo lists depends on the host, so they are refused by name, not by absence.
# https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#time-zones
TIME_ZONE_ARTIFACTS = {
    "localtime": "is the host's link to its own time zone setting, not a time zone name",
    "posixrules": "is a file of the tz database, not a time zone",
    "Factory": "is the tz database's placeholder for an unset time zone, not a time zone",
}
TIME_ZONE_ARTIFACT_DIRECTORIES = ("posix/", "right/", "SystemV/")
TIME_ZONE_HINT = "use an IANA name such as 'Asia/Tokyo' or 'UTC'"


def is_time_zone_artifact(name: str) -> bool:
    return name in TIME_ZONE_ARTIFACTS or name.startswith(TIME_ZONE_ARTIFACT_DIRECTORIES)


@cache
def time_zones() -> frozenset[str]:
    return frozenset(name for name in zoneinfo.available_timezones() if not is_time_zone_artifact(name))


def check_time_zone(value: str) -> list[str]:
    if not value:
        return [f"is empty; {TIME_ZONE_HINT}"]
    if any(part in ("", ".", "..") for part in value.split("/")):
        return [f"{value!r} is a file path, not a time zone name; {TIME_ZONE_HINT}"]
    if value in TIME_ZONE_ARTIFACTS:
        return [f"{value!r} {TIME_ZONE_ARTIFACTS[value]}; {TIME_ZONE_HINT}"]
    if value.startswith(TIME_ZONE_ARTIFACT_DIRECTORIES):
        inner = value.split("/", 1)[1]
        fix = f"use {inner!r}" if inner in time_zones() else TIME_ZONE_HINT
        where = value.split("/")[0] + "/"
        return [f"{value!r} is under the tz database's {where} directory, not an IANA time zone name; {fix}"]
    if value in time_zones():
        return []
    return [f"{value!r} is not a known IANA time zone (e.g. 'Asia/Tokyo', 'UTC'){suggest(value, time_zones())}"]


def check_fargate_size(cpu: int, memory_mib: int) -> list[tuple[str, str]]:
    """Problems as (field, message) because a bad cpu and a bad pair point at different fields."""
    if cpu not in FARGATE_MEMORY_BY_CPU:
        return [("cpu", f"{cpu!r} is not a Fargate CPU size; use one of {', '.join(map(str, FARGATE_MEMORY_BY_CPU))}")]
    allowed = FARGATE_MEMORY_BY_CPU[cpu]
    if memory_mib not in allowed:
        return [
            (
                "memory_mib",
                f"{memory_mib!r} MiB is not offered by Fargate with cpu {cpu}; valid memory for cpu {cpu}: "
                f"{', '.join(map(str, allowed))}",
            )
        ]
    return []


def check_image_tag(tag: str) -> list[str]:
    if tag.lower() in MUTABLE_TAGS:
        return [
            f"{tag!r} is a moving tag; the repository's tags are immutable, so it could never be redeployed. "
            "Use a version or a git SHA, e.g. 'v1.4.2' or 'a1b2c3d'"
        ]
    if not IMAGE_TAG_PATTERN.match(tag):
        return [f"{tag!r} is not a valid image tag; use letters, digits, '_', '.', '-', at most 128 characters"]
    return []


def check_cidr(value: str) -> list[str]:
    try:
        network = ipaddress.ip_network(value)
    except ValueError:
        return [f"{value!r} is not an IPv4 network such as '10.20.0.0/16'"]
    if network.version != 4 or not 16 <= network.prefixlen <= 24:
        return [f"{value!r}: use an IPv4 network with a prefix of /16 to /24 (AWS VPC limits)"]
    return []


def check_command(command: tuple[str, ...]) -> list[str]:
    if not command:
        return ['is empty; give the program and its arguments, e.g. ["echo", "hello"]']
    if any(argument == "" for argument in command):
        return [f"{list(command)!r} has an empty argument; remove it or give it a value"]
    return []


def check_trigger_command(command: tuple[str, ...]) -> list[str]:
    problems = check_command(command)
    if problems:
        return problems
    stray = sorted({p for arg in command for p in PLACEHOLDER_PATTERN.findall(arg)} - {KEY_PLACEHOLDER})
    if stray:
        return [
            f"{list(command)!r} uses {', '.join(stray)}; the only placeholder is {KEY_PLACEHOLDER} (the object key)"
        ]
    leftovers = [
        arg for arg in command if "{" in PLACEHOLDER_PATTERN.sub("", arg) or "}" in PLACEHOLDER_PATTERN.sub("", arg)
    ]
    if leftovers:
        return [f"{leftovers[0]!r} has an unmatched brace; the only placeholder is {KEY_PLACEHOLDER}"]
    if not any(KEY_PLACEHOLDER in arg for arg in command):
        return [
            f"{list(command)!r} does not use {KEY_PLACEHOLDER}; put it where the object key goes, "
            f'e.g. ["process", "{KEY_PLACEHOLDER}"]'
        ]
    return []


# Availability Zone ids: the region's short code, its number, "-az" and the zone's number (use1-az1,
# apne1-az4). Local Zone ids carry a location group (usw2-lax1-az1); they need an opt-in and may lack
# the VPC endpoints and Fargate capacity these tasks need, so they are refused.
# https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
# https://docs.aws.amazon.com/local-zones/latest/ug/how-local-zones-work.html
AVAILABILITY_ZONE_ID_PATTERN = re.compile(r"^[a-z]{2,}[0-9]+-az[0-9]+$")
LOCAL_ZONE_ID_PATTERN = re.compile(r"^[a-z]{2,}[0-9]+-[a-z]+[0-9]+-az[0-9]+$")

# The batch program's Slack command and the variable it reads the webhook's SSM parameter name from
# (batch_container/batch_job/main.py: webhook_url).
NOTIFY_COMMAND = "notify"
WEBHOOK_PARAMETER_ENV = "SLACK_WEBHOOK_SSM_PARAMETER"

# Parameter Store names: letters, digits, '.', '-', '_' and '/'; a name with a '/' is a path that starts
# with one; no "aws" or "ssm" prefix; at most 15 levels; at most 1011 characters.
# https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html (Name)
SSM_PARAMETER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-/]+$")
SSM_PARAMETER_NAME_MAX = 1011
SSM_PARAMETER_LEVELS_MAX = 15
# A KMS key ARN (a key id or a multi-Region key id); an alias ARN cannot be the resource of kms:Decrypt.
# https://docs.aws.amazon.com/kms/latest/developerguide/cmm-id-key-id.html#key-id-key-ARN
KMS_KEY_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):\d{12}:key/"
    r"(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


def uses_notify(command: tuple[str, ...]) -> bool:
    """Whether a task command runs the batch program's ``notify``, which posts to a webhook on the internet."""
    return bool(command) and command[0] == NOTIFY_COMMAND


def check_availability_zone_id(value: str) -> list[str]:
    if AVAILABILITY_ZONE_ID_PATTERN.match(value):
        return []
    if LOCAL_ZONE_ID_PATTERN.match(value):
        return [
            f"{value!r} is a Local Zone id; Local Zones need an opt-in and may lack the VPC endpoints and Fargate "
            "capacity tasks need: use Availability Zone ids such as 'apne1-az1'"
        ]
    return [
        f"{value!r} is not an Availability Zone id such as 'apne1-az1' (ids, not names like 'ap-northeast-1a': "
        "aws ec2 describe-availability-zones lists both)"
    ]


def check_ssm_parameter_name(value: str) -> list[str]:
    if not SSM_PARAMETER_NAME_PATTERN.match(value):
        return [f"{value!r} is not a Parameter Store name; use letters, digits, '.', '-', '_' and '/'"]
    if "/" in value and not value.startswith("/"):
        return [f"{value!r} is a path, and a path starts with '/': {'/' + value!r}"]
    if value.lstrip("/").lower().startswith(("aws", "ssm")):
        return [f"{value!r} starts with 'aws' or 'ssm', which Parameter Store reserves; choose another name"]
    levels = value.count("/")
    if levels > SSM_PARAMETER_LEVELS_MAX:
        return [f"{value!r} has {levels} levels; Parameter Store allows at most {SSM_PARAMETER_LEVELS_MAX}"]
    return check_length(value, SSM_PARAMETER_NAME_MAX, "Parameter Store names")


def check_kms_key_arn(value: str, region: str) -> list[str]:
    match = KMS_KEY_ARN_PATTERN.match(value)
    if not match:
        return [
            f"{value!r} is not a KMS key ARN such as 'arn:aws:kms:{region}:111122223333:key/"
            "1234abcd-12ab-34cd-56ef-1234567890ab' (an alias or a key id alone cannot be granted kms:Decrypt)"
        ]
    if match.group("region") != region:
        return [
            f"{value!r} is in {match.group('region')}, but the parameter lives in {region} ([region]); "
            "Parameter Store encrypts with a key of its own region"
        ]
    return []
