"""What counts as a change after an apply: resources and outputs, never a data source read for a check block."""

from __future__ import annotations

from fargate_batch.terraform_runner import real_changes


def resource_change(address: str, *actions: str) -> dict:
    return {"address": address, "change": {"actions": list(actions)}}


def test_a_check_blocks_data_source_read_is_not_a_change():
    plan = {
        "resource_changes": [
            resource_change("data.aws_ecr_image.batch_image_pushed_else_run_make_push", "read"),
            resource_change("aws_sqs_queue.dlq", "no-op"),
        ],
        "output_changes": {"repository-url": {"actions": ["no-op"]}},
    }
    assert real_changes(plan) == []


def test_updates_replacements_and_output_changes_are_changes():
    plan = {
        "resource_changes": [
            resource_change("aws_sfn_state_machine.a", "update"),
            resource_change("aws_iam_role.b", "delete", "create"),
        ],
        "output_changes": {"cluster-name": {"actions": ["update"]}},
    }
    assert real_changes(plan) == [
        "aws_sfn_state_machine.a: update",
        "aws_iam_role.b: delete/create",
        "output.cluster-name: update",
    ]
