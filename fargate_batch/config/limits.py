"""The AWS limits a configuration can run into, in one table, each row with the AWS page that states it.

The loader's checks (:mod:`fargate_batch.config.checks`) judge the configuration against these rows, the
name derivation (:mod:`fargate_batch.config.names`) shortens names to fit them, and
``tests/fargate_batch/config/test_longest_names.py`` checks every name of a synthesized "longest names"
stack against them.

How the rows were checked: each was read on the linked AWS page (through the project's stored copy of the
AWS documentation) and, where the API reference states a length or pattern, against the same constraint
in botocore's service model (``botocore/data/<service>/*/service-2.json``), which is generated from the
AWS API definitions. A row that could be confirmed neither way says so in ``note`` instead of guessing.
Pure data and pure functions: no AWS call, cheap to import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class NameLimit:
    """What AWS accepts as the name of one kind of resource.

    ``pattern`` matches a whole allowed name; ``allowed`` says the same in words for messages.
    ``reserved_prefixes``/``reserved_suffixes``/``reserved_names`` are refused although the pattern
    matches (``reserved_names`` compared ignoring case when ``case_insensitive``).
    """

    what: str
    min_length: int
    max_length: int
    pattern: re.Pattern[str]
    allowed: str
    doc: str
    reserved_prefixes: tuple[str, ...] = ()
    reserved_suffixes: tuple[str, ...] = ()
    reserved_names: tuple[str, ...] = ()
    case_insensitive: bool = False
    note: str = ""


# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

NAME_LIMITS: dict[str, NameLimit] = {
    # IAM role names compare ignoring case ("Role names are not distinguished by case").
    "iam_role": NameLimit(
        "IAM role name",
        1,
        64,
        re.compile(r"^[\w+=,.@-]+$", re.ASCII),
        "letters, digits and + = , . @ _ -",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
        case_insensitive=True,
    ),
    # State machines and activities: 80 characters, no spaces, wildcards, brackets or special characters.
    "sfn_state_machine": NameLimit(
        "Step Functions state machine name",
        1,
        80,
        re.compile(r"^[A-Za-z0-9_-]+$"),
        "letters, digits, '-' and '_' (the ASCII subset CloudWatch metrics can track)",
        "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-general",
    ),
    "sfn_activity": NameLimit(
        "Step Functions activity name",
        1,
        80,
        re.compile(r"^[A-Za-z0-9_-]+$"),
        "letters, digits, '-' and '_'",
        "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-general",
    ),
    "scheduler_schedule": NameLimit(
        "EventBridge Scheduler schedule name",
        1,
        64,
        re.compile(r"^[0-9a-zA-Z._-]+$"),
        "letters, digits, '.', '-' and '_'",
        "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
    ),
    # Every account already has a schedule group named "default"; creating one of that name fails.
    "scheduler_group": NameLimit(
        "EventBridge Scheduler schedule group name",
        1,
        64,
        re.compile(r"^[0-9a-zA-Z._-]+$"),
        "letters, digits, '.', '-' and '_'",
        "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html",
        reserved_names=("default",),
        note="'default': https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html",
    ),
    "event_rule": NameLimit(
        "EventBridge rule name",
        1,
        64,
        re.compile(r"^[.\-_A-Za-z0-9]+$"),
        "letters, digits, '.', '-' and '_'",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
    ),
    "sqs_queue": NameLimit(
        "SQS queue name",
        1,
        80,
        re.compile(r"^[A-Za-z0-9_-]+$"),
        "letters, digits, '-' and '_'",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    ),
    "sns_topic": NameLimit(
        "SNS topic name",
        1,
        256,
        re.compile(r"^[A-Za-z0-9_-]+$"),
        "letters, digits, '-' and '_'",
        "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    ),
    "s3_bucket": NameLimit(
        "S3 general purpose bucket name",
        3,
        63,
        # Starts and ends with a letter or digit; no two adjacent periods.
        re.compile(r"^[a-z0-9](?:[a-z0-9-]|\.(?!\.))*[a-z0-9]$"),
        "lowercase letters, digits, '.' and '-', starting and ending with a letter or digit, no '..'",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        reserved_prefixes=S3_BUCKET_RESERVED_PREFIXES,
        reserved_suffixes=S3_BUCKET_RESERVED_SUFFIXES,
    ),
    "ecr_repository": NameLimit(
        "ECR repository name",
        2,
        256,
        re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$"),
        "lowercase letters and digits, single '.', '_' or '-' between them, '/' between namespaces",
        "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
    ),
    "ecs_family": NameLimit(
        "ECS task definition family",
        1,
        255,
        re.compile(r"^[A-Za-z0-9_-]+$"),
        "letters, digits, '-' and '_'",
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
    ),
    "ecs_cluster": NameLimit(
        "ECS cluster name",
        1,
        255,
        re.compile(r"^[A-Za-z0-9_-]+$"),
        "letters, digits, '-' and '_'",
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
    ),
    "ecs_service": NameLimit(
        "ECS service name",
        1,
        255,
        re.compile(r"^[A-Za-z0-9_-]+$"),
        "letters, digits, '-' and '_'",
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
    ),
    "log_group": NameLimit(
        "CloudWatch Logs log group name",
        1,
        512,
        re.compile(r"^[.\-_/#A-Za-z0-9]+$"),
        "letters, digits and . - _ / #",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    ),
    "security_group": NameLimit(
        "VPC security group name",
        1,
        255,
        re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$"),
        "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
        reserved_prefixes=("sg-",),
    ),
    "cloudwatch_alarm": NameLimit(
        "CloudWatch alarm name",
        1,
        255,
        re.compile(r"^[^\x00-\x1f\x7f]+$"),
        "printable characters",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    ),
    "kms_alias": NameLimit(
        "KMS alias name",
        7,
        256,
        re.compile(r"^alias/[A-Za-z0-9/_-]+$"),
        "'alias/' then letters, digits, '/', '_' and '-'",
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
        reserved_prefixes=("alias/aws/",),
    ),
}


def name_problems(kind: str, name: str) -> list[str]:
    """Why AWS would refuse ``name`` for a resource of ``kind`` (a key of NAME_LIMITS); empty when it is fine."""
    limit = NAME_LIMITS[kind]
    problems = []
    if not limit.min_length <= len(name) <= limit.max_length:
        problems.append(f"has {len(name)} characters; {limit.what}s have {limit.min_length}-{limit.max_length}")
    if not limit.pattern.match(name):
        problems.append(f"is not a valid {limit.what}: use {limit.allowed}")
    compared = name.casefold() if limit.case_insensitive else name
    if compared in limit.reserved_names:
        problems.append(f"is reserved: every AWS account already has the {limit.what} {name!r}")
    for prefix in limit.reserved_prefixes:
        if name.startswith(prefix):
            problems.append(f"starts with {prefix!r}, which AWS reserves for the {limit.what}")
    for suffix in limit.reserved_suffixes:
        if name.endswith(suffix):
            problems.append(f"ends with {suffix!r}, which AWS reserves for the {limit.what}")
    if kind == "s3_bucket" and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name):
        problems.append("is formatted as an IP address, which an S3 bucket name must not be")
    return problems


# Tags. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html: at most 50 per resource,
# keys 1-128 and values 0-256 Unicode characters of letters, digits, spaces and _ . : / = + - @ (botocore's
# ECS and IAM models: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$), and the aws: prefix (any case) reserved for AWS on
# keys and values alike. ECS, IAM, S3, SQS, SNS, KMS, Step Functions, EventBridge and CloudWatch Logs all
# take 50; the ECS/IAM character set is the strictest of them, and every tag in [tags] lands on each.
# https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html
TAGS_PER_RESOURCE_MAX = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_RESERVED_PREFIX = "aws:"
TAG_SYMBOLS = frozenset("_.:/=+-@")
TAG_DOC = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html"


def tag_character_refused(character: str) -> bool:
    """Whether AWS's tag pattern ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`` refuses ``character``."""
    return character not in TAG_SYMBOLS and unicodedata.category(character)[0] not in "LZN"


# Sizes.
# RunTask: "A total of 8192 characters are allowed for overrides. This limit includes the JSON formatting
# characters of the override structure."
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-overrides
RUN_TASK_OVERRIDES_MAX_CHARACTERS = 8192
# ECS container names are at most 255 characters; the overrides name the container, and the configuration
# does not know which name the stack gives it, so its size is counted at the most it can be.
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
ECS_CONTAINER_NAME_MAX = 255
# Step Functions: execution input, state input and output at most 256 KiB (262,144 bytes of UTF-8);
# a state machine definition at most 1 MiB (1,048,576 characters; botocore's Definition shape).
# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-task-executions
EXECUTION_INPUT_MAX_BYTES = 262_144
STATE_MACHINE_DEFINITION_MAX_CHARACTERS = 1_048_576
# ECS task definition size. NOT CONFIRMED: the stored AWS documentation did not show this quota (the ECS
# service quotas page lists counts, not this size); 64 KiB is the figure commonly quoted for
# RegisterTaskDefinition. It is used only for container.environment, which nobody fills that far.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
TASK_DEFINITION_MAX_BYTES = 65_536
# EventBridge: rule description at most 512 characters, event pattern at most 4096 (botocore's
# RuleDescription and EventPattern shapes). https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
EVENT_RULE_DESCRIPTION_MAX = 512
EVENT_PATTERN_MAX = 4096
# S3 object keys: at most 1024 bytes of UTF-8.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
S3_OBJECT_KEY_MAX_BYTES = 1024
# IAM: "Role policy size cannot exceed 10,240 characters" (the aggregate of a role's inline policies), and
# "IAM does not count white space when calculating the size of a policy against these limits".
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
IAM_ROLE_POLICY_MAX_CHARACTERS = 10_240
# SQS: a queue policy has at most 8,192 bytes. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html
SQS_POLICY_MAX_BYTES = 8_192
# CloudWatch alarm descriptions: at most 1024 characters (API_PutMetricAlarm, AlarmDescription).
ALARM_DESCRIPTION_MAX = 1024

# Regions by partition, as AWS lists them (the partition decides the ARNs, the endpoints and which
# accounts exist). https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
# tests/fargate_batch/config/test_limits.py keeps this list equal to botocore's endpoints.json, so a new
# region shows up there when boto3 is upgraded.
REGIONS_BY_PARTITION: dict[str, tuple[str, ...]] = {
    "aws": (
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    ),
    # https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    # https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
    # Isolated partitions: not publicly documented beyond their names; taken from botocore's endpoints.json.
    "aws-iso": ("us-iso-east-1", "us-iso-west-1"),
    "aws-iso-b": ("us-isob-east-1", "us-isob-west-1"),
    "aws-iso-e": ("eu-isoe-west-1",),
    "aws-iso-f": ("us-isof-east-1", "us-isof-south-1"),
    "aws-eusc": ("eusc-de-east-1",),
}
# The shape of each partition's region names (botocore endpoints.json "regionRegex"), to name the partition
# a mistyped region would belong to.
PARTITION_REGION_PATTERNS: dict[str, re.Pattern[str]] = {
    "aws-us-gov": re.compile(r"^us-gov-\w+-\d+$"),
    "aws-iso": re.compile(r"^us-iso-\w+-\d+$"),
    "aws-iso-b": re.compile(r"^us-isob-\w+-\d+$"),
    "aws-iso-e": re.compile(r"^eu-isoe-\w+-\d+$"),
    "aws-iso-f": re.compile(r"^us-isof-\w+-\d+$"),
    "aws-eusc": re.compile(r"^eusc-de-\w+-\d+$"),
    "aws-cn": re.compile(r"^cn-\w+-\d+$"),
    "aws": re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$"),
}
PARTITION_BY_REGION: dict[str, str] = {
    region: partition for partition, regions in REGIONS_BY_PARTITION.items() for region in regions
}

# KMS key identifiers: key id, key ARN, alias name, alias ARN.
# https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
KMS_KEY_ID_PATTERN = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
KMS_ARN_PATTERN = re.compile(
    r"^arn:(?P<partition>[a-z-]+):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(?P<resource>.+)$"
)
KMS_ALIAS_PATTERN = re.compile(r"^alias/[A-Za-z0-9/_-]{1,250}$")
KMS_KEY_FORMS = (
    "a key id (1234abcd-12ab-34cd-56ef-1234567890ab), a key ARN "
    "(arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab), an alias name "
    "(alias/ExampleAlias) or an alias ARN (arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias)"
)


def kms_key_problems(value: str, region: str) -> list[str]:
    """Why ``value`` is not a KMS key identifier usable from ``region``; empty when it is one."""
    if KMS_KEY_ID_PATTERN.match(value) or KMS_ALIAS_PATTERN.match(value):
        return []
    arn = KMS_ARN_PATTERN.match(value)
    if not arn:
        return [f"{value!r} is not a KMS key identifier; use {KMS_KEY_FORMS}"]
    resource = arn["resource"]
    kind, _, rest = resource.partition("/")
    if not (
        (kind == "key" and KMS_KEY_ID_PATTERN.match(rest)) or (kind == "alias" and KMS_ALIAS_PATTERN.match(resource))
    ):
        return [
            f"{value!r}: the ARN names {resource!r}, which is neither key/<key id> nor alias/<name>; "
            f"use {KMS_KEY_FORMS}"
        ]
    if arn["region"] not in PARTITION_BY_REGION:
        return [f"{value!r}: {arn['region']!r} in the ARN is not an AWS region"]
    if PARTITION_BY_REGION[arn["region"]] != arn["partition"]:
        return [
            f"{value!r}: region {arn['region']} is in partition {PARTITION_BY_REGION[arn['region']]!r}, "
            f"not {arn['partition']!r}; the ARN starts arn:{PARTITION_BY_REGION[arn['region']]}:kms:"
        ]
    if region in PARTITION_BY_REGION and PARTITION_BY_REGION[region] != arn["partition"]:
        return [
            f"{value!r} is a key in partition {arn['partition']!r}, but the state bucket's region {region} is in "
            f"{PARTITION_BY_REGION[region]!r}; a key cannot be used across partitions"
        ]
    return []


def region_problems(value: str) -> list[str]:
    """Why ``value`` is not an AWS region (naming the partition it would belong to); empty when it is one."""
    if value in PARTITION_BY_REGION:
        return []
    lowered = value.strip().lower()
    if lowered in PARTITION_BY_REGION:
        return [f"{value!r} is not written as AWS writes regions; use {lowered!r}"]
    import difflib

    close = difflib.get_close_matches(lowered, list(PARTITION_BY_REGION), n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    fix = f"if AWS opened it recently, add it to REGIONS_BY_PARTITION in fargate_batch/config/limits.py{hint}"
    partition = next((name for name, shape in PARTITION_REGION_PATTERNS.items() if shape.match(lowered)), None)
    if partition is None:
        shapes = ", ".join(f"{regions[0]} ({name})" for name, regions in list(REGIONS_BY_PARTITION.items())[:3])
        return [f"{value!r} is not an AWS region in any partition (regions look like {shapes}); {fix}"]
    regions = REGIONS_BY_PARTITION[partition]
    listed = ", ".join(regions) if len(regions) <= 4 else f"{len(regions)} regions such as {regions[0]}"
    return [f"{value!r} is shaped like a region of partition {partition!r} but is none of its ({listed}); {fix}"]
