"""The checks of a shaped configuration: ranges, patterns, cross-field rules and name clashes.

:mod:`fargate_batch.config.loader` has already turned the TOML into the schema's dataclasses (known
keys, types, defaults); every value here is of its declared type. Limits and patterns live in
:mod:`fargate_batch.config.rules`; each problem is added with its field path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fargate_batch.config import limits, names, rules, sizes
from fargate_batch.config.problems import Problems
from fargate_batch.config.schema import (
    ActivityConfig,
    BackendConfig,
    NetworkConfig,
    PipelineConfig,
    ProjectConfig,
    RetryConfig,
    TriggerConfig,
)


def check_config(config: ProjectConfig, problems: Problems) -> None:
    """Add every problem of ``config`` to ``problems``."""
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
    for message in limits.region_problems(config.region):
        add("region", message)
    _check_tags(config.tags, problems)

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
        _check_zone_ids(network, problems)
        if network.existing_subnets_reach_internet:
            add(
                "network.existing_subnets_reach_internet",
                "applies to existing subnet_ids only; the new VPC reaches the internet through "
                'nat = "single" or "per_zone"',
            )
    else:
        for key, value, fix in (
            ("nat", network.nat != "none", "an existing VPC's routes are yours; remove nat"),
            ("availability_zone_ids", bool(network.availability_zone_ids), "existing subnets are in their zones"),
        ):
            if value:
                add(f"network.{key}", f"applies to create_vpc = true only: {fix}")
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
    if config.logging.retention_days not in rules.LOG_RETENTION_DAYS:
        add(
            "logging.retention_days",
            f"{config.logging.retention_days!r} is not a CloudWatch Logs retention; use one of "
            f"{', '.join(map(str, rules.LOG_RETENTION_DAYS))} (logs that never expire are refused on purpose)",
        )
    _check_environment("container.environment", container.environment, problems)
    for i, address in enumerate(config.alerts.email_subscriptions):
        if not rules.EMAIL_PATTERN.match(address):
            add(f"alerts.email_subscriptions[{i}]", f"{address!r} is not an e-mail address")
    _check_backend(config.backend, problems)
    _check_notify(config, problems)

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
    _check_name_limits(config, problems)
    _check_sizes(config, problems)


def _check_unique(path: str, names: list[str], problems: Problems) -> None:
    for index, name in enumerate(names):
        if name in names[:index]:
            problems.add(f"{path}[{index}].name", f"{name!r} is used twice in {path}; names must be unique")


def _check_derived_names(config: ProjectConfig, problems: Problems) -> None:
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
            workflow_names = names.workflow_names(kind, prefix, workflow)
            aws_names = workflow_names.aws_names()
            construct_ids = [
                f"{rules.CONSTRUCT_ID_PREFIXES[kind]}{workflow.name}{suffix}"
                for suffix in rules.CONSTRUCT_ID_SUFFIXES[kind]
            ]
            made = [
                *(("aws", name.casefold(), name) for name in aws_names),
                # ECS compares families exactly; a family only clashes with another family.
                *(("family", family, family) for family in workflow_names.families()),
                *(("id", cid, cid) for cid in construct_ids),
            ]
            for namespace, key, name in made:
                other, other_name = owners.setdefault((namespace, key), (owner, name))
                if other == owner:
                    continue
                what = {"id": "the construct id", "family": "the task definition family"}.get(namespace, "the AWS name")
                case_note = (
                    f" as {other_name!r}, and AWS compares IAM role names ignoring case" if other_name != name else ""
                )
                problems.add(
                    f"{kind}[{index}].name",
                    f"{workflow.name!r} makes {what} {name!r}, which {other} already makes{case_note}; "
                    "rename one of them",
                )
                break


def _check_name_limits(config: ProjectConfig, problems: Problems) -> None:
    """Every AWS name the configuration makes fits what AWS accepts for its kind (limits.NAME_LIMITS).

    Names that could outgrow a length are shortened in names.py; what is left are names AWS reserves or
    refuses (a schedule group 'default', security groups 'sg-...', bucket prefixes S3 reserves, repository
    names below ECR's minimum). Checked only for names whose own pattern and length checks passed, so one
    mistake gets one message.
    """
    prefix = config.name_prefix
    if not rules.NAME_PREFIX_PATTERN.match(prefix) or len(prefix) > rules.NAME_PREFIX_MAX:
        return
    _add_name_limit_problems("name_prefix", prefix, names.SharedNames(prefix).resources(), problems)
    for kind in ("pipelines", "triggers", "activities"):
        for index, workflow in enumerate(getattr(config, kind)):
            if rules.check_name(workflow.name, rules.WORKFLOW_NAME_MAX, ""):
                continue
            made = names.workflow_names(kind, prefix, workflow).resources()
            _add_name_limit_problems(f"{kind}[{index}].name", workflow.name, made, problems)


def _add_name_limit_problems(path: str, value: str, made, problems: Problems) -> None:
    reported: set[str] = set()
    for kind, name in made:
        limit = limits.NAME_LIMITS[kind]
        for message in limits.name_problems(kind, name):
            if message in reported:
                continue
            reported.add(message)
            problems.add(
                path,
                f"{value!r} makes the {limit.what} {name!r}, and that name {message}; choose another "
                f"{path.split('.')[-1]} "
                f"({limit.doc})",
            )


def _check_tags(tags: Mapping[str, str], problems: Problems) -> None:
    """[tags] become the provider's default tags: every resource of the stack carries all of them.

    AWS's rules: limits.TAGS_PER_RESOURCE_MAX, TAG_KEY_MAX, TAG_VALUE_MAX, the character set and the aws:
    prefix (limits.TAG_DOC). Task definitions, and the tasks they tag, also carry the run tags
    (names.RUN_TAG_KEYS), whose keys are the project's.
    """
    add = problems.add
    room = limits.TAGS_PER_RESOURCE_MAX - len(names.RUN_TAG_KEYS)
    if len(tags) > room:
        add(
            "tags",
            f"has {len(tags)} tags; an AWS resource takes at most {limits.TAGS_PER_RESOURCE_MAX}, and every task "
            f"definition and task also carries the {len(names.RUN_TAG_KEYS)} run tags "
            f"({', '.join(names.RUN_TAG_KEYS)}): keep at most {room} ({limits.TAG_DOC})",
        )
    for key in tags:
        if key.lower().startswith(names.RUN_TAG_PREFIX):
            add(
                f"tags.{key}",
                f"the tag key starts with {names.RUN_TAG_PREFIX!r}, which fargate-batch sets itself on every task "
                f"({', '.join(names.RUN_TAG_KEYS)}: environment, workflow and step, for cost allocation); "
                "use another key",
            )
    for key, value in tags.items():
        path = f"tags.{key}" if key else "tags"
        if not key:
            add(path, "has an empty tag key; tag keys have 1-128 characters")
            continue
        for what, text, longest in (("key", key, limits.TAG_KEY_MAX), ("value", value, limits.TAG_VALUE_MAX)):
            if len(text) > longest:
                add(path, f"the tag {what} has {len(text)} characters; tag {what}s have at most {longest}")
            refused = sorted({character for character in text if limits.tag_character_refused(character)})
            if refused:
                add(
                    path,
                    f"the tag {what} {text!r} has {', '.join(map(repr, refused))}, which AWS refuses in tags; "
                    "tags take letters, digits, spaces and _ . : / = + - @",
                )
            if text.lower().startswith(limits.TAG_RESERVED_PREFIX):
                add(path, f"the tag {what} starts with {text[:4]!r}; the 'aws:' prefix is reserved for AWS; rename it")


def _check_sizes(config: ProjectConfig, problems: Problems) -> None:
    """Requests AWS limits by size: RunTask overrides, a pipeline's definition, the task definition,
    the trigger rule's description and event pattern."""
    add = problems.add
    overrides_max = limits.RUN_TASK_OVERRIDES_MAX_CHARACTERS
    overrides_doc = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html"
    for i, pipeline in enumerate(config.pipelines):
        for j, step in enumerate(pipeline.steps):
            size = sizes.step_overrides_characters(pipeline.name, step.name, step.command, step.environment)
            if size > overrides_max:
                add(
                    f"pipelines[{i}].steps[{j}]",
                    f"the step's command and environment make RunTask overrides of about {size} characters; ECS "
                    f"takes at most {overrides_max}, JSON included ({overrides_doc}); pass large values through "
                    "S3 or the container's [container.environment] instead",
                )
        policy = sizes.run_task_role_policy_characters(config.name_prefix, pipeline.name, pipeline.steps)
        if policy > limits.IAM_ROLE_POLICY_MAX_CHARACTERS:
            add(
                f"pipelines[{i}].steps",
                f"{len(pipeline.steps)} steps each have their own task definition (for per-step cost tags), and the "
                f"pipeline's run-task role may run each by name: its policy would be about {policy} characters, and "
                f"IAM takes at most {limits.IAM_ROLE_POLICY_MAX_CHARACTERS} per role "
                "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); split the pipeline "
                "in two, or shorten its name and its steps' names",
            )
        definition = sizes.pipeline_definition_characters(pipeline.name, pipeline.steps)
        if definition > limits.STATE_MACHINE_DEFINITION_MAX_CHARACTERS:
            add(
                f"pipelines[{i}].steps",
                f"{len(pipeline.steps)} steps with their commands and environments make a state machine definition "
                f"of about {definition} characters; Step Functions takes at most "
                f"{limits.STATE_MACHINE_DEFINITION_MAX_CHARACTERS}; split the pipeline or shorten the steps",
            )
    shared = names.SharedNames(config.name_prefix)
    bucket = shared.data_bucket(names.EXAMPLE_ACCOUNT_ID)
    dead_letter_policy = sizes.trigger_dead_letter_policy_bytes(
        shared.trigger_dead_letter_queue,
        [names.TriggerNames(config.name_prefix, t.name).event_rule for t in config.triggers],
    )
    if config.triggers and dead_letter_policy > limits.SQS_POLICY_MAX_BYTES:
        add(
            "triggers",
            f"{len(config.triggers)} triggers: their rules share one dead-letter queue whose policy names each rule, "
            f"about {dead_letter_policy} bytes; SQS takes at most {limits.SQS_POLICY_MAX_BYTES} "
            "(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html); "
            "shorten the triggers' names, or split the triggers across two environments (configuration files)",
        )
    trigger_policy = sizes.trigger_task_role_policy_characters(bucket, config.triggers)
    if config.triggers and trigger_policy > limits.IAM_ROLE_POLICY_MAX_CHARACTERS:
        add(
            "triggers",
            f"{len(config.triggers)} triggers: the triggered task's role may read the objects under each prefix, and "
            f"its policies would be about {trigger_policy} characters; IAM takes at most "
            f"{limits.IAM_ROLE_POLICY_MAX_CHARACTERS} per role "
            "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); shorten the prefixes, "
            "or split the triggers across two environments (configuration files)",
        )
    for i, trigger in enumerate(config.triggers):
        size = sizes.trigger_overrides_characters(trigger.name, trigger.command, trigger.environment, bucket)
        if size > overrides_max:
            add(
                f"triggers[{i}]",
                f"with an object key of {limits.S3_OBJECT_KEY_MAX_BYTES} characters (the longest S3 allows), the "
                f"command and environment make RunTask overrides of about {size} characters; ECS takes at most "
                f"{overrides_max} ({overrides_doc}); shorten the environment or use "
                f"{rules.KEY_PLACEHOLDER} fewer times",
            )
        key_bytes = len((trigger.prefix + trigger.suffix).encode())
        if key_bytes > limits.S3_OBJECT_KEY_MAX_BYTES:
            add(
                f"triggers[{i}].prefix",
                f"prefix and suffix together are {key_bytes} bytes; an S3 object key has at most "
                f"{limits.S3_OBJECT_KEY_MAX_BYTES}, so no object could ever match",
            )
            continue
        rule = names.TriggerNames(config.name_prefix, trigger.name).event_rule
        description = sizes.object_created_rule_description_characters(trigger.prefix, trigger.suffix, rule)
        if description > limits.EVENT_RULE_DESCRIPTION_MAX:
            add(
                f"triggers[{i}].prefix",
                f"prefix and suffix ({len(trigger.prefix)} + {len(trigger.suffix)} characters) make the rule "
                f"description {description} characters long; EventBridge takes at most "
                f"{limits.EVENT_RULE_DESCRIPTION_MAX}; shorten them",
            )
        pattern = sizes.object_created_pattern_characters(trigger.prefix, trigger.suffix, bucket)
        if pattern > limits.EVENT_PATTERN_MAX:
            add(
                f"triggers[{i}].prefix",
                f"prefix and suffix make the rule's event pattern {pattern} characters long; EventBridge takes at "
                f"most {limits.EVENT_PATTERN_MAX}; shorten them",
            )
    environment_bytes = sizes.task_definition_environment_bytes(config.container.environment)
    room = limits.TASK_DEFINITION_MAX_BYTES - sizes.TASK_DEFINITION_REST_BYTES
    if environment_bytes > room:
        add(
            "container.environment",
            f"is {environment_bytes} bytes as JSON; with the rest of the task definition it must stay below "
            f"{limits.TASK_DEFINITION_MAX_BYTES} bytes, so at most {room}; pass large values through S3",
        )


def _check_zone_ids(network: NetworkConfig, problems: Problems) -> None:
    ids = network.availability_zone_ids
    if not ids:
        return
    for i, zone_id in enumerate(ids):
        for message in rules.check_availability_zone_id(zone_id):
            problems.add(f"network.availability_zone_ids[{i}]", message)
    _check_unique_values("network.availability_zone_ids", ids, "a zone holds one subnet", problems)
    if len(set(ids)) < network.az_count:
        problems.add(
            "network.availability_zone_ids",
            f"{len(set(ids))} distinct zone id(s) for az_count = {network.az_count}; give at least as many zone "
            "ids as subnets, or lower az_count",
        )


def _check_unique_values(path: str, values: tuple[str, ...], why: str, problems: Problems) -> None:
    for index, value in enumerate(values):
        if value in values[:index]:
            problems.add(f"{path}[{index}]", f"{value!r} is given twice; {why}")


def _notify_commands(config: ProjectConfig) -> list[tuple[str, Mapping[str, str]]]:
    """The commands that run ``notify``: each one's field path and its own environment (beside the container's)."""
    found = [
        (f"pipelines[{i}].steps[{j}].command", step.environment)
        for i, pipeline in enumerate(config.pipelines)
        for j, step in enumerate(pipeline.steps)
        if rules.uses_notify(step.command)
    ]
    found += [
        (f"triggers[{i}].command", trigger.environment)
        for i, trigger in enumerate(config.triggers)
        if rules.uses_notify(trigger.command)
    ]
    return found


def _check_notify(config: ProjectConfig, problems: Problems) -> None:
    """``notify`` posts to a Slack webhook on the internet: the tasks need a route there and the webhook's URL.

    A new VPC has no internet route unless ``nat`` adds one, and AWS offers no VPC endpoint for Slack, so
    without egress the command can only time out. An existing VPC's routes are unknown here: its owner
    vouches for them with ``existing_subnets_reach_internet``.
    """
    network = config.network
    parameter = network.notify_webhook_parameter
    if parameter:
        for message in rules.check_ssm_parameter_name(parameter):
            problems.add("network.notify_webhook_parameter", message)
    if network.notify_webhook_kms_key_arn:
        if not parameter:
            problems.add(
                "network.notify_webhook_kms_key_arn",
                "is the key of the webhook's parameter; set notify_webhook_parameter too, or remove it",
            )
        for message in rules.check_kms_key_arn(network.notify_webhook_kms_key_arn, config.region):
            problems.add("network.notify_webhook_kms_key_arn", message)
    users = _notify_commands(config)
    if (users or parameter) and not network.has_internet_egress:
        if network.create_vpc:
            reason = 'the new VPC has no route to the internet ([network] nat = "none")'
            fix = 'set [network] nat = "single" (one NAT gateway, billed per hour and per GB) or "per_zone"'
        else:
            reason = "the existing subnets are not known to reach the internet"
            fix = (
                "if they route to it (a NAT gateway, or public subnets with assign_public_ip = true), set "
                "[network] existing_subnets_reach_internet = true"
            )
        what = (
            "notify posts to a Slack webhook on the internet"
            if users
            else "the webhook is read by notify, which posts to Slack on the internet"
        )
        for path in [path for path, _ in users] or ["network.notify_webhook_parameter"]:
            problems.add(
                path,
                f"{what}, but {reason}, so it could only time out; {fix}, or send alerts to Slack "
                "without egress: AWS Chatbot subscribed to the alert topic (README, Alerts)",
            )
    if parameter or "SLACK_WEBHOOK_URL" in config.container.environment:
        return
    for path, environment in users:
        if "SLACK_WEBHOOK_URL" not in environment:
            problems.add(
                path,
                "notify needs the webhook's URL: set [network] notify_webhook_parameter to the name of the SSM "
                "parameter that holds it (the task then may read exactly that parameter)",
            )


def _check_environment(path: str, environment: Mapping[str, str], problems: Problems) -> None:
    for name in environment:
        if not rules.ENV_NAME_PATTERN.match(name):
            problems.add(f"{path}.{name}", "is not a valid environment variable name; use letters, digits and '_'")
        elif name == rules.WEBHOOK_PARAMETER_ENV:
            problems.add(
                f"{path}.{name}",
                "set [network] notify_webhook_parameter instead: it sets this variable and lets the tasks that "
                "may notify read exactly that parameter (ssm:GetParameter), which a variable alone does not",
            )
        elif name in rules.RESERVED_ENV_VARS:
            problems.add(
                f"{path}.{name}",
                f"is set by fargate-batch itself ({rules.RESERVED_ENV_VARS[name]}), so this value would be "
                "replaced; use another name",
            )


def _check_retry(path: str, retry, problems: Problems) -> None:
    add = problems.add
    for message in rules.check_in_range(retry.interval_seconds, 1, 99_999_999, "ASL IntervalSeconds"):
        add(f"{path}.interval_seconds", message)
    if retry.backoff_rate < 1.0:
        add(f"{path}.backoff_rate", f"{retry.backoff_rate!r} is below 1.0; ASL BackoffRate must be at least 1.0")
    for message in rules.check_in_range(retry.max_attempts, 0, rules.RETRY_MAX_ATTEMPTS_MAX, "ASL MaxAttempts"):
        add(f"{path}.max_attempts", message)
    for message in rules.check_in_range(retry.max_delay_seconds, 1, 31_622_400, "ASL MaxDelaySeconds"):
        add(f"{path}.max_delay_seconds", message)
    if retry.max_delay_seconds < retry.interval_seconds:
        add(
            f"{path}.max_delay_seconds",
            f"{retry.max_delay_seconds} is below interval_seconds ({retry.interval_seconds}); raise it",
        )
    elif retry.backoff_rate >= 1.0 and rules.task_timeout_max_seconds(retry) < 1:
        add(
            f"{path}.max_attempts",
            f"{retry.max_attempts} launch retries can take {rules.retrier_budget_seconds(retry)} s in all (their "
            f"waits and {rules.FAILED_ATTEMPT_ALLOWANCE_SECONDS} s per failed attempt), which with the fixed ECS "
            "throttling and nested-start retries leaves no time for the task within one year "
            f"({rules.STANDARD_EXECUTION_MAX_SECONDS} s), the longest a Step Functions standard execution runs; "
            f"lower max_attempts to at most {rules.launch_attempts_max(retry)} (with this interval_seconds, "
            "backoff_rate and max_delay_seconds), or lower max_delay_seconds",
        )


def _check_task_timeout(
    path: str, timeout_seconds: int, retry: RetryConfig, retry_path: str, problems: Problems
) -> None:
    """One task's timeout: at least a second, and with its retries within one standard execution."""
    limit = rules.task_timeout_max_seconds(retry)
    if 1 <= timeout_seconds <= limit or limit < 1:  # a retry that alone outlasts a year is _check_retry's
        return
    if timeout_seconds < 1:
        problems.add(path, f"{timeout_seconds!r} is below 1; a task needs at least a second (default 3600, one hour)")
        return
    problems.add(
        path,
        f"{timeout_seconds!r} is outside 1-{limit}: the task's timeout plus its launch retries "
        f"({rules.launch_retry_budget_seconds(retry)} s with {retry_path} and the ECS throttling retries), the "
        f"nested-start retries ({rules.retrier_budget_seconds(rules.NESTED_START_THROTTLING_RETRY)} s) and the "
        f"timeouts' margins ({2 * rules.TIMEOUT_MARGIN_SECONDS} s) must stay below one year "
        f"({rules.STANDARD_EXECUTION_MAX_SECONDS} s), the longest a Step Functions standard execution runs (a "
        f"retry budget counts its waits and {rules.FAILED_ATTEMPT_ALLOWANCE_SECONDS} s per failed attempt); lower "
        f"timeout_seconds, or {retry_path}.max_attempts or max_delay_seconds",
    )


def _check_pipeline_fits_one_execution(path: str, pipeline: PipelineConfig, problems: Problems) -> None:
    """The steps run in series in one parent execution, which must end within a year too.

    Only checked when every step fits on its own (each one's own problem says more).
    """
    limit = rules.task_timeout_max_seconds(pipeline.retry)
    if len(pipeline.steps) < 2 or not all(1 <= step.timeout_seconds <= limit for step in pipeline.steps):
        return
    timeouts = [step.timeout_seconds for step in pipeline.steps]
    total = rules.execution_timeout_seconds(timeouts, pipeline.retry)
    if total < rules.STANDARD_EXECUTION_MAX_SECONDS:
        return
    per_step = rules.step_overhead_seconds(pipeline.retry)
    room = rules.STANDARD_EXECUTION_MAX_SECONDS - 1 - (total - sum(timeouts))
    problems.add(
        f"{path}.steps",
        f"the steps' timeout_seconds ({' + '.join(map(str, timeouts))}) plus {per_step} s of launch and "
        f"nested-start retries and timeout margin per step and {rules.TIMEOUT_MARGIN_SECONDS} s for the pipeline "
        f"add up to {total} s; the steps run in series in one execution, which must end within one year "
        f"({rules.STANDARD_EXECUTION_MAX_SECONDS} s); lower the steps' timeout_seconds to at most {room} s together",
    )


def _check_pipeline(path: str, pipeline: PipelineConfig, problems: Problems) -> None:
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
        _check_task_timeout(
            f"{path}.steps[{j}].timeout_seconds", step.timeout_seconds, pipeline.retry, f"{path}.retry", problems
        )
    _check_pipeline_fits_one_execution(path, pipeline, problems)
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


def _check_trigger(path: str, trigger: TriggerConfig, problems: Problems) -> None:
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
    _check_task_timeout(f"{path}.timeout_seconds", trigger.timeout_seconds, trigger.retry, f"{path}.retry", problems)
    _check_retry(f"{path}.retry", trigger.retry, problems)


def _check_trigger_overlaps(triggers: tuple[TriggerConfig, ...], problems: Problems) -> None:
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


def _check_activity(path: str, activity: ActivityConfig, problems: Problems) -> None:
    add = problems.add
    for message in rules.check_name(activity.name, rules.WORKFLOW_NAME_MAX, "it is part of activity and service names"):
        add(f"{path}.name", message)
    for message in rules.check_in_range(activity.heartbeat_seconds, 1, 99_999_999, "ASL HeartbeatSeconds"):
        add(f"{path}.heartbeat_seconds", message)
    longest = rules.activity_timeout_max_seconds()
    if not 1 <= activity.timeout_seconds <= longest:
        deliveries = rules.activity_deliveries()
        add(
            f"{path}.timeout_seconds",
            f"{activity.timeout_seconds!r} is outside 1-{longest}: a job is delivered up to {deliveries} times (a "
            "worker that stops heart-beating hands it to the next), each delivery may run to this timeout, and all "
            f"of them must end within one year ({rules.STANDARD_EXECUTION_MAX_SECONDS} s), the longest a Step "
            "Functions standard execution runs; lower timeout_seconds",
        )
    if activity.timeout_seconds <= activity.heartbeat_seconds:
        add(
            f"{path}.timeout_seconds",
            f"{activity.timeout_seconds} is not above heartbeat_seconds ({activity.heartbeat_seconds}); "
            "a heartbeat must be able to arrive before the timeout",
        )
    for message in rules.check_in_range(activity.worker_desired_count, 0, 10, "workers in the service"):
        add(f"{path}.worker_desired_count", message)


def _check_backend(backend: BackendConfig, problems: Problems) -> None:
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
        if backend.bucket:
            for message in limits.name_problems("s3_bucket", backend.bucket):
                add("backend.bucket", f"{backend.bucket!r} {message} ({limits.NAME_LIMITS['s3_bucket'].doc})")
        if backend.region:
            for message in limits.region_problems(backend.region):
                add("backend.region", message)
        if backend.kms_key_id:
            for message in limits.kms_key_problems(backend.kms_key_id, backend.region):
                add("backend.kms_key_id", message)
    if backend.type == "cloud":
        if not backend.organization:
            add("backend.organization", "is required for the cloud backend")
        if bool(backend.workspace) == bool(backend.workspace_tags):
            add("backend", "the cloud backend needs exactly one of workspace (one per environment) or workspace_tags")
