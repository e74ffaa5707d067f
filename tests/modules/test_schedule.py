"""EventBridge Scheduler: expression, time zone, window, state, target retry policy, DLQ, role."""

from __future__ import annotations

import json

from tests.helpers import find, reference, role_policy_statements, trust_statements

SCHEDULE = "fargate-batch-dev-daily-report"


def test_schedule_uses_the_configured_expression_and_time_zone(synthesized, dev_config):
    configured = dev_config.pipelines[0].schedule
    schedule = find(synthesized, "aws_scheduler_schedule", name=SCHEDULE)
    assert schedule["schedule_expression"] == "cron(0 10 * * ? *)" == configured.expression
    assert schedule["schedule_expression_timezone"] == "Asia/Tokyo"
    assert schedule["state"] == "ENABLED"
    assert schedule["flexible_time_window"] == {"mode": "OFF"}


def test_schedule_lives_in_the_environment_group(synthesized):
    schedule = find(synthesized, "aws_scheduler_schedule", name=SCHEDULE)
    assert schedule["group_name"] == reference(
        synthesized, "aws_scheduler_schedule_group", "name", name="fargate-batch-dev"
    )


def test_target_starts_the_pipeline_with_retry_policy_and_dead_letter_queue(synthesized):
    target = find(synthesized, "aws_scheduler_schedule", name=SCHEDULE)["target"]
    assert target["arn"] == reference(synthesized, "aws_sfn_state_machine", "arn", name=SCHEDULE)
    assert target["retry_policy"] == {"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86400}
    assert target["dead_letter_config"] == {
        "arn": reference(synthesized, "aws_sqs_queue", "arn", name="fargate-batch-dev-schedule-dlq")
    }
    assert json.loads(target["input"]) == {"pipeline": "daily-report", "trigger": "schedule"}


def test_dead_letter_queue_is_encrypted_with_the_environment_key_and_keeps_messages_14_days(synthesized):
    queue = find(synthesized, "aws_sqs_queue", name="fargate-batch-dev-schedule-dlq")
    assert queue["kms_master_key_id"] == reference(synthesized, "aws_kms_key", "arn")
    assert "sqs_managed_sse_enabled" not in queue
    assert queue["message_retention_seconds"] == 1_209_600


def test_schedule_is_encrypted_with_the_environment_key(synthesized):
    schedule = find(synthesized, "aws_scheduler_schedule", name=SCHEDULE)
    assert schedule["kms_key_arn"] == reference(synthesized, "aws_kms_key", "arn")


def test_flexible_window_and_disabled_state_are_rendered(existing_network_synth):
    schedule = find(existing_network_synth, "aws_scheduler_schedule", name=SCHEDULE)
    assert schedule["flexible_time_window"] == {"mode": "FLEXIBLE", "maximum_window_in_minutes": 15}
    assert schedule["state"] == "DISABLED"


def test_role_is_trusted_by_scheduler_for_this_account_and_schedule_group(synthesized):
    """Scheduler sets aws:SourceArn to the schedule group's ARN, never the schedule's:
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    """
    (trust,) = trust_statements(synthesized, f"{SCHEDULE}-scheduler")
    assert trust["principals"] == [{"type": "Service", "identifiers": ["scheduler.amazonaws.com"]}]
    conditions = {c["variable"]: c for c in trust["condition"]}
    assert conditions["aws:SourceAccount"]["test"] == "StringEquals"
    (source_arn,) = conditions["aws:SourceArn"]["values"]
    assert source_arn.endswith(":schedule-group/fargate-batch-dev")
    assert ":schedule/" not in source_arn


def test_role_may_start_only_this_pipeline_and_write_only_its_dlq(synthesized):
    statements = role_policy_statements(synthesized, f"{SCHEDULE}-scheduler")
    key = reference(synthesized, "aws_kms_key", "arn")
    assert [(s["actions"], s["resources"]) for s in statements] == [
        (["states:StartExecution"], [reference(synthesized, "aws_sfn_state_machine", "arn", name=SCHEDULE)]),
        (["sqs:SendMessage"], [reference(synthesized, "aws_sqs_queue", "arn", name="fargate-batch-dev-schedule-dlq")]),
        (["kms:GenerateDataKey", "kms:Decrypt"], [key]),
        (["kms:Decrypt"], [key]),
    ]


def test_role_uses_the_key_only_through_sqs_and_only_for_this_schedules_payload(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{SCHEDULE}-scheduler")}
    (via,) = statements["EncryptDeadLetters"]["condition"]
    assert (via["test"], via["variable"]) == ("StringEquals", "kms:ViaService")
    assert via["values"][0].startswith("sqs.")
    (context,) = statements["DecryptSchedulePayload"]["condition"]
    assert (context["test"], context["variable"]) == ("ArnEquals", "kms:EncryptionContext:aws:scheduler:schedule:arn")
    assert context["values"][0].endswith(f":schedule/fargate-batch-dev/{SCHEDULE}")
