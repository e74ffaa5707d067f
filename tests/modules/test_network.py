from __future__ import annotations

import json

import pytest

from tests.helpers import (
    data_sources,
    definition,
    find,
    reference,
    resources,
    role_policy_statements,
    trust_statements,
)
from tests.modules.small_stack import synth_construct


def test_new_vpc_has_dns_hostnames_and_only_private_subnets(synthesized):
    vpc = find(synthesized, "aws_vpc", cidr_block="10.20.0.0/16")
    assert vpc["enable_dns_hostnames"] is True
    subnets = resources(synthesized, "aws_subnet")
    assert len(subnets) == 2
    assert all(s["map_public_ip_on_launch"] is False for s in subnets)
    assert resources(synthesized, "aws_internet_gateway") == []
    assert resources(synthesized, "aws_nat_gateway") == []


def test_tasks_reach_aws_through_endpoints(synthesized):
    services = sorted(e["service_name"] for e in resources(synthesized, "aws_vpc_endpoint"))
    assert services == sorted(
        f"com.amazonaws.ap-northeast-1.{s}" for s in ("ecr.api", "ecr.dkr", "logs", "states", "s3")
    )


def test_task_security_group_allows_no_inbound_and_only_https_out(synthesized):
    ingress = resources(synthesized, "aws_vpc_security_group_ingress_rule")
    egress = resources(synthesized, "aws_vpc_security_group_egress_rule")
    assert all((r["from_port"], r["to_port"], r["ip_protocol"]) == (443, 443, "tcp") for r in ingress + egress)
    task_group_ids = {r["security_group_id"] for r in egress}
    assert len(task_group_ids) == 1
    assert not [r for r in ingress if r["security_group_id"] in task_group_ids]


def test_existing_subnets_and_groups_are_used_as_given(existing_network_synth):
    assert resources(existing_network_synth, "aws_vpc") == []
    awsvpc = definition(existing_network_synth, "fargate-batch-dev-daily-report-run-task")["States"]["Run task"][
        "Parameters"
    ]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert awsvpc == {
        "Subnets": ["subnet-0123456789abcdef0"],
        "SecurityGroups": ["sg-0123456789abcdef0"],
        "AssignPublicIp": "DISABLED",
    }
    assert json.dumps(existing_network_synth).count("subnet-0123456789abcdef0") >= 1


def test_flow_logs_record_all_traffic_of_the_new_vpc_in_an_encrypted_group_kept_a_year(synthesized):
    (flow_log,) = resources(synthesized, "aws_flow_log")
    assert flow_log["vpc_id"] == reference(synthesized, "aws_vpc", "id", cidr_block="10.20.0.0/16")
    assert (flow_log["traffic_type"], flow_log["log_destination_type"]) == ("ALL", "cloud-watch-logs")
    group = find(synthesized, "aws_cloudwatch_log_group", name="/vpc/flow-logs/fargate-batch-dev")
    assert flow_log["log_destination"] == reference(
        synthesized, "aws_cloudwatch_log_group", "arn", name="/vpc/flow-logs/fargate-batch-dev"
    )
    assert group["kms_key_id"] == reference(synthesized, "aws_kms_key", "arn")
    assert group["retention_in_days"] == 365


def test_flow_log_role_is_trusted_by_vpc_flow_logs_of_this_account_and_writes_only_its_group(synthesized):
    (trust,) = trust_statements(synthesized, "fargate-batch-dev-flow-logs")
    assert trust["principals"] == [{"type": "Service", "identifiers": ["vpc-flow-logs.amazonaws.com"]}]
    assert {c["variable"] for c in trust["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, "fargate-batch-dev-flow-logs")}
    group = reference(synthesized, "aws_cloudwatch_log_group", "arn", name="/vpc/flow-logs/fargate-batch-dev")
    assert statements["DeliverFlowLogs"]["resources"] == [group, f"{group}:log-stream:*"]
    assert set(statements) == {"DeliverFlowLogs", "FindFlowLogGroup"}


def test_existing_network_gets_no_flow_log_of_ours(existing_network_synth):
    assert resources(existing_network_synth, "aws_flow_log") == []


def test_unpinned_zones_carry_the_skip_that_says_how_to_pin_them(synthesized):
    (zones,) = data_sources(synthesized, "aws_availability_zones").values()
    assert [f["name"] for f in zones["filter"]] == ["opt-in-status"]
    (comment,) = zones["//"]["checkov"]
    assert comment.startswith("checkov:skip=CKV_AWS_394:")
    assert "availability_zone_ids" in comment


def test_zone_ids_pin_the_zones_and_need_no_skip(tmp_path):
    from fargate_batch.config.schema import NetworkConfig
    from modules.network import Network, NetworkProps

    ids = ("use1-az1", "use1-az2")
    synthesized = synth_construct(
        tmp_path,
        lambda stack: Network(
            stack,
            "net",
            props=NetworkProps(
                name="n", region="us-east-1", network=NetworkConfig(create_vpc=True, availability_zone_ids=ids)
            ),
        ),
    )
    (zones,) = data_sources(synthesized, "aws_availability_zones").values()
    assert zones["filter"] == [
        {"name": "opt-in-status", "values": ["opt-in-not-required"]},
        {"name": "zone-id", "values": list(ids)},
    ]
    assert "checkov" not in zones["//"]


# --- zones that need no opt-in ------------------------------------------------------------------
REGION_ZONES = {"name": "opt-in-status", "values": ["opt-in-not-required"]}


def test_unpinned_zones_are_available_ones_that_need_no_opt_in(synthesized):
    # Local Zones and Wavelength Zones report "opted-in"; only Availability Zones are "opt-in-not-required".
    # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AvailabilityZone.html
    (zones,) = data_sources(synthesized, "aws_availability_zones").values()
    assert zones["state"] == "available"
    assert zones["filter"] == [REGION_ZONES]


# --- egress: NAT gateways and the notify webhook -------------------------------------------------
@pytest.fixture(scope="module")
def nat_notify_synth(synth) -> dict:
    """config/examples/nat-notify.toml: one NAT gateway, zones pinned by id, a webhook parameter under a CMK."""
    from fargate_batch.config import load_config
    from fargate_batch.config.targets import Target
    from tests.conftest import REPO_ROOT

    return synth(load_config(REPO_ROOT / "config" / "examples" / "nat-notify.toml"), Target("aws"))[0]


@pytest.fixture(scope="module")
def per_zone_synth(dev_config, synth) -> dict:
    """The dev stack with a NAT gateway per zone (3 zones) and nothing that notifies."""
    from dataclasses import replace

    from fargate_batch.config.targets import Target

    return synth(replace(dev_config, network=replace(dev_config.network, nat="per_zone", az_count=3)), Target("aws"))[0]


def test_pinned_zones_are_filtered_by_id_and_opt_in_status(nat_notify_synth):
    (zones,) = data_sources(nat_notify_synth, "aws_availability_zones").values()
    assert zones["filter"] == [REGION_ZONES, {"name": "zone-id", "values": ["apne1-az1", "apne1-az4"]}]
    assert "checkov" not in zones.get("//", {})


def test_single_nat_puts_one_gateway_in_one_public_subnet_and_routes_every_private_subnet_to_it(nat_notify_synth):
    (gateway,) = resources(nat_notify_synth, "aws_nat_gateway")
    (internet_gateway,) = resources(nat_notify_synth, "aws_internet_gateway")
    (address,) = resources(nat_notify_synth, "aws_eip")
    assert address["domain"] == "vpc"
    assert gateway["allocation_id"] == reference(nat_notify_synth, "aws_eip", "id")
    assert gateway["connectivity_type"] == "public"
    assert gateway["depends_on"] == [f"aws_internet_gateway.{_address_of(nat_notify_synth, 'aws_internet_gateway')}"]
    public = find(nat_notify_synth, "aws_subnet", cidr_block="10.20.240.0/20")
    assert public["map_public_ip_on_launch"] is False
    assert gateway["subnet_id"] == reference(nat_notify_synth, "aws_subnet", "id", cidr_block="10.20.240.0/20")
    routes = resources(nat_notify_synth, "aws_route")
    to_internet = {r["route_table_id"]: r for r in routes}
    assert {r["destination_cidr_block"] for r in routes} == {"0.0.0.0/0"}
    public_table = reference(nat_notify_synth, "aws_route_table", "id", tags={"Name": "example-nat-public"})
    private_table = reference(nat_notify_synth, "aws_route_table", "id", tags={"Name": "example-nat-private"})
    assert to_internet[public_table]["gateway_id"] == reference(nat_notify_synth, "aws_internet_gateway", "id")
    assert to_internet[private_table]["nat_gateway_id"] == reference(nat_notify_synth, "aws_nat_gateway", "id")
    assert internet_gateway["vpc_id"] == reference(nat_notify_synth, "aws_vpc", "id")
    private_associations = [
        a for a in resources(nat_notify_synth, "aws_route_table_association") if a["route_table_id"] == private_table
    ]
    assert len(private_associations) == 2


def _address_of(synthesized: dict, resource_type: str) -> str:
    (name,) = synthesized["resource"][resource_type]
    return name


def test_per_zone_nat_gives_each_zone_its_own_gateway_and_route_table(per_zone_synth):
    gateways = resources(per_zone_synth, "aws_nat_gateway")
    assert len(gateways) == 3
    public_subnets = {s["cidr_block"] for s in resources(per_zone_synth, "aws_subnet") if "public" in s["tags"]["Name"]}
    private_subnets = {
        s["cidr_block"] for s in resources(per_zone_synth, "aws_subnet") if "private" in s["tags"]["Name"]
    }
    # Public ranges come from the end of the VPC's range, private ones from its start: never the same.
    assert public_subnets == {"10.20.240.0/20", "10.20.224.0/20", "10.20.208.0/20"}
    assert private_subnets == {"10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20"}
    private_routes = [r for r in resources(per_zone_synth, "aws_route") if "nat_gateway_id" in r]
    assert len({r["route_table_id"] for r in private_routes}) == 3
    assert len({r["nat_gateway_id"] for r in private_routes}) == 3
    (s3_endpoint,) = [e for e in resources(per_zone_synth, "aws_vpc_endpoint") if e["vpc_endpoint_type"] == "Gateway"]
    assert len(s3_endpoint["route_table_ids"]) == 3


def test_nat_opens_https_to_the_internet_and_nothing_else(nat_notify_synth, synthesized):
    (rule,) = [r for r in resources(nat_notify_synth, "aws_vpc_security_group_egress_rule") if "cidr_ipv4" in r]
    assert (rule["cidr_ipv4"], rule["ip_protocol"], rule["from_port"], rule["to_port"]) == (
        "0.0.0.0/0",
        "tcp",
        443,
        443,
    )
    assert not [r for r in resources(synthesized, "aws_vpc_security_group_egress_rule") if "cidr_ipv4" in r]


def test_without_nat_the_private_route_table_has_no_default_route(synthesized):
    assert resources(synthesized, "aws_route") == []
    assert resources(synthesized, "aws_eip") == []


def test_webhook_parameter_adds_an_ssm_interface_endpoint(nat_notify_synth, synthesized):
    (ssm,) = [e for e in resources(nat_notify_synth, "aws_vpc_endpoint") if e["service_name"].endswith(".ssm")]
    assert ssm["vpc_endpoint_type"] == "Interface" and ssm["private_dns_enabled"] is True
    assert not [e for e in resources(synthesized, "aws_vpc_endpoint") if e["service_name"].endswith(".ssm")]


def test_the_notifying_task_reads_exactly_the_webhook_parameter_and_decrypts_it_only_through_ssm(nat_notify_synth):
    statements = {s["sid"]: s for s in role_policy_statements(nat_notify_synth, "example-nat-batch-task")}
    read = statements["ReadNotifyWebhookParameter"]
    assert read["actions"] == ["ssm:GetParameter"]
    (arn,) = read["resources"]
    # The parameter's ARN drops the name's leading slash.
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
    assert arn.startswith("arn:${data.aws_partition.") and arn.endswith(":parameter/example-nat/slack-webhook")
    assert ":ssm:${data.aws_region." in arn
    decrypt = statements["DecryptNotifyWebhookParameter"]
    assert decrypt["actions"] == ["kms:Decrypt"]
    assert decrypt["resources"] == ["arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    ((condition),) = decrypt["condition"]
    assert (condition["test"], condition["variable"]) == ("StringEquals", "kms:ViaService")
    (service,) = condition["values"]
    assert service.startswith("ssm.${data.aws_region.") and service.endswith(".amazonaws.com")


def test_the_notifying_task_gets_the_parameter_name_in_its_environment(nat_notify_synth):
    task = find(nat_notify_synth, "aws_ecs_task_definition", family="example-nat-nightly-tell-slack")
    (container,) = json.loads(task["container_definitions"])
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert environment["SLACK_WEBHOOK_SSM_PARAMETER"] == "/example-nat/slack-webhook"


def test_tasks_that_cannot_notify_get_no_webhook_grant(synthesized):
    # dev runs no notify and configures no parameter: no role reads any parameter.
    assert "ssm:GetParameter" not in json.dumps(synthesized)
