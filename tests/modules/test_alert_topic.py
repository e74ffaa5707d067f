from tests.helpers import find, reference, resources


def test_alert_topic_is_encrypted_with_the_environment_key(synthesized):
    topic = find(synthesized, "aws_sns_topic", name="fargate-batch-dev-alerts")
    assert topic["kms_master_key_id"] == reference(synthesized, "aws_kms_key", "arn")


def test_no_subscriptions_unless_configured(synthesized):
    assert resources(synthesized, "aws_sns_topic_subscription") == []


def test_email_subscriptions_are_created(existing_network_synth):
    topic = reference(existing_network_synth, "aws_sns_topic", "arn", name="fargate-batch-dev-alerts")
    subscription = find(existing_network_synth, "aws_sns_topic_subscription", endpoint="ops@example.com")
    assert (subscription["protocol"], subscription["topic_arn"]) == ("email", topic)


ACCOUNT = "${data.aws_caller_identity.aws-scope-account.account_id}"
ARN_HEAD = "arn:${data.aws_partition.aws-scope-partition.partition}"
REGION = "${data.aws_region.aws-scope-region.name}"


def test_topic_policy_admits_only_the_status_rule_and_this_stacks_alarms(synthesized):
    from tests.helpers import policy_statements

    topic = reference(synthesized, "aws_sns_topic", "arn", name="fargate-batch-dev-alerts")
    (policy,) = resources(synthesized, "aws_sns_topic_policy")
    assert policy["arn"] == topic
    assert policy_statements(synthesized, policy["policy"]) == [
        {
            "sid": "EventBridgeExecutionAlerts",
            "effect": "Allow",
            "actions": ["sns:Publish"],
            "resources": [topic],
            "principals": [{"type": "Service", "identifiers": ["events.amazonaws.com"]}],
            "condition": [
                {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [ACCOUNT]},
                {
                    "test": "ArnEquals",
                    "variable": "aws:SourceArn",
                    "values": [f"{ARN_HEAD}:events:{REGION}:{ACCOUNT}:rule/fargate-batch-dev-execution-alerts"],
                },
            ],
        },
        {
            "sid": "CloudWatchAlarms",
            "effect": "Allow",
            "actions": ["sns:Publish"],
            "resources": [topic],
            "principals": [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}],
            "condition": [
                {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [ACCOUNT]},
                {
                    "test": "ArnLike",
                    "variable": "aws:SourceArn",
                    "values": [f"{ARN_HEAD}:cloudwatch:{REGION}:{ACCOUNT}:alarm:fargate-batch-dev-*"],
                },
            ],
        },
    ]


def test_every_alarm_is_named_so_the_topic_policy_admits_it(synthesized):
    names = [a["alarm_name"] for a in resources(synthesized, "aws_cloudwatch_metric_alarm")]
    assert names
    assert all(name.startswith("fargate-batch-dev-") for name in names)


def _topic_in_small_stack(tmp_path, kms_key_id=None, *, pass_key: bool):
    import pytest

    from modules.alert_topic import AlertTopic, AlertTopicProps, ServicePublisher
    from modules.kms_key import KmsKey, KmsKeyProps
    from tests.modules.small_stack import synth_construct

    errors = []

    def build(stack):
        key = KmsKey(stack, "key", props=KmsKeyProps(name="k"))
        props = AlertTopicProps(name="t", kms_key_id=kms_key_id or key.arn)
        topic = AlertTopic(stack, "topic", props=props)
        publisher = ServicePublisher(sid="S", service="events.amazonaws.com", source_account="1", source_arns=("a",))
        with pytest.raises(ValueError) as raised:
            topic.allow_publishing_from(publisher, key=key if pass_key else None)
        errors.append(str(raised.value))

    synth_construct(tmp_path, build)
    return errors[0]


def test_a_service_cannot_be_admitted_to_a_topic_under_the_aws_managed_key(tmp_path):
    message = _topic_in_small_stack(tmp_path, "alias/aws/sns", pass_key=True)
    assert "AWS-managed key alias/aws/sns" in message


def test_admitting_a_service_requires_the_topics_own_key(tmp_path):
    message = _topic_in_small_stack(tmp_path, pass_key=False)
    assert "pass the KmsKey the topic is encrypted with" in message
