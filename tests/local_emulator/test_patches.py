"""Each correction of local_emulator.patches, checked over HTTP against the running emulator.

Each test exercises the AWS behaviour the patch restores; without the patch moto answers differently
(500, a missing field, or the wrong value), as each patch's docstring records.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest

from local_emulator.patches import PATCH_MODULES
from local_emulator.patches.sfn_definite_json_paths import INDEFINITE
from tests.local_emulator.conftest import emulator_clients

pytestmark = pytest.mark.emulator

ROLE = "arn:aws:iam::123456789012:role/test"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def aws(emulator):
    client = emulator_clients(emulator.endpoint, REGION)

    create_role(client("iam"), "test", "states.amazonaws.com", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    return client


def create_role(iam, name: str, service: str, *statements: dict) -> str:
    """A role ``service`` may assume, with these statements. The machines here run with a role that may do
    anything, as these tests are about the other corrections; authorization has tests of its own."""
    trust = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    try:
        arn = iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]})
        )["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    if statements:
        iam.put_role_policy(
            RoleName=name,
            PolicyName="statements",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
        )
    return arn


def machine(aws, name, definition):
    return aws("stepfunctions").create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(definition))[
        "stateMachineArn"
    ]


def wait(aws, arn):
    sfn = aws("stepfunctions")
    for _ in range(200):
        description = sfn.describe_execution(executionArn=arn)
        if description["status"] != "RUNNING":
            return description
        time.sleep(0.05)
    raise AssertionError(f"{arn} still running")


def test_every_patch_module_is_documented():
    import importlib

    for name in PATCH_MODULES:
        module = importlib.import_module(f"local_emulator.patches.{name}")
        assert "moto 5.2" in module.__doc__ and "AWS" in module.__doc__, name


def test_validate_state_machine_definition_accepts_a_valid_definition(aws):
    result = aws("stepfunctions").validate_state_machine_definition(
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    )
    assert result["result"] == "OK"


def test_validate_state_machine_definition_reports_a_broken_definition(aws):
    result = aws("stepfunctions").validate_state_machine_definition(
        definition=json.dumps({"StartAt": "Missing", "States": {"P": {"Type": "Pass", "Next": "Nowhere"}}})
    )
    assert result["result"] == "FAIL"
    assert result["diagnostics"][0]["severity"] == "ERROR"


def test_list_state_machine_versions_answers(aws):
    arn = machine(aws, "versions", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert aws("stepfunctions").list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []


def test_bucket_notification_reports_eventbridge(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="patch-eventbridge")
    s3.put_bucket_notification_configuration(
        Bucket="patch-eventbridge", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    assert s3.get_bucket_notification_configuration(Bucket="patch-eventbridge")["EventBridgeConfiguration"] == {}


def test_lifecycle_answer_carries_the_minimum_object_size_header(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="patch-lifecycle")
    s3.put_bucket_lifecycle_configuration(
        Bucket="patch-lifecycle",
        LifecycleConfiguration={
            "Rules": [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]
        },
    )
    headers = s3.get_bucket_lifecycle_configuration(Bucket="patch-lifecycle")["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-transition-default-minimum-object-size"] == "all_storage_classes_128K"


def test_queue_with_a_kms_key_reports_sqs_managed_encryption_off(aws):
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName="patch-kms", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["SqsManagedSseEnabled"] == "false"
    )


def test_security_group_rule_to_a_group_keeps_its_description(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_security_group(GroupName="a", Description="a", VpcId=vpc)["GroupId"]
    b = ec2.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=a,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [{"GroupId": b, "Description": "from b"}],
            }
        ],
    )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [a]}])["SecurityGroupRules"]
    assert [r.get("Description") for r in rules if not r["IsEgress"]] == ["from b"]


def fargate_setup(aws, family):
    ecs, ec2 = aws("ecs"), aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=family, Description=family, VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName=family)
    ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "batch", "image": "img", "memory": 512}],
    )
    return {
        "cluster": family,
        "taskDefinition": family,
        "launchType": "FARGATE",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
    }


def test_service_reports_availability_zone_rebalancing(aws):
    ecs = aws("ecs")
    params = fargate_setup(aws, "patch-service")
    ecs.create_service(serviceName="s", desiredCount=0, **{k: v for k, v in params.items()})
    (service,) = ecs.describe_services(cluster="patch-service", services=["s"])["services"]
    assert service["availabilityZoneRebalancing"] == "DISABLED"


def test_task_runs_until_stopped_and_stops_with_the_reported_exit_code(aws):
    ecs = aws("ecs")
    params = fargate_setup(aws, "patch-lifecycle-task")
    (task,) = ecs.run_task(**params)["tasks"]
    for _ in range(3):
        assert (
            ecs.describe_tasks(cluster="patch-lifecycle-task", tasks=[task["taskArn"]])["tasks"][0]["lastStatus"]
            == "RUNNING"
        )
    ecs.submit_task_state_change(
        cluster="patch-lifecycle-task",
        task=task["taskArn"],
        status="STOPPED",
        reason="Essential container in task exited",
        containers=[{"containerName": "batch", "exitCode": 7, "status": "STOPPED"}],
    )
    (stopped,) = ecs.describe_tasks(cluster="patch-lifecycle-task", tasks=[task["taskArn"]])["tasks"]
    assert stopped["lastStatus"] == "STOPPED"
    assert stopped["containers"][0]["exitCode"] == 7
    assert stopped["stoppedReason"] == "Essential container in task exited"


def test_capacity_faults_answer_like_aws_then_run_tasks_again(aws, emulator):
    from tests.local_emulator.conftest import set_capacity_failures

    ecs = aws("ecs")
    params = fargate_setup(aws, "patch-capacity")
    set_capacity_failures(emulator.endpoint, "patch-capacity", 1)
    failed = ecs.run_task(**params)
    assert failed["tasks"] == []
    assert failed["failures"][0]["reason"].startswith("Capacity is unavailable at this time")
    assert len(ecs.run_task(**params)["tasks"]) == 1


def tagged_fargate_setup(aws, family):
    params = fargate_setup(aws, family)
    aws("ecs").tag_resource(
        resourceArn=aws("ecs").describe_task_definition(taskDefinition=family)["taskDefinition"]["taskDefinitionArn"],
        tags=[{"key": "step", "value": "extract"}, {"key": "team", "value": "data"}],
    )
    return params


def tags_of(ecs, task) -> dict[str, str]:
    return {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=task["taskArn"])["tags"]}


def test_run_task_propagates_the_task_definitions_tags_and_keeps_its_own(aws):
    """API_RunTask.html#ECS-RunTask-request-propagateTags: TASK_DEFINITION copies them at creation."""
    ecs = aws("ecs")
    params = tagged_fargate_setup(aws, "patch-propagate")
    (task,) = ecs.run_task(**params, propagateTags="TASK_DEFINITION", tags=[{"key": "team", "value": "ops"}])["tasks"]
    assert tags_of(ecs, task) == {"step": "extract", "team": "ops"}


def test_run_task_without_propagation_leaves_the_task_untagged(aws):
    """ "If no value is specified, the tags aren't propagated." (API_RunTask.html)"""
    ecs = aws("ecs")
    params = tagged_fargate_setup(aws, "patch-no-propagate")
    (task,) = ecs.run_task(**params)["tasks"]
    assert tags_of(ecs, task) == {}


def test_run_task_refuses_to_propagate_service_tags(aws):
    """ "An error will be received if you specify the SERVICE option when running a task." (API_RunTask.html)"""
    ecs = aws("ecs")
    params = tagged_fargate_setup(aws, "patch-propagate-service")
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.run_task(**params, propagateTags="SERVICE")


def test_unnamed_executions_get_unique_names(aws):
    arn = machine(aws, "names", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    sfn = aws("stepfunctions")
    first, second = (sfn.start_execution(stateMachineArn=arn)["executionArn"] for _ in range(2))
    assert first != second
    assert not first.endswith(":None")


def test_nested_start_execution_passes_its_input_and_returns_json(aws):
    child = machine(aws, "child", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    parent = machine(
        aws,
        "parent",
        {
            "StartAt": "Run",
            "States": {
                "Run": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": child, "Input": {"hello": "world"}},
                    "End": True,
                }
            },
        },
    )
    arn = aws("stepfunctions").start_execution(stateMachineArn=parent)["executionArn"]
    description = wait(aws, arn)
    assert description["status"] == "SUCCEEDED"
    assert json.loads(description["output"])["Output"] == {"hello": "world"}


def test_definite_paths_through_an_index_select_one_value(aws):
    arn = machine(
        aws,
        "paths",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Pass",
                    "Parameters": {
                        "one.$": "$.items[0].v",
                        "all.$": "$.items[*].v",
                        "text.$": "States.Format('v={}', $.items[0].v)",
                    },
                    "End": True,
                }
            },
        },
    )
    execution = aws("stepfunctions").start_execution(stateMachineArn=arn, input=json.dumps({"items": [{"v": 3}]}))
    output = json.loads(wait(aws, execution["executionArn"])["output"])
    assert output == {"one": 3, "all": [3], "text": "v=3"}
    assert INDEFINITE.search("$.items[*].v") and not INDEFINITE.search("$.items[0].v")


def test_event_pattern_matcher_answers_test_event_pattern(aws):
    pattern = {"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "in/"}]}}}
    event = {
        "id": "1",
        "source": "aws.s3",
        "detail-type": "Object Created",
        "account": "123456789012",
        "time": "2026-11-22T00:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": {"object": {"key": "in/a"}},
    }
    events = aws("events")
    assert events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"] is True
    event["detail"]["object"]["key"] = "out/a"
    assert events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"] is False


def test_tls_only_bucket_policy_lets_requests_through_and_still_denies_what_it_names(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="patch-tls")
    s3.put_bucket_policy(
        Bucket="patch-tls",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::patch-tls/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::patch-tls/locked/*",
                    },
                ],
            }
        ),
    )
    s3.put_object(Bucket="patch-tls", Key="open/a", Body=b"x")
    with pytest.raises(s3.exceptions.ClientError):
        s3.put_object(Bucket="patch-tls", Key="locked/a", Body=b"x")


def test_activity_task_is_handed_to_a_worker_and_its_failure_keeps_the_cause(aws):
    sfn = aws("stepfunctions")
    activity = sfn.create_activity(name="patch-activity")["activityArn"]
    arn = machine(
        aws, "activity", {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": activity, "End": True}}}
    )
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"job": 1}))["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="t")
    assert json.loads(task["input"]) == {"job": 1}
    sfn.send_task_failure(taskToken=task["taskToken"], error="Job.Failed", cause="disk full")
    description = wait(aws, execution)
    assert (description["error"], description["cause"]) == ("Job.Failed", "disk full")


def test_execution_calls_are_judged_against_the_state_machine_role(aws, emulator):
    from local_emulator.service_roles import authorization_summary

    sns = aws("sns")
    topic = sns.create_topic(Name="judged")["TopicArn"]
    role = create_role(
        aws("iam"), "may-not-publish", "states.amazonaws.com", {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}
    )
    definition = {
        "StartAt": "Publish",
        "States": {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message": "hello"},
                "End": True,
            }
        },
    }
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(name="judged", roleArn=role, definition=json.dumps(definition))["stateMachineArn"]
    description = wait(aws, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert description["status"] == "FAILED"
    assert description["error"] == "SNS.AuthorizationErrorException"
    assert "assumed-role/may-not-publish/" in description["cause"]
    assert "is not authorized to perform: sns:Publish on resource: " + topic in description["cause"]
    denials = [d for d in authorization_summary(emulator.endpoint)["denied"] if d["resource"] == topic]
    assert [d["reason"] for d in denials] == ["because no identity-based policy allows the sns:Publish action"]


def test_a_service_the_trust_policy_does_not_name_cannot_assume_the_role(aws, emulator):
    from local_emulator.service_roles import RoleAssumptionRefused, assume_role_as_service

    role = create_role(aws("iam"), "trusts-step-functions", "states.amazonaws.com")
    with pytest.raises(RoleAssumptionRefused, match="User: scheduler.amazonaws.com is not authorized to perform: "):
        assume_role_as_service(
            emulator.endpoint,
            service="scheduler.amazonaws.com",
            role_arn=role,
            source_arn="arn:aws:scheduler:us-east-1:123456789012:schedule-group/default",
            source_account="123456789012",
            region=REGION,
        )


def test_a_call_the_authorizer_cannot_judge_is_denied_naming_it(aws, emulator):
    from botocore.exceptions import ClientError

    from local_emulator.service_roles import as_client_arguments, assume_role_as_service

    role = create_role(
        aws("iam"), "may-do-anything", "ecs-tasks.amazonaws.com", {"Effect": "Allow", "Action": "*", "Resource": "*"}
    )
    credentials = assume_role_as_service(
        emulator.endpoint,
        service="ecs-tasks.amazonaws.com",
        role_arn=role,
        source_arn="arn:aws:ecs:us-east-1:123456789012:task/c/1",
        source_account="123456789012",
        region=REGION,
    )
    ec2 = boto3.client("ec2", endpoint_url=emulator.endpoint, region_name=REGION, **as_client_arguments(credentials))
    with pytest.raises(ClientError, match="does not know how AWS authorizes this call"):
        ec2.describe_vpcs()
