"""A pipeline's run-task role names every step's task definition family; its policy must fit IAM's 10,240.

IAM: "Role policy size cannot exceed 10,240 characters", whitespace not counted
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Each step has its own family
(per-step cost tags), so the policy grows with the steps. The configuration counts it
(sizes.run_task_role_policy_characters); here the synthesized policy is rendered as IAM stores it, every
Terraform reference replaced by the longest value it can take, and measured.
"""

from __future__ import annotations

import json
import re

import pytest

from fargate_batch.config import ConfigError, limits, load_config, names, rules, sizes
from fargate_batch.config.schema import StepConfig, TriggerConfig
from tests.fargate_batch.config.at_the_limits import (
    ACCOUNT,
    KEY_ROOM,
    PARTITION,
    PREFIX,
    REGION,
    environment_text,
    most_accepted,
    synthesized,
)
from tests.helpers import find, policy_statements, role_policy_characters, role_policy_statements

PIPELINE = "w" * rules.WORKFLOW_NAME_MAX
# What each kind of Terraform reference in the policy becomes once applied, at its longest.
LONGEST_VALUES = (
    (re.compile(r"\$\{data\.aws_partition\.[^}]*\}"), PARTITION),
    (re.compile(r"\$\{data\.aws_region\.[^}]*\}"), REGION),
    (re.compile(r"\$\{data\.aws_caller_identity\.[^}]*\}"), ACCOUNT),
    (re.compile(r"\$\{aws_ecs_cluster\.[^}]*\.arn\}"), f"arn:{PARTITION}:ecs:{REGION}:{ACCOUNT}:cluster/{PREFIX}"),
    (re.compile(r"\$\{aws_iam_role\.[^}]*\.arn\}"), f"arn:{PARTITION}:iam::{ACCOUNT}:role/" + "r" * 64),
)


def step_name(index: int) -> str:
    return f"{'s' * (rules.STEP_NAME_MAX - 3)}{index:03d}"


def config_text(step_count: int) -> str:
    steps = "".join(f'\n[[pipelines.steps]]\nname = "{step_name(i)}"\ncommand = ["run"]\n' for i in range(step_count))
    return environment_text(f'\n[[pipelines]]\nname = "{PIPELINE}"\n{steps}')


def steps(count: int) -> list[StepConfig]:
    return [StepConfig(step_name(i), ("run",)) for i in range(count)]


MOST_STEPS = most_accepted(
    lambda count: sizes.run_task_role_policy_characters(PREFIX, PIPELINE, steps(count))
    <= limits.IAM_ROLE_POLICY_MAX_CHARACTERS
)


@pytest.fixture(scope="module")
def most_steps_synth(tmp_path_factory, synth) -> dict:
    return synthesized(tmp_path_factory, synth, "steps", config_text(MOST_STEPS))


def test_the_longest_names_leave_room_for_dozens_of_steps():
    assert 30 <= MOST_STEPS < 60


def test_the_policy_of_the_most_steps_accepted_fits_iam_once_applied(most_steps_synth):
    role = names.state_machine_role(names.PipelineNames(PREFIX, PIPELINE).run_task_state_machine)
    (run_task,) = [s for s in role_policy_statements(most_steps_synth, role) if s["sid"] == "RunTaskOnThisCluster"]
    assert len(run_task["resources"]) == MOST_STEPS  # one family per step, none shared
    assert role_policy_characters(most_steps_synth, role, LONGEST_VALUES) <= limits.IAM_ROLE_POLICY_MAX_CHARACTERS


def test_the_configurations_count_is_never_below_the_rendered_policy(most_steps_synth, synthesized, dev_config):
    role = names.state_machine_role(names.PipelineNames(PREFIX, PIPELINE).run_task_state_machine)
    rendered = role_policy_characters(most_steps_synth, role, LONGEST_VALUES)
    assert rendered <= sizes.run_task_role_policy_characters(PREFIX, PIPELINE, steps(MOST_STEPS))
    pipeline = dev_config.pipelines[0]
    dev_machine = names.PipelineNames(dev_config.name_prefix, pipeline.name).run_task_state_machine
    dev_role = names.state_machine_role(dev_machine)
    dev_rendered = role_policy_characters(synthesized, dev_role, LONGEST_VALUES)
    assert dev_rendered <= sizes.run_task_role_policy_characters(dev_config.name_prefix, pipeline.name, pipeline.steps)


def test_one_step_more_is_refused_before_anything_reaches_aws(tmp_path):
    path = tmp_path / "steps.toml"
    path.write_text(config_text(MOST_STEPS + 1))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    (problem,) = refused.value.problems
    assert f"pipelines[0].steps: {MOST_STEPS + 1} steps each have their own task definition" in problem
    assert f"IAM takes at most {limits.IAM_ROLE_POLICY_MAX_CHARACTERS} per role" in problem
    assert problem.endswith("split the pipeline in two, or shorten its name and its steps' names")


# -- the triggered task's role: each trigger adds its prefix twice (GetObject and ListBucket's s3:prefix) ---------

SUFFIX = ".csv"
BUCKET = names.SharedNames(PREFIX).data_bucket(ACCOUNT)
# The data bucket's ARN and the notify parameter's, once applied.
TRIGGER_VALUES = (
    (re.compile(r"\$\{aws_s3_bucket\.[^}]*\.arn\}"), f"arn:{PARTITION}:s3:::{BUCKET}"),
    (re.compile(r"\$\{aws_kms_key\.[^}]*\.arn\}"), f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/" + "k" * 36),
    *LONGEST_VALUES,
)


def trigger_prefix(index: int) -> str:
    return f"{index:03d}" + "k" * (KEY_ROOM - len(SUFFIX) - 5) + "/"


def triggers(count: int) -> list[TriggerConfig]:
    return [TriggerConfig(f"t{i:03d}", trigger_prefix(i), ("process", "{key}"), suffix=SUFFIX) for i in range(count)]


MOST_TRIGGERS = most_accepted(
    lambda count: sizes.trigger_task_role_policy_characters(BUCKET, triggers(count))
    <= limits.IAM_ROLE_POLICY_MAX_CHARACTERS
)


def triggers_text(count: int) -> str:
    return environment_text(
        "".join(
            f'\n[[triggers]]\nname = "{t.name}"\nprefix = "{t.prefix}"\nsuffix = "{t.suffix}"\n'
            'command = ["process", "{key}"]\n'
            for t in triggers(count)
        )
    )


@pytest.fixture(scope="module")
def most_triggers_synth(tmp_path_factory, synth) -> dict:
    return synthesized(tmp_path_factory, synth, "triggers", triggers_text(MOST_TRIGGERS))


def test_the_longest_prefixes_leave_room_for_several_triggers():
    assert 5 <= MOST_TRIGGERS < 20


def test_the_triggered_task_policies_of_the_most_triggers_accepted_fit_iam(most_triggers_synth):
    role = names.task_role(names.SharedNames(PREFIX).trigger_task)
    rendered = role_policy_characters(most_triggers_synth, role, TRIGGER_VALUES)
    assert rendered <= limits.IAM_ROLE_POLICY_MAX_CHARACTERS
    assert rendered <= sizes.trigger_task_role_policy_characters(BUCKET, triggers(MOST_TRIGGERS))


def test_one_trigger_more_is_refused_before_anything_reaches_aws(tmp_path):
    path = tmp_path / "triggers.toml"
    path.write_text(triggers_text(MOST_TRIGGERS + 1))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    (problem,) = refused.value.problems
    assert f"triggers: {MOST_TRIGGERS + 1} triggers: the triggered task's role may read" in problem
    assert problem.endswith("or split the triggers across two environments (configuration files)")


# -- the trigger dead-letter queue's policy names each trigger's rule: SQS takes 8,192 bytes ---------------------


def trigger_name(index: int) -> str:
    return f"{'t' * (rules.WORKFLOW_NAME_MAX - 3)}{index:03d}"


def rule_names(count: int) -> list[str]:
    return [names.TriggerNames(PREFIX, trigger_name(i)).event_rule for i in range(count)]


DEAD_LETTER_QUEUE = names.SharedNames(PREFIX).trigger_dead_letter_queue
MOST_TRIGGER_RULES = most_accepted(
    lambda count: sizes.trigger_dead_letter_policy_bytes(DEAD_LETTER_QUEUE, rule_names(count))
    <= limits.SQS_POLICY_MAX_BYTES
)


def short_prefix_triggers_text(count: int) -> str:
    """Triggers with the longest names and short prefixes: the queue policy, not the task role, is the bound."""
    return environment_text(
        "".join(
            f'\n[[triggers]]\nname = "{trigger_name(i)}"\nprefix = "in{i:03d}/"\ncommand = ["process", "{{key}}"]\n'
            for i in range(count)
        )
    )


def sqs_policy_bytes(statements: list[dict]) -> int:
    """The queue policy as the provider sends it (compact JSON; one-element lists as a string, as
    aws_iam_policy_document writes them), every reference at its longest."""

    def one_or_list(values: list[str]):
        return values[0] if len(values) == 1 else values

    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": s["sid"],
                "Effect": s["effect"],
                "Principal": {p["type"]: one_or_list(p["identifiers"]) for p in s["principals"]},
                "Action": one_or_list(s["actions"]),
                "Resource": one_or_list(s["resources"]),
                "Condition": {c["test"]: {c["variable"]: one_or_list(c["values"])} for c in s["condition"]},
            }
            for s in statements
        ],
    }
    text = json.dumps(document, separators=(",", ":"))
    for pattern, value in LONGEST_VALUES:
        text = pattern.sub(value, text)
    assert "${" not in text, text
    return len(text.encode())


@pytest.fixture(scope="module")
def most_trigger_rules_synth(tmp_path_factory, synth) -> dict:
    return synthesized(tmp_path_factory, synth, "rules", short_prefix_triggers_text(MOST_TRIGGER_RULES))


def test_the_longest_trigger_names_leave_room_for_dozens_of_rules():
    assert 40 <= MOST_TRIGGER_RULES < 100


def test_the_dead_letter_policy_of_the_most_triggers_accepted_fits_sqs(most_trigger_rules_synth):
    queue = find(most_trigger_rules_synth, "aws_sqs_queue", name=DEAD_LETTER_QUEUE)
    statements = policy_statements(most_trigger_rules_synth, queue["policy"])
    (condition,) = statements[0]["condition"]
    assert len(condition["values"]) == MOST_TRIGGER_RULES
    rendered = sqs_policy_bytes(statements)
    assert rendered <= limits.SQS_POLICY_MAX_BYTES
    assert rendered <= sizes.trigger_dead_letter_policy_bytes(DEAD_LETTER_QUEUE, rule_names(MOST_TRIGGER_RULES))


def test_one_trigger_rule_more_is_refused_before_anything_reaches_aws(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(short_prefix_triggers_text(MOST_TRIGGER_RULES + 1))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    (problem,) = refused.value.problems
    assert f"triggers: {MOST_TRIGGER_RULES + 1} triggers: their rules share one dead-letter queue" in problem
    assert f"SQS takes at most {limits.SQS_POLICY_MAX_BYTES}" in problem
