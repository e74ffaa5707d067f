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
