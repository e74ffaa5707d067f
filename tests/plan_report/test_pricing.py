"""The price table and the per-run arithmetic."""

from __future__ import annotations

import pytest

from fargate_batch.plan_report.pricing import PRICES, TaskCost, TaskSize, always_on_usd, transitions_usd


def test_price_table_is_us_east_1_linux_x86_with_its_sources_and_date():
    assert PRICES.region == "us-east-1"
    assert (PRICES.fargate_vcpu_hour_usd, PRICES.fargate_gb_hour_usd) == (0.04048, 0.004445)
    assert PRICES.state_transition_usd == pytest.approx(0.025 / 1000)
    assert "https://aws.amazon.com/fargate/pricing/" in PRICES.sources
    assert "https://aws.amazon.com/step-functions/pricing/" in PRICES.sources
    assert PRICES.as_of


def test_task_cost_is_vcpu_and_memory_seconds_at_hourly_prices():
    cost = TaskCost(TaskSize(512, 1024), 120)
    assert (cost.vcpu_seconds, cost.gb_seconds) == (60, 120)
    assert cost.usd == pytest.approx(120 / 3600 * (0.5 * 0.04048 + 1 * 0.004445))


def test_a_task_shorter_than_a_minute_is_billed_a_minute():
    assert TaskCost(TaskSize(256, 512), 10).billed_seconds == 60
    assert TaskCost(TaskSize(256, 512), 61).billed_seconds == 61


def test_always_on_service_and_state_transitions():
    assert always_on_usd(TaskSize(1024, 2048), 2, 720) == pytest.approx(2 * 720 * (0.04048 + 2 * 0.004445))
    assert transitions_usd(4000) == pytest.approx(0.1)
