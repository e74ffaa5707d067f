from modules._private.iam_statements import AwsScope
from modules.nested_workflow_state_machine import start_execution_sync2
from modules.run_task_state_machine import ecs_run_task_sync, pass_role

SCOPE = AwsScope(partition="aws", region="ap-northeast-1", account_id="111122223333")


def test_run_task_sync_statements_match_the_aws_documented_policy():
    statements = ecs_run_task_sync(
        SCOPE,
        cluster_arn="arn:aws:ecs:ap-northeast-1:111122223333:cluster/batch",
        cluster_name="batch",
        task_definition_families=("batch-extract", "batch-load"),
        task_role_arn="arn:aws:iam::111122223333:role/task",
        execution_role_arn="arn:aws:iam::111122223333:role/exec",
    )
    rendered = [s.render() for s in statements]
    assert [(r["actions"], r["resources"]) for r in rendered] == [
        # Every revision of exactly the families the caller may name, nothing else.
        (
            ["ecs:RunTask"],
            [
                "arn:aws:ecs:ap-northeast-1:111122223333:task-definition/batch-extract:*",
                "arn:aws:ecs:ap-northeast-1:111122223333:task-definition/batch-load:*",
            ],
        ),
        (["ecs:DescribeTasks", "ecs:StopTask"], ["arn:aws:ecs:ap-northeast-1:111122223333:task/batch/*"]),
        # Tag-on-create: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
        (["ecs:TagResource"], ["arn:aws:ecs:ap-northeast-1:111122223333:task/batch/*"]),
        (
            ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            ["arn:aws:events:ap-northeast-1:111122223333:rule/StepFunctionsGetEventsForECSTaskRule"],
        ),
        (["iam:PassRole"], ["arn:aws:iam::111122223333:role/task", "arn:aws:iam::111122223333:role/exec"]),
    ]
    assert rendered[2]["condition"] == [{"test": "StringEquals", "variable": "ecs:CreateAction", "values": ["RunTask"]}]


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


def test_kms_data_keys_are_granted_only_through_the_named_service():
    from modules._private.iam_statements import kms_data_keys_via

    rendered = kms_data_keys_via(
        "arn:aws:kms:ap-northeast-1:111122223333:key/k",
        sid="EncryptAlerts",
        service_endpoint="sns.ap-northeast-1.amazonaws.com",
    ).render()
    assert rendered == {
        "sid": "EncryptAlerts",
        "effect": "Allow",
        "actions": ["kms:GenerateDataKey", "kms:Decrypt"],
        "resources": ["arn:aws:kms:ap-northeast-1:111122223333:key/k"],
        "condition": [
            {"test": "StringEquals", "variable": "kms:ViaService", "values": ["sns.ap-northeast-1.amazonaws.com"]}
        ],
    }


def test_schedule_payload_decrypt_is_bound_to_the_schedule_by_encryption_context():
    from modules.schedule import decrypt_schedule_payload

    rendered = decrypt_schedule_payload("arn:k", "arn:aws:scheduler:ap-northeast-1:111122223333:schedule/g/s").render()
    assert rendered["actions"] == ["kms:Decrypt"]
    assert rendered["condition"] == [
        {
            "test": "ArnEquals",
            "variable": "kms:EncryptionContext:aws:scheduler:schedule:arn",
            "values": ["arn:aws:scheduler:ap-northeast-1:111122223333:schedule/g/s"],
        }
    ]


def test_flow_logs_write_only_their_group_and_list_groups_without_resource_scope():
    from modules.network import deliver_flow_logs

    deliver, find_group = (s.render() for s in deliver_flow_logs("arn:aws:logs:r:1:log-group:/vpc/flow-logs/x"))
    assert deliver["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    assert deliver["resources"] == [
        "arn:aws:logs:r:1:log-group:/vpc/flow-logs/x",
        "arn:aws:logs:r:1:log-group:/vpc/flow-logs/x:log-stream:*",
    ]
    # DescribeLogGroups has no resource type in the service authorization reference.
    assert (find_group["actions"], find_group["resources"]) == (["logs:DescribeLogGroups"], ["*"])
