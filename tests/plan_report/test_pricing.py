"""The price table and the per-run arithmetic."""

from __future__ import annotations

import re

import pytest

from fargate_batch.plan_report.pricing import (
    PRICES,
    TaskCost,
    TaskSize,
    always_on_usd,
    interface_endpoints_usd,
    kms_keys_usd,
    transitions_usd,
)


def test_price_table_is_us_east_1_linux_x86_with_its_sources_and_date():
    assert PRICES.region == "us-east-1"
    assert (PRICES.fargate_vcpu_hour_usd, PRICES.fargate_gb_hour_usd) == (0.04048, 0.004445)
    assert PRICES.state_transition_usd == pytest.approx(0.025 / 1000)
    for page in ("fargate", "step-functions", "privatelink", "kms"):
        assert f"https://aws.amazon.com/{page}/pricing/" in PRICES.urls
    assert all(source.url.startswith("https://aws.amazon.com/") for source in PRICES.sources)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", source.as_of) for source in PRICES.sources)


def test_fixed_prices_are_the_pricing_pages_figures():
    # PrivateLink: interface endpoints per VPC endpoint per AZ-hour ($0.01 in us-east-1) and $0.01 per GB
    # for the first PB; KMS: $1 per customer managed key per month, $0.03 per 10,000 requests.
    assert (PRICES.interface_endpoint_az_hour_usd, PRICES.interface_endpoint_gb_usd) == (0.01, 0.01)
    assert (PRICES.kms_key_month_usd, PRICES.kms_requests_per_10k_usd) == (1.0, 0.03)


def test_interface_endpoints_are_billed_per_endpoint_per_az_hour():
    # 4 endpoints in 2 AZs for 720 hours: 5,760 endpoint-AZ-hours.
    assert interface_endpoints_usd(4 * 2, 720) == pytest.approx(57.60)
    assert kms_keys_usd(1) == 1.0


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
