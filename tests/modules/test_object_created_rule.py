"""The EventBridge rule for S3 "Object Created" events, its target, role and dead-letter queue."""

from __future__ import annotations

import json

from modules.object_created_rule import object_created_pattern
from tests.helpers import find, reference, role_policy_statements, trust_statements

RULE = "fargate-batch-dev-trigger-target-files"


def test_pattern_matches_object_created_in_this_bucket_under_the_prefix(synthesized):
    rule = find(synthesized, "aws_cloudwatch_event_rule", name=RULE)
    bucket_name = reference(synthesized, "aws_s3_bucket", "bucket", force_destroy=False)
    assert json.loads(rule["event_pattern"]) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket_name]}, "object": {"key": [{"prefix": "target/"}]}},
    }


def test_suffix_uses_a_wildcard_with_special_characters_escaped():
    pattern = object_created_pattern(bucket_name="b", prefix="in*/", suffix=".csv")
    assert pattern["detail"]["object"]["key"] == [{"wildcard": "in\\*/*.csv"}]


def test_target_starts_the_trigger_machine_with_retry_and_dead_letter_queue(synthesized):
    target = find(synthesized, "aws_cloudwatch_event_target", target_id="state-machine")
    assert target["arn"] == reference(synthesized, "aws_sfn_state_machine", "arn", name=RULE)
    assert target["retry_policy"] == {"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86400}
    assert target["dead_letter_config"]["arn"] == reference(
        synthesized, "aws_sqs_queue", "arn", name="fargate-batch-dev-trigger-dlq"
    )
    assert "input_transformer" not in target


def test_role_trusted_by_events_for_this_rule_and_starts_only_its_machine(synthesized):
    (trust,) = trust_statements(synthesized, f"{RULE}-events")
    assert trust["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    conditions = {c["variable"]: c for c in trust["condition"]}
    assert conditions["aws:SourceArn"]["values"][0].endswith(f":rule/{RULE}")
    assert "aws:SourceAccount" in conditions
    assert [(s["actions"], s["resources"]) for s in role_policy_statements(synthesized, f"{RULE}-events")] == [
        (["states:StartExecution"], [reference(synthesized, "aws_sfn_state_machine", "arn", name=RULE)])
    ]


def test_dead_letter_queue_accepts_messages_only_from_this_rule(synthesized):
    queue_url = reference(synthesized, "aws_sqs_queue", "url", name="fargate-batch-dev-trigger-dlq")
    policy = find(synthesized, "aws_sqs_queue_policy", queue_url=queue_url)
    doc_id = policy["policy"].removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    (statement,) = synthesized["data"]["aws_iam_policy_document"][doc_id]["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    assert statement["condition"][0]["values"] == [
        reference(synthesized, "aws_cloudwatch_event_rule", "arn", name=RULE)
    ]
