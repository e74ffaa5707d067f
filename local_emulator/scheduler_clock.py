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
        raise ScheduleInvocationFailed(
            f"schedule {group}/{name} could not assume its role: {refused}", dead_lettered=False
        ) from None
    as_role = {"endpoint_url": endpoint, "region_name": region, **as_client_arguments(credentials)}
    payload = target.get("Input") or "{}"
    try:
        if schedule.get("KmsKeyArn"):
            payload = _decrypt_payload(scheduler, boto3.client("kms", **as_role), schedule, payload)
        return boto3.client("stepfunctions", **as_role).start_execution(stateMachineArn=target["Arn"], input=payload)[
            "executionArn"
        ]
    except ClientError as error:
        message = f"schedule {group}/{name} could not start {target['Arn']}: {error.response['Error']['Message']}"
        dead_lettered = _dead_letter(scheduler, boto3.client("sqs", **as_role), schedule, group_arn, error)
        raise ScheduleInvocationFailed(message, dead_lettered=dead_lettered) from None


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
