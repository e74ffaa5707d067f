"""Alert rules name the top-level state machines by ARN; each rule's event pattern must fit EventBridge's 4,096.

PutRule: EventPattern "Maximum length of 4096"
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html). About 30 ARNs fit one
pattern, so the stack splits the state machines into as few rules as keep each pattern within it
(sizes.execution_alert_groups). Here the synthesized patterns are rendered with every ARN at its longest and
measured, for one workflow more than one rule holds.
"""

from __future__ import annotations

import json
import re

import pytest

from fargate_batch.config import limits, names, rules, sizes
from tests.fargate_batch.config.at_the_limits import (
    ACCOUNT,
    PARTITION,
    PREFIX,
    REGION,
    environment_text,
    most_accepted,
    synthesized,
)
from tests.helpers import find, policy_statements, resources

MACHINE_REFERENCE = re.compile(r"\$\{aws_sfn_state_machine\.([^.}]*)\.arn\}")
SHARED = names.SharedNames(PREFIX)


def pipeline_name(index: int) -> str:
    return f"{'w' * (rules.WORKFLOW_NAME_MAX - 3)}{index:03d}"


def machine_names(count: int) -> list[str]:
    return [names.PipelineNames(PREFIX, pipeline_name(i)).state_machine for i in range(count)]


def config_text(pipeline_count: int) -> str:
    return environment_text(
        "".join(
            f'\n[[pipelines]]\nname = "{pipeline_name(i)}"\n\n[[pipelines.steps]]\nname = "only"\ncommand = ["run"]\n'
            for i in range(pipeline_count)
        )
    )


# The most workflows with the longest names one rule's pattern holds.
ONE_RULE_HOLDS = most_accepted(
    lambda count: sizes.execution_alert_pattern_characters(machine_names(count)) <= limits.EVENT_PATTERN_MAX
)


def rendered_patterns(synthesized: dict) -> dict[str, str]:
    """Each alert rule's pattern once applied (rule name -> pattern): state machine references become their ARNs
    at their longest."""
    machines = synthesized["resource"]["aws_sfn_state_machine"]
    return {
        rule["name"]: MACHINE_REFERENCE.sub(
            lambda match: f"arn:{PARTITION}:states:{REGION}:{ACCOUNT}:stateMachine:{machines[match[1]]['name']}",
            rule["event_pattern"],
        )
        for rule in resources(synthesized, "aws_cloudwatch_event_rule")
        if rule["name"].startswith(SHARED.execution_alert_rule)
    }


@pytest.fixture(scope="module")
def two_rules_synth(tmp_path_factory, synth) -> dict:
    return synthesized(tmp_path_factory, synth, "workflows", config_text(ONE_RULE_HOLDS + 1))


def test_one_rule_holds_dozens_of_workflows_with_the_longest_names():
    assert 20 <= ONE_RULE_HOLDS < 40


def test_groups_keep_the_order_and_start_a_new_rule_only_when_the_next_machine_does_not_fit():
    machines = machine_names(2 * ONE_RULE_HOLDS + 1)
    groups = sizes.execution_alert_groups(machines)
    assert [len(group) for group in groups] == [ONE_RULE_HOLDS, ONE_RULE_HOLDS, 1]
    assert [machine for group in groups for machine in group] == machines


def test_one_workflow_more_than_a_rule_holds_gets_a_second_rule_and_every_pattern_fits(two_rules_synth):
    patterns = rendered_patterns(two_rules_synth)
    assert set(patterns) == {SHARED.execution_alert_rule, f"{SHARED.execution_alert_rule}-2"}
    for pattern in patterns.values():
        assert "${" not in pattern
        assert len(pattern) <= limits.EVENT_PATTERN_MAX
    # Every top-level state machine is in exactly one rule; no run-task child is in any.
    arns = [arn for pattern in patterns.values() for arn in json.loads(pattern)["detail"]["stateMachineArn"]]
    assert sorted(arn.rsplit(":", 1)[1] for arn in arns) == sorted(machine_names(ONE_RULE_HOLDS + 1))


def test_the_configurations_count_is_never_below_a_rendered_pattern(two_rules_synth, synthesized):
    for pattern in [*rendered_patterns(two_rules_synth).values(), *rendered_patterns(synthesized).values()]:
        machines = [arn.rsplit(":", 1)[1] for arn in json.loads(pattern)["detail"]["stateMachineArn"]]
        assert len(pattern) <= sizes.execution_alert_pattern_characters(machines)


def test_every_alert_rule_has_its_alarm_dead_letters_to_the_queue_and_may_publish(two_rules_synth):
    queue = find(two_rules_synth, "aws_sqs_queue", name=SHARED.execution_alert_dead_letter_queue)
    (dead_letter_statement,) = policy_statements(two_rules_synth, queue["policy"])
    (topic_policy,) = resources(two_rules_synth, "aws_sns_topic_policy")
    topic_statements = policy_statements(two_rules_synth, topic_policy["policy"])
    (publish,) = [s for s in topic_statements if s["sid"] == "EventBridgeExecutionAlerts"]
    for rule in (SHARED.execution_alert_rule, f"{SHARED.execution_alert_rule}-2"):
        find(two_rules_synth, "aws_cloudwatch_metric_alarm", alarm_name=names.event_rule_failed_invocations_alarm(rule))
        (source_arns,) = [c["values"] for c in dead_letter_statement["condition"] if c["variable"] == "aws:SourceArn"]
        assert any(arn.endswith(f":rule/{rule}") for arn in source_arns)
        (allowed,) = [c["values"] for c in publish["condition"] if c["variable"] == "aws:SourceArn"]
        assert any(arn.endswith(f":rule/{rule}") for arn in allowed)
    for rule in resources(two_rules_synth, "aws_cloudwatch_event_target"):
        if rule["rule"].startswith("${aws_cloudwatch_event_rule.alerting_execution-alerts"):
            assert rule["dead_letter_config"]["arn"].startswith("${aws_sqs_queue.alerting_execution-alerts-dlq")
