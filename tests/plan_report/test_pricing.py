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
    nat_gateways_usd,
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


def test_a_nat_gateway_costs_its_hours_and_its_public_ipv4_address():
    # Amazon VPC pricing, us-east-1: $0.045 per NAT gateway-hour, $0.045 per GB processed, and $0.005 per
    # public IPv4 address-hour (the gateway's Elastic IP). 720 h: 720 × (0.045 + 0.005) = $36.00.
    assert (PRICES.nat_gateway_hour_usd, PRICES.nat_gateway_gb_usd, PRICES.public_ipv4_hour_usd) == (
        0.045,
        0.045,
        0.005,
    )
    assert "https://aws.amazon.com/vpc/pricing/" in PRICES.urls
    assert nat_gateways_usd(1, 720) == pytest.approx(36.00)
    assert nat_gateways_usd(3, 720) == pytest.approx(108.00)


@pytest.mark.parametrize(("nat", "gateways"), [("single", 1), ("per_zone", 2)])
def test_fixed_costs_count_each_nat_gateway_of_the_synthesized_stack(dev_config, synth, nat, gateways):
    from dataclasses import replace

    from fargate_batch.config.targets import Target
    from fargate_batch.plan_report.fixed_costs import fixed_costs

    synthesized = synth(replace(dev_config, network=replace(dev_config.network, nat=nat)), Target("aws"))[0]
    rows = {cost.item: cost for cost in fixed_costs(synthesized, [], 720)}
    name = (
        "NAT gateway with its public IPv4 address" if gateways == 1 else "NAT gateways with their public IPv4 address"
    )
    nat_row = rows[name]
    assert nat_row.quantity == f"{gateways} × 720 h"
    assert nat_row.usd_per_30_days == pytest.approx(gateways * 36.00)
    assert "$0.045 per GB processed, not in the sum" in nat_row.unit_price
    assert nat_row.source == "https://aws.amazon.com/vpc/pricing/"


def test_fixed_costs_have_no_nat_line_without_nat(synthesized):
    from fargate_batch.plan_report.fixed_costs import fixed_costs

    assert not [cost for cost in fixed_costs(synthesized, [], 720) if "NAT" in cost.item]
