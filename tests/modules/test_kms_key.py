"""The environment's customer managed key: rotation, alias, and a key policy scoped to this environment."""

from __future__ import annotations

import pytest

from modules._private.iam_statements import AwsScope
from modules.kms_key import KmsKeyProps, key_policy_statements
from tests.helpers import find, policy_statements, reference, resources

SCOPE = AwsScope(partition="aws", region="ap-northeast-1", account_id="123456789012")


def statements_by_sid(**kwargs) -> dict[str, dict]:
    defaults = {"log_group_name_prefixes": (), "event_rule_name_prefix": None}
    return {s["sid"]: s for s in key_policy_statements(SCOPE, **{**defaults, **kwargs})}


def test_account_iam_policies_govern_the_key_as_in_the_default_key_policy():
    root = statements_by_sid()["AccountIamPoliciesGovernKeyUse"]
    assert root["principals"] == [{"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:root"]}]
    assert (root["actions"], root["resources"]) == (["kms:*"], ["*"])


def test_only_the_root_statement_without_logs_or_rules():
    assert list(statements_by_sid()) == ["AccountIamPoliciesGovernKeyUse"]


def test_cloudwatch_logs_may_use_the_key_only_for_log_groups_under_the_prefixes():
    logs = statements_by_sid(log_group_name_prefixes=("/ecs/dev-", "/aws/vendedlogs/states/dev-"))[
        "CloudWatchLogsEncryptThisEnvironmentsLogGroups"
    ]
    assert logs["principals"] == [{"type": "Service", "identifiers": ["logs.ap-northeast-1.amazonaws.com"]}]
    assert logs["condition"] == [
        {
            "test": "ArnLike",
            "variable": "kms:EncryptionContext:aws:logs:arn",
            "values": [
                "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/dev-*",
                "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/vendedlogs/states/dev-*",
            ],
        }
    ]
    assert "kms:Decrypt*" in logs["actions"]
    assert "kms:CreateGrant" not in logs["actions"]


def test_eventbridge_may_write_dead_letters_only_for_this_accounts_rules_under_the_prefix():
    events = statements_by_sid(event_rule_name_prefix="dev-")["EventBridgeRulesWriteDeadLetters"]
    assert events["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    assert events["actions"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert events["condition"] == [
        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123456789012"]},
        {
            "test": "ArnLike",
            "variable": "aws:SourceArn",
            "values": ["arn:aws:events:ap-northeast-1:123456789012:rule/dev-*"],
        },
    ]


def test_fails_when_deletion_window_below_7_days():
    with pytest.raises(ValueError, match="deletion_window_days: 6 is outside 7-30"):
        KmsKeyProps(name="k", deletion_window_days=6)


def test_stack_key_rotates_and_keeps_a_30_day_deletion_window(synthesized):
    (key,) = resources(synthesized, "aws_kms_key")
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30
    assert find(synthesized, "aws_kms_alias", name="alias/fargate-batch-dev")["target_key_id"] == reference(
        synthesized, "aws_kms_key", "key_id"
    )


def test_stack_key_policy_names_this_environments_log_groups_and_rules(synthesized):
    (key,) = resources(synthesized, "aws_kms_key")
    statements = {s["sid"]: s for s in policy_statements(synthesized, key["policy"])}
    (logs_condition,) = statements["CloudWatchLogsEncryptThisEnvironmentsLogGroups"]["condition"]
    patterns = [v.split(":log-group:")[1] for v in logs_condition["values"]]
    assert patterns == [
        "/ecs/fargate-batch-dev-*",
        "/aws/vendedlogs/states/fargate-batch-dev-*",
        "/vpc/flow-logs/fargate-batch-dev*",
    ]
    source_arn = statements["EventBridgeRulesWriteDeadLetters"]["condition"][1]["values"][0]
    assert source_arn.endswith(":rule/fargate-batch-dev-*")


def test_every_log_group_of_the_stack_is_encrypted_with_the_key_and_kept_a_year(synthesized, dev_config):
    key = reference(synthesized, "aws_kms_key", "arn")
    groups = resources(synthesized, "aws_cloudwatch_log_group")
    assert len(groups) == 9  # 3 task families, 5 state machines, VPC flow logs
    assert {g["kms_key_id"] for g in groups} == {key}
    assert {g["retention_in_days"] for g in groups} == {dev_config.logging.retention_days} == {365}


def test_a_topic_publisher_may_use_the_key_only_for_that_topics_messages():
    from modules.kms_key import topic_publisher_statement

    topic = "arn:aws:sns:ap-northeast-1:123456789012:alerts"
    assert topic_publisher_statement("cloudwatch.amazonaws.com", topic_arn=topic, sid="CloudWatchAlarms") == {
        "sid": "CloudWatchAlarms",
        "effect": "Allow",
        "actions": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "resources": ["*"],
        "principals": [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}],
        "condition": [
            {"test": "StringEquals", "variable": "kms:EncryptionContext:aws:sns:topicArn", "values": [topic]}
        ],
    }


@pytest.mark.parametrize(
    ("sid", "service"),
    [("EventBridgeExecutionAlerts", "events.amazonaws.com"), ("CloudWatchAlarms", "cloudwatch.amazonaws.com")],
)
def test_stack_key_lets_the_alert_publishers_encrypt_for_the_alert_topic(synthesized, sid, service):
    (key,) = resources(synthesized, "aws_kms_key")
    statement = {s["sid"]: s for s in policy_statements(synthesized, key["policy"])}[sid]
    assert statement["principals"] == [{"type": "Service", "identifiers": [service]}]
    assert statement["actions"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    # Built from the topic's name: the topic refers to the key, so a reference back would be a cycle.
    assert statement["condition"] == [
        {
            "test": "StringEquals",
            "variable": "kms:EncryptionContext:aws:sns:topicArn",
            "values": [
                "arn:${data.aws_partition.aws-scope-partition.partition}:sns:${data.aws_region.aws-scope-region.name}:"
                "${data.aws_caller_identity.aws-scope-account.account_id}:fargate-batch-dev-alerts"
            ],
        }
    ]


def test_stack_key_policy_statements_are_the_default_logs_dead_letters_and_alert_publishers(synthesized):
    (key,) = resources(synthesized, "aws_kms_key")
    assert [s["sid"] for s in policy_statements(synthesized, key["policy"])] == [
        "AccountIamPoliciesGovernKeyUse",
        "CloudWatchLogsEncryptThisEnvironmentsLogGroups",
        "EventBridgeRulesWriteDeadLetters",
        "EventBridgeExecutionAlerts",
        "CloudWatchAlarms",
    ]
