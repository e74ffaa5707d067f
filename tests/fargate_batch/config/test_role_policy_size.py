"""A pipeline's run-task role names every step's task definition family; its policy must fit IAM's 10,240.

IAM: "Role policy size cannot exceed 10,240 characters", whitespace not counted
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Each step has its own family
(per-step cost tags), so the policy grows with the steps. The configuration counts it
(sizes.run_task_role_policy_characters); here the synthesized policy is rendered as IAM stores it, every
Terraform reference replaced by the longest value it can take, and measured.
"""

from __future__ import annotations

import re

import pytest

from fargate_batch.config import ConfigError, limits, load_config, names, rules, sizes
from fargate_batch.config.targets import Target
from tests.helpers import role_policy_characters, role_policy_statements

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


def test_the_alert_patterns_bound_on_workflows_keeps_the_dead_letter_policy_within_sqs():
    """Each trigger is a workflow, and the alert rule's pattern (4,096 characters, one ARN per workflow) admits
    fewer triggers than the dead-letter queue's policy (8,192 bytes, one rule ARN per trigger) could name: the
    configuration needs no check of its own for it."""
    trigger_names = [f"{'t' * (rules.WORKFLOW_NAME_MAX - 3)}{i:03d}" for i in range(1000)]
    machines = [names.TriggerNames(PREFIX, name).state_machine for name in trigger_names]
    pattern_max = limits.EVENT_PATTERN_MAX
    most = next(n for n in range(1, 1000) if sizes.execution_alert_pattern_characters(machines[: n + 1]) > pattern_max)
    rule_names = [names.TriggerNames(PREFIX, name).event_rule for name in trigger_names[:most]]
    queue = names.SharedNames(PREFIX).trigger_dead_letter_queue
    assert sizes.trigger_dead_letter_policy_bytes(queue, rule_names) <= limits.SQS_POLICY_MAX_BYTES
