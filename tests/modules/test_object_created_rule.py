"""The EventBridge rule for S3 "Object Created" events, its target, role and dead-letter queue."""

from __future__ import annotations

import json

import pytest

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


def test_one_queue_policy_lets_every_trigger_rule_and_nothing_else_send_dead_letters(two_triggers_synth):
    queue = find(two_triggers_synth, "aws_sqs_queue", name="fargate-batch-dev-trigger-dlq")
    document_id = queue["policy"].removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    (statement,) = two_triggers_synth["data"]["aws_iam_policy_document"][document_id]["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    assert statement["actions"] == ["sqs:SendMessage"]
    (resource,) = statement["resources"]
    assert resource.endswith(":fargate-batch-dev-trigger-dlq")
    (condition,) = statement["condition"]
    assert (condition["test"], condition["variable"]) == ("ArnEquals", "aws:SourceArn")
    # The same ARNs each rule's role trusts: the rules as they are deployed, one per trigger.
    rule_arns = set()
    for rule in (RULE, "fargate-batch-dev-trigger-json-files"):
        (trust,) = trust_statements(two_triggers_synth, f"{rule}-events")
        rule_arns |= {v for c in trust["condition"] if c["variable"] == "aws:SourceArn" for v in c["values"]}
    assert len(rule_arns) == 2
    assert set(condition["values"]) == rule_arns
    # A policy resource per rule would replace the queue's one policy, leaving only the last rule.
    assert "aws_sqs_queue_policy" not in two_triggers_synth["resource"]


def aws_documented_object_created_event(bucket: str, key: str) -> dict:
    """The "Object Created" event as https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html shows it."""
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "111122223333",
        "time": "2021-11-12T00:00:00Z",
        "region": "ca-central-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {
                "key": key,
                "size": 5,
                "etag": "b1946ac92492d2347c6235b4d2611184",
                "version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
                "sequencer": "00617F08299329D189",
            },
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": "123456789012",
            "source-ip-address": "1.2.3.4",
            "reason": "PutObject",
        },
    }


@pytest.mark.emulator
@pytest.mark.parametrize(
    "key, matches",
    [("target/test.csv", True), ("target/deep/test.csv", True), ("hoge/test.csv", False), ("targets/test.csv", False)],
)
def test_synthesized_pattern_routes_only_keys_under_the_prefix(synthesized, emulator, key, matches):
    import boto3

    bucket = "fargate-batch-dev-data-111122223333"
    pattern = json.loads(find(synthesized, "aws_cloudwatch_event_rule", name=RULE)["event_pattern"])
    pattern["detail"]["bucket"]["name"] = [bucket]  # the Terraform reference resolves to the bucket's name
    events = boto3.client(
        "events",
        endpoint_url=emulator.endpoint,
        region_name="ca-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    event = aws_documented_object_created_event(bucket, key)
    assert events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"] is matches


@pytest.mark.emulator
def test_synthesized_pattern_ignores_other_buckets_and_event_types(synthesized, emulator):
    import boto3

    pattern = json.loads(find(synthesized, "aws_cloudwatch_event_rule", name=RULE)["event_pattern"])
    pattern["detail"]["bucket"]["name"] = ["ours"]
    events = boto3.client(
        "events",
        endpoint_url=emulator.endpoint,
        region_name="ca-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    other_bucket = aws_documented_object_created_event("theirs", "target/a.csv")
    deleted = {**aws_documented_object_created_event("ours", "target/a.csv"), "detail-type": "Object Deleted"}
    for event in (other_bucket, deleted):
        assert events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"] is False
