"""Where alerts go, as make run and make plan-report say it: the topic, its subscribers, or the warning."""

from __future__ import annotations

from dataclasses import replace

from fargate_batch.alert_delivery import EMAIL_CONFIRMATION, NO_SUBSCRIBER_WARNING, alert_delivery
from fargate_batch.local_run.report import RunReport, render_text
from fargate_batch.plan_report.render import _alerts_section


def with_emails(config, *addresses):
    return replace(config, alerts=replace(config.alerts, email_subscriptions=addresses))


def test_a_topic_without_subscribers_warns_that_alerts_reach_nobody(dev_config):
    delivery = alert_delivery(dev_config)
    assert delivery.topic == "fargate-batch-dev-alerts"
    assert delivery.warning == NO_SUBSCRIBER_WARNING
    assert NO_SUBSCRIBER_WARNING.startswith("alerts reach nobody: add [alerts] email_subscriptions or subscribe")
    assert delivery.lines() == [
        "Alerts: SNS topic fargate-batch-dev-alerts, with no subscriber in the configuration",
        NO_SUBSCRIBER_WARNING,
    ]


def test_email_subscribers_are_named_with_the_confirmation_they_need(dev_config):
    delivery = alert_delivery(with_emails(dev_config, "ops@example.com", "oncall@example.com"))
    assert delivery.warning is None
    assert delivery.lines() == [
        "Alerts: SNS topic fargate-batch-dev-alerts → e-mail ops@example.com, oncall@example.com",
        EMAIL_CONFIRMATION,
    ]
    # SNS: an endpoint receives nothing until it confirms; the token is valid for three days.
    # https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
    assert "pending until" in EMAIL_CONFIRMATION and "nothing is delivered" in EMAIL_CONFIRMATION
    assert "three days" in EMAIL_CONFIRMATION


def run_report(config) -> str:
    delivery = alert_delivery(config)
    report = RunReport(
        stack="fargate-batch-dev",
        endpoint="http://127.0.0.1:5000",
        alert_delivery={
            "topic": delivery.topic,
            "email_subscriptions": list(delivery.email_subscriptions),
            "warning": delivery.warning,
        },
    )
    return render_text(report)


def test_make_run_report_warns_when_alerts_reach_nobody(dev_config):
    text = run_report(dev_config)
    assert "Alerts: SNS topic fargate-batch-dev-alerts, with no subscriber in the configuration" in text
    assert f"  WARNING: {NO_SUBSCRIBER_WARNING}" in text.splitlines()


def test_make_run_report_names_email_subscribers_and_no_warning(dev_config):
    text = run_report(with_emails(dev_config, "ops@example.com"))
    assert "→ e-mail ops@example.com" in text
    assert f"  {EMAIL_CONFIRMATION}" in text.splitlines()
    assert "WARNING" not in text


def test_plan_report_warns_in_a_warning_block_when_alerts_reach_nobody(dev_config):
    section = "\n".join(_alerts_section(dev_config))
    assert "SNS topic fargate-batch-dev-alerts" in section and "alert-topic-arn" in section
    assert f"> [!WARNING]\n> {NO_SUBSCRIBER_WARNING}." in section


def test_plan_report_explains_email_confirmation_without_a_warning(dev_config):
    section = "\n".join(_alerts_section(with_emails(dev_config, "ops@example.com")))
    assert "→ e-mail ops@example.com" in section
    assert f"Note: {EMAIL_CONFIRMATION}." in section
    assert "[!WARNING]" not in section
