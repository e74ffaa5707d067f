"""Corrections to moto, applied once in the emulator process by :func:`apply_all`."""

from __future__ import annotations

import importlib

# Each module patches one independent spot; authorization goes first so that the patches below that
# import the interpreter's boto_client_for get the one that signs with the execution's role.
PATCH_MODULES = (
    "authorization",
    "sfn_validate_definition",
    "sfn_integration_parameters",
    "sfn_list_versions",
    "s3_eventbridge_notification",
    "s3_lifecycle_minimum_size",
    "sqs_kms_attributes",
    "ec2_rule_descriptions",
    "ecs_service_rebalancing",
    "ecs_task_lifecycle",
    "ecs_capacity_faults",
    "ecs_propagate_tags",
    "sfn_ecs_sync_outcome",
    "sfn_execution_names",
    "events_state_machine_target",
    "events_test_event_pattern",
    "iam_conditional_deny",
    "sfn_activities",
    "sfn_definite_json_paths",
    "sfn_heartbeat_timeout",
    "ec2_eni_dns_name",
    "events_sns_sqs_targets",
    "sfn_execution_status_events",
    "cloudwatch_alarm_evaluation",
    "ecs_stop_task",
    "ecs_image_pull",
    "sfn_sync_stop_on_exit",
)

_applied = False


def apply_all() -> None:
    global _applied
    if _applied:
        return
    for name in PATCH_MODULES:
        importlib.import_module(f"{__name__}.{name}").apply()
    _applied = True
