"""The run-task child: ecs:runTask.sync with overrides from the input, launch retries, exit-code failures."""

from __future__ import annotations

from tests.helpers import definition, find, reference, role_policy_statements

CHILD = "fargate-batch-dev-daily-report-run-task"


def test_runs_the_task_with_the_sync_integration(synthesized):
    run = definition(synthesized, CHILD)["States"]["Run task"]
    assert run["Type"] == "Task"
    assert run["Resource"] == "arn:aws:states:::ecs:runTask.sync"


STEP_FAMILIES = ("fargate-batch-dev-daily-report-extract", "fargate-batch-dev-daily-report-load")


def test_runs_on_the_latest_fargate_platform_in_this_cluster_with_the_callers_task_definition(synthesized):
    parameters = definition(synthesized, CHILD)["States"]["Run task"]["Parameters"]
    assert parameters["LaunchType"] == "FARGATE"
    assert parameters["PlatformVersion"] == "LATEST"
    assert parameters["Cluster"] == reference(synthesized, "aws_ecs_cluster", "arn", name="fargate-batch-dev")
    # Each step names its own task definition (the one carrying its tags); see test_pipeline_state_machine.
    assert parameters["TaskDefinition.$"] == "$.task_definition"
    assert "TaskDefinition" not in parameters


def test_command_and_environment_come_from_the_execution_input(synthesized):
    overrides = definition(synthesized, CHILD)["States"]["Run task"]["Parameters"]["Overrides"]
    assert overrides == {
        "ContainerOverrides": [{"Name": "batch", "Command.$": "$.commands", "Environment.$": "$.environment"}]
    }


def test_runs_in_private_subnets_without_public_ip(synthesized):
    awsvpc = definition(synthesized, CHILD)["States"]["Run task"]["Parameters"]["NetworkConfiguration"][
        "AwsvpcConfiguration"
    ]
    assert awsvpc["AssignPublicIp"] == "DISABLED"
    subnet_refs = {
        reference(synthesized, "aws_subnet", "id", tags={"Name": f"fargate-batch-dev-private-{i}"}) for i in (0, 1)
    }
    assert set(awsvpc["Subnets"]) == subnet_refs
    assert awsvpc["SecurityGroups"] == [
        reference(synthesized, "aws_security_group", "id", name="fargate-batch-dev-tasks")
    ]


def test_retries_launch_failures_with_backoff_max_delay_and_full_jitter(synthesized, dev_config):
    retry = dev_config.pipelines[0].retry
    retriers = definition(synthesized, CHILD)["States"]["Run task"]["Retry"]
    assert retriers == [
        {
            "ErrorEquals": ["ECS.AmazonECSException", "AmazonECS.Unknown"],
            "IntervalSeconds": retry.interval_seconds,
            "BackoffRate": retry.backoff_rate,
            "MaxAttempts": retry.max_attempts,
            "MaxDelaySeconds": retry.max_delay_seconds,
            "JitterStrategy": "FULL",
        },
        # Throttling is retried with exponential backoff and jitter, as the ECS API reference advises.
        {
            "ErrorEquals": ["ECS.ThrottlingException"],
            "IntervalSeconds": 2,
            "BackoffRate": 2.0,
            "MaxAttempts": 6,
            "MaxDelaySeconds": 60,
            "JitterStrategy": "FULL",
        },
    ]


def test_an_ecs_api_error_fails_with_its_own_name_and_plain_text_cause(synthesized):
    """States.TaskFailed in a Catch also matches ECS.AccessDeniedException, whose cause is not JSON: such a
    failure must reach the Fail state untouched, never States.StringToJson (an uncatchable States.Runtime)."""
    states = definition(synthesized, CHILD)["States"]
    choice = states["Task stopped?"]
    assert choice["Default"] == "Launch failed"
    assert [c["Next"] for c in choice["Choices"]] == ["Read stopped task"]


def test_does_not_retry_a_container_that_exited_non_zero(synthesized):
    retried = {e for r in definition(synthesized, CHILD)["States"]["Run task"]["Retry"] for e in r["ErrorEquals"]}
    assert "States.TaskFailed" not in retried
    assert "States.ALL" not in retried


def test_container_exit_fails_the_execution_with_the_exit_code_in_the_cause(synthesized):
    states = definition(synthesized, CHILD)["States"]
    assert states["Run task"]["Catch"] == [
        {
            "ErrorEquals": ["ECS.AmazonECSException", "AmazonECS.Unknown"],
            "ResultPath": "$.failure",
            "Next": "Launch failed",
        },
        {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failure", "Next": "Task stopped?"},
    ]
    assert states["Task stopped?"]["Choices"] == [
        {"Variable": "$.failure.Error", "StringEquals": "States.TaskFailed", "Next": "Read stopped task"}
    ]
    assert states["Launch failed"] == {"Type": "Fail", "ErrorPath": "$.failure.Error", "CausePath": "$.failure.Cause"}
    assert states["Read stopped task"]["Parameters"]["task.$"] == "States.StringToJson($.failure.Cause)"
    assert states["Read exit code"]["Parameters"] == {
        "exitCode.$": "$.task.Containers[0].ExitCode",
        "reason.$": "$.task.StoppedReason",
    }
    exited = states["Container exited"]
    assert exited["Type"] == "Fail"
    assert exited["Error"] == "Batch.ContainerExited"
    assert exited["CausePath"] == "States.Format('exit code {}; {}', $.exitCode, $.reason)"
    assert states["Task stopped"]["Type"] == "Fail"


def test_role_may_run_only_its_steps_task_families_on_this_cluster(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{CHILD}-sfn")}
    cluster_arn = reference(synthesized, "aws_ecs_cluster", "arn", name="fargate-batch-dev")
    run = statements["RunTaskOnThisCluster"]
    assert run["actions"] == ["ecs:RunTask"]
    # The pipeline's own steps' families, every revision; no other family, so a start naming another
    # task definition is refused by IAM (tests/local_emulator: test_operations_end_to_end).
    assert len(run["resources"]) == len(STEP_FAMILIES)
    for resource, family in zip(run["resources"], STEP_FAMILIES, strict=True):
        assert resource.endswith(f":task-definition/{family}:*")
    assert run["condition"] == [{"test": "ArnEquals", "variable": "ecs:cluster", "values": [cluster_arn]}]
    track = statements["TrackAndStopTasks"]
    assert track["actions"] == ["ecs:DescribeTasks", "ecs:StopTask"]
    assert track["resources"][0].endswith(":task/fargate-batch-dev/*")


def test_role_may_tag_tasks_of_this_cluster_only_as_run_task_creates_them(synthesized):
    """RunTask with PropagateTags needs ecs:TagResource, conditioned on ecs:CreateAction = RunTask:
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
    """
    assert definition(synthesized, CHILD)["States"]["Run task"]["Parameters"]["PropagateTags"] == "TASK_DEFINITION"
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{CHILD}-sfn")}
    tag = statements["TagTasksAtLaunch"]
    assert tag["actions"] == ["ecs:TagResource"]
    assert len(tag["resources"]) == 1
    assert tag["resources"][0].endswith(":task/fargate-batch-dev/*")
    assert tag["condition"] == [{"test": "StringEquals", "variable": "ecs:CreateAction", "values": ["RunTask"]}]


def test_role_manages_only_the_ecs_sync_event_rule(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{CHILD}-sfn")}
    rule = statements["ManagedRuleForEcsTaskEvents"]
    assert rule["actions"] == ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    assert rule["resources"][0].endswith(":rule/StepFunctionsGetEventsForECSTaskRule")


def test_role_passes_only_the_task_roles_and_only_to_ecs_tasks(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, f"{CHILD}-sfn")}
    pass_role = statements["PassRoleToEcstasks"]
    assert pass_role["actions"] == ["iam:PassRole"]
    assert sorted(pass_role["resources"]) == sorted(
        [
            reference(synthesized, "aws_iam_role", "arn", name="fargate-batch-dev-batch-task"),
            reference(synthesized, "aws_iam_role", "arn", name="fargate-batch-dev-batch-execution"),
        ]
    )
    assert pass_role["condition"] == [
        {"test": "StringEquals", "variable": "iam:PassedToService", "values": ["ecs-tasks.amazonaws.com"]}
    ]


def test_state_machine_logs_and_traces(synthesized):
    machine = find(synthesized, "aws_sfn_state_machine", name=CHILD)
    assert machine["tracing_configuration"] == {"enabled": True}
    assert machine["logging_configuration"]["level"] == "ERROR"
    assert machine["logging_configuration"]["include_execution_data"] is False
    log_group = reference(synthesized, "aws_cloudwatch_log_group", "arn", name=f"/aws/vendedlogs/states/{CHILD}")
    assert machine["logging_configuration"]["log_destination"] == f"{log_group}:*"


def test_each_task_is_limited_by_the_timeout_its_caller_passes(synthesized):
    run = definition(synthesized, CHILD)["States"]["Run task"]
    assert run["TimeoutSecondsPath"] == "$.timeout_seconds"
    assert "TimeoutSeconds" not in run
    # A timeout is not a launch failure: it is never retried and never parsed as a stopped task.
    retried = {e for r in run["Retry"] for e in r["ErrorEquals"]}
    caught = {e for c in run["Catch"] for e in c["ErrorEquals"]}
    assert "States.Timeout" not in retried | caught


def test_whole_execution_has_a_backstop_beyond_the_longest_task_and_its_launch_retries(synthesized, dev_config):
    from modules._private.asl import retry_budget_seconds

    child = definition(synthesized, CHILD)
    longest = max(step.timeout_seconds for step in dev_config.pipelines[0].steps)
    assert child["TimeoutSeconds"] == longest + retry_budget_seconds(child["States"]["Run task"]["Retry"]) + 60


def test_retry_budget_adds_every_capped_wait_and_attempt():
    from modules._private.asl import FAILED_ATTEMPT_ALLOWANCE_SECONDS, retry_budget_seconds

    rendered = {"IntervalSeconds": 10, "BackoffRate": 2.0, "MaxAttempts": 4, "MaxDelaySeconds": 30}
    # Waits 10, 20, 30 (capped), 30 (capped).
    assert retry_budget_seconds([rendered]) == 90 + 4 * FAILED_ATTEMPT_ALLOWANCE_SECONDS
    assert retry_budget_seconds([{**rendered, "MaxAttempts": 0}]) == 0


def test_run_task_uses_only_parameters_the_optimized_integration_accepts(synthesized):
    """Step Functions refuses other RunTask fields (Tags among them) in an ecs:runTask state.

    https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
    """
    parameters = definition(synthesized, CHILD)["States"]["Run task"]["Parameters"]
    supported = {
        "Cluster",
        "Group",
        "LaunchType",
        "NetworkConfiguration",
        "Overrides",
        "PlacementConstraints",
        "PlacementStrategy",
        "PlatformVersion",
        "PropagateTags",
        "TaskDefinition",
        "EnableExecuteCommand",
    }
    assert {key.removesuffix(".$") for key in parameters} <= supported
    assert parameters["PropagateTags"] == "TASK_DEFINITION"
