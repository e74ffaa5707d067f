"""EventBridge Scheduler's clock, which the emulator lacks: moto stores schedules but never fires them.

:func:`fire_now` starts a schedule's target with the input the schedule holds, as Scheduler would
at a fire time; :func:`next_fire_times` computes when Scheduler would fire (AWS cron in the
schedule's time zone, rate, at), :func:`wait_and_fire` sleeps until the next one, and
:class:`SchedulerClock` keeps firing every enabled schedule at its times (``make up`` runs it).
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from local_emulator.background import BackgroundLoop

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


class ScheduleInvocationFailed(Exception):
    """Scheduler could not start the target; ``dead_lettered`` says whether the DLQ received the event."""

    def __init__(self, message: str, *, dead_lettered: bool) -> None:
        super().__init__(message)
        self.dead_lettered = dead_lettered


def fire_now(scheduler, sfn=None, *, name: str, group: str = "default") -> str:
    """Start the schedule's target as Scheduler would; returns the execution ARN.

    Scheduler assumes the schedule's execution role with ``aws:SourceArn`` = the schedule *group* ARN,
    decrypts a customer-managed-key payload with it, and starts the target with it; when the target call
    fails it sends the event to the dead-letter queue with the same role. Each of these is judged by the
    emulator against the deployed policies. ``sfn`` is ignored: the start is the role's, not the caller's.
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
    """
    import boto3
    from botocore.exceptions import ClientError

    from local_emulator.service_roles import RoleAssumptionRefused, as_client_arguments, assume_role_as_service

    schedule = scheduler.get_schedule(Name=name, GroupName=group)
    target = schedule["Target"]
    if ":states:" not in target["Arn"]:
        raise ValueError(f"schedule {group}/{name} targets {target['Arn']}; this clock starts state machines only")
    partition, region, account = (
        schedule["Arn"].split(":")[1],
        schedule["Arn"].split(":")[3],
        schedule["Arn"].split(":")[4],
    )
    group_arn = f"arn:{partition}:scheduler:{region}:{account}:schedule-group/{group}"
    endpoint = scheduler.meta.endpoint_url
    try:
        credentials = assume_role_as_service(
            endpoint,
            service="scheduler.amazonaws.com",
            role_arn=target["RoleArn"],
            source_arn=group_arn,
            source_account=account,
            region=region,
        )
    except RoleAssumptionRefused as refused:
        # The dead-letter queue is written with the same role: nothing records the missed start.
        record_invocation(scheduler, group, "InvocationAttemptCount", "InvocationDroppedCount")
        raise ScheduleInvocationFailed(
            f"schedule {group}/{name} could not assume its role: {refused}", dead_lettered=False
        ) from None
    as_role = {"endpoint_url": endpoint, "region_name": region, **as_client_arguments(credentials)}
    payload = target.get("Input") or "{}"
    try:
        if schedule.get("KmsKeyArn"):
            payload = _decrypt_payload(scheduler, boto3.client("kms", **as_role), schedule, payload)
        execution_arn = boto3.client("stepfunctions", **as_role).start_execution(
            stateMachineArn=target["Arn"], input=payload
        )["executionArn"]
    except ClientError as error:
        message = f"schedule {group}/{name} could not start {target['Arn']}: {error.response['Error']['Message']}"
        dead_lettered = _dead_letter(scheduler, boto3.client("sqs", **as_role), schedule, group_arn, error)
        # This clock does not retry: a failed start is the schedule's last attempt, so it is also dropped.
        record_invocation(
            scheduler,
            group,
            "InvocationAttemptCount",
            "TargetErrorCount",
            "InvocationDroppedCount",
            *(["InvocationsSentToDeadLetterCount"] if dead_lettered else []),
        )
        raise ScheduleInvocationFailed(message, dead_lettered=dead_lettered) from None
    record_invocation(scheduler, group, "InvocationAttemptCount")
    return execution_arn


def record_invocation(scheduler, group: str, *metrics: str) -> None:
    """Publish Scheduler's ``AWS/Scheduler`` metrics for one invocation, account-wide and per ``ScheduleGroup``,
    to the emulator's CloudWatch, where alarms on them are evaluated (``local_emulator.alarm_evaluator``).
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html
    A metric that cannot be published never hides the invocation's own outcome."""
    import boto3

    from local_emulator.service_metrics import publish_over_http

    cloudwatch = boto3.client(
        "cloudwatch",
        endpoint_url=scheduler.meta.endpoint_url,
        region_name=scheduler.meta.region_name,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    for metric in metrics:
        try:
            publish_over_http(cloudwatch, "AWS/Scheduler", metric, [{}, {"ScheduleGroup": group}])
        except Exception as error:  # the emulator is going away; the caller reports the invocation itself
            print(f"scheduler-clock: could not publish {metric}: {error}")


def _decrypt_payload(scheduler, kms_as_role, schedule: dict, payload: str) -> str:
    """Scheduler stores the target input encrypted under the schedule's key and decrypts it with the role."""
    import boto3

    context = {"aws:scheduler:schedule:arn": schedule["Arn"]}
    stored = boto3.client(
        "kms",
        endpoint_url=scheduler.meta.endpoint_url,
        region_name=scheduler.meta.region_name,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).encrypt(KeyId=schedule["KmsKeyArn"], Plaintext=payload.encode(), EncryptionContext=context)["CiphertextBlob"]
    return kms_as_role.decrypt(KeyId=schedule["KmsKeyArn"], CiphertextBlob=stored, EncryptionContext=context)[
        "Plaintext"
    ].decode()


def _dead_letter(scheduler, sqs_as_role, schedule: dict, group_arn: str, error) -> bool:
    from botocore.exceptions import ClientError

    queue_arn = (schedule["Target"].get("DeadLetterConfig") or {}).get("Arn")
    if not queue_arn:
        return False
    _, _, _, _, account, queue_name = queue_arn.split(":")
    queue_url = f"{scheduler.meta.endpoint_url}/{account}/{queue_name}"
    attributes = {
        "ERROR_CODE": error.response["Error"]["Code"],
        "ERROR_MESSAGE": error.response["Error"]["Message"],
        "TARGET_ARN": schedule["Target"]["Arn"],
        "SCHEDULE_ARN": schedule["Arn"],
        "GROUP_ARN": group_arn,
    }
    try:
        sqs_as_role.send_message(
            QueueUrl=queue_url,
            MessageBody=schedule["Target"].get("Input") or "{}",
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
        )
    except ClientError:
        return False
    return True


def wait_and_fire(scheduler, sfn, *, name: str, group: str = "default", now=None, sleep=time.sleep) -> str:
    schedule = scheduler.get_schedule(Name=name, GroupName=group)
    now = now or dt.datetime.now(dt.UTC)
    (first, *_) = next_fire_times(
        schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone", "UTC"), now, 1
    )
    sleep(max(0.0, (first - now).total_seconds()))
    return fire_now(scheduler, sfn, name=name, group=group)


@dataclass
class Invocation:
    schedule_arn: str
    due: dt.datetime
    fired_at: dt.datetime
    execution_arn: str | None
    error: str | None = None


@dataclass
class _Plan:
    version: object
    due: dt.datetime | None


class SchedulerClock:
    """Fires every ENABLED schedule of the emulator at its next time, as EventBridge Scheduler does.

    Each schedule's next time comes from its expression in its time zone, after its ``StartDate``
    (rate schedules count from there or from creation) and before its ``EndDate``; a flexible window
    delays each invocation by a random offset within the window, as Scheduler does.
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html
    """

    def __init__(self, endpoint: str, regions: tuple[str, ...], *, poll_seconds: float = 1.0, log=print) -> None:
        import boto3

        self.endpoint, self.regions, self.poll_seconds, self.log = endpoint, regions, poll_seconds, log
        self.invocations: list[Invocation] = []
        self._plans: dict[str, _Plan] = {}
        self._details: dict[str, dict] = {}
        self._loop = BackgroundLoop(
            "scheduler-clock", lambda: self.tick(dt.datetime.now(dt.UTC)), poll_seconds=poll_seconds, report=log
        )
        self._clients = {
            region: boto3.client(
                "scheduler",
                endpoint_url=endpoint,
                region_name=region,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            for region in regions
        }

    def start(self) -> SchedulerClock:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop()

    def tick(self, now: dt.datetime) -> list[Invocation]:
        """Fire what is due at ``now``; returns the invocations made."""
        made = []
        for scheduler in self._clients.values():
            for schedule in self._enabled_schedules(scheduler):
                invocation = self._consider(scheduler, schedule, now)
                if invocation is not None:
                    made.append(invocation)
        return made

    def _enabled_schedules(self, scheduler) -> list[dict]:
        """Every enabled schedule, read in full only when new or changed (the list carries the change date)."""
        schedules = []
        for page in scheduler.get_paginator("list_schedules").paginate(State="ENABLED"):
            for summary in page["Schedules"]:
                known = self._details.get(summary["Arn"])
                if known is None or known.get("LastModificationDate") != summary.get("LastModificationDate"):
                    known = scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
                    self._details[summary["Arn"]] = known
                schedules.append(known)
        return schedules

    def next_due(self, schedule_arn: str) -> dt.datetime | None:
        plan = self._plans.get(schedule_arn)
        return plan.due if plan else None

    def _consider(self, scheduler, schedule: dict, now: dt.datetime) -> Invocation | None:
        arn, version = schedule["Arn"], schedule.get("LastModificationDate")
        plan = self._plans.get(arn)
        if plan is None or plan.version != version:
            plan = self._plans[arn] = _Plan(version, planned_time(schedule, now))
        if plan.due is None or now < plan.due:
            return None
        due = plan.due
        try:
            execution = fire_now(scheduler, name=schedule["Name"], group=schedule["GroupName"])
            invocation = Invocation(arn, due, now, execution)
            self.log(f"scheduler-clock: {schedule['GroupName']}/{schedule['Name']} due {due.isoformat()}: {execution}")
        except (ScheduleInvocationFailed, ValueError) as failed:
            invocation = Invocation(arn, due, now, None, str(failed))
            self.log(f"scheduler-clock: {schedule['GroupName']}/{schedule['Name']} due {due.isoformat()}: {failed}")
        self.invocations.append(invocation)
        plan.due = planned_time(schedule, due)
        return invocation


def planned_time(schedule: dict, after: dt.datetime, *, jitter=random.uniform) -> dt.datetime | None:
    """When Scheduler next invokes ``schedule`` after ``after``: None when it never will again."""
    expression = schedule["ScheduleExpression"]
    zone = schedule.get("ScheduleExpressionTimezone") or "UTC"
    start, end = schedule.get("StartDate"), schedule.get("EndDate")
    after = max(after, start) if start else after
    rate = RATE.match(expression)
    if rate:
        # A rate counts from the start date, or from when the schedule was created.
        anchor = start or schedule.get("CreationDate") or after
        step = dt.timedelta(seconds=int(rate.group(1)) * UNIT_SECONDS[rate.group(2).rstrip("s")])
        periods = max(0, int((after - anchor) / step)) + 1
        nominal = anchor + step * periods
    else:
        times = next_fire_times(expression, zone, after, 1)
        if not times:
            return None
        nominal = times[0]
    if end and nominal > end:
        return None
    window = schedule.get("FlexibleTimeWindow") or {}
    if window.get("Mode") == "FLEXIBLE":
        nominal += dt.timedelta(seconds=jitter(0, 60 * window["MaximumWindowInMinutes"]))
    return nominal.astimezone(dt.UTC)
