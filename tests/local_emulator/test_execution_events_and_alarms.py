"""Execution status events reach SNS through EventBridge, and CloudWatch alarms notify, authorized as AWS does it.

Everything runs on the real emulator over HTTP: a real state machine fails, times out or is stopped; the
emulator puts AWS's "Step Functions Execution Status Change" event on the default bus; a rule with an input
transformer publishes it to a topic as events.amazonaws.com, judged against the topic and key policies;
an SQS queue subscribed to the topic is what a person would receive. Alarms are evaluated on request.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from local_emulator.alarm_evaluator import evaluate_alarms_over_http
from local_emulator.service_roles import authorization_summary
from tests.local_emulator.conftest import emulator_clients
from tests.local_emulator.test_patches import create_role

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
ACCOUNT = "123456789012"
FAILING = {"StartAt": "Explode", "States": {"Explode": {"Type": "Fail", "Error": "Boom", "Cause": "exploded"}}}
TIMING_OUT = {"TimeoutSeconds": 1, "StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 5, "End": True}}}
WAITING = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 30, "End": True}}}
TEMPLATE = '"Execution <name> ended <status>: <error>"'


@pytest.fixture(scope="module")
def aws(emulator):
    client = emulator_clients(emulator.endpoint, REGION)

    client.endpoint = emulator.endpoint
    client.role = create_role(
        client("iam"), "status-events", "states.amazonaws.com", {"Effect": "Allow", "Action": "*", "Resource": "*"}
    )
    return client


def queue(aws, name: str, *, allow_service: str | None = None) -> tuple[str, str]:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if allow_service:
        statement = {"Effect": "Allow", "Principal": {"Service": allow_service}, "Action": "sqs:SendMessage"}
        policy = {"Version": "2012-10-17", "Statement": [{**statement, "Resource": arn}]}
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url, arn


def key_for(aws, *services: str) -> str:
    """A customer managed key whose policy lets the account's IAM decide and each of ``services`` use the key."""
    statements = [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    ]
    statements += [
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
        }
        for service in services
    ]
    policy = {"Version": "2012-10-17", "Statement": statements}
    return aws("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]


def alert_topic(aws, name: str, *, publishers: tuple[str, ...], key_arn: str | None = None) -> tuple[str, str]:
    """(topic ARN, URL of a queue subscribed to it); the topic policy lets ``publishers`` publish."""
    sns = aws("sns")
    attributes = {"KmsMasterKeyId": key_arn} if key_arn else {}
    topic = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    statements = [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sns:Publish", "Resource": topic}
        for service in publishers
    ]
    sns.set_topic_attributes(
        TopicArn=topic,
        AttributeName="Policy",
        AttributeValue=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    url, arn = queue(aws, f"{name}-inbox")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return topic, url


def failure_rule(aws, name: str, machine_arn: str, topic: str) -> tuple[str, str]:
    """(rule ARN, dead-letter queue URL): failed, timed-out and aborted executions → the topic, transformed."""
    events = aws("events")
    dlq_url, dlq_arn = queue(aws, f"{name}-dlq", allow_service="events.amazonaws.com")
    pattern = {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"status": ["FAILED", "TIMED_OUT", "ABORTED"], "stateMachineArn": [machine_arn]},
    }
    rule_arn = events.put_rule(Name=name, EventPattern=json.dumps(pattern))["RuleArn"]
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "alerts",
                "Arn": topic,
                "DeadLetterConfig": {"Arn": dlq_arn},
                "InputTransformer": {
                    "InputPathsMap": {"name": "$.detail.name", "status": "$.detail.status", "error": "$.detail.error"},
                    "InputTemplate": TEMPLATE,
                },
            }
        ],
    )
    return rule_arn, dlq_url


def machine(aws, name: str, definition: dict) -> str:
    return aws("stepfunctions").create_state_machine(
        name=f"{name}-{uuid.uuid4().hex[:6]}", roleArn=aws.role, definition=json.dumps(definition)
    )["stateMachineArn"]


def finished(aws, execution_arn: str) -> dict:
    sfn = aws("stepfunctions")
    for _ in range(200):
        description = sfn.describe_execution(executionArn=execution_arn)
        if description["status"] != "RUNNING":
            return description
        time.sleep(0.05)
    raise AssertionError(f"{execution_arn} still running")


def run(aws, machine_arn: str, *, stop: bool = False) -> dict:
    sfn = aws("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]
    if stop:
        sfn.stop_execution(executionArn=execution, error="Operator", cause="stopped by the test")
    return finished(aws, execution)


def messages(aws, url: str) -> list[dict]:
    sqs, found = aws("sqs"), []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
    ).get("Messages", []):
        for message in batch:
            found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def denials(aws, principal: str, action: str, resource: str) -> list[dict]:
    summary = authorization_summary(aws.endpoint)
    return [
        d
        for d in summary["denied"]
        if d["principal"] == principal and d["action"] == action and d["resource"] == resource
    ]


# -- execution status events → rule → SNS -----------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "stop", "status"),
    [(FAILING, False, "FAILED"), (TIMING_OUT, False, "TIMED_OUT"), (WAITING, True, "ABORTED")],
    ids=["failed", "timed-out", "aborted"],
)
def test_a_stopped_execution_publishes_one_transformed_alert(aws, definition, stop, status):
    name = f"ends-{status.lower().replace('_', '-')}"
    topic, inbox = alert_topic(aws, name, publishers=("events.amazonaws.com",))
    machine_arn = machine(aws, name, definition)
    _, dlq = failure_rule(aws, name, machine_arn, topic)
    description = run(aws, machine_arn, stop=stop)
    assert description["status"] == status
    received = [m["Body"] for m in messages(aws, inbox)]
    # A quoted template is a JSON string: EventBridge sends it with its quotes and the values' text inside; the
    # event's error is DescribeExecution's (a null one renders empty inside the quotes).
    assert received == [f'"Execution {description["name"]} ended {status}: {description.get("error", "")}"']
    assert messages(aws, dlq) == []


def test_the_failed_alert_names_the_error_of_the_fail_state(aws):
    topic, inbox = alert_topic(aws, "ends-boom", publishers=("events.amazonaws.com",))
    machine_arn = machine(aws, "ends-boom", FAILING)
    failure_rule(aws, "ends-boom", machine_arn, topic)
    description = run(aws, machine_arn)
    assert [m["Body"] for m in messages(aws, inbox)] == [f'"Execution {description["name"]} ended FAILED: Boom"']


def test_a_succeeded_execution_does_not_match_the_failure_rule(aws):
    topic, inbox = alert_topic(aws, "ends-succeeded", publishers=("events.amazonaws.com",))
    machine_arn = machine(aws, "ends-succeeded", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    failure_rule(aws, "ends-succeeded", machine_arn, topic)
    assert run(aws, machine_arn)["status"] == "SUCCEEDED"
    assert messages(aws, inbox) == []


def test_status_events_have_the_documented_shape(aws):
    """Every status, RUNNING first, reaches a queue target untransformed (cw-events.html examples)."""
    machine_arn = machine(aws, "event-shape", FAILING)
    url, arn = queue(aws, "event-shape-all", allow_service="events.amazonaws.com")
    pattern = {"source": ["aws.states"], "detail": {"stateMachineArn": [machine_arn]}}
    aws("events").put_rule(Name="event-shape", EventPattern=json.dumps(pattern))
    aws("events").put_targets(Rule="event-shape", Targets=[{"Id": "q", "Arn": arn}])
    description = run(aws, machine_arn)
    events = [json.loads(m["Body"]) for m in messages(aws, url)]
    assert [e["detail"]["status"] for e in events] == ["RUNNING", "FAILED"]
    running, failed = events
    assert failed["source"] == "aws.states"
    assert failed["detail-type"] == "Step Functions Execution Status Change"
    assert failed["resources"] == [description["executionArn"]]
    assert failed["detail"]["executionArn"] == description["executionArn"]
    assert failed["detail"]["stateMachineArn"] == machine_arn
    assert failed["detail"]["name"] == description["name"]
    assert failed["detail"]["error"] == "Boom" and failed["detail"]["cause"] == "exploded"
    assert failed["detail"]["input"] == "{}" and failed["detail"]["output"] is None
    assert failed["detail"]["startDate"] == int(description["startDate"].timestamp() * 1000)
    assert failed["detail"]["stopDate"] >= failed["detail"]["startDate"]
    assert running["detail"]["stopDate"] is None


# -- refused deliveries ------------------------------------------------------------------------------


def test_a_topic_policy_without_eventbridge_refuses_the_alert_and_dead_letters_it(aws):
    topic, inbox = alert_topic(aws, "no-events-principal", publishers=("cloudwatch.amazonaws.com",))
    machine_arn = machine(aws, "no-events-principal", FAILING)
    rule_arn, dlq = failure_rule(aws, "no-events-principal", machine_arn, topic)
    assert run(aws, machine_arn)["status"] == "FAILED"
    assert messages(aws, inbox) == []
    assert denials(aws, "events.amazonaws.com", "sns:Publish", topic)
    (dead,) = messages(aws, dlq)
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == rule_arn and attributes["TARGET_ARN"] == topic
    assert "events.amazonaws.com is not authorized to perform: sns:Publish" in attributes["ERROR_MESSAGE"]
    assert attributes["ERROR_CODE"]
    assert json.loads(dead["Body"])["detail"]["status"] == "FAILED"
    # EventBridge counts the refusal in the rule's FailedInvocations, which an alarm can watch.
    statistics = aws("cloudwatch").get_metric_statistics(
        Namespace="AWS/Events",
        MetricName="FailedInvocations",
        Dimensions=[{"Name": "RuleName", "Value": "no-events-principal"}],
        StartTime=time.time() - 600,
        EndTime=time.time() + 60,
        Period=60,
        Statistics=["Sum"],
    )
    assert sum(p["Sum"] for p in statistics["Datapoints"]) == 1


def test_a_key_policy_without_eventbridge_refuses_the_alert_of_an_encrypted_topic(aws):
    key = key_for(aws, "cloudwatch.amazonaws.com")
    topic, inbox = alert_topic(aws, "key-without-events", publishers=("events.amazonaws.com",), key_arn=key)
    machine_arn = machine(aws, "key-without-events", FAILING)
    _, dlq = failure_rule(aws, "key-without-events", machine_arn, topic)
    assert run(aws, machine_arn)["status"] == "FAILED"
    assert messages(aws, inbox) == []
    assert denials(aws, "events.amazonaws.com", "kms:GenerateDataKey", key)
    assert len(messages(aws, dlq)) == 1


def test_a_key_policy_naming_eventbridge_delivers_the_alert_of_an_encrypted_topic(aws):
    key = key_for(aws, "events.amazonaws.com")
    topic, inbox = alert_topic(aws, "key-with-events", publishers=("events.amazonaws.com",), key_arn=key)
    machine_arn = machine(aws, "key-with-events", FAILING)
    failure_rule(aws, "key-with-events", machine_arn, topic)
    description = run(aws, machine_arn)
    assert [m["Body"] for m in messages(aws, inbox)] == [f'"Execution {description["name"]} ended FAILED: Boom"']


# -- alarms ------------------------------------------------------------------------------------------


def dead_letter_alarm(aws, name: str, queue_name: str, topic: str) -> None:
    aws("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": queue_name}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[topic],
    )


def alarm_result(evaluation: dict, name: str) -> dict:
    (found,) = [a for a in evaluation["alarms"] if a["name"] == name]
    return found


def test_a_dead_letter_queue_with_a_message_alarms_and_notifies_once(aws):
    topic, inbox = alert_topic(aws, "dlq-alarm", publishers=("cloudwatch.amazonaws.com",))
    url, _ = queue(aws, "dlq-alarm-watched")
    dead_letter_alarm(aws, "dlq-alarm", "dlq-alarm-watched", topic)
    first = alarm_result(evaluate_alarms_over_http(aws.endpoint), "dlq-alarm")
    assert (first["state"], first["value"]) == ("OK", 0.0)
    assert messages(aws, inbox) == []  # INSUFFICIENT_DATA → OK runs no ALARM action
    aws("sqs").send_message(QueueUrl=url, MessageBody="an event that could not be delivered")
    second = alarm_result(evaluate_alarms_over_http(aws.endpoint), "dlq-alarm")
    assert (second["previous_state"], second["state"], second["value"]) == ("OK", "ALARM", 1.0)
    assert second["notified"] == [topic]
    (notification,) = [json.loads(m["Body"]) for m in messages(aws, inbox)]
    assert notification["AlarmName"] == "dlq-alarm"
    assert (notification["OldStateValue"], notification["NewStateValue"]) == ("OK", "ALARM")
    assert aws("cloudwatch").describe_alarms(AlarmNames=["dlq-alarm"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    # Still breaching: no transition, no second notification.
    assert alarm_result(evaluate_alarms_over_http(aws.endpoint), "dlq-alarm")["notified"] == []
    assert messages(aws, inbox) == []


def test_a_key_policy_without_cloudwatch_drops_the_alarm_notification_and_records_the_denial(aws):
    key = key_for(aws, "events.amazonaws.com")
    topic, inbox = alert_topic(aws, "dlq-alarm-cmk", publishers=("cloudwatch.amazonaws.com",), key_arn=key)
    url, _ = queue(aws, "dlq-alarm-cmk-watched")
    aws("sqs").send_message(QueueUrl=url, MessageBody="an event that could not be delivered")
    dead_letter_alarm(aws, "dlq-alarm-cmk", "dlq-alarm-cmk-watched", topic)
    result = alarm_result(evaluate_alarms_over_http(aws.endpoint), "dlq-alarm-cmk")
    assert result["state"] == "ALARM"
    assert result["notified"] == []
    (failed,) = result["failed_actions"]
    assert failed.startswith(f"Failed to execute action {topic}")
    assert denials(aws, "cloudwatch.amazonaws.com", "kms:GenerateDataKey", key)
    assert messages(aws, inbox) == []


def test_a_rule_with_failed_invocations_alarms(aws):
    topic, inbox = alert_topic(aws, "rule-failures", publishers=("cloudwatch.amazonaws.com",))
    machine_arn = machine(aws, "rule-failures", FAILING)
    refused_topic, _ = alert_topic(aws, "rule-failures-refused", publishers=())
    failure_rule(aws, "rule-failures", machine_arn, refused_topic)
    aws("cloudwatch").put_metric_alarm(
        AlarmName="rule-failures",
        Namespace="AWS/Events",
        MetricName="FailedInvocations",
        Dimensions=[{"Name": "RuleName", "Value": "rule-failures"}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[topic],
    )
    assert alarm_result(evaluate_alarms_over_http(aws.endpoint), "rule-failures")["state"] == "OK"
    assert run(aws, machine_arn)["status"] == "FAILED"
    result = alarm_result(evaluate_alarms_over_http(aws.endpoint), "rule-failures")
    assert (result["state"], result["value"]) == ("ALARM", 1.0)
    assert len(messages(aws, inbox)) == 1


def test_an_alarm_on_a_metric_the_emulator_cannot_compute_stays_insufficient_data(aws):
    topic, inbox = alert_topic(aws, "uncomputed", publishers=("cloudwatch.amazonaws.com",))
    aws("cloudwatch").put_metric_alarm(
        AlarmName="uncomputed",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "f"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    evaluation = evaluate_alarms_over_http(aws.endpoint)
    assert alarm_result(evaluation, "uncomputed")["state"] == "INSUFFICIENT_DATA"
    assert "uncomputed" in [a["name"] for a in evaluation["not_computed"]]
    assert aws("cloudwatch").describe_alarms(AlarmNames=["uncomputed"])["MetricAlarms"][0]["StateValue"] == (
        "INSUFFICIENT_DATA"
    )
    assert messages(aws, inbox) == []


def test_a_schedule_whose_role_cannot_start_its_target_raises_the_scheduler_target_error_alarm(aws):
    from local_emulator.scheduler_clock import ScheduleInvocationFailed, fire_now

    topic, inbox = alert_topic(aws, "schedule-errors", publishers=("cloudwatch.amazonaws.com",))
    machine_arn = machine(aws, "schedule-errors", WAITING)
    # The role may be assumed by Scheduler but allows nothing: StartExecution is refused.
    role = create_role(aws("iam"), "schedule-errors", "scheduler.amazonaws.com")
    aws("scheduler").create_schedule_group(Name="schedule-errors")
    aws("scheduler").create_schedule(
        Name="nightly",
        GroupName="schedule-errors",
        ScheduleExpression="cron(0 3 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": machine_arn, "RoleArn": role, "Input": "{}"},
    )
    aws("cloudwatch").put_metric_alarm(
        AlarmName="schedule-errors",
        Namespace="AWS/Scheduler",
        MetricName="TargetErrorCount",
        Dimensions=[{"Name": "ScheduleGroup", "Value": "schedule-errors"}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[topic],
    )
    assert alarm_result(evaluate_alarms_over_http(aws.endpoint), "schedule-errors")["state"] == "OK"
    with pytest.raises(ScheduleInvocationFailed):
        fire_now(aws("scheduler"), name="nightly", group="schedule-errors")
    result = alarm_result(evaluate_alarms_over_http(aws.endpoint), "schedule-errors")
    assert (result["state"], result["value"]) == ("ALARM", 1.0)
    assert len(messages(aws, inbox)) == 1


def test_input_template_follows_the_documented_json_example():
    """The example of https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html:
    a variable outside quotes is JSON (a string keeps its quotes), inside quotes its escaped text."""
    from types import SimpleNamespace

    from local_emulator.patches.events_sns_sqs_targets import render_transformer

    transformer = {
        "InputPathsMap": {"instance": "$.detail.instance", "status": "$.detail.status"},
        "InputTemplate": '{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<status>\\""}',
    }
    event = {"time": 0, "detail": {"instance": "i-0123456789", "status": "RUNNING"}}
    rendered = render_transformer(transformer, event, SimpleNamespace(arn="arn:aws:events:::rule/r", name="r"))
    assert json.loads(rendered) == {"myInstance": "i-0123456789", "myStatus": 'i-0123456789 is in state "RUNNING"'}
