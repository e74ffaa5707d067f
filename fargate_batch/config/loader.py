"""Load ``config/<env>.toml`` into :class:`ProjectConfig`, reporting every problem at once.

Two passes: the shape (known keys, types, required fields) is read generically from the schema's
dataclasses; then the rules of :mod:`fargate_batch.config.rules` check values against AWS limits.
A problem is one line: ``field.path: what is wrong; what is allowed / the fix``.
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import math
import os
import re
import stat
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from fargate_batch.config import names, rules
from fargate_batch.config.schema import (
    ActivityConfig,
    BackendConfig,
    PipelineConfig,
    ProjectConfig,
    TriggerConfig,
)

_MISSING = object()


class ConfigError(ValueError):
    """Every problem of one configuration file; ``str()`` is one problem per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Problems(list):
    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}" if path else message)


def _type_name(annotation) -> str:
    origin = typing.get_origin(annotation)
    if annotation is str:
        return "a string"
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "a whole number"
    if annotation is float:
        return "a number"
    if origin is tuple:
        return "a list"
    if origin in (Mapping, dict) or annotation is Mapping:
        return "a table of strings"
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if dataclasses.is_dataclass(annotation):
        return "a table"
    return str(annotation)


def _convert(value, annotation, path: str, problems: _Problems):
    """``value`` as ``annotation``, or _MISSING after recording a problem."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _convert(value, options[0], path, problems)
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, dict):
            problems.add(path, f"{value!r} is not a table; write [{path.split('.')[-1]}] with keys")
            return _MISSING
        return _build(annotation, value, path, problems)
    if origin is tuple:
        if not isinstance(value, list):
            problems.add(path, f"{value!r} is not a list; write [ ... ]")
            return _MISSING
        (item_type, _ellipsis) = typing.get_args(annotation)
        items = [_convert(item, item_type, f"{path}[{i}]", problems) for i, item in enumerate(value)]
        return _MISSING if _MISSING in items else tuple(items)
    if origin is Mapping or annotation is Mapping:
        if not isinstance(value, dict):
            problems.add(path, f'{value!r} is not a table; write {{ NAME = "value" }}')
            return _MISSING
        bad = {k: v for k, v in value.items() if not isinstance(v, str)}
        for key, item in bad.items():
            problems.add(f"{path}.{key}", f'{item!r} is not a string; quote it: "{item}"')
        return _MISSING if bad else MappingProxyType(dict(value))
    if origin is typing.Literal:
        allowed = typing.get_args(annotation)
        if value not in allowed:
            problems.add(
                path,
                f"{value!r} is not allowed; use one of {', '.join(map(repr, allowed))}"
                f"{rules.suggest(str(value), allowed)}",
            )
            return _MISSING
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is float and isinstance(value, float) and not math.isfinite(value):
        # TOML has nan and inf; every range check passes nan, and AWS takes neither.
        problems.add(path, f"{value!r} is not a finite number; a finite number is required here, e.g. 2.0")
        return _MISSING
    if (annotation in (int, float) and isinstance(value, bool)) or not isinstance(value, annotation):
        problems.add(path, f"{value!r} is not {_type_name(annotation)}")
        return _MISSING
    return value


def _build(cls, table: dict, path: str, problems: _Problems):
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in table:
        if key not in fields:
            where = f"{path}.{key}" if path else key
            hint = (
                "; credentials never go in configuration files: use `terraform login` or TF_TOKEN_app_terraform_io"
                if key in ("token", "access_key", "secret_key", "password")
                else rules.suggest(key, fields)
            )
            problems.add(where, f"unknown key; allowed keys here: {', '.join(sorted(fields))}{hint}")
    kwargs = {}
    before = len(problems)
    for name, field in fields.items():
        where = f"{path}.{name}" if path else name
        if name not in table:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                problems.add(where, f"is required ({_type_name(hints[name])})")
            continue
        converted = _convert(table[name], hints[name], where, problems)
        if converted is not _MISSING:
            kwargs[name] = converted
    if len(problems) > before:
        return _MISSING
    return cls(**kwargs)


def _check_values(config: ProjectConfig, problems: _Problems) -> None:
    add = problems.add
    if not rules.NAME_PREFIX_PATTERN.match(config.name_prefix):
        suggestion = re.sub(r"[^a-z0-9]+", "-", config.name_prefix.lower()).strip("-")
        add(
            "name_prefix",
            f"{config.name_prefix!r} is not allowed: it is also the ECR repository's name and starts the S3 data "
            "bucket's name, which take lowercase letters, digits and single '-' only"
            + (f"; e.g. {suggestion!r}" if suggestion else ""),
        )
    for message in rules.check_length(config.name_prefix, rules.NAME_PREFIX_MAX, "it starts every resource name"):
        add("name_prefix", message)
    if not rules.REGION_PATTERN.match(config.region):
        add("region", f"{config.region!r} is not an AWS region; use a code such as 'ap-northeast-1' or 'us-east-1'")
    for key, value in config.tags.items():
        if key.lower().startswith("aws:"):
            add(f"tags.{key}", "the 'aws:' prefix is reserved for AWS; rename the tag")
        if len(key) > 128 or len(value) > 256:
            add(f"tags.{key}", "tag keys are at most 128 characters and values at most 256")

    network = config.network
    if network.create_vpc:
        if network.subnet_ids or network.security_group_ids:
            add(
                "network",
                "create_vpc = true creates its own subnets and security group; "
                "remove subnet_ids and security_group_ids",
            )
        for message in rules.check_cidr(network.vpc_cidr):
            add("network.vpc_cidr", message)
        for message in rules.check_in_range(network.az_count, 1, 6, "subnets are spread over 1-6 availability zones"):
            add("network.az_count", message)
    else:
        if not network.subnet_ids or not network.security_group_ids:
            add("network", "give subnet_ids and security_group_ids of an existing VPC, or set create_vpc = true")
        for i, subnet in enumerate(network.subnet_ids):
            if not rules.SUBNET_PATTERN.match(subnet):
                add(f"network.subnet_ids[{i}]", f"{subnet!r} is not a subnet id such as 'subnet-0123456789abcdef0'")
        for i, group in enumerate(network.security_group_ids):
            if not rules.SECURITY_GROUP_PATTERN.match(group):
                add(
                    f"network.security_group_ids[{i}]",
                    f"{group!r} is not a security group id such as 'sg-0123456789abcdef0'",
                )

    container = config.container
    for message in rules.check_image_tag(container.image_tag):
        add("container.image_tag", message)
    for field, message in rules.check_fargate_size(container.cpu, container.memory_mib):
        add(f"container.{field}", message)
    for message in rules.check_in_range(container.keep_images, 1, 1000, "the ECR lifecycle policy keeps 1-1000 images"):
        add("container.keep_images", message)
    if container.log_retention_days not in rules.LOG_RETENTION_DAYS:
        add(
            "container.log_retention_days",
            f"{container.log_retention_days!r} is not a CloudWatch Logs retention; use one of "
            f"{', '.join(map(str, rules.LOG_RETENTION_DAYS))} (logs that never expire are refused on purpose)",
        )
    _check_environment("container.environment", container.environment, problems)
    for i, address in enumerate(config.alerts.email_subscriptions):
        if not rules.EMAIL_PATTERN.match(address):
            add(f"alerts.email_subscriptions[{i}]", f"{address!r} is not an e-mail address")
    _check_backend(config.backend, problems)

    if not (config.pipelines or config.triggers or config.activities):
        add("", "nothing to deploy: add at least one [[pipelines]], [[triggers]] or [[activities]]")
    _check_unique("pipelines", [p.name for p in config.pipelines], problems)
    _check_unique("triggers", [t.name for t in config.triggers], problems)
    _check_unique("activities", [a.name for a in config.activities], problems)
    for i, pipeline in enumerate(config.pipelines):
        _check_pipeline(f"pipelines[{i}]", pipeline, problems)
    for i, trigger in enumerate(config.triggers):
        _check_trigger(f"triggers[{i}]", trigger, problems)
    _check_trigger_overlaps(config.triggers, problems)
    for i, activity in enumerate(config.activities):
        _check_activity(f"activities[{i}]", activity, problems)
    _check_derived_names(config, problems)


def _check_unique(path: str, names: list[str], problems: _Problems) -> None:
    for index, name in enumerate(names):
        if name in names[:index]:
            problems.add(f"{path}[{index}].name", f"{name!r} is used twice in {path}; names must be unique")


def _check_derived_names(config: ProjectConfig, problems: _Problems) -> None:
    """Two workflows must not make the same AWS name or construct id (e.g. pipelines 'a' and 'a-run-task').

    Exact duplicates within a kind are reported by _check_unique; this catches the rest, which would
    otherwise stop synthesis with a construct error or fail an apply half-way.
    """
    prefix = config.name_prefix
    # (namespace, comparison key) -> (who makes it, the name as made)
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    for name, what in names.SharedNames(prefix).aws_names().items():
        owners[("aws", name.casefold())] = (what, name)
    for construct_id, what in rules.SHARED_CONSTRUCT_IDS.items():
        owners[("id", construct_id)] = (what, construct_id)
    for kind in ("pipelines", "triggers", "activities"):
        seen: set[str] = set()
        for index, workflow in enumerate(getattr(config, kind)):
            if workflow.name in seen:
                continue
            seen.add(workflow.name)
            owner = f"{kind}[{index}] ({workflow.name!r})"
            aws_names = names.workflow_names(kind, prefix, workflow.name).aws_names()
            construct_ids = [
                f"{rules.CONSTRUCT_ID_PREFIXES[kind]}{workflow.name}{suffix}"
                for suffix in rules.CONSTRUCT_ID_SUFFIXES[kind]
            ]
            made = [("aws", name.casefold(), name) for name in aws_names] + [("id", cid, cid) for cid in construct_ids]
            for namespace, key, name in made:
                other, other_name = owners.setdefault((namespace, key), (owner, name))
                if other == owner:
                    continue
                what = "the construct id" if namespace == "id" else "the AWS name"
                case_note = (
                    f" as {other_name!r}, and AWS compares IAM role names ignoring case" if other_name != name else ""
                )
                problems.add(
                    f"{kind}[{index}].name",
                    f"{workflow.name!r} makes {what} {name!r}, which {other} already makes{case_note}; "
                    "rename one of them",
                )
                break


def _check_environment(path: str, environment: Mapping[str, str], problems: _Problems) -> None:
    for name in environment:
        if not rules.ENV_NAME_PATTERN.match(name):
            problems.add(f"{path}.{name}", "is not a valid environment variable name; use letters, digits and '_'")
        elif name in rules.RESERVED_ENV_VARS:
            problems.add(
                f"{path}.{name}",
                f"is set by fargate-batch itself ({rules.RESERVED_ENV_VARS[name]}), so this value would be "
                "replaced; use another name",
            )


def _check_retry(path: str, retry, problems: _Problems) -> None:
    add = problems.add
    for message in rules.check_in_range(retry.interval_seconds, 1, 99_999_999, "ASL IntervalSeconds"):
        add(f"{path}.interval_seconds", message)
    if retry.backoff_rate < 1.0:
        add(f"{path}.backoff_rate", f"{retry.backoff_rate!r} is below 1.0; ASL BackoffRate must be at least 1.0")
    for message in rules.check_in_range(retry.max_attempts, 0, 99_999_999, "ASL MaxAttempts"):
        add(f"{path}.max_attempts", message)
    for message in rules.check_in_range(retry.max_delay_seconds, 1, 31_622_400, "ASL MaxDelaySeconds"):
        add(f"{path}.max_delay_seconds", message)
    if retry.max_delay_seconds < retry.interval_seconds:
        add(
            f"{path}.max_delay_seconds",
            f"{retry.max_delay_seconds} is below interval_seconds ({retry.interval_seconds}); raise it",
        )


def _check_pipeline(path: str, pipeline: PipelineConfig, problems: _Problems) -> None:
    add = problems.add
    for message in rules.check_name(
        pipeline.name, rules.WORKFLOW_NAME_MAX, "it is part of state machine and schedule names"
    ):
        add(f"{path}.name", message)
    if not pipeline.steps:
        add(f"{path}.steps", "the pipeline has no steps; add at least one [[pipelines.steps]] with name and command")
    _check_unique(f"{path}.steps", [s.name for s in pipeline.steps], problems)
    for j, step in enumerate(pipeline.steps):
        for message in rules.check_name(
            step.name, rules.STEP_NAME_MAX, "it names the step's state and its state 'Record failure of <step>'"
        ):
            add(f"{path}.steps[{j}].name", message)
        for message in rules.check_command(step.command):
            add(f"{path}.steps[{j}].command", message)
        _check_environment(f"{path}.steps[{j}].environment", step.environment, problems)
        for message in rules.check_in_range(step.expected_duration_seconds, 1, 1_209_600, "used for cost estimates"):
            add(f"{path}.steps[{j}].expected_duration_seconds", message)
    _check_retry(f"{path}.retry", pipeline.retry, problems)
    schedule = pipeline.schedule
    if schedule is not None:
        for message in rules.check_schedule_expression(schedule.expression):
            add(f"{path}.schedule.expression", message)
        for message in rules.check_time_zone(schedule.time_zone):
            add(f"{path}.schedule.time_zone", message)
        if schedule.flexible_window_minutes is not None:
            for message in rules.check_in_range(
                schedule.flexible_window_minutes, 1, 1440, "Scheduler's flexible window"
            ):
                add(f"{path}.schedule.flexible_window_minutes", message)
        for message in rules.check_in_range(
            schedule.retry_attempts, 0, 185, "Scheduler RetryPolicy MaximumRetryAttempts"
        ):
            add(f"{path}.schedule.retry_attempts", message)
        for message in rules.check_in_range(
            schedule.max_event_age_seconds, 60, 86_400, "Scheduler RetryPolicy MaximumEventAgeInSeconds"
        ):
            add(f"{path}.schedule.max_event_age_seconds", message)


def _check_trigger(path: str, trigger: TriggerConfig, problems: _Problems) -> None:
    add = problems.add
    for message in rules.check_name(
        trigger.name, rules.WORKFLOW_NAME_MAX, "it is part of state machine and rule names"
    ):
        add(f"{path}.name", message)
    if not trigger.prefix:
        add(
            f"{path}.prefix",
            "is empty; every object in the bucket would start a task. Use a folder such as 'incoming/'",
        )
    elif trigger.prefix.startswith("/"):
        add(
            f"{path}.prefix",
            f"{trigger.prefix!r} starts with '/'; S3 keys have no leading slash: {trigger.prefix.lstrip('/')!r}",
        )
    elif trigger.prefix.startswith(rules.TRIGGER_OUTPUT_PREFIX) or rules.TRIGGER_OUTPUT_PREFIX.startswith(
        trigger.prefix
    ):
        add(
            f"{path}.prefix",
            f"{trigger.prefix!r} overlaps {rules.TRIGGER_OUTPUT_PREFIX!r}, where triggered tasks write results; "
            "each result would start another task. Use another folder",
        )
    for message in rules.check_trigger_command(trigger.command):
        add(f"{path}.command", message)
    _check_environment(f"{path}.environment", trigger.environment, problems)
    _check_retry(f"{path}.retry", trigger.retry, problems)


def _check_trigger_overlaps(triggers: tuple[TriggerConfig, ...], problems: _Problems) -> None:
    for i, first in enumerate(triggers):
        for j in range(i + 1, len(triggers)):
            second = triggers[j]
            if not first.prefix or not second.prefix:
                continue
            prefixes_overlap = first.prefix.startswith(second.prefix) or second.prefix.startswith(first.prefix)
            suffixes_overlap = first.suffix.endswith(second.suffix) or second.suffix.endswith(first.suffix)
            if prefixes_overlap and suffixes_overlap:
                problems.add(
                    f"triggers[{j}].prefix",
                    f"{second.prefix!r} overlaps triggers[{i}] ({first.name}, {first.prefix!r}); one object would "
                    "start both. Make the prefixes disjoint or the suffixes distinct",
                )


def _check_activity(path: str, activity: ActivityConfig, problems: _Problems) -> None:
    add = problems.add
    for message in rules.check_name(activity.name, rules.WORKFLOW_NAME_MAX, "it is part of activity and service names"):
        add(f"{path}.name", message)
    for message in rules.check_in_range(activity.heartbeat_seconds, 1, 99_999_999, "ASL HeartbeatSeconds"):
        add(f"{path}.heartbeat_seconds", message)
    for message in rules.check_in_range(activity.timeout_seconds, 1, 99_999_999, "ASL TimeoutSeconds"):
        add(f"{path}.timeout_seconds", message)
    if activity.timeout_seconds <= activity.heartbeat_seconds:
        add(
            f"{path}.timeout_seconds",
            f"{activity.timeout_seconds} is not above heartbeat_seconds ({activity.heartbeat_seconds}); "
            "a heartbeat must be able to arrive before the timeout",
        )
    for message in rules.check_in_range(activity.worker_desired_count, 0, 10, "workers in the service"):
        add(f"{path}.worker_desired_count", message)


def _check_backend(backend: BackendConfig, problems: _Problems) -> None:
    add = problems.add
    fields_by_type = {
        "local": {"path"},
        "s3": {"bucket", "key", "region", "kms_key_id"},
        "cloud": {"organization", "workspace", "workspace_tags", "hostname"},
    }
    for name in sorted(set().union(*fields_by_type.values()) - fields_by_type[backend.type]):
        if getattr(backend, name):
            add(
                f"backend.{name}",
                f"does not apply to type {backend.type!r}; remove it (it belongs to another backend type)",
            )
    if backend.type == "s3":
        for name in ("bucket", "key", "region"):
            if not getattr(backend, name):
                add(f"backend.{name}", "is required for the s3 backend")
        if backend.bucket and not rules.BUCKET_PATTERN.match(backend.bucket):
            add(
                "backend.bucket",
                f"{backend.bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
            )
        if backend.region and not rules.REGION_PATTERN.match(backend.region):
            add("backend.region", f"{backend.region!r} is not an AWS region")
    if backend.type == "cloud":
        if not backend.organization:
            add("backend.organization", "is required for the cloud backend")
        if bool(backend.workspace) == bool(backend.workspace_tags):
            add("backend", "the cloud backend needs exactly one of workspace (one per environment) or workspace_tags")


# What a configuration path names when it is not a regular file, and why it is refused.
_NOT_A_FILE = (
    (stat.S_ISDIR, "is a directory; give a configuration file such as config/dev.toml"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file; give a configuration file such as config/dev.toml"),
    (stat.S_ISSOCK, "is a socket, not a regular file; give a configuration file such as config/dev.toml"),
    (stat.S_ISCHR, "is a character device, not a regular file; give a configuration file such as config/dev.toml"),
    (stat.S_ISBLK, "is a block device, not a regular file; give a configuration file such as config/dev.toml"),
)
# Files saved as UTF-16 or UTF-32 start with one of these; UTF-8's own mark is read and dropped.
_OTHER_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def _not_a_regular_file(mode: int) -> str:
    for is_kind, message in _NOT_A_FILE:
        if is_kind(mode):
            return message
    return "is not a regular file; give a configuration file such as config/dev.toml"


def _cannot_open(path: Path, error: OSError) -> str:
    if error.errno == errno.ENOENT:
        if path.is_symlink():
            return (
                f"is a symbolic link to {os.readlink(path)!r}, which does not exist; point it at a configuration file"
            )
        return "no such configuration file; create it (see config/dev.toml)"
    if error.errno == errno.ELOOP:
        return "is a symbolic link loop (its links lead back to themselves, never to a file); point it at a file"
    if error.errno == errno.ENOTDIR:
        return "part of the path is a file, not a directory; check the path"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"cannot be read ({error.strerror}); check its permissions"
    return f"cannot be read ({error.strerror})"


def _read_text(path: Path) -> str:
    """The file's text; anything but a readable regular UTF-8 file is one line, never a hang or a traceback."""
    try:
        # stat, not open: opening a named pipe waits for a writer, for ever.
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise ConfigError([f"{path}: {_not_a_regular_file(mode)}"])
        # Non-blocking, and checked again on the open file: a path swapped for a pipe after the stat
        # must not hang either. O_NONBLOCK changes nothing for a regular file.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise ConfigError([f"{path}: {_not_a_regular_file(mode)}"])
            data = file.read()
    except OSError as error:
        raise ConfigError([f"{path}: {_cannot_open(path, error)}"]) from None
    # Windows editors save a UTF-8 byte-order mark; TOML would call it an invalid statement at line 1.
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    for mark, encoding in _OTHER_BOMS.items():
        if data.startswith(mark):
            raise ConfigError(
                [f"{path}: is {encoding} text (it starts with a {encoding} byte-order mark); save it as UTF-8"]
            )
    try:
        return data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            [f"{path}: is not UTF-8 text (at byte offset {len(bom) + error.start}); save the file as UTF-8"]
        ) from None


def claim_stack(path: str | Path, claimed: dict[str, Path]) -> None:
    """Refuse ``path`` when an earlier file of the same run names the same stack; else record it in ``claimed``.

    The file name is the environment and the stack (see load_config); two stacks of one name stop the
    app in jsii with a traceback about construct ids.
    """
    path = Path(path)
    environment = path.stem
    if not environment:
        return
    earlier = claimed.setdefault(environment, path)
    if earlier is path:
        return
    try:
        same_file = os.path.samefile(earlier, path)
    except OSError:
        same_file = False
    if same_file:
        raise ConfigError([f"{path}: is {earlier} given a second time; give each configuration file once"])
    raise ConfigError(
        [
            f"{path}: names the stack 'fargate-batch-{environment}', as {earlier} does (a file's name is its "
            "environment); give one file per environment, or rename one of them"
        ]
    )


def load_config(path: str | Path) -> ProjectConfig:
    """Parse and validate one configuration file; raises ConfigError listing every problem."""
    if not str(path).strip():
        # Path("") is the current directory, which would be reported as "is a directory".
        raise ConfigError(
            [
                "the configuration path is empty (an empty entry in a comma-separated list?); "
                "give a file such as config/dev.toml"
            ]
        )
    path = Path(path)
    try:
        table = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None
    problems = _Problems()
    if not rules.ENVIRONMENT_PATTERN.match(path.stem):
        problems.add(
            "",
            f"the file name {path.name!r} names the environment {path.stem!r} and the stack "
            f"'fargate-batch-{path.stem}'; use lowercase letters, digits, '-' and '_' (e.g. config/staging.toml)",
        )
    table = {"environment": path.stem, **table}
    config = _build(ProjectConfig, table, "", problems)
    if config is not _MISSING:
        _check_values(config, problems)
    if problems:
        raise ConfigError([f"{path}: {p}" for p in problems])
    return config


def config_paths(value: str) -> list[str]:
    """The files a ``FARGATE_BATCH_CONFIG``-style list names: comma-separated, spaces and empty entries ignored
    (``config/dev.toml,`` is one file, not a file and a directory)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def load_configs(paths: Iterable[str | Path]) -> list[ProjectConfig]:
    """Load the files of one app: every problem of every file at once, and no two files for one stack."""
    problems: list[str] = []
    configs: list[ProjectConfig] = []
    claimed: dict[str, Path] = {}
    for path in paths:
        try:
            claim_stack(path, claimed)
            configs.append(load_config(path))
        except ConfigError as error:
            problems += error.problems
    if problems:
        raise ConfigError(problems)
    return configs
