from modules._private.iam_statements import AwsScope, ecs_run_task_sync, pass_role, start_execution_sync2

SCOPE = AwsScope(partition="aws", region="ap-northeast-1", account_id="111122223333")


def test_run_task_sync_statements_match_the_aws_documented_policy():
    statements = ecs_run_task_sync(
        SCOPE,
        cluster_arn="arn:aws:ecs:ap-northeast-1:111122223333:cluster/batch",
        cluster_name="batch",
        task_definition_family="batch-task",
        task_role_arn="arn:aws:iam::111122223333:role/task",
        execution_role_arn="arn:aws:iam::111122223333:role/exec",
    )
    rendered = [s.render() for s in statements]
    assert [(r["actions"], r["resources"]) for r in rendered] == [
        (["ecs:RunTask"], ["arn:aws:ecs:ap-northeast-1:111122223333:task-definition/batch-task:*"]),
        (["ecs:DescribeTasks", "ecs:StopTask"], ["arn:aws:ecs:ap-northeast-1:111122223333:task/batch/*"]),
        (
            ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            ["arn:aws:events:ap-northeast-1:111122223333:rule/StepFunctionsGetEventsForECSTaskRule"],
        ),
        (["iam:PassRole"], ["arn:aws:iam::111122223333:role/task", "arn:aws:iam::111122223333:role/exec"]),
    ]


def test_nested_sync2_statements_scope_executions_to_the_child():
    statements = start_execution_sync2(
        SCOPE,
        state_machine_arn="arn:aws:states:ap-northeast-1:111122223333:stateMachine:child",
        state_machine_name="child",
    )
    rendered = [s.render() for s in statements]
    assert rendered[0]["resources"] == ["arn:aws:states:ap-northeast-1:111122223333:stateMachine:child"]
    assert rendered[1]["resources"] == ["arn:aws:states:ap-northeast-1:111122223333:execution:child:*"]
    assert rendered[2]["resources"] == [
        "arn:aws:events:ap-northeast-1:111122223333:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
    ]


def test_pass_role_is_conditioned_on_the_receiving_service():
    rendered = pass_role(("arn:role",), "ecs-tasks.amazonaws.com").render()
    assert rendered["condition"] == [
        {"test": "StringEquals", "variable": "iam:PassedToService", "values": ["ecs-tasks.amazonaws.com"]}
    ]
