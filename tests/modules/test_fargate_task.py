"""Task definition, execution and task roles, and the container log group."""

from __future__ import annotations

import json

from tests.helpers import find, reference, role_policy_statements, trust_statements

FAMILY = "fargate-batch-dev-batch"


def test_task_definition_is_fargate_awsvpc_with_configured_size(synthesized, dev_config):
    task = find(synthesized, "aws_ecs_task_definition", family=FAMILY)
    assert task["requires_compatibilities"] == ["FARGATE"]
    assert task["network_mode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == (str(dev_config.container.cpu), str(dev_config.container.memory_mib))
    assert task["execution_role_arn"] == reference(synthesized, "aws_iam_role", "arn", name=f"{FAMILY}-execution")
    assert task["task_role_arn"] == reference(synthesized, "aws_iam_role", "arn", name=f"{FAMILY}-task")


def test_container_uses_the_configured_immutable_tag_and_logs_to_its_group(synthesized, dev_config):
    (container,) = json.loads(find(synthesized, "aws_ecs_task_definition", family=FAMILY)["container_definitions"])
    repository_url = reference(synthesized, "aws_ecr_repository", "repository_url", name="fargate-batch-dev")
    assert container["image"] == f"{repository_url}:{dev_config.container.image_tag}"
    assert container["environment"] == [{"name": "ENV", "value": "Original env value."}]
    options = container["logConfiguration"]["options"]
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert options["awslogs-group"] == reference(synthesized, "aws_cloudwatch_log_group", "name", name=f"/ecs/{FAMILY}")


def test_log_group_has_retention(synthesized, dev_config):
    group = find(synthesized, "aws_cloudwatch_log_group", name=f"/ecs/{FAMILY}")
    assert group["retention_in_days"] == dev_config.logging.retention_days


def test_execution_role_pulls_only_from_this_repository_and_writes_only_its_logs(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{FAMILY}-execution")}
    assert statements["GetRegistryToken"]["resources"] == ["*"]  # no resource type exists for this action
    assert statements["PullBatchImage"]["resources"] == [
        reference(synthesized, "aws_ecr_repository", "arn", name="fargate-batch-dev")
    ]
    log_group_arn = reference(synthesized, "aws_cloudwatch_log_group", "arn", name=f"/ecs/{FAMILY}")
    assert statements["WriteContainerLogs"]["resources"] == [f"{log_group_arn}:log-stream:*"]


def test_task_roles_are_trusted_by_ecs_tasks_of_this_account_only(synthesized):
    for role in (f"{FAMILY}-execution", f"{FAMILY}-task"):
        (trust,) = trust_statements(synthesized, role)
        assert trust["principals"] == [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]
        assert {c["variable"] for c in trust["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}


def test_task_role_has_no_permissions_for_pipelines(synthesized):
    assert role_policy_statements(synthesized, f"{FAMILY}-task") == []
