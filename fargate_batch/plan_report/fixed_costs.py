"""What the stack costs while it merely exists, read from the synthesized stack: the fixed part of the bill.

A daily pipeline costs cents a month; the VPC interface endpoints it needs cost tens of dollars whether
it runs or not. Counted from ``cdk.tf.json`` (what will be deployed), priced with :data:`pricing.PRICES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_batch.plan_report.pricing import (
    PRICES,
    PriceTable,
    always_on_usd,
    interface_endpoints_usd,
    kms_keys_usd,
    nat_gateways_usd,
)
from fargate_batch.plan_report.workflows import StackView, Workflow, readable


@dataclass(frozen=True)
class FixedCost:
    item: str
    quantity: str
    unit_price: str
    usd_per_30_days: float
    source: str  # the PriceSource url


def _service_short_name(service_name: str) -> str:
    """``com.amazonaws.${var.region}.ecr.api`` → ``ecr.api``."""
    return readable(service_name).split(".", 3)[-1] if service_name.count(".") >= 3 else readable(service_name)


def fixed_costs(synthesized: dict, flows: list[Workflow], hours: float, prices: PriceTable = PRICES) -> list[FixedCost]:
    """Interface endpoints (per endpoint per AZ-hour), NAT gateways with their public IPv4 addresses (per hour),
    KMS keys (per month), always-on worker services."""
    view = StackView(synthesized)
    costs: list[FixedCost] = []
    interface = [
        e for e in view.of_type("aws_vpc_endpoint").values() if e.get("vpc_endpoint_type", "Gateway") == "Interface"
    ]
    if interface:
        # Each subnet of an interface endpoint is one Availability Zone it is provisioned (and billed) in.
        pairs = sum(len(e.get("subnet_ids") or []) for e in interface)
        zones = sorted({len(e.get("subnet_ids") or []) for e in interface})
        names = ", ".join(_service_short_name(e["service_name"]) for e in interface)
        zone_text = "/".join(str(z) for z in zones)
        costs.append(
            FixedCost(
                f"VPC interface endpoints ({names})",
                f"{len(interface)} × {zone_text} AZ × {hours:g} h",
                f"${prices.interface_endpoint_az_hour_usd:g} per endpoint per AZ-hour",
                interface_endpoints_usd(pairs, hours, prices),
                "https://aws.amazon.com/privatelink/pricing/",
            )
        )
    nat_gateways = len(view.of_type("aws_nat_gateway"))
    if nat_gateways:
        # The per-GB charge depends on traffic nobody knows yet: stated in the unit price, left out of the sum.
        costs.append(
            FixedCost(
                f"NAT gateway{'s' if nat_gateways != 1 else ''} with {'their' if nat_gateways != 1 else 'its'} "
                "public IPv4 address",
                f"{nat_gateways} × {hours:g} h",
                f"${prices.nat_gateway_hour_usd:g} per NAT gateway-hour + ${prices.public_ipv4_hour_usd:g} per "
                f"IPv4-hour (+ ${prices.nat_gateway_gb_usd:g} per GB processed, not in the sum)",
                nat_gateways_usd(nat_gateways, hours, prices),
                "https://aws.amazon.com/vpc/pricing/",
            )
        )
    keys = len(view.of_type("aws_kms_key"))
    if keys:
        costs.append(
            FixedCost(
                "KMS customer managed key",
                f"{keys} key{'s' if keys != 1 else ''}",
                f"${prices.kms_key_month_usd:g} per key-month",
                kms_keys_usd(keys, 1, prices),
                "https://aws.amazon.com/kms/pricing/",
            )
        )
    for flow in flows:
        if flow.workers is None:
            continue
        name, count, size = flow.workers
        costs.append(
            FixedCost(
                f"worker service {name}",
                f"{count} × {size} × {hours:g} h",
                f"${prices.fargate_vcpu_hour_usd:g} per vCPU-hour + ${prices.fargate_gb_hour_usd:g} per GB-hour",
                always_on_usd(size, count, hours, prices),
                "https://aws.amazon.com/fargate/pricing/",
            )
        )
    return costs
