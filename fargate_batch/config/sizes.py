"""How big the requests a configuration makes can get, counted the way AWS counts them (limits in limits.py).

The stack builds these requests in ``modules/`` (which the configuration layer may not import); the
shapes below follow them, and ``tests/fargate_batch/config/test_sizes.py`` renders the real ones from
``modules/`` and checks that these counts are never below them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from fargate_batch.config import limits, rules


def _compact(value) -> int:
    """Characters of ``value`` as compact JSON, non-ASCII counted as one character each (AWS counts characters)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def run_task_overrides_characters(command: list[str], environment: Mapping[str, str]) -> int:
    """Characters of RunTask's ``overrides`` for one container run with ``command`` and ``environment``.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-overrides
    The container's name is counted at its longest (limits.ECS_CONTAINER_NAME_MAX).
    """
    overrides = {
        "containerOverrides": [
            {
                "name": "n" * limits.ECS_CONTAINER_NAME_MAX,
                "command": command,
                "environment": [{"name": name, "value": value} for name, value in sorted(environment.items())],
            }
        ]
    }
    return _compact(overrides)


def step_overrides_characters(
    pipeline: str, step: str, command: tuple[str, ...], environment: Mapping[str, str]
) -> int:
    variables = {**environment, "BATCH_PIPELINE": pipeline, "BATCH_STEP": step}
    return run_task_overrides_characters(list(command), variables)


def trigger_overrides_characters(
    trigger: str, command: tuple[str, ...], environment: Mapping[str, str], data_bucket: str
) -> int:
    """A triggered task's overrides for the longest object key S3 allows: ``{key}`` in the command and the
    OBJECT_KEY variable become that key (limits.S3_OBJECT_KEY_MAX_BYTES characters, one byte each)."""
    key = "k" * limits.S3_OBJECT_KEY_MAX_BYTES
    variables = {**environment, "BATCH_TRIGGER": trigger, "DATA_BUCKET": data_bucket, "OBJECT_KEY": key}
    return run_task_overrides_characters([argument.replace("{key}", key) for argument in command], variables)


# The pipeline's state machine definition is rendered with json.dumps(indent=2) (modules/state_machine.py)
# and holds each step's input (command and environment) once, nested a few levels deep, besides the
# step's own states (the nested start, its retrier and catch, the failure record). Measured on
# modules/pipeline_state_machine.pipeline_definition: about 1,500 characters per step and 7 per character of
# the step's name, 2,400 for the rest; the margins below are above those, and test_sizes.py checks it.
_DEFINITION_BASE = 6_000
_DEFINITION_PER_STEP = 2_000
_DEFINITION_PER_STEP_NAME_CHARACTER = 10
_DEFINITION_INDENT_PER_LINE = 14


def longest_task_definition_arn(pipeline: str, step: str) -> str:
    """The longest ARN a step's task definition can have: every partition, region and prefix counted at their
    longest, the revision at ten digits. ``arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<n>``
    with the family ``<prefix>-<pipeline>-<step>`` (names.PipelineNames.step_family)."""
    family = "-".join(("p" * rules.NAME_PREFIX_MAX, pipeline, step))
    return _longest_arn("ecs", f"task-definition/{family}:{'9' * 10}")


# ARNs counted at their longest: the longest partition and region names there are.
_LONGEST_PARTITION = max(limits.REGIONS_BY_PARTITION, key=len)
_LONGEST_REGION = max((r for regions in limits.REGIONS_BY_PARTITION.values() for r in regions), key=len)


def _longest_arn(service: str, resource: str) -> str:
    return f"arn:{_LONGEST_PARTITION}:{service}:{_LONGEST_REGION}:123456789012:{resource}"


# Everything in a run-task state machine's role policy but its RunTask resources (ecs_run_task_sync in
# modules/run_task_state_machine.py, the logs and X-Ray statements of modules/state_machine.py), every ARN at
# its longest; tests/fargate_batch/config/test_sizes.py renders the synthesized policy and checks it is above.
_RUN_TASK_POLICY_REST_CHARACTERS = 2_000


def run_task_role_policy_characters(prefix: str, pipeline: str, steps) -> int:
    """Characters (whitespace aside, as IAM counts them) of the pipeline's run-task role policy: ``ecs:RunTask``
    names every step's task definition family (``arn:...:task-definition/<prefix>-<pipeline>-<step>:*``)."""
    families = ("-".join((prefix, pipeline, step.name)) for step in steps)
    return _RUN_TASK_POLICY_REST_CHARACTERS + sum(
        len(json.dumps(_longest_arn("ecs", f"task-definition/{family}:*"))) + 1 for family in families
    )


# Everything in the triggered task's role policies but the per-trigger resources (the result prefix, the data
# key, the notify webhook parameter: modules/data_bucket.py grant_read_write, modules/ssm_parameter.py), every ARN
# at its longest; tests/fargate_batch/config/test_role_policy_size.py renders the synthesized policies.
_TRIGGER_TASK_POLICY_REST_CHARACTERS = 1_800


def trigger_task_role_policy_characters(bucket: str, triggers) -> int:
    """Characters of the triggered task's role policies (IAM counts all of a role's inline policies together):
    each trigger adds ``s3:GetObject`` on ``<bucket ARN>/<prefix>*<suffix>`` and ``<prefix>*`` to the
    ``s3:prefix`` of ``s3:ListBucket``."""
    bucket_arn = f"arn:{_LONGEST_PARTITION}:s3:::{bucket}"
    return _TRIGGER_TASK_POLICY_REST_CHARACTERS + sum(
        len(json.dumps(f"{bucket_arn}/{t.prefix}*{t.suffix}")) + 1 + len(json.dumps(f"{t.prefix}*")) + 1
        for t in triggers
    )


def pipeline_definition_characters(pipeline: str, steps) -> int:
    """An upper estimate of the characters of a pipeline's state machine definition."""
    total = _DEFINITION_BASE
    for step in steps:
        variables = {**step.environment, "BATCH_PIPELINE": pipeline, "BATCH_STEP": step.name}
        step_input = {
            "task_definition": longest_task_definition_arn(pipeline, step.name),
            "commands": list(step.command),
            "environment": [{"Name": name, "Value": value} for name, value in sorted(variables.items())],
        }
        rendered = json.dumps(step_input, indent=2)
        total += (
            _DEFINITION_PER_STEP
            + _DEFINITION_PER_STEP_NAME_CHARACTER * len(step.name)
            + len(rendered)
            + _DEFINITION_INDENT_PER_LINE * rendered.count("\n")
        )
    return total


def task_definition_environment_bytes(environment: Mapping[str, str]) -> int:
    """Bytes the container's base environment adds to the task definition (as RegisterTaskDefinition JSON)."""
    entries = [{"name": name, "value": value} for name, value in sorted(environment.items())]
    return len(json.dumps(entries, separators=(",", ":")).encode())


# The rest of the batch task definition (image URI, log configuration, role ARNs, sizes) without its
# environment; test_sizes.py checks the synthesized dev task definitions stay below it.
TASK_DEFINITION_REST_BYTES = 4_096


def object_created_rule_description_characters(prefix: str, suffix: str, rule: str) -> int:
    """Characters of the trigger rule's description, "Objects created under <prefix>*<suffix> start <rule>"
    (modules/object_created_rule.py; test_longest_names.py reads the synthesized one)."""
    return len(f"Objects created under {prefix}*{suffix} start {rule}")


def object_created_pattern_characters(prefix: str, suffix: str, bucket: str) -> int:
    """Characters of the trigger rule's event pattern as the stack writes it (json.dumps, ASCII-escaped;
    modules/object_created_rule.object_created_pattern)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("*", "\\*")

    matcher = {"wildcard": f"{escape(prefix)}*{escape(suffix)}"} if suffix else {"prefix": prefix}
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [matcher]}},
    }
    return len(json.dumps(pattern))


def execution_alert_pattern_characters(state_machines) -> int:
    """Characters of an alert rule's event pattern (modules/execution_alert_rule.execution_status_pattern, written
    with json.dumps) naming ``state_machines`` by ARN, each at its longest."""
    pattern = {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {
            "status": ["FAILED", "TIMED_OUT", "ABORTED"],
            "stateMachineArn": [_longest_arn("states", f"stateMachine:{name}") for name in state_machines],
        },
    }
    return len(json.dumps(pattern))


def execution_alert_groups(state_machines: list[str]) -> list[list[str]]:
    """The top-level state machines in order, split into as few groups as keep each alert rule's event pattern
    within EventBridge's limits.EVENT_PATTERN_MAX (one rule per group); a new group starts only when the next
    machine does not fit, so adding a workflow at the end changes the last rule alone."""
    groups: list[list[str]] = []
    for machine in state_machines:
        if groups and execution_alert_pattern_characters([*groups[-1], machine]) <= limits.EVENT_PATTERN_MAX:
            groups[-1].append(machine)
        else:
            groups.append([machine])
    return groups


def trigger_dead_letter_policy_bytes(queue: str, rules_: list[str]) -> int:
    """Bytes of the trigger dead-letter queue's policy (modules/dead_letter_queue.py): EventBridge may send to it
    from each trigger's rule, named by ARN in ``aws:SourceArn``. Compact JSON, every ARN at its longest."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EventBridgeRuleDeadLetters",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": _longest_arn("sqs", queue),
                "Condition": {"ArnEquals": {"aws:SourceArn": [_longest_arn("events", f"rule/{r}") for r in rules_]}},
            }
        ],
    }
    return len(json.dumps(policy, separators=(",", ":")).encode())
