"""The alert rule names every top-level state machine by ARN; its event pattern must fit EventBridge's 4,096.

PutRule: EventPattern "Maximum length of 4096"
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html). The configuration counts the
pattern (sizes.execution_alert_pattern_characters); here the synthesized pattern is rendered with every ARN
at its longest and measured, for the most workflows the configuration accepts.
"""

from __future__ import annotations

import json
import re

import pytest

from fargate_batch.config import ConfigError, limits, load_config, rules, sizes
from fargate_batch.config.targets import Target
from tests.helpers import resources

PREFIX = "p" * rules.NAME_PREFIX_MAX
PARTITION = max(limits.REGIONS_BY_PARTITION, key=len)
REGION = max((r for regions in limits.REGIONS_BY_PARTITION.values() for r in regions), key=len)
MACHINE_REFERENCE = re.compile(r"\$\{aws_sfn_state_machine\.([^.}]*)\.arn\}")


def pipeline_name(index: int) -> str:
    return f"{'w' * (rules.WORKFLOW_NAME_MAX - 3)}{index:03d}"


def config_text(pipeline_count: int) -> str:
    pipelines = "".join(
        f'\n[[pipelines]]\nname = "{pipeline_name(i)}"\n\n[[pipelines.steps]]\nname = "only"\ncommand = ["run"]\n'
        for i in range(pipeline_count)
    )
    return (
        f'name_prefix = "{PREFIX}"\nregion = "ap-northeast-1"\n\n[network]\ncreate_vpc = true\n\n'
        f'[container]\nimage_tag = "v1"\n{pipelines}'
    )


def fits(count: int) -> bool:
    machines = [f"{PREFIX}-{pipeline_name(i)}" for i in range(count)]
    return sizes.execution_alert_pattern_characters(machines) <= limits.EVENT_PATTERN_MAX


MOST_WORKFLOWS = next(count for count in range(1, 1000) if not fits(count + 1))


def rendered_alert_pattern(synthesized: dict) -> str:
    """The alert rule's pattern once applied: each state machine reference becomes its ARN at its longest."""
    machines = synthesized["resource"]["aws_sfn_state_machine"]
    (rule,) = [r for r in resources(synthesized, "aws_cloudwatch_event_rule") if r["name"].endswith("execution-alerts")]
    return MACHINE_REFERENCE.sub(
        lambda match: f"arn:{PARTITION}:states:{REGION}:123456789012:stateMachine:{machines[match[1]]['name']}",
        rule["event_pattern"],
    )


@pytest.fixture(scope="module")
def most_workflows_synth(tmp_path_factory, synth) -> dict:
    path = tmp_path_factory.mktemp("workflows") / "workflows.toml"
    path.write_text(config_text(MOST_WORKFLOWS))
    return synth(load_config(path), Target("aws"))[0]


def test_the_longest_names_leave_room_for_dozens_of_workflows():
    assert 20 <= MOST_WORKFLOWS < 40


def test_the_pattern_of_the_most_workflows_accepted_fits_eventbridge_once_applied(most_workflows_synth):
    pattern = rendered_alert_pattern(most_workflows_synth)
    assert "${" not in pattern
    assert len(json.loads(pattern)["detail"]["stateMachineArn"]) == MOST_WORKFLOWS
    assert len(pattern) <= limits.EVENT_PATTERN_MAX


def test_the_configurations_count_is_never_below_the_rendered_pattern(most_workflows_synth, synthesized):
    machines = [f"{PREFIX}-{pipeline_name(i)}" for i in range(MOST_WORKFLOWS)]
    assert len(rendered_alert_pattern(most_workflows_synth)) <= sizes.execution_alert_pattern_characters(machines)
    dev = json.loads(rendered_alert_pattern(synthesized))["detail"]["stateMachineArn"]
    dev_names = [arn.rsplit(":", 1)[1] for arn in dev]
    assert len(rendered_alert_pattern(synthesized)) <= sizes.execution_alert_pattern_characters(dev_names)


def test_one_workflow_more_is_refused_before_anything_reaches_aws(tmp_path):
    path = tmp_path / "workflows.toml"
    path.write_text(config_text(MOST_WORKFLOWS + 1))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    (problem,) = refused.value.problems
    assert f"{MOST_WORKFLOWS + 1} workflows (pipelines, triggers and activities)" in problem
    assert f"EventBridge takes at most {limits.EVENT_PATTERN_MAX}" in problem
    assert "split the workflows across two environments" in problem
