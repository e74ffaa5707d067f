"""Task definition, execution and task roles, and the container log group."""

from __future__ import annotations

import json

from tests.helpers import find, reference, resources, role_policy_statements, trust_statements

# Names the batch task's roles and log group; its task definitions are one per pipeline step.
FAMILY = "fargate-batch-dev-batch"
STEP_FAMILIES = ("fargate-batch-dev-daily-report-extract", "fargate-batch-dev-daily-report-load")
TRIGGER_FAMILY = "fargate-batch-dev-trigger-target-files"


def test_each_step_task_definition_is_fargate_awsvpc_with_configured_size_and_the_shared_roles(synthesized, dev_config):
    for family in STEP_FAMILIES:
        task = find(synthesized, "aws_ecs_task_definition", family=family)
        assert task["requires_compatibilities"] == ["FARGATE"]
        assert task["network_mode"] == "awsvpc"
        assert (task["cpu"], task["memory"]) == (str(dev_config.container.cpu), str(dev_config.container.memory_mib))
        assert task["execution_role_arn"] == reference(synthesized, "aws_iam_role", "arn", name=f"{FAMILY}-execution")
        assert task["task_role_arn"] == reference(synthesized, "aws_iam_role", "arn", name=f"{FAMILY}-task")


def test_no_task_definition_is_left_under_the_shared_name(synthesized):
    assert not [t for t in resources(synthesized, "aws_ecs_task_definition") if t["family"] == FAMILY]


def test_step_task_definitions_differ_only_in_family_and_tags(synthesized):
    first, second = (find(synthesized, "aws_ecs_task_definition", family=family) for family in STEP_FAMILIES)

    def rest(task):
        return {key: value for key, value in task.items() if key not in ("//", "family", "tags")}

    assert rest(first) == rest(second)
    assert first["tags"] != second["tags"]


def test_each_step_task_definition_carries_its_run_tags(synthesized):
    """Propagated onto each task (PropagateTags=TASK_DEFINITION), they split Fargate cost per environment,
    pipeline and step once activated as cost allocation tags.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html"""
    for family, step in zip(STEP_FAMILIES, ("extract", "load"), strict=True):
        assert find(synthesized, "aws_ecs_task_definition", family=family)["tags"] == {
            "fargate-batch:environment": "fargate-batch-dev",
            "fargate-batch:workflow": "pipeline/daily-report",
            "fargate-batch:step": step,
        }
    assert find(synthesized, "aws_ecs_task_definition", family=TRIGGER_FAMILY)["tags"] == {
        "fargate-batch:environment": "fargate-batch-dev",
        "fargate-batch:workflow": "trigger/target-files",
    }
    assert find(synthesized, "aws_ecs_task_definition", family="fargate-batch-dev-worker-hello-world")["tags"] == {
        "fargate-batch:environment": "fargate-batch-dev",
        "fargate-batch:workflow": "activity/hello-world",
    }


def test_container_uses_the_configured_immutable_tag_and_logs_to_its_group(synthesized, dev_config):
    (container,) = json.loads(
        find(synthesized, "aws_ecs_task_definition", family=STEP_FAMILIES[0])["container_definitions"]
    )
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


def test_task_role_is_trusted_by_ecs_tasks_of_this_account_only(synthesized):
    (trust,) = trust_statements(synthesized, f"{FAMILY}-task")
    assert trust["principals"] == [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]
    # task-iam-roles.html: aws:SourceAccount / aws:SourceArn (arn:aws:ecs:<region>:<account>:*) in the trust policy.
    conditions = {c["variable"]: c for c in trust["condition"]}
    assert set(conditions) == {"aws:SourceAccount", "aws:SourceArn"}
    assert conditions["aws:SourceArn"]["test"] == "ArnLike"
    assert conditions["aws:SourceArn"]["values"][0].endswith(":*")
    assert ":ecs:" in conditions["aws:SourceArn"]["values"][0]


def test_execution_role_trust_has_only_what_the_execution_role_page_documents(synthesized):
    # task_execution_IAM_role.html gives the trust policy with no condition; a condition on a key ECS does not
    # send would make every task fail with "ECS was unable to assume the role".
    for family in (FAMILY, "fargate-batch-dev-trigger", "fargate-batch-dev-worker-hello-world"):
        (trust,) = trust_statements(synthesized, f"{family}-execution")
        assert trust["principals"] == [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]
        assert trust["actions"] == ["sts:AssumeRole"]
        assert "condition" not in trust


def test_batch_and_trigger_containers_keep_fargates_default_stop_timeout(synthesized):
    for family in (*STEP_FAMILIES, TRIGGER_FAMILY):
        (container,) = json.loads(find(synthesized, "aws_ecs_task_definition", family=family)["container_definitions"])
        assert "stopTimeout" not in container


def test_task_definitions_run_on_x86_64_linux(synthesized):
    for task in resources(synthesized, "aws_ecs_task_definition"):
        assert task["runtime_platform"] == {"operating_system_family": "LINUX", "cpu_architecture": "X86_64"}


def test_stop_timeout_above_what_fargate_honours_is_refused():
    import pytest

    from modules.fargate_task import FargateTaskProps

    with pytest.raises(ValueError, match="stop_timeout_seconds 121 is outside 1-120"):
        FargateTaskProps(family="f", repository=None, image_tag="v1", stop_timeout_seconds=121)


def test_task_role_has_no_permissions_for_pipelines(synthesized):
    assert role_policy_statements(synthesized, f"{FAMILY}-task") == []
