"""What a run costs (Fargate vCPU and memory seconds, Step Functions Standard state transitions) and what
the stack costs while it merely exists (VPC interface endpoints per AZ-hour, NAT gateways and their public
IPv4 addresses per hour, the KMS key, always-on workers).

Every price the report uses is in :data:`PRICES`, with the AWS pricing page it comes from and the date it
was read. Estimates only: tax, free tiers, Savings Plans, data processed through the endpoints, KMS
requests, data processed by NAT gateways, CloudWatch Logs ingestion and ECR storage are not included, and the
report says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PriceSource:
    url: str  # an AWS pricing page
    covers: str
    as_of: str  # when the figures were read from it


@dataclass(frozen=True)
class PriceTable:
    region: str
    as_of: str
    fargate_vcpu_hour_usd: float
    fargate_gb_hour_usd: float
    fargate_minimum_billed_seconds: int
    state_transition_usd: float
    free_state_transitions_per_month: int
    interface_endpoint_az_hour_usd: float
    interface_endpoint_gb_usd: float
    kms_key_month_usd: float
    kms_requests_per_10k_usd: float
    nat_gateway_hour_usd: float
    nat_gateway_gb_usd: float
    public_ipv4_hour_usd: float
    sources: tuple[PriceSource, ...]

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(source.url for source in self.sources)


PRICES = PriceTable(
    region="us-east-1",
    as_of="2026-11-22",
    # Linux/x86, on demand. The Fargate pricing page renders its table with JavaScript; the figures
    # were read against the ECS pricing page's worked example ($0.000011244 per vCPU-second =
    # $0.04048 per vCPU-hour) and published 2026 summaries of the same table.
    fargate_vcpu_hour_usd=0.04048,
    fargate_gb_hour_usd=0.004445,
    # Linux tasks are billed per second with a one-minute minimum, from image pull to task stop.
    fargate_minimum_billed_seconds=60,
    # Standard workflows: $0.025 per 1,000 state transitions in us-east-1 (and ap-northeast-1).
    state_transition_usd=0.025 / 1000,
    free_state_transitions_per_month=4000,
    # AWS PrivateLink, interface endpoints: billed per endpoint per Availability Zone it is provisioned in,
    # per hour (a partial hour is a full hour), plus $0.01 per GB processed for the first PB in a region.
    # The hourly rate is in the page's region table (rendered in the browser): $0.01 in us-east-1.
    interface_endpoint_az_hour_usd=0.01,
    interface_endpoint_gb_usd=0.01,
    # AWS KMS: each customer managed key costs $1/month (each automatic rotation adds to it, see the page);
    # requests $0.03 per 10,000 beyond the 20,000 free each month.
    kms_key_month_usd=1.0,
    kms_requests_per_10k_usd=0.03,
    # Amazon VPC, NAT gateways: per NAT gateway-hour (a partial hour is a full hour) plus per GB it processes,
    # in either direction; $0.045 and $0.045 in us-east-1. The page renders its region table with JavaScript;
    # the figures were read against published 2026 summaries of the same table.
    nat_gateway_hour_usd=0.045,
    nat_gateway_gb_usd=0.045,
    # Every public IPv4 address, the NAT gateway's Elastic IP included, is billed per hour since February 2024.
    public_ipv4_hour_usd=0.005,
    sources=(
        PriceSource("https://aws.amazon.com/fargate/pricing/", "Fargate vCPU and GB hours", "2026-11-22"),
        PriceSource("https://aws.amazon.com/ecs/pricing/", "Fargate per-second example", "2026-11-22"),
        PriceSource("https://aws.amazon.com/step-functions/pricing/", "Standard state transitions", "2026-11-22"),
        PriceSource("https://aws.amazon.com/privatelink/pricing/", "interface endpoint hours and data", "2026-12-02"),
        PriceSource("https://aws.amazon.com/kms/pricing/", "KMS key storage and requests", "2026-12-02"),
        PriceSource(
            "https://aws.amazon.com/vpc/pricing/", "NAT gateway hours and data, public IPv4 addresses", "2026-12-02"
        ),
    ),
)


@dataclass(frozen=True)
class TaskSize:
    cpu_units: int  # 1024 = 1 vCPU
    memory_mib: int

    @property
    def vcpu(self) -> float:
        return self.cpu_units / 1024

    @property
    def memory_gb(self) -> float:
        return self.memory_mib / 1024

    def __str__(self) -> str:
        return f"{self.vcpu:g} vCPU, {self.memory_gb:g} GB"


@dataclass(frozen=True)
class TaskCost:
    """One Fargate task run of ``duration_seconds``."""

    size: TaskSize
    duration_seconds: int
    prices: PriceTable = PRICES

    @property
    def billed_seconds(self) -> int:
        return max(self.duration_seconds, self.prices.fargate_minimum_billed_seconds)

    @property
    def vcpu_seconds(self) -> float:
        return self.size.vcpu * self.billed_seconds

    @property
    def gb_seconds(self) -> float:
        return self.size.memory_gb * self.billed_seconds

    @property
    def usd(self) -> float:
        return (
            self.vcpu_seconds * self.prices.fargate_vcpu_hour_usd + self.gb_seconds * self.prices.fargate_gb_hour_usd
        ) / 3600


def always_on_usd(size: TaskSize, count: int, hours: float, prices: PriceTable = PRICES) -> float:
    """A service keeping ``count`` tasks running for ``hours``."""
    return count * hours * (size.vcpu * prices.fargate_vcpu_hour_usd + size.memory_gb * prices.fargate_gb_hour_usd)


def transitions_usd(transitions: int, prices: PriceTable = PRICES) -> float:
    return transitions * prices.state_transition_usd


def interface_endpoints_usd(endpoint_az_pairs: int, hours: float, prices: PriceTable = PRICES) -> float:
    """Interface endpoints provisioned in ``endpoint_az_pairs`` (endpoint, AZ) pairs for ``hours``."""
    return endpoint_az_pairs * hours * prices.interface_endpoint_az_hour_usd


def nat_gateways_usd(gateways: int, hours: float, prices: PriceTable = PRICES) -> float:
    """``gateways`` NAT gateways for ``hours``, each with its public IPv4 address; data processed not included."""
    return gateways * hours * (prices.nat_gateway_hour_usd + prices.public_ipv4_hour_usd)


def kms_keys_usd(keys: int, months: float = 1, prices: PriceTable = PRICES) -> float:
    return keys * months * prices.kms_key_month_usd
