"""The status rule: which executions alert, the message they make, and where undeliverable alerts go."""

from __future__ import annotations

import json

import pytest

from modules.execution_alert_rule import ALERT_INPUT_PATHS, ExecutionAlertRuleProps
from tests.helpers import find, policy_statements, reference, resources

RULE = "fargate-batch-dev-execution-alerts"
PARENTS = (
    "fargate-batch-dev-daily-report",
    "fargate-batch-dev-trigger-target-files",
    "fargate-batch-dev-activity-hello-world",
)
CHILDREN = ("fargate-batch-dev-daily-report-run-task", "fargate-batch-dev-trigger-target-files-run-task")


def machine_arn(synthesized: dict, name: str) -> str:
    return reference(synthesized, "aws_sfn_state_machine", "arn", name=name)


def rule_target(synthesized: dict) -> dict:
    rule_name = reference(synthesized, "aws_cloudwatch_event_rule", "name", name=RULE)
    return find(synthesized, "aws_cloudwatch_event_target", rule=rule_name)


def test_rule_matches_the_three_unsuccessful_statuses_of_step_functions_executions(synthesized):
    pattern = json.loads(find(synthesized, "aws_cloudwatch_event_rule", name=RULE)["event_pattern"])
    assert pattern["source"] == ["aws.states"]
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert pattern["detail"]["status"] == ["FAILED", "TIMED_OUT", "ABORTED"]


def test_rule_matches_exactly_the_top_level_workflows_never_their_run_task_children(synthesized):
    pattern = json.loads(find(synthesized, "aws_cloudwatch_event_rule", name=RULE)["event_pattern"])
    assert pattern["detail"]["stateMachineArn"] == [machine_arn(synthesized, name) for name in PARENTS]
    for child in CHILDREN:
        assert machine_arn(synthesized, child) not in pattern["detail"]["stateMachineArn"]


def test_rule_publishes_to_the_alert_topic_without_a_role(synthesized):
    target = rule_target(synthesized)
    assert target["arn"] == reference(synthesized, "aws_sns_topic", "arn", name="fargate-batch-dev-alerts")
    # EventBridge publishes to SNS under the topic's policy; a target role breaks delivery to encrypted topics.
    assert "role_arn" not in target


def test_message_names_workflow_status_execution_error_cause_and_console_link(synthesized):
    transformer = rule_target(synthesized)["input_transformer"]
    assert transformer["input_paths"] == {
        "workflow": "$.detail.stateMachineArn",
        "execution": "$.detail.executionArn",
        "status": "$.detail.status",
        "error": "$.detail.error",
        "cause": "$.detail.cause",
        "region": "$.region",
    }
    lines = transformer["input_template"].splitlines()
    fields = ("Workflow: <workflow>", "Status: <status>", "Execution: <execution>", "Error: <error>", "Cause: <cause>")
    for line in fields:
        assert line in lines
    assert (
        "Execution history: https://<region>.console.aws.amazon.com/states/home?region=<region>"
        "#/v2/executions/details/<execution>"
    ) in lines


def test_message_is_text_not_json_so_unescaped_quotes_in_a_cause_cannot_break_it():
    from modules.execution_alert_rule import ALERT_TEMPLATE

    assert not ALERT_TEMPLATE.lstrip().startswith(("{", '"'))
    # Every placeholder is a defined variable: an undefined one would be sent as it is.
    placeholders = {part.split(">")[0] for part in ALERT_TEMPLATE.split("<")[1:]}
    assert placeholders == set(ALERT_INPUT_PATHS)


def test_undeliverable_alerts_go_to_their_own_dead_letter_queue_which_lets_only_this_rule_send(synthesized):
    queue = find(synthesized, "aws_sqs_queue", name="fargate-batch-dev-execution-alerts-dlq")
    target = rule_target(synthesized)
    assert target["dead_letter_config"] == {
        "arn": reference(synthesized, "aws_sqs_queue", "arn", name="fargate-batch-dev-execution-alerts-dlq")
    }
    assert target["retry_policy"] == {"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86400}
    assert queue["kms_master_key_id"] == reference(synthesized, "aws_kms_key", "arn")
    (statement,) = policy_statements(synthesized, queue["policy"])
    assert statement["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    assert statement["condition"] == [
        {
            "test": "ArnEquals",
            "variable": "aws:SourceArn",
            "values": [
                "arn:${data.aws_partition.aws-scope-partition.partition}:events:${data.aws_region.aws-scope-region.name}:"
                f"${{data.aws_caller_identity.aws-scope-account.account_id}}:rule/{RULE}"
            ],
        }
    ]


def test_one_status_rule_per_stack(synthesized):
    patterns = [json.loads(r["event_pattern"]) for r in resources(synthesized, "aws_cloudwatch_event_rule")]
    assert [p["source"] for p in patterns].count(["aws.states"]) == 1


def test_without_workflows_of_a_kind_only_the_others_are_matched(pipelines_only_synth):
    pattern = json.loads(find(pipelines_only_synth, "aws_cloudwatch_event_rule", name=RULE)["event_pattern"])
    assert pattern["detail"]["stateMachineArn"] == [machine_arn(pipelines_only_synth, PARENTS[0])]


class _Machine:
    arn = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:x"


def test_fails_without_state_machines():
    with pytest.raises(ValueError, match="state_machines is empty"):
        ExecutionAlertRuleProps(name="r", state_machines=(), topic=None, dead_letter_queue=None)


def test_fails_when_retry_attempts_above_185():
    with pytest.raises(ValueError, match="retry_attempts: 186 is outside 0-185"):
        ExecutionAlertRuleProps(
            name="r", state_machines=(_Machine(),), topic=None, dead_letter_queue=None, retry_attempts=186
        )


def test_fails_when_max_event_age_below_60_seconds():
    with pytest.raises(ValueError, match="max_event_age_seconds: 59 is outside 60-86400"):
        ExecutionAlertRuleProps(
            name="r", state_machines=(_Machine(),), topic=None, dead_letter_queue=None, max_event_age_seconds=59
        )
