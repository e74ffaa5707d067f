"""The sizes the configuration check counts are never below what the stack really sends."""

from __future__ import annotations

import json

import pytest

from fargate_batch.config import limits, sizes
from fargate_batch.config.schema import StepConfig


def step(name: str, command_length: int, variables: int, value_length: int) -> StepConfig:
    return StepConfig(
        name=name,
        command=("run", "a" * command_length),
        environment={f"V{i}": "v" * value_length for i in range(variables)},
    )


SHAPES = [
    (1, step("x", 1, 0, 0)),
    (3, step("extract", 200, 5, 50)),
    (10, step("s" * 62, 10, 40, 20)),
    (40, step("load", 5000, 1, 1000)),
]


@pytest.mark.parametrize("count, shape", SHAPES)
def test_pipeline_definition_estimate_is_above_the_rendered_definition(count, shape):
    from dataclasses import replace

    from modules.pipeline_state_machine import pipeline_definition

    steps = tuple(replace(shape, name=f"{shape.name[:58]}{i}") for i in range(count))
    child = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:" + "c" * 80
    task_definitions = {s.name: sizes.longest_task_definition_arn("p" * 24, s.name) for s in steps}
    rendered = json.dumps(
        pipeline_definition(
            pipeline_name="p" * 24,
            steps=steps,
            step_task_definitions=task_definitions,
            child_arn=child,
            child_retry_budget_seconds=99_999,
        ),
        indent=2,  # as modules/state_machine.py writes it
    )
    estimate = sizes.pipeline_definition_characters("p" * 24, steps)
    assert len(rendered) <= estimate <= 1.6 * len(rendered) + 6_000


def test_step_overrides_count_the_stacks_own_variables_and_the_longest_container_name():
    from modules.pipeline_state_machine import step_input

    shape = step("extract", 100, 3, 30)
    child_input = step_input("daily", shape, sizes.longest_task_definition_arn("daily", shape.name))
    overrides = {
        "containerOverrides": [
            {
                "name": "n" * limits.ECS_CONTAINER_NAME_MAX,
                "command": child_input["commands"],
                "environment": [{"name": e["Name"], "value": e["Value"]} for e in child_input["environment"]],
            }
        ]
    }
    counted = sizes.step_overrides_characters("daily", shape.name, shape.command, shape.environment)
    assert counted == len(json.dumps(overrides, separators=(",", ":")))


def test_a_step_at_the_overrides_limit_starts_its_child_with_far_less_than_256_kib():
    """Step Functions takes at most 256 KiB of execution input; the child's input is the step's command and
    environment, which the 8 KiB RunTask limit already bounds, so no separate check is needed."""
    from modules.pipeline_state_machine import step_input

    shape = step("s", 1, 1, limits.RUN_TASK_OVERRIDES_MAX_CHARACTERS)
    child_input = json.dumps(step_input("p" * 24, shape, sizes.longest_task_definition_arn("p" * 24, shape.name)))
    assert len(child_input.encode()) < limits.EXECUTION_INPUT_MAX_BYTES / 16


def test_the_rest_of_the_task_definition_leaves_the_environment_its_room(synthesized):
    for task in [r for r in synthesized["resource"]["aws_ecs_task_definition"].values()]:
        containers = json.loads(task["container_definitions"])
        for container in containers:
            container.pop("environment", None)
        rest = {key: value for key, value in task.items() if key not in ("//", "container_definitions")}
        size = len(json.dumps(containers).encode()) + len(json.dumps(rest).encode())
        assert size < sizes.TASK_DEFINITION_REST_BYTES
