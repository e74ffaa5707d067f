"""A table of hostile configurations: each one is config/dev.toml with a few edits, and the field its
message must name. tests/fargate_batch/config/test_hostile_corpus.py loads every one.

Each class of issue 14 is here: names AWS reserves or refuses, tags, non-finite and out-of-range
numbers, schedules that cannot run, regions and KMS key ids, sizes AWS limits, and the older mistakes.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import DEV_CONFIG

DEV_TEXT = DEV_CONFIG.read_text()

S3_BACKEND = (
    '[backend]\ntype = "s3"\nbucket = "acme-terraform-state"\nkey = "batch/dev.tfstate"\nregion = "us-east-1"\n'
)
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


@dataclass(frozen=True)
class Hostile:
    """``edits``: (old, new) replacements of dev.toml's text, each of which must occur; ``append``: added
    at the end; ``field``: the field path the message must name."""

    id: str
    field: str
    edits: tuple[tuple[str, str], ...] = ()
    append: str = ""

    def text(self) -> str:
        text = DEV_TEXT
        for old, new in self.edits:
            assert old in text, f"{self.id}: config/dev.toml no longer contains {old!r}"
            text = text.replace(old, new, 1)
        return text + self.append


def prefix(value: str) -> tuple[tuple[str, str], ...]:
    return (('name_prefix = "fargate-batch-dev"', f"name_prefix = {value}"),)


def tag(line: str) -> tuple[tuple[str, str], ...]:
    return (('Environment = "dev"', f'Environment = "dev"\n{line}'),)


def retry(old: str, new: str) -> tuple[tuple[str, str], ...]:
    return ((old, new),)


def schedule(expression: str) -> tuple[tuple[str, str], ...]:
    return (('expression = "cron(0 10 * * ? *)"', f'expression = "{expression}"'),)


def time_zone(zone: str) -> tuple[tuple[str, str], ...]:
    return (('time_zone = "Asia/Tokyo"', f'time_zone = "{zone}"'),)


def region(value: str) -> tuple[tuple[str, str], ...]:
    return (('region = "ap-northeast-1"', f'region = "{value}"'),)


def s3_backend(**changes: str) -> tuple[tuple[str, str], ...]:
    backend = S3_BACKEND
    for key, value in changes.items():
        line = next((line for line in backend.splitlines() if line.startswith(f"{key} =")), None)
        backend = backend.replace(line, f'{key} = "{value}"') if line else backend + f'{key} = "{value}"\n'
    return (('[backend]\ntype = "local"\n', backend),)


def step_environment(value_length: int) -> tuple[tuple[str, str], ...]:
    return (('environment = { ENV = "Start Execution input1" }', f'environment = {{ BIG = "{"v" * value_length}" }}'),)


def trigger(*lines: str) -> tuple[tuple[str, str], ...]:
    return (('command = ["process", "{key}"]', "\n".join(lines)),)


def many_steps(count: int, value_length: int) -> str:
    steps = "".join(
        f'\n[[pipelines.steps]]\nname = "s{i}"\ncommand = ["run"]\nenvironment = {{ V = "{"x" * value_length}" }}\n'
        for i in range(count)
    )
    return f'\n[[pipelines]]\nname = "huge"\n{steps}'


CORPUS: tuple[Hostile, ...] = (
    # Names AWS reserves or refuses, through the names the prefix makes.
    Hostile("prefix-default-schedule-group", "name_prefix", prefix('"default"')),
    Hostile("prefix-sg-security-group", "name_prefix", prefix('"sg-batch"')),
    Hostile("prefix-sthree-bucket", "name_prefix", prefix('"sthree-batch"')),
    Hostile("prefix-sthree-configurator-bucket", "name_prefix", prefix('"sthree-configurator"')),
    Hostile("prefix-amzn-s3-demo-bucket", "name_prefix", prefix('"amzn-s3-demo-batch"')),
    Hostile("prefix-xn-bucket", "name_prefix", prefix('"xn--batch"')),
    Hostile("prefix-one-character-repository", "name_prefix", prefix('"a"')),
    Hostile("prefix-uppercase", "name_prefix", prefix('"Batch"')),
    Hostile("prefix-underscore", "name_prefix", prefix('"batch_dev"')),
    Hostile("prefix-33-characters", "name_prefix", prefix(f'"{"b" * 33}"')),
    Hostile("prefix-leading-hyphen", "name_prefix", prefix('"-batch"')),
    Hostile("prefix-trailing-hyphen", "name_prefix", prefix('"batch-"')),
    Hostile("prefix-empty", "name_prefix", prefix('""')),
    Hostile("prefix-non-ascii", "name_prefix", prefix('"bätch"')),
    Hostile("prefix-number", "name_prefix", prefix("5")),
    Hostile("prefix-dot", "name_prefix", prefix('"batch.dev"')),
    Hostile("pipeline-name-25", "pipelines[0].name", (('name = "daily-report"', f'name = "{"p" * 25}"'),)),
    Hostile("pipeline-name-space", "pipelines[0].name", (('name = "daily-report"', 'name = "daily report"'),)),
    Hostile("pipeline-name-empty", "pipelines[0].name", (('name = "daily-report"', 'name = ""'),)),
    Hostile("pipeline-name-underscore-first", "pipelines[0].name", (('name = "daily-report"', 'name = "_daily"'),)),
    Hostile("trigger-name-25", "triggers[0].name", (('name = "target-files"', f'name = "{"t" * 25}"'),)),
    Hostile("trigger-name-dot", "triggers[0].name", (('name = "target-files"', 'name = "target.files"'),)),
    Hostile("activity-name-25", "activities[0].name", (('name = "hello-world"', f'name = "{"a" * 25}"'),)),
    Hostile("activity-name-japanese", "activities[0].name", (('name = "hello-world"', 'name = "こんにちは"'),)),
    Hostile("step-name-63", "pipelines[0].steps[0].name", (('name = "extract"', f'name = "{"s" * 63}"'),)),
    Hostile(
        "pipeline-named-twice",
        "pipelines[1].name",
        append='\n[[pipelines]]\nname = "daily-report"\n\n[[pipelines.steps]]\nname = "x"\ncommand = ["x"]\n',
    ),
    Hostile(
        "pipeline-clashes-with-run-task-child",
        "pipelines[1].name",
        append='\n[[pipelines]]\nname = "daily-report-run-task"\n\n[[pipelines.steps]]\nname = "x"\ncommand = ["x"]\n',
    ),
    # Tags.
    Hostile("tag-key-aws-prefix", "tags.aws:owner", tag('"aws:owner" = "me"')),
    Hostile("tag-key-aws-prefix-uppercase", "tags.AWS:owner", tag('"AWS:owner" = "me"')),
    Hostile("tag-value-aws-prefix", "tags.Owner", tag('Owner = "aws:me"')),
    Hostile("tag-key-hash", "tags.cost#center", tag('"cost#center" = "42"')),
    Hostile("tag-key-comma", "tags.a,b", tag('"a,b" = "x"')),
    Hostile("tag-value-exclamation", "tags.Owner", tag('Owner = "me!"')),
    Hostile("tag-value-newline", "tags.Owner", tag('Owner = "me\\nyou"')),
    Hostile("tag-value-emoji", "tags.Owner", tag('Owner = "me 😀"')),
    Hostile("tag-value-asterisk", "tags.Owner", tag('Owner = "*"')),
    Hostile("tag-value-quote", "tags.Owner", tag('Owner = "o\'neil"')),
    Hostile("tag-key-129", f"tags.{'k' * 129}", tag(f'{"k" * 129} = "x"')),
    Hostile("tag-value-257", "tags.Owner", tag(f'Owner = "{"v" * 257}"')),
    Hostile("tags-more-than-50", "tags", tag("\n".join(f't{i} = "x"' for i in range(50)))),
    # dev.toml has 2 tags: 48 in all, one more than the 47 the 3 run tags leave on a task definition.
    Hostile("tags-crowd-out-run-tags", "tags", tag("\n".join(f't{i} = "x"' for i in range(46)))),
    Hostile("tag-key-run-tag-prefix", "tags.fargate-batch:step", tag('"fargate-batch:step" = "mine"')),
    Hostile("tag-key-empty", "tags", tag('"" = "x"')),
    Hostile("tag-value-number", "tags.Owner", tag("Owner = 1")),
    # Numbers: not finite, or outside what AWS takes.
    Hostile("backoff-nan", "pipelines[0].retry.backoff_rate", retry("backoff_rate = 2.0", "backoff_rate = nan")),
    Hostile("backoff-inf", "pipelines[0].retry.backoff_rate", retry("backoff_rate = 2.0", "backoff_rate = inf")),
    Hostile("backoff-minus-inf", "pipelines[0].retry.backoff_rate", retry("backoff_rate = 2.0", "backoff_rate = -inf")),
    Hostile("backoff-below-one", "pipelines[0].retry.backoff_rate", retry("backoff_rate = 2.0", "backoff_rate = 0.5")),
    Hostile(
        "interval-zero", "pipelines[0].retry.interval_seconds", retry("interval_seconds = 10", "interval_seconds = 0")
    ),
    Hostile("attempts-negative", "pipelines[0].retry.max_attempts", retry("max_attempts = 4", "max_attempts = -1")),
    Hostile(
        "max-delay-zero",
        "pipelines[0].retry.max_delay_seconds",
        retry("max_delay_seconds = 300", "max_delay_seconds = 0"),
    ),
    Hostile(
        "max-delay-above-asl",
        "pipelines[0].retry.max_delay_seconds",
        retry("max_delay_seconds = 300", "max_delay_seconds = 31622401"),
    ),
    Hostile(
        "interval-float",
        "pipelines[0].retry.interval_seconds",
        retry("interval_seconds = 10", "interval_seconds = 1.5"),
    ),
    Hostile(
        "heartbeat-zero", "activities[0].heartbeat_seconds", retry("heartbeat_seconds = 60", "heartbeat_seconds = 0")
    ),
    Hostile(
        "activity-timeout-not-above-heartbeat",
        "activities[0].timeout_seconds",
        retry("timeout_seconds = 3600", "timeout_seconds = 60"),
    ),
    Hostile(
        "workers-11",
        "activities[0].worker_desired_count",
        retry("worker_desired_count = 1", "worker_desired_count = 11"),
    ),
    Hostile("keep-images-zero", "container.keep_images", retry("keep_images = 20", "keep_images = 0")),
    Hostile("keep-images-1001", "container.keep_images", retry("keep_images = 20", "keep_images = 1001")),
    Hostile("keep-images-bool", "container.keep_images", retry("keep_images = 20", "keep_images = true")),
    Hostile("cpu-300", "container.cpu", retry("cpu = 512", "cpu = 300")),
    Hostile("memory-not-offered", "container.memory_mib", retry("memory_mib = 1024", "memory_mib = 100")),
    Hostile(
        "az-count-7", "network.az_count", retry("assign_public_ip = false", "assign_public_ip = false\naz_count = 7")
    ),
    Hostile(
        "az-count-0", "network.az_count", retry("assign_public_ip = false", "assign_public_ip = false\naz_count = 0")
    ),
    Hostile(
        "vpc-cidr-slash-8",
        "network.vpc_cidr",
        retry("assign_public_ip = false", 'assign_public_ip = false\nvpc_cidr = "10.0.0.0/8"'),
    ),
    Hostile(
        "vpc-cidr-banana",
        "network.vpc_cidr",
        retry("assign_public_ip = false", 'assign_public_ip = false\nvpc_cidr = "banana"'),
    ),
    Hostile("retention-2-days", "logging.retention_days", retry("retention_days = 365", "retention_days = 2")),
    Hostile("retention-never", "logging.retention_days", retry("retention_days = 365", "retention_days = 0")),
    Hostile(
        "duration-zero",
        "pipelines[0].steps[0].expected_duration_seconds",
        retry("expected_duration_seconds = 120", "expected_duration_seconds = 0"),
    ),
    Hostile(
        "step-timeout-zero",
        "pipelines[0].steps[0].timeout_seconds",
        retry("expected_duration_seconds = 120", "expected_duration_seconds = 120\ntimeout_seconds = 0"),
    ),
    Hostile(
        "step-timeout-two-years",
        "pipelines[0].steps[0].timeout_seconds",
        retry("expected_duration_seconds = 120", "expected_duration_seconds = 120\ntimeout_seconds = 63072000"),
    ),
    # Schedules that can never run.
    Hostile("cron-hour-25", "pipelines[0].schedule.expression", schedule("cron(0 25 * * ? *)")),
    Hostile("cron-five-fields", "pipelines[0].schedule.expression", schedule("cron(0 10 * * *)")),
    Hostile("cron-no-question-mark", "pipelines[0].schedule.expression", schedule("cron(0 10 * * * *)")),
    Hostile("cron-february-30", "pipelines[0].schedule.expression", schedule("cron(0 10 30 2 ? *)")),
    Hostile(
        "cron-fifth-monday-of-february-2026", "pipelines[0].schedule.expression", schedule("cron(0 10 ? 2 2#5 2026)")
    ),
    Hostile("cron-year-2200", "pipelines[0].schedule.expression", schedule("cron(0 10 * * ? 2200)")),
    Hostile("at-february-30", "pipelines[0].schedule.expression", schedule("at(2026-02-30T10:00:00)")),
    Hostile("at-month-13", "pipelines[0].schedule.expression", schedule("at(2026-13-01T00:00:00)")),
    Hostile("at-hour-24", "pipelines[0].schedule.expression", schedule("at(2026-01-01T24:00:00)")),
    Hostile("rate-plural-one", "pipelines[0].schedule.expression", schedule("rate(1 minutes)")),
    Hostile("rate-zero", "pipelines[0].schedule.expression", schedule("rate(0 minutes)")),
    Hostile("rate-seconds", "pipelines[0].schedule.expression", schedule("rate(30 seconds)")),
    Hostile("schedule-prose", "pipelines[0].schedule.expression", schedule("every day at ten")),
    Hostile("time-zone-unknown", "pipelines[0].schedule.time_zone", time_zone("Mars/Olympus_Mons")),
    Hostile("time-zone-localtime", "pipelines[0].schedule.time_zone", time_zone("localtime")),
    Hostile("time-zone-posix-copy", "pipelines[0].schedule.time_zone", time_zone("posix/Asia/Tokyo")),
    Hostile("time-zone-right-copy", "pipelines[0].schedule.time_zone", time_zone("right/UTC")),
    Hostile("time-zone-path", "pipelines[0].schedule.time_zone", time_zone("../../etc/passwd")),
    Hostile("time-zone-empty", "pipelines[0].schedule.time_zone", time_zone("")),
    Hostile("time-zone-factory", "pipelines[0].schedule.time_zone", time_zone("Factory")),
    Hostile(
        "retry-attempts-186",
        "pipelines[0].schedule.retry_attempts",
        retry("retry_attempts = 185", "retry_attempts = 186"),
    ),
    Hostile(
        "event-age-59",
        "pipelines[0].schedule.max_event_age_seconds",
        retry("max_event_age_seconds = 86400", "max_event_age_seconds = 59"),
    ),
    Hostile(
        "flexible-window-zero",
        "pipelines[0].schedule.flexible_window_minutes",
        retry("enabled = true", "enabled = true\nflexible_window_minutes = 0"),
    ),
    # Regions.
    Hostile("region-mars", "region", region("mars-north-1")),
    Hostile("region-uppercase", "region", region("AP-NORTHEAST-1")),
    Hostile("region-us-east-7", "region", region("us-east-7")),
    Hostile("region-missing-hyphen", "region", region("ap-northeast1")),
    Hostile("region-cn-north-3", "region", region("cn-north-3")),
    Hostile("region-availability-zone", "region", region("ap-northeast-1a")),
    Hostile("region-empty", "region", region("")),
    # The S3 backend: bucket names S3 refuses or reserves, regions, KMS key ids.
    Hostile("backend-kms-word", "backend.kms_key_id", s3_backend(kms_key_id="my-key")),
    Hostile(
        "backend-kms-short-account",
        "backend.kms_key_id",
        s3_backend(kms_key_id=f"arn:aws:kms:us-east-1:123:key/{KEY_ID}"),
    ),
    Hostile(
        "backend-kms-partition-of-another-region",
        "backend.kms_key_id",
        s3_backend(kms_key_id=f"arn:aws-cn:kms:us-east-1:123456789012:key/{KEY_ID}"),
    ),
    Hostile(
        "backend-kms-secret-arn",
        "backend.kms_key_id",
        s3_backend(kms_key_id="arn:aws:kms:us-east-1:123456789012:secret/x"),
    ),
    Hostile("backend-kms-empty-alias", "backend.kms_key_id", s3_backend(kms_key_id="alias/")),
    Hostile(
        "backend-kms-other-partition-than-the-bucket",
        "backend.kms_key_id",
        s3_backend(kms_key_id=f"arn:aws-cn:kms:cn-north-1:123456789012:key/{KEY_ID}"),
    ),
    Hostile("backend-kms-uppercase-key-id", "backend.kms_key_id", s3_backend(kms_key_id=KEY_ID.upper())),
    Hostile("backend-bucket-sthree", "backend.bucket", s3_backend(bucket="sthree-state")),
    Hostile("backend-bucket-s3alias", "backend.bucket", s3_backend(bucket="state-s3alias")),
    Hostile("backend-bucket-ol-s3", "backend.bucket", s3_backend(bucket="state--ol-s3")),
    Hostile("backend-bucket-mrap", "backend.bucket", s3_backend(bucket="state.mrap")),
    Hostile("backend-bucket-directory-suffix", "backend.bucket", s3_backend(bucket="state--usw2-az1--x-s3")),
    Hostile("backend-bucket-table-suffix", "backend.bucket", s3_backend(bucket="state--table-s3")),
    Hostile("backend-bucket-ip-address", "backend.bucket", s3_backend(bucket="192.168.5.4")),
    Hostile("backend-bucket-two-dots", "backend.bucket", s3_backend(bucket="my..state")),
    Hostile("backend-bucket-uppercase", "backend.bucket", s3_backend(bucket="MyState")),
    Hostile("backend-bucket-two-characters", "backend.bucket", s3_backend(bucket="ab")),
    Hostile("backend-region-moon", "backend.region", s3_backend(region="moon-1")),
    # Sizes AWS limits.
    Hostile("step-environment-over-run-task-overrides", "pipelines[0].steps[0]", step_environment(8200)),
    Hostile(
        "step-command-over-run-task-overrides",
        "pipelines[0].steps[0]",
        (('command = ["echo", "from1", "object1"]', f'command = ["echo", "{"a" * 8000}"]'),),
    ),
    Hostile(
        "trigger-environment-with-longest-key",
        "triggers[0]",
        trigger('command = ["process", "{key}"]', f'environment = {{ BIG = "{"e" * 6000}" }}'),
    ),
    Hostile("trigger-key-eight-times", "triggers[0]", trigger("command = [" + ", ".join(['"{key}"'] * 8) + "]")),
    Hostile(
        "trigger-prefix-over-rule-description",
        "triggers[0].prefix",
        (('prefix = "target/"', f'prefix = "{"p" * 480}/"'),),
    ),
    Hostile(
        "trigger-prefix-over-object-key", "triggers[0].prefix", (('prefix = "target/"', f'prefix = "{"日" * 400}/"'),)
    ),
    Hostile(
        "container-environment-over-task-definition",
        "container.environment",
        (('ENV = "Original env value."', "\n".join(f'V{i} = "{"x" * 1000}"' for i in range(64))),),
    ),
    Hostile("pipeline-over-state-machine-definition", "pipelines[1].steps", append=many_steps(150, 7000)),
    # Older mistakes, kept so they stay refused.
    Hostile(
        "unknown-key",
        "nme_prefix",
        (('name_prefix = "fargate-batch-dev"', 'name_prefix = "fargate-batch-dev"\nnme_prefix = "x"'),),
    ),
    Hostile(
        "email-without-at",
        "alerts.email_subscriptions[0]",
        (("email_subscriptions = []", 'email_subscriptions = ["ops"]'),),
    ),
    Hostile("image-tag-latest", "container.image_tag", (('image_tag = "v0.1.0"', 'image_tag = "latest"'),)),
    Hostile("trigger-prefix-leading-slash", "triggers[0].prefix", (('prefix = "target/"', 'prefix = "/target/"'),)),
    Hostile("trigger-prefix-on-results", "triggers[0].prefix", (('prefix = "target/"', 'prefix = "output/"'),)),
    Hostile("trigger-command-without-key", "triggers[0].command", trigger('command = ["process"]')),
    Hostile(
        "environment-reserved-name",
        "container.environment.BATCH_STEP",
        (('ENV = "Original env value."', 'BATCH_STEP = "x"'),),
    ),
    Hostile("environment-bad-name", "container.environment.1X", (('ENV = "Original env value."', '1X = "x"'),)),
    Hostile(
        "existing-network-bad-subnet",
        "network.subnet_ids[0]",
        (
            (
                "create_vpc = true",
                'create_vpc = false\nsubnet_ids = ["subnet-xyz"]\nsecurity_group_ids = ["sg-0123456789abcdef0"]',
            ),
        ),
    ),
)
