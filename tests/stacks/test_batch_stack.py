"""Stack-level wiring: provider, backends, outputs."""

from __future__ import annotations

import pytest

from fargate_batch.config.targets import Target
from tests.conftest import with_backend


def test_provider_targets_the_configured_region_with_default_tags(synthesized, dev_config):
    (provider,) = synthesized["provider"]["aws"]
    assert provider["region"] == dev_config.region
    assert provider["default_tags"] == [{"tags": dict(dev_config.tags)}]
    assert "endpoints" not in provider


def test_provider_is_pinned_to_the_bindings_version(synthesized):
    assert synthesized["terraform"]["required_providers"]["aws"] == {"source": "aws", "version": "5.100.0"}


@pytest.mark.parametrize(
    "output, described",
    [
        ("pipeline-daily-report-arn", "ARN of pipeline daily-report"),
        ("pipeline-daily-report-run-task-arn", "run-task state machine"),
        ("pipeline-daily-report-schedule-name", "Schedule of pipeline daily-report"),
        ("repository-url", "image"),
        ("cluster-name", "cluster"),
        ("alert-topic-arn", "alerts"),
    ],
)
def test_outputs_have_descriptions(synthesized, output, described):
    assert described in synthesized["output"][output]["description"]


def test_local_backend_by_default(synthesized):
    assert list(synthesized["terraform"]["backend"]) == ["local"]


def test_s3_backend_encrypts_and_uses_the_native_lock_file(dev_config, synth):
    synthesized, _ = synth(with_backend(dev_config, "s3"), Target("aws"))
    s3 = synthesized["terraform"]["backend"]["s3"]
    assert s3["bucket"] == "acme-tfstate"
    assert s3["key"] == "batch/dev.tfstate"
    assert s3["region"] == "us-east-1"
    assert s3["encrypt"] is True
    assert s3["use_lockfile"] is True
    assert "dynamodb_table" not in s3


def test_cloud_backend_uses_one_named_workspace_and_no_token(dev_config, synth):
    synthesized, _ = synth(with_backend(dev_config, "cloud-workspace"), Target("aws"))
    cloud = synthesized["terraform"]["cloud"]
    assert cloud["organization"] == "acme"
    assert cloud["workspaces"] == {"name": "batch-dev"}
    assert "token" not in cloud


def test_cloud_backend_with_tagged_workspaces_and_enterprise_host(dev_config, synth):
    synthesized, _ = synth(with_backend(dev_config, "cloud-tags"), Target("aws"))
    cloud = synthesized["terraform"]["cloud"]
    assert cloud["workspaces"] == {"tags": ["batch"]}
    assert cloud["hostname"] == "tfe.example.com"


def test_local_target_points_every_service_at_the_emulator_and_keeps_state_in_it(dev_config, synth):
    endpoint = "http://127.0.0.1:45999"
    synthesized, _ = synth(dev_config, Target("local", endpoint))
    (provider,) = synthesized["provider"]["aws"]
    (endpoints,) = provider["endpoints"]
    assert set(endpoints.values()) == {endpoint}
    assert {"sfn", "ecs", "scheduler", "iam", "sts", "s3"} <= set(endpoints)
    assert provider["max_retries"] == 3
    s3 = synthesized["terraform"]["backend"]["s3"]
    assert s3["endpoints"]["s3"] == endpoint
    assert s3["use_lockfile"] is True
