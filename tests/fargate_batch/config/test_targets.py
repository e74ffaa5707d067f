from __future__ import annotations

import pytest

from fargate_batch.config.targets import TargetError, target_from_environment


def test_local_emulator_is_the_default_target():
    target = target_from_environment({})
    assert target.is_local
    assert target.endpoint_url.startswith("http://127.0.0.1:")


def test_aws_target_has_no_endpoint():
    assert target_from_environment({"FARGATE_BATCH_TARGET": "aws"}).endpoint_url is None


def test_unknown_target_names_the_allowed_values():
    with pytest.raises(TargetError, match="'prod' is not a target; use 'local'.*or 'aws'"):
        target_from_environment({"FARGATE_BATCH_TARGET": "prod"})


def test_local_target_refuses_a_non_loopback_endpoint():
    with pytest.raises(TargetError, match="is not a loopback URL"):
        target_from_environment({"FARGATE_BATCH_ENDPOINT": "http://10.0.0.5:5000"})
