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
from fargate_batch.config.targets import Target
from tests.helpers import find, policy_statements, role_policy_characters, role_policy_statements

PREFIX = "p" * rules.NAME_PREFIX_MAX
PIPELINE = "w" * rules.WORKFLOW_NAME_MAX
PARTITION = max(limits.REGIONS_BY_PARTITION, key=len)
REGION = max((r for regions in limits.REGIONS_BY_PARTITION.values() for r in regions), key=len)
ACCOUNT = "123456789012"
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
    return (
        f'name_prefix = "{PREFIX}"\nregion = "ap-northeast-1"\n\n[network]\ncreate_vpc = true\n\n'
        f'[container]\nimage_tag = "v1"\n\n[[pipelines]]\nname = "{PIPELINE}"\n{steps}'
    )


def most_steps_accepted() -> int:
    """The most steps of the longest names whose run-task policy the configuration accepts."""
    count = 1
    while _fits(count + 1):
        count += 1
    return count


class _Step:
    def __init__(self, name: str) -> None:
        self.name = name


def _fits(count: int) -> bool:
    steps = [_Step(step_name(i)) for i in range(count)]
    return sizes.run_task_role_policy_characters(PREFIX, PIPELINE, steps) <= limits.IAM_ROLE_POLICY_MAX_CHARACTERS


MOST_STEPS = most_steps_accepted()


@pytest.fixture(scope="module")
def most_steps_synth(tmp_path_factory, synth) -> dict:
    path = tmp_path_factory.mktemp("steps") / "steps.toml"
    path.write_text(config_text(MOST_STEPS))
    return synth(load_config(path), Target("aws"))[0]


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
    steps = [_Step(step_name(i)) for i in range(MOST_STEPS)]
    assert rendered <= sizes.run_task_role_policy_characters(PREFIX, PIPELINE, steps)
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

# The longest prefix a trigger may have (with suffix ".csv"), as test_longest_names.py derives it.
KEY_ROOM = limits.EVENT_RULE_DESCRIPTION_MAX - sizes.object_created_rule_description_characters(
    "", "", "r" * limits.NAME_LIMITS["event_rule"].max_length
)
SUFFIX = ".csv"
BUCKET = names.SharedNames(PREFIX).data_bucket(ACCOUNT)
# The data bucket's ARN and the notify parameter's, once applied.
TRIGGER_VALUES = (
    (re.compile(r"\$\{aws_s3_bucket\.[^}]*\.arn\}"), f"arn:{PARTITION}:s3:::{BUCKET}"),
    (re.compile(r"\$\{aws_kms_key\.[^}]*\.arn\}"), f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/" + "k" * 36),
    *LONGEST_VALUES,
)


class _Trigger:
    def __init__(self, index: int) -> None:
        self.prefix = trigger_prefix(index)
        self.suffix = SUFFIX


def trigger_prefix(index: int) -> str:
    return f"{index:03d}" + "k" * (KEY_ROOM - len(SUFFIX) - 5) + "/"


def triggers_fit(count: int) -> bool:
    triggers = [_Trigger(i) for i in range(count)]
    return sizes.trigger_task_role_policy_characters(BUCKET, triggers) <= limits.IAM_ROLE_POLICY_MAX_CHARACTERS


MOST_TRIGGERS = next(count for count in range(1, 1000) if not triggers_fit(count + 1))


def triggers_text(count: int) -> str:
    triggers = "".join(
        f'\n[[triggers]]\nname = "t{i:03d}"\nprefix = "{trigger_prefix(i)}"\nsuffix = "{SUFFIX}"\n'
        'command = ["process", "{key}"]\n'
        for i in range(count)
    )
    return (
        f'name_prefix = "{PREFIX}"\nregion = "ap-northeast-1"\n\n[network]\ncreate_vpc = true\n\n'
        f'[container]\nimage_tag = "v1"\n{triggers}'
    )


@pytest.fixture(scope="module")
def most_triggers_synth(tmp_path_factory, synth) -> dict:
    path = tmp_path_factory.mktemp("triggers") / "triggers.toml"
    path.write_text(triggers_text(MOST_TRIGGERS))
    return synth(load_config(path), Target("aws"))[0]


def test_the_longest_prefixes_leave_room_for_several_triggers():
    assert 5 <= MOST_TRIGGERS < 20


def test_the_triggered_task_policies_of_the_most_triggers_accepted_fit_iam(most_triggers_synth):
    role = names.task_role(names.SharedNames(PREFIX).trigger_task)
    rendered = role_policy_characters(most_triggers_synth, role, TRIGGER_VALUES)
    assert rendered <= limits.IAM_ROLE_POLICY_MAX_CHARACTERS
    assert rendered <= sizes.trigger_task_role_policy_characters(BUCKET, [_Trigger(i) for i in range(MOST_TRIGGERS)])


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
MOST_TRIGGER_RULES = next(
    count
    for count in range(1, 1000)
    if sizes.trigger_dead_letter_policy_bytes(DEAD_LETTER_QUEUE, rule_names(count + 1)) > limits.SQS_POLICY_MAX_BYTES
)


def short_prefix_triggers_text(count: int) -> str:
    """Triggers with the longest names and short prefixes: the queue policy, not the task role, is the bound."""
    triggers = "".join(
        f'\n[[triggers]]\nname = "{trigger_name(i)}"\nprefix = "in{i:03d}/"\ncommand = ["process", "{{key}}"]\n'
        for i in range(count)
    )
    return (
        f'name_prefix = "{PREFIX}"\nregion = "ap-northeast-1"\n\n[network]\ncreate_vpc = true\n\n'
        f'[container]\nimage_tag = "v1"\n{triggers}'
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
    path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(short_prefix_triggers_text(MOST_TRIGGER_RULES))
    return synth(load_config(path), Target("aws"))[0]


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
