"""The local run refuses what AWS would refuse: each IAM mistake planted in the deployed stack fails its workflow.

Each test changes one deployed policy in the emulator (as a mistaken `terraform apply` would have left it),
runs the affected workflow with the real components (scheduler clock, EventBridge rule, Step Functions
interpreter, local ECS agent, batch program), checks that it fails where AWS fails it and that the denial
is reported in AWS's words, then restores the policy. The unmodified stack makes no denial at all.
"""

from __future__ import annotations

import copy
import json
from contextlib import contextmanager

import pytest

from fargate_batch.local_run.executions import task_steps, wait_for_execution, wait_for_new_execution
from local_emulator.scheduler_clock import ScheduleInvocationFailed, fire_now
from local_emulator.service_roles import authorization_summary
from tests.local_emulator.conftest import alerts_for, drain, history, start

pytestmark = pytest.mark.emulator

PREFIX = "fargate-batch-dev"


def reset_decisions(endpoint: str) -> None:
    import urllib.request

    from local_emulator.service_roles import DECISIONS_PATH

    with urllib.request.urlopen(urllib.request.Request(endpoint + DECISIONS_PATH, method="DELETE"), timeout=5):
        pass


@pytest.fixture
def decisions(deployed):
    reset_decisions(deployed.endpoint)
    return lambda: authorization_summary(deployed.endpoint)


def inline_policy(iam, role_name: str, sid: str) -> tuple[str, dict]:
    """The role's deployed inline policy that holds statement ``sid``."""
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        if any(s.get("Sid") == sid for s in document["Statement"]):
            return name, document
    raise AssertionError(f"role {role_name} has no inline policy with statement {sid}")


@contextmanager
def planted_identity_policy(deployed, role_name: str, sid: str, change):
    """The role's deployed policy holding ``sid``, changed by ``change(statements)``, for the block's duration."""
    iam = deployed.client("iam")
    name, original = inline_policy(iam, role_name, sid)
    mistaken = copy.deepcopy(original)
    change(mistaken["Statement"])
    iam.put_role_policy(RoleName=role_name, PolicyName=name, PolicyDocument=json.dumps(mistaken))
    try:
        yield
    finally:
        iam.put_role_policy(RoleName=role_name, PolicyName=name, PolicyDocument=json.dumps(original))


@contextmanager
def planted_trust_policy(deployed, role_name: str, source_arn: str):
    iam = deployed.client("iam")
    original = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    mistaken = copy.deepcopy(original)
    for statement in mistaken["Statement"]:
        for operator in statement["Condition"].values():
            if "aws:SourceArn" in operator:
                operator["aws:SourceArn"] = source_arn
    iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(mistaken))
    try:
        yield
    finally:
        iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(original))


def without_statement(sid: str):
    def change(statements: list[dict]) -> None:
        assert any(s.get("Sid") == sid for s in statements), f"no statement {sid} to remove"
        statements[:] = [s for s in statements if s.get("Sid") != sid]

    return change


def without_action(sid: str, action: str):
    def change(statements: list[dict]) -> None:
        (statement,) = [s for s in statements if s.get("Sid") == sid]
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert action in actions
        statement["Action"] = [a for a in actions if a != action]

    return change


def without_resource(sid: str, suffix: str):
    def change(statements: list[dict]) -> None:
        (statement,) = [s for s in statements if s.get("Sid") == sid]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        kept = [r for r in resources if not r.endswith(suffix)]
        assert len(kept) == len(resources) - 1, resources
        statement["Resource"] = kept

    return change


def denied(summary: dict, action: str) -> list[dict]:
    return [d for d in summary["denied"] if d["action"] == action]


def child_failure(deployed, execution_arn: str) -> dict:
    sfn = deployed.client("stepfunctions")
    child = task_steps(sfn, execution_arn)[0].child_execution_arn
    return wait_for_execution(sfn, child)


# -- the unmodified stack --------------------------------------------------------------------------


def test_unmodified_stack_runs_every_workflow_kind_with_no_denial(deployed, agent, decisions):
    sfn, s3 = deployed.client("stepfunctions"), deployed.client("s3")
    pipeline = fire_now(deployed.client("scheduler"), name=f"{PREFIX}-daily-report", group=PREFIX)
    assert wait_for_execution(sfn, pipeline)["status"] == "SUCCEEDED"
    machine = deployed.outputs["trigger-target-files-arn"]
    known = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    s3.put_object(Bucket=deployed.outputs["data-bucket-name"], Key="target/authorized.csv", Body=b"a\n")
    triggered = wait_for_new_execution(sfn, machine, known, timeout_seconds=10)
    assert wait_for_execution(sfn, triggered)["status"] == "SUCCEEDED"
    summary = decisions()
    assert summary["denied"] == []
    assert summary["decisions"] >= 20


# -- planted mistakes ------------------------------------------------------------------------------


def test_run_task_without_ecs_tag_resource_fails_with_the_ecs_access_denied_error(
    deployed, agent, alert_queue, decisions
):
    sqs = deployed.client("sqs")
    drain(sqs, alert_queue)
    with planted_identity_policy(
        deployed, f"{PREFIX}-daily-report-run-task-sfn", "TagTasksAtLaunch", without_statement("TagTasksAtLaunch")
    ):
        arn = start(deployed, "pipeline-daily-report-arn")
        description = wait_for_execution(deployed.client("stepfunctions"), arn)
    assert description["status"] == "FAILED"
    child = child_failure(deployed, arn)
    assert child["error"] == "ECS.AccessDeniedException"
    assert "is not authorized to perform: ecs:TagResource" in child["cause"]
    (denial,) = denied(decisions(), "ecs:TagResource")
    assert denial["principal"].startswith(f"arn:aws:sts::123456789012:assumed-role/{PREFIX}-daily-report-run-task-sfn/")
    assert denial["reason"] == "because no identity-based policy allows the ecs:TagResource action"
    (alert,) = alerts_for(sqs, alert_queue, arn)
    assert "ECS.AccessDeniedException" in alert and "ecs:TagResource" in alert


def test_scheduler_trust_scoped_to_the_schedule_is_refused_and_nothing_starts(deployed, decisions):
    scheduler = deployed.client("scheduler")
    schedule = scheduler.get_schedule(Name=f"{PREFIX}-daily-report", GroupName=PREFIX)
    role_name = schedule["Target"]["RoleArn"].rsplit("/", 1)[-1]
    with planted_trust_policy(deployed, role_name, schedule["Arn"]), pytest.raises(ScheduleInvocationFailed) as failed:
        fire_now(scheduler, name=f"{PREFIX}-daily-report", group=PREFIX)
    assert failed.value.dead_lettered is False
    assert "is not authorized to perform: sts:AssumeRole" in str(failed.value)
    (denial,) = denied(decisions(), "sts:AssumeRole")
    assert denial["principal"] == "scheduler.amazonaws.com"


@contextmanager
def planted_key_policy(deployed, alias: str, sid: str):
    """The key's deployed policy without statement ``sid``, for the block's duration."""
    kms = deployed.client("kms")
    key_id = kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
    original = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    mistaken = json.loads(original)
    assert any(s.get("Sid") == sid for s in mistaken["Statement"]), f"no statement {sid} in the key policy"
    mistaken["Statement"] = [s for s in mistaken["Statement"] if s.get("Sid") != sid]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(mistaken))
    try:
        yield
    finally:
        kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=original)


def test_key_policy_without_eventbridge_delivers_no_alert_and_dead_letters_the_event(
    deployed, agent, alert_queue, decisions
):
    """SNS encrypts the alert with the topic's key on EventBridge's behalf; only the key policy can let a service
    use the key: https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services"""
    sqs = deployed.client("sqs")
    drain(sqs, alert_queue)
    dlq = sqs.get_queue_url(QueueName=f"{PREFIX}-execution-alerts-dlq")["QueueUrl"]
    drain(sqs, dlq)
    with planted_key_policy(deployed, f"alias/{PREFIX}", "EventBridgeExecutionAlerts"):
        arn = start(deployed, "pipeline-failing-arn")
        description = wait_for_execution(deployed.client("stepfunctions"), arn)
        assert alerts_for(sqs, alert_queue, arn, timeout_seconds=5) == []
    # The failure itself is unchanged; only the alert about it is lost.
    assert (description["status"], description["error"]) == ("FAILED", "Batch.ContainerExited")
    (denial, *_) = denied(decisions(), "kms:GenerateDataKey")
    assert denial["principal"] == "events.amazonaws.com"
    (dead_letter,) = sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"], WaitTimeSeconds=2)["Messages"]
    assert json.loads(dead_letter["Body"])["detail"]["executionArn"] == arn
    assert "kms:GenerateDataKey" in dead_letter["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"]


def test_trigger_task_without_s3_get_object_exits_with_the_unreadable_input_code(deployed, agent, decisions):
    sfn, s3 = deployed.client("stepfunctions"), deployed.client("s3")
    machine = deployed.outputs["trigger-target-files-arn"]
    known = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    with planted_identity_policy(
        deployed, f"{PREFIX}-trigger-task", "ReadTriggeredObjects", without_statement("ReadTriggeredObjects")
    ):
        s3.put_object(Bucket=deployed.outputs["data-bucket-name"], Key="target/denied.csv", Body=b"a\n")
        arn = wait_for_new_execution(sfn, machine, known, timeout_seconds=10)
        description = wait_for_execution(sfn, arn)
    assert description["status"] == "FAILED"
    assert "exit code 4" in child_failure(deployed, arn)["cause"]  # INPUT_UNREADABLE
    denials = denied(decisions(), "s3:GetObject")
    assert denials, "the program's read was not refused"
    assert {d["resource"] for d in denials} == {
        f"arn:aws:s3:::{deployed.outputs['data-bucket-name']}/target/denied.csv"
    }


def test_pass_role_without_the_execution_role_fails_the_launch(deployed, agent, decisions):
    with planted_identity_policy(
        deployed,
        f"{PREFIX}-daily-report-run-task-sfn",
        "PassRoleToEcstasks",
        without_resource("PassRoleToEcstasks", f"role/{PREFIX}-batch-execution"),
    ):
        arn = start(deployed, "pipeline-daily-report-arn")
        assert wait_for_execution(deployed.client("stepfunctions"), arn)["status"] == "FAILED"
    child = child_failure(deployed, arn)
    assert child["error"] == "ECS.AccessDeniedException"
    assert "iam:PassRole" in child["cause"]
    (denial,) = denied(decisions(), "iam:PassRole")
    assert denial["resource"].endswith(f":role/{PREFIX}-batch-execution")


def test_rule_role_trusting_another_rule_starts_nothing_and_the_event_goes_to_the_dead_letter_queue(
    deployed, decisions
):
    sfn, s3, sqs, events = (deployed.client(s) for s in ("stepfunctions", "s3", "sqs", "events"))
    rule = events.describe_rule(Name=f"{PREFIX}-trigger-target-files")
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    other_rule = events.describe_rule(Name=f"{PREFIX}-trigger-json-files")["Arn"]
    dlq = sqs.get_queue_url(QueueName=f"{PREFIX}-trigger-dlq")["QueueUrl"]
    drain(sqs, dlq)
    machine = deployed.outputs["trigger-target-files-arn"]
    known = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    with planted_trust_policy(deployed, target["RoleArn"].rsplit("/", 1)[-1], other_rule):
        s3.put_object(Bucket=deployed.outputs["data-bucket-name"], Key="target/untrusted.csv", Body=b"a\n")
        assert wait_for_new_execution(sfn, machine, known, timeout_seconds=3) is None
    (denial,) = denied(decisions(), "sts:AssumeRole")
    assert denial["principal"] == "events.amazonaws.com"
    (dead_letter,) = sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"], WaitTimeSeconds=1)["Messages"]
    assert dead_letter["MessageAttributes"]["RULE_ARN"]["StringValue"] == rule["Arn"]
    assert json.loads(dead_letter["Body"])["detail"]["object"]["key"] == "target/untrusted.csv"


def test_scheduler_role_that_may_not_start_the_pipeline_sends_the_event_to_the_dead_letter_queue(deployed, decisions):
    """A failed target call goes to the schedule's DLQ, sent with the same role:
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html"""
    scheduler, sqs = deployed.client("scheduler"), deployed.client("sqs")
    schedule = scheduler.get_schedule(Name=f"{PREFIX}-daily-report", GroupName=PREFIX)
    dlq = sqs.get_queue_url(QueueName=f"{PREFIX}-schedule-dlq")["QueueUrl"]
    drain(sqs, dlq)
    role_name = schedule["Target"]["RoleArn"].rsplit("/", 1)[-1]
    with (
        planted_identity_policy(
            deployed, role_name, "StartThisStateMachine", without_statement("StartThisStateMachine")
        ),
        pytest.raises(ScheduleInvocationFailed) as failed,
    ):
        fire_now(scheduler, name=f"{PREFIX}-daily-report", group=PREFIX)
    assert failed.value.dead_lettered is True
    (denial,) = denied(decisions(), "states:StartExecution")
    assert denial["resource"] == schedule["Target"]["Arn"]
    (dead_letter,) = sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"], WaitTimeSeconds=1)["Messages"]
    assert dead_letter["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "AccessDeniedException"
    assert dead_letter["MessageAttributes"]["SCHEDULE_ARN"]["StringValue"] == schedule["Arn"]
    assert json.loads(dead_letter["Body"]) == json.loads(schedule["Target"]["Input"])


# -- first deploy: failure paths of a real account (issue 16) -----------------------------------------


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def run_task_input(deployed, family: str = f"{PREFIX}-daily-report-extract") -> dict:
    """What the pipeline's first step hands its run-task child, naming ``family``'s current task definition."""
    ecs = deployed.client("ecs")
    return {
        "task_definition": ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["taskDefinitionArn"],
        "commands": ["echo", "first", "deploy"],
        "environment": [{"Name": "ENV", "Value": "first deploy"}],
        "timeout_seconds": 60,
    }


def test_a_run_task_child_refuses_a_task_definition_outside_its_own_steps(deployed, agent, decisions):
    """The child takes its task definition from its input, and its role may run only its steps' families: a
    start naming another family (here the trigger's, whose task role may write to the data bucket) launches
    nothing."""
    sfn = deployed.client("stepfunctions")
    foreign = run_task_input(deployed, family=f"{PREFIX}-trigger-target-files")
    arn = start(deployed, "pipeline-daily-report-run-task-arn", foreign)
    described = wait_for_execution(sfn, arn)
    assert (described["status"], described["error"]) == ("FAILED", "ECS.AccessDeniedException")
    (denial,) = denied(decisions(), "ecs:RunTask")
    assert denial["resource"] == foreign["task_definition"]
    assert task_steps(sfn, arn)[0].task_arns == []


def test_run_task_role_without_ecs_run_task_fails_with_the_access_denied_error_and_its_plain_cause(
    deployed, agent, decisions
):
    """An ECS API error's cause is plain text: the execution fails with it, never with a parse error."""
    sfn = deployed.client("stepfunctions")
    with planted_identity_policy(
        deployed,
        f"{PREFIX}-daily-report-run-task-sfn",
        "RunTaskOnThisCluster",
        without_statement("RunTaskOnThisCluster"),
    ):
        arn = start(deployed, "pipeline-daily-report-run-task-arn", run_task_input(deployed))
        described = wait_for_execution(sfn, arn)
    assert (described["status"], described["error"]) == ("FAILED", "ECS.AccessDeniedException")
    assert "is not authorized to perform: ecs:RunTask" in described["cause"]
    assert not _is_json(described["cause"])
    assert "States.Runtime" not in json.dumps(history(deployed, arn), default=str)
    (denial,) = denied(decisions(), "ecs:RunTask")
    assert denial["principal"].startswith(f"arn:aws:sts::123456789012:assumed-role/{PREFIX}-daily-report-run-task-sfn/")


def test_throttled_run_task_is_retried_and_the_task_then_runs(deployed, agent, decisions):
    from local_emulator.patches.ecs_capacity_faults import set_throttled_run_tasks

    sfn = deployed.client("stepfunctions")
    set_throttled_run_tasks(deployed.endpoint, f"{PREFIX}-daily-report-extract", 1)
    arn = start(deployed, "pipeline-daily-report-run-task-arn", run_task_input(deployed))
    assert wait_for_execution(sfn, arn)["status"] == "SUCCEEDED"
    failures = [e["taskFailedEventDetails"]["error"] for e in history(deployed, arn) if e["type"] == "TaskFailed"]
    assert failures == ["ECS.ThrottlingException"]
    (launch,) = task_steps(sfn, arn)
    assert (launch.attempts, launch.status, len(launch.task_arns)) == (2, "SUCCEEDED", 1)
    (run,) = [run for run in agent.runs.values() if run.task_arn == launch.task_arns[0]]
    assert (run.command, run.exit_code) == (["echo", "first", "deploy"], 0)
    assert denied(decisions(), "ecs:RunTask") == []


def _trigger_event(deployed, key: str) -> dict:
    """The EventBridge "Object Created" event the trigger's rule hands to its state machine."""
    return {"detail": {"bucket": {"name": deployed.outputs["data-bucket-name"]}, "object": {"key": key}}}


def test_missing_input_object_exits_with_the_missing_input_code(deployed, agent, decisions):
    """s3:ListBucket under the trigger prefix makes S3 answer 404 for a missing key (API_GetObject.html)."""
    sfn = deployed.client("stepfunctions")
    arn = start(deployed, "trigger-target-files-arn", _trigger_event(deployed, "target/never-uploaded.csv"))
    assert wait_for_execution(sfn, arn)["status"] == "FAILED"
    assert "exit code 3" in child_failure(deployed, arn)["cause"]  # INPUT_MISSING
    summary = decisions()
    assert summary["by_action"]["s3:ListBucket"] == {"allowed": 1, "denied": 0}
    assert [d for d in summary["denied"] if d["action"].startswith("s3:")] == []


def test_missing_input_object_without_list_bucket_reads_as_unreadable(deployed, agent, decisions):
    """Without s3:ListBucket, S3 answers 403 for a missing key, and process says "unreadable" (exit 4)."""
    sfn = deployed.client("stepfunctions")
    with planted_identity_policy(
        deployed, f"{PREFIX}-trigger-task", "ListTriggerPrefixes", without_statement("ListTriggerPrefixes")
    ):
        arn = start(deployed, "trigger-target-files-arn", _trigger_event(deployed, "target/also-missing.csv"))
        assert wait_for_execution(sfn, arn)["status"] == "FAILED"
    assert "exit code 4" in child_failure(deployed, arn)["cause"]  # INPUT_UNREADABLE
    (denial,) = denied(decisions(), "s3:ListBucket")
    assert denial["resource"] == f"arn:aws:s3:::{deployed.outputs['data-bucket-name']}"


def test_execution_role_trust_relying_on_source_arn_is_refused_so_no_logs_are_written(deployed, agent, decisions):
    """ECS documents no aws:SourceArn for execution roles; the agent sends none, so such a trust is refused."""
    iam = deployed.client("iam")
    role_name = f"{PREFIX}-batch-execution"
    original = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    assert all("Condition" not in s for s in original["Statement"])
    mistaken = copy.deepcopy(original)
    for statement in mistaken["Statement"]:
        statement["Condition"] = {"ArnLike": {"aws:SourceArn": "arn:aws:ecs:*:123456789012:*"}}
    iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(mistaken))
    try:
        arn = start(deployed, "pipeline-daily-report-run-task-arn", run_task_input(deployed))
        wait_for_execution(deployed.client("stepfunctions"), arn)
    finally:
        iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(original))
    refusals = [d for d in denied(decisions(), "sts:AssumeRole") if d["resource"].endswith(f":role/{role_name}")]
    assert refusals and all(d["principal"] == "ecs-tasks.amazonaws.com" for d in refusals)
