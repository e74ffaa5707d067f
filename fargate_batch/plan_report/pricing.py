"""What a run costs: Fargate vCPU and memory seconds, and Step Functions Standard state transitions.

Every price the report uses is in :data:`PRICES`, with where it comes from. Estimates only: tax,
free tiers, Savings Plans and the always-on parts of the stack (KMS key, VPC interface endpoints,
CloudWatch Logs ingestion, ECR storage) are not included, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PriceTable:
    region: str
    as_of: str
    fargate_vcpu_hour_usd: float
    fargate_gb_hour_usd: float
    fargate_minimum_billed_seconds: int
    state_transition_usd: float
    free_state_transitions_per_month: int
    sources: tuple[str, ...]


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
    sources=(
        "https://aws.amazon.com/fargate/pricing/",
        "https://aws.amazon.com/ecs/pricing/",
        "https://aws.amazon.com/step-functions/pricing/",
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
