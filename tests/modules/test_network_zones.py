"""network.az_count above the region's zone count fails at plan, naming the configuration key.

Only the account knows how many zones a region offers it, so this is a Terraform precondition, not a
configuration check: https://developer.hashicorp.com/terraform/language/expressions/custom-conditions
"""

from __future__ import annotations

from tests.helpers import data_sources, resources
from tests.modules.small_stack import synth_construct


def network_stack(tmp_path, **props) -> dict:
    from fargate_batch.config.schema import NetworkConfig
    from modules.network import Network, NetworkProps

    return synth_construct(
        tmp_path,
        lambda stack: Network(
            stack,
            "net",
            props=NetworkProps(name="n", region="us-east-1", network=NetworkConfig(create_vpc=True, **props)),
        ),
    )


def preconditions(subnet: dict) -> list[dict]:
    return subnet.get("lifecycle", {}).get("precondition", [])


def test_the_last_subnet_requires_as_many_zones_as_az_count(tmp_path):
    synthesized = network_stack(tmp_path, az_count=3)
    (zones_id,) = data_sources(synthesized, "aws_availability_zones")
    subnets = resources(synthesized, "aws_subnet")
    assert len(subnets) == 3
    guarded = [subnet for subnet in subnets if preconditions(subnet)]
    assert [subnet["tags"]["Name"] for subnet in guarded] == ["n-private-2"]
    (precondition,) = preconditions(guarded[0])
    assert precondition["condition"] == f"${{length(data.aws_availability_zones.{zones_id}.names) >= 3}}"


def test_the_plan_error_names_the_configuration_key_and_the_region(tmp_path):
    (subnet,) = [s for s in resources(network_stack(tmp_path, az_count=1), "aws_subnet")]
    (precondition,) = preconditions(subnet)
    message = precondition["error_message"]
    assert "network.az_count is 1" in message
    assert "us-east-1" in message
    # Terraform asks for full sentences: a capital letter first, a period last.
    assert message[0].isupper() and message.endswith(".")


def test_pinned_zone_ids_are_named_in_the_message(tmp_path):
    synthesized = network_stack(tmp_path, az_count=2, availability_zone_ids=("use1-az1", "use1-az2"))
    (guarded,) = [subnet for subnet in resources(synthesized, "aws_subnet") if preconditions(subnet)]
    assert "with the pinned zone ids" in preconditions(guarded)[0]["error_message"]
