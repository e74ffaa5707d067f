"""The emulator's ValidateStateMachineDefinition refuses what AWS refuses, at plan time."""

from __future__ import annotations

import json

from local_emulator.patches.sfn_validate_definition import validate


def run_task_machine(**extra_parameters) -> str:
    return json.dumps(
        {
            "StartAt": "Run task",
            "States": {
                "Run task": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::ecs:runTask.sync",
                    "Parameters": {"Cluster": "c", "TaskDefinition": "t", "LaunchType": "FARGATE", **extra_parameters},
                    "End": True,
                }
            },
        }
    )


def test_a_run_task_field_the_optimized_integration_does_not_accept_fails_validation():
    result = validate(run_task_machine(Tags=[{"Key": "k", "Value": "v"}]))
    assert result["result"] == "FAIL"
    (diagnostic,) = result["diagnostics"]
    assert diagnostic["code"] == "SCHEMA_VALIDATION_FAILED"
    assert "'Tags' is not supported" in diagnostic["message"]


def test_supported_run_task_fields_pass():
    assert validate(run_task_machine(PropagateTags="TASK_DEFINITION", PlatformVersion="LATEST"))["result"] == "OK"
