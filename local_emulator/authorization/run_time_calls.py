"""What AWS authorizes for each call the deployed system makes at run time.

One function per call: it names the IAM action, the exact resource ARN, the request's condition
context, the resource-based policy AWS consults, and the further actions AWS authorizes for that
same call (``iam:PassRole`` for the roles RunTask passes, ``ecs:TagResource`` when RunTask tags, KMS
for an encrypted topic, queue or bucket). A call that is not in this table is denied loudly: the
local run must never let through what it cannot judge.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from local_emulator.authorization import deployed_policies
from local_emulator.authorization.policy_evaluation import PolicyKind

Params = Callable[[str], object]


@dataclass(frozen=True)
class Check:
    action: str
    resource: str
    context: dict = field(default_factory=dict)
    resource_policy: dict | None = None
    kind: PolicyKind = PolicyKind.DEFAULT


class UnknownCall(Exception):
    """A call the table does not describe: denied, never guessed."""


def _arn(partition: str, service: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"


def kms_checks(key_id: str | None, *, actions: tuple[str, ...], region: str, account: str, via: str, context=None):
    """A principal that writes to or reads from a CMK-encrypted resource uses the key through that service.

    The key policy is required (root delegation to IAM, or the principal named) and the caller needs the
    ``kms:`` actions. https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
    ``kms:ViaService``: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
    """
    if not key_id or key_id.startswith("alias/aws/"):
        return []  # an AWS managed key: its key policy allows every principal of the account through the service
    found = deployed_policies.kms_key(key_id, region, account)
    if found is None:
        return [Check(actions[0], f"{key_id} (no such key)", kind=PolicyKind.KMS)]
    key_arn, key_policy = found
    kms_context = {"kms:ViaService": f"{via}.{region}.amazonaws.com", "kms:CallerAccount": account, **(context or {})}
    return [Check(action, key_arn, kms_context, key_policy, PolicyKind.KMS) for action in actions]


# -- Step Functions ---------------------------------------------------------------------------------


def states_call(operation: str, params: Params, region: str, account: str) -> list[Check]:
    """https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html"""
    if operation == "StartExecution":
        return [Check("states:StartExecution", str(params("stateMachineArn")))]
    if operation in ("DescribeExecution", "StopExecution"):
        return [Check(f"states:{operation}", str(params("executionArn")))]
    if operation == "ListExecutions":
        return [Check("states:ListExecutions", str(params("stateMachineArn")))]
    if operation == "GetActivityTask":
        return [Check("states:GetActivityTask", str(params("activityArn")))]
    if operation in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        return [Check(f"states:{operation}", "*")]  # no resource type: authorized by task token
    raise UnknownCall(f"states:{operation}")


# -- ECS --------------------------------------------------------------------------------------------


def _cluster_arn(value: str | None, region: str, account: str) -> str:
    value = value or "default"
    return value if value.startswith("arn:") else _arn("aws", "ecs", region, account, f"cluster/{value}")


def _task_arns(params: Params, cluster_arn: str, region: str, account: str) -> list[str]:
    cluster_name = cluster_arn.rsplit("/", 1)[-1]
    tasks = params("tasks") or ([params("task")] if params("task") else [])
    return [
        t if t.startswith("arn:") else _arn("aws", "ecs", region, account, f"task/{cluster_name}/{t}") for t in tasks
    ]


def run_task(params: Params, region: str, account: str) -> list[Check]:
    """RunTask, PassRole of the task's roles, and tag-on-create.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html (PassRole)
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
    """
    from moto.ecs.models import ecs_backends

    cluster_arn = _cluster_arn(params("cluster"), region, account)
    definition = ecs_backends[account][region].describe_task_definition(str(params("taskDefinition")))
    checks = [Check("ecs:RunTask", definition.arn, {"ecs:cluster": cluster_arn})]
    overrides = params("overrides") or {}
    passed = {
        overrides.get("taskRoleArn") or getattr(definition, "task_role_arn", None),
        overrides.get("executionRoleArn") or getattr(definition, "execution_role_arn", None),
    }
    checks += [
        Check("iam:PassRole", role_arn, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
        for role_arn in sorted(r for r in passed if r)
    ]
    request_tags = [t.get("key") for t in params("tags") or []]
    propagated = [t.get("key") for t in definition.tags] if params("propagateTags") == "TASK_DEFINITION" else []
    if request_tags or propagated:
        # The task does not exist yet; its ARN will be task/<cluster name>/<new id>.
        task_arn = _arn("aws", "ecs", region, account, f"task/{cluster_arn.rsplit('/', 1)[-1]}/{uuid.uuid4().hex}")
        checks.append(
            Check(
                "ecs:TagResource",
                task_arn,
                {"ecs:CreateAction": "RunTask", "aws:TagKeys": sorted(set(request_tags + propagated))},
            )
        )
    return checks


def ecs_call(operation: str, params: Params, region: str, account: str) -> list[Check]:
    """https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html"""
    if operation == "RunTask":
        return run_task(params, region, account)
    if operation in ("DescribeTasks", "StopTask"):
        cluster_arn = _cluster_arn(params("cluster"), region, account)
        return [
            Check(f"ecs:{operation}", arn, {"ecs:cluster": cluster_arn})
            for arn in _task_arns(params, cluster_arn, region, account)
        ]
    raise UnknownCall(f"ecs:{operation}")


# -- SNS, SQS, S3, CloudWatch Logs -----------------------------------------------------------------


def sns_call(operation: str, params: Params, region: str, account: str) -> list[Check]:
    """Publish: the topic policy is consulted; a CMK-encrypted topic needs GenerateDataKey* and Decrypt.

    https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse
    """
    if operation != "Publish":
        raise UnknownCall(f"sns:{operation}")
    topic_arn = str(params("TopicArn") or params("TargetArn"))
    policy, key_id = deployed_policies.topic(topic_arn)
    return [
        Check("sns:Publish", topic_arn, resource_policy=policy),
        *kms_checks(
            key_id,
            actions=("kms:GenerateDataKey", "kms:Decrypt"),
            region=region,
            account=account,
            via="sns",
            context=sns_encryption_context(topic_arn),
        ),
    ]


def sns_encryption_context(topic_arn: str) -> dict:
    """SNS encrypts a topic's messages under the encryption context ``aws:sns:topicArn``, so a key policy may
    scope a publisher to one topic with ``kms:EncryptionContext:aws:sns:topicArn`` (AWS's documented key
    policy for a service publishing to an encrypted topic uses exactly that condition:
    https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html).
    """
    return {"kms:EncryptionContext:aws:sns:topicArn": topic_arn}


def sqs_call(operation: str, params: Params, region: str, account: str) -> list[Check]:
    """SendMessage: the queue policy is consulted; a CMK-encrypted queue needs GenerateDataKey and Decrypt.

    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    """
    if operation not in ("SendMessage", "SendMessageBatch"):
        raise UnknownCall(f"sqs:{operation}")
    found = deployed_policies.queue(str(params("QueueUrl")), region, account)
    if found is None:
        return [Check("sqs:SendMessage", str(params("QueueUrl")))]
    queue_arn, policy, key_id = found
    return [
        Check("sqs:SendMessage", queue_arn, resource_policy=policy),
        *kms_checks(
            key_id,
            actions=("kms:GenerateDataKey", "kms:Decrypt"),
            region=region,
            account=account,
            via="sqs",
            context={"kms:EncryptionContext:aws:sqs:arn": queue_arn},
        ),
    ]


# moto's S3 operation names → the IAM action that authorizes them.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
S3_ACTIONS = {"ListObjects": "ListBucket", "ListObjectsV2": "ListBucket", "HeadObject": "GetObject"}


def s3_call(operation: str, resource: str, region: str, account: str) -> list[Check]:
    """Object reads and writes: the bucket policy is consulted; SSE-KMS needs Decrypt (read) or GenerateDataKey.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys
    """
    action = "s3:" + S3_ACTIONS.get(operation, operation)
    bucket_name = resource.split(":::", 1)[-1].split("/", 1)[0]
    found = deployed_policies.bucket(bucket_name, partition=resource.split(":")[1])
    policy, key_id = found if found else (None, None)
    context = {"s3:prefix": ""} if action == "s3:ListBucket" else {}
    checks = [Check(action, resource, context, policy)]
    kms_action = {"s3:GetObject": "kms:Decrypt", "s3:PutObject": "kms:GenerateDataKey"}.get(action)
    if kms_action:
        checks += kms_checks(
            key_id,
            actions=(kms_action,),
            region=region,
            account=account,
            via="s3",
            context={"kms:EncryptionContext:aws:s3:arn": resource},
        )
    return checks


def logs_call(operation: str, params: Params, region: str, account: str) -> list[Check]:
    """The awslogs driver with the execution role. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html"""
    group = str(params("logGroupName"))
    if operation in ("CreateLogStream", "PutLogEvents"):
        stream = str(params("logStreamName"))
        return [
            Check(f"logs:{operation}", _arn("aws", "logs", region, account, f"log-group:{group}:log-stream:{stream}"))
        ]
    raise UnknownCall(f"logs:{operation}")


def kms_call(operation: str, params: Params, region: str, account: str) -> list[Check]:
    """A principal using a key directly (Scheduler decrypting a schedule's payload with its role).

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
    """
    if operation not in ("Decrypt", "GenerateDataKey", "Encrypt"):
        raise UnknownCall(f"kms:{operation}")
    key_id = params("KeyId")
    if not key_id:
        raise UnknownCall(f"kms:{operation} without KeyId")
    found = deployed_policies.kms_key(str(key_id), region, account)
    if found is None:
        return [Check(f"kms:{operation}", f"{key_id} (no such key)", kind=PolicyKind.KMS)]
    key_arn, key_policy = found
    context = {"kms:CallerAccount": account}
    context.update({f"kms:EncryptionContext:{k}": v for k, v in (params("EncryptionContext") or {}).items()})
    context["kms:EncryptionContextKeys"] = sorted((params("EncryptionContext") or {}).keys())
    return [Check(f"kms:{operation}", key_arn, context, key_policy, PolicyKind.KMS)]


# -- Systems Manager Parameter Store --------------------------------------------------------------------


def parameter_arn(name: str, region: str, account: str) -> str:
    """A parameter's ARN: ``parameter/`` followed by its name without the leading ``/``.

    https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
    """
    return name if name.startswith("arn:") else _arn("aws", "ssm", region, account, f"parameter/{name.lstrip('/')}")


def ssm_call(operation: str, params: Params, region: str, account: str) -> list[Check]:
    """GetParameter (the ``notify`` command reads its webhook URL), and the KMS Decrypt of a SecureString.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
    Parameter Store decrypts a SecureString with the caller's permissions, through SSM, with the encryption
    context ``PARAMETER_ARN``: https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html
    """
    if operation != "GetParameter":
        raise UnknownCall(f"ssm:{operation}")
    name = str(params("Name"))
    arn = parameter_arn(name, region, account)
    checks = [Check("ssm:GetParameter", arn)]
    if params("WithDecryption"):
        from moto.ssm.models import ssm_backends

        parameter = ssm_backends[account][region].get_parameter(name)
        if parameter is not None and parameter.parameter_type == "SecureString":
            checks += kms_checks(
                parameter.keyid,
                actions=("kms:Decrypt",),
                region=region,
                account=account,
                via="ssm",
                context={"kms:EncryptionContext:PARAMETER_ARN": arn},
            )
    return checks


SERVICES = {
    "states": states_call,
    "ecs": ecs_call,
    "sns": sns_call,
    "sqs": sqs_call,
    "logs": logs_call,
    "kms": kms_call,
    "ssm": ssm_call,
}


def checks_for(service: str, operation: str, params: Params, region: str, account: str) -> list[Check]:
    try:
        handler = SERVICES[service]
    except KeyError:
        raise UnknownCall(f"{service}:{operation}") from None
    return handler(operation, params, region, account)


# -- AWS services publishing to an SNS topic on their own (EventBridge targets, CloudWatch alarm actions) --


def service_publishes_to_topic(topic_arn: str, *, kms_context: dict | None = None) -> list[Check]:
    """``sns:Publish`` by a service principal: only the topic policy can allow it and, for a topic encrypted with
    a customer managed key, only the key policy can let the service use the key (``kms:GenerateDataKey*`` and
    ``kms:Decrypt``); without both AWS drops the message (for alarms, silently).

    https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
    ``kms_context`` is merged over the KMS checks' context (and over what :func:`authorizer.authorize_service`
    adds); a key set to None is absent: EventBridge's use of the key carries no ``aws:SourceArn``/
    ``aws:SourceAccount``, which the SNS page above says a key policy for EventBridge cannot rely on.
    """
    parts = topic_arn.split(":")
    region, account = (parts[3], parts[4]) if len(parts) > 4 else ("", "")
    policy, key_id = deployed_policies.topic(topic_arn)
    checks = [Check("sns:Publish", topic_arn, resource_policy=policy)]
    kms = kms_checks(
        key_id,
        actions=("kms:GenerateDataKey", "kms:Decrypt"),
        region=region,
        account=account,
        via="sns",
        context=sns_encryption_context(topic_arn),
    )
    for check in kms:
        context = {**check.context, **(kms_context or {})}
        checks.append(Check(check.action, check.resource, context, check.resource_policy, check.kind))
    return checks


# -- S3: reading a key the bucket does not hold ----------------------------------------------------------


def s3_object_exists(resource: str) -> bool:
    """Whether the emulator's S3 holds the object ``arn:<partition>:s3:::<bucket>/<key>`` (its latest version)."""
    from moto.s3.models import FakeKey, s3_backends

    partition = resource.split(":")[1]
    bucket_name, _, key = resource.split(":::", 1)[-1].partition("/")
    for account in list(s3_backends.keys()):
        bucket = s3_backends[account][partition].buckets.get(bucket_name)
        if bucket is not None:
            return isinstance(bucket.keys.get(key), FakeKey)
    return False


def s3_missing_object_checks(operation: str, resource: str) -> list[Check]:
    """What else AWS authorizes when an allowed GetObject/HeadObject names a key that is not there.

    "If the object you request doesn't exist, the error that Amazon S3 returns depends on whether you also
    have the s3:ListBucket permission. If you have the s3:ListBucket permission on the bucket, Amazon S3
    returns an HTTP status code 404 Not Found error. If you don't have the s3:ListBucket permission, Amazon S3
    returns an HTTP status code 403 Access Denied error."
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (and API_HeadObject.html)

    So: ``s3:ListBucket`` on the bucket, with the bucket policy; denied, the caller gets 403 AccessDenied
    instead of moto's 404. ASSUMED, not documented by AWS: the ``s3:prefix`` this implicit check carries is
    the requested key (what a ListObjects that could reveal the key's absence would ask for), so a
    ListBucket grant limited with ``s3:prefix`` to the key's prefix answers 404 here. Empty list: no check
    (another action, or the object exists).
    """
    if "s3:" + S3_ACTIONS.get(operation, operation) != "s3:GetObject" or s3_object_exists(resource):
        return []
    partition = resource.split(":")[1]
    bucket_name, _, key = resource.split(":::", 1)[-1].partition("/")
    found = deployed_policies.bucket(bucket_name, partition=partition)
    policy = found[0] if found else None
    return [Check("s3:ListBucket", f"arn:{partition}:s3:::{bucket_name}", {"s3:prefix": key}, policy)]
