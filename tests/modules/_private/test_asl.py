"""modules/_private/asl.py: the retriers' budgets agree with what the configuration's timeout checks count."""

from __future__ import annotations

import pytest

from fargate_batch.config import rules
from fargate_batch.config.schema import RetryConfig
from modules._private.asl import ECS_THROTTLING_RETRIER, nested_start_throttling_retrier, retry_budget_seconds
from modules.run_task_state_machine import launch_retriers


def test_the_ecs_throttling_retrier_renders_exponential_backoff_with_full_jitter():
    # ECS's guidance for "Rate exceeded": retry with exponential backoff and jitter
    # (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html).
    assert ECS_THROTTLING_RETRIER == {
        "ErrorEquals": ["ECS.ThrottlingException"],
        "IntervalSeconds": 2,
        "BackoffRate": 2.0,
        "MaxAttempts": 6,
        "MaxDelaySeconds": 60,
        "JitterStrategy": "FULL",
    }


@pytest.mark.parametrize(
    "retry",
    [
        RetryConfig(),
        RetryConfig(max_attempts=0),
        RetryConfig(interval_seconds=1, backoff_rate=1.0, max_attempts=2_000_000, max_delay_seconds=1),
        RetryConfig(interval_seconds=10, backoff_rate=2.0, max_attempts=99_999_999, max_delay_seconds=31_622_400),
    ],
    ids=["default", "off", "millions-without-backoff", "asl-largest"],
)
def test_the_configuration_counts_a_run_tasks_launch_retries_as_its_timeout_does(retry):
    assert rules.launch_retry_budget_seconds(retry) == retry_budget_seconds(launch_retriers(retry))


def test_the_configuration_counts_the_nested_start_retries_as_the_parents_timeout_does():
    budget = retry_budget_seconds([nested_start_throttling_retrier()])
    assert rules.retrier_budget_seconds(rules.NESTED_START_THROTTLING_RETRY) == budget
    # Waits 2 + 4 + 8 + 16 + 32 + 60 (capped), and 60 s for each of the 6 failed attempts.
    assert budget == 122 + 6 * 60
