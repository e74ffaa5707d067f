"""The longest configuration the loader accepts, synthesized for real: every AWS name fits AWS's limits.

Every name field is at its maximum accepted length (name_prefix 32, workflow names 24, a step name 62,
a trigger prefix and suffix as long as the rule description allows); each name in the synthesized JSON
is judged by limits.NAME_LIMITS, and the names names.py predicts are the ones the stack makes.
"""

from __future__ import annotations

import re

import pytest

from fargate_batch.config import limits, load_config, names, rules, sizes
from tests.fargate_batch.config.at_the_limits import KEY_ROOM, PREFIX
from tests.helpers import resources

WORKFLOW = "w" * rules.WORKFLOW_NAME_MAX
STEP = "s" * rules.STEP_NAME_MAX
SUFFIX = ".csv"
TRIGGER_PREFIX = "k" * (KEY_ROOM - len(SUFFIX) - 1) + "/"

LONGEST = f'''
name_prefix = "{PREFIX}"
region = "ap-northeast-1"

[network]
create_vpc = true

[container]
image_tag = "v1"

[[pipelines]]
name = "{WORKFLOW}"

[pipelines.schedule]
expression = "rate(1 day)"

[[pipelines.steps]]
name = "{STEP}"
command = ["run"]

[[triggers]]
name = "{WORKFLOW}"
prefix = "{TRIGGER_PREFIX}"
suffix = "{SUFFIX}"
command = ["process", "{{key}}"]

[[activities]]
name = "{WORKFLOW}"
'''

# Resource type -> (attribute holding the name, kind in limits.NAME_LIMITS).
NAMED = {
    "aws_iam_role": ("name", "iam_role"),
    "aws_sfn_state_machine": ("name", "sfn_state_machine"),
    "aws_sfn_activity": ("name", "sfn_activity"),
    "aws_scheduler_schedule": ("name", "scheduler_schedule"),
    "aws_scheduler_schedule_group": ("name", "scheduler_group"),
    "aws_cloudwatch_event_rule": ("name", "event_rule"),
    "aws_sqs_queue": ("name", "sqs_queue"),
    "aws_sns_topic": ("name", "sns_topic"),
    "aws_s3_bucket": ("bucket", "s3_bucket"),
    "aws_ecr_repository": ("name", "ecr_repository"),
    "aws_ecs_task_definition": ("family", "ecs_family"),
    "aws_ecs_cluster": ("name", "ecs_cluster"),
    "aws_ecs_service": ("name", "ecs_service"),
    "aws_cloudwatch_log_group": ("name", "log_group"),
    "aws_security_group": ("name", "security_group"),
    "aws_cloudwatch_metric_alarm": ("alarm_name", "cloudwatch_alarm"),
    "aws_kms_alias": ("name", "kms_alias"),
}
TOKEN = re.compile(r"\$\{[^}]*\}")


@pytest.fixture(scope="module")
def longest(tmp_path_factory):
    path = tmp_path_factory.mktemp("longest") / "longest.toml"
    path.write_text(LONGEST)
    return load_config(path)


@pytest.fixture(scope="module")
def longest_synth(longest, synth) -> dict:
    from fargate_batch.config.targets import Target

    return synth(longest, Target("aws"))[0]


def made_names(synthesized: dict) -> list[tuple[str, str]]:
    """(kind, name) of every named resource; the account in the bucket's name is a token until apply."""
    made = []
    for resource_type, (attribute, kind) in NAMED.items():
        for resource in resources(synthesized, resource_type):
            name = resource[attribute]
            if kind == "s3_bucket":
                name = TOKEN.sub(names.EXAMPLE_ACCOUNT_ID, name)
            made.append((kind, name))
    return made


def test_the_longest_configuration_is_accepted_with_every_field_at_its_maximum(longest):
    assert len(longest.name_prefix) == rules.NAME_PREFIX_MAX
    assert len(longest.pipelines[0].steps[0].name) == rules.STEP_NAME_MAX
    trigger = longest.triggers[0]
    rule = names.TriggerNames(longest.name_prefix, trigger.name).event_rule
    description = sizes.object_created_rule_description_characters(trigger.prefix, trigger.suffix, rule)
    assert description == limits.EVENT_RULE_DESCRIPTION_MAX


def test_every_kind_of_name_is_made(longest_synth):
    assert {kind for kind, _ in made_names(longest_synth)} == {kind for _, kind in NAMED.values()}


def test_every_synthesized_name_fits_its_aws_limit(longest_synth):
    refused = {
        (kind, name): limits.name_problems(kind, name)
        for kind, name in made_names(longest_synth)
        if limits.name_problems(kind, name)
    }
    assert refused == {}


def test_the_names_names_py_predicts_are_the_ones_synthesized(longest, longest_synth):
    predicted = set(names.SharedNames(longest.name_prefix).resources())
    for kind in ("pipelines", "triggers", "activities"):
        for workflow in getattr(longest, kind):
            predicted |= set(names.workflow_names(kind, longest.name_prefix, workflow).resources())
    assert predicted == set(made_names(longest_synth))


def test_the_trigger_rule_is_shortened_to_64_with_a_hash_and_keeps_the_prefix(longest, longest_synth):
    (rule,) = [r for r in resources(longest_synth, "aws_cloudwatch_event_rule") if "trigger" in r["name"]]
    assert len(f"{PREFIX}-trigger-{WORKFLOW}") == 65
    assert len(rule["name"]) == 64
    assert rule["name"].startswith(f"{PREFIX}-")
    assert re.fullmatch(r".*-[0-9a-f]{8}", rule["name"])


def test_rule_descriptions_and_patterns_fit_eventbridge(longest_synth):
    for rule in resources(longest_synth, "aws_cloudwatch_event_rule"):
        assert len(rule["description"]) <= limits.EVENT_RULE_DESCRIPTION_MAX
        assert len(rule["event_pattern"]) <= limits.EVENT_PATTERN_MAX
    (trigger_rule,) = [r for r in resources(longest_synth, "aws_cloudwatch_event_rule") if "trigger" in r["name"]]
    # The check's count is the synthesized description's length, so the limit is judged on the real thing.
    assert len(trigger_rule["description"]) == limits.EVENT_RULE_DESCRIPTION_MAX


def test_state_names_fit_step_functions(longest_synth):
    import json

    for machine in resources(longest_synth, "aws_sfn_state_machine"):
        states = json.loads(machine["definition"])["States"]
        assert all(len(state) <= limits.NAME_LIMITS["sfn_state_machine"].max_length for state in states)
