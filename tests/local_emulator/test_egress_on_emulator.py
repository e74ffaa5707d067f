"""A NAT + notify configuration deploys with the real terraform and AWS provider, and the emulator holds what AWS would.

What the emulator cannot show is listed in the README ("Egress: NAT gateways and notify"): a packet
leaving through the NAT gateway, DNS of the ssm endpoint, and Local Zones (moto has none, and ignores
the ``opt-in-status`` filter).
"""

from __future__ import annotations

from dataclasses import dataclass

import boto3
import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.emulator

EXAMPLE = REPO_ROOT / "config" / "examples" / "nat-notify.toml"


@dataclass
class Applied:
    ec2: object
    iam: object
    vpc_id: str


@pytest.fixture(scope="module")
def applied(emulator, tmp_path_factory) -> Applied:
    from fargate_batch.local_run.deploy import LocalDeployment

    work = tmp_path_factory.mktemp("egress")
    # Its own name prefix and stack, so it shares the session's emulator with the dev deployment.
    text = EXAMPLE.read_text().replace('name_prefix = "example-nat"', 'name_prefix = "egress-nat"')
    text = text.replace('nat = "single"', 'nat = "per_zone"')
    config_path = work / "egress.toml"
    config_path.write_text(text)
    deployment = LocalDeployment(emulator.endpoint, config_path, work, "fargate-batch-egress")
    deployment.synth()
    deployment.create_state_bucket()
    terraform = deployment.terraform()
    terraform.init()
    terraform.apply()

    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=emulator.endpoint,
            region_name="ap-northeast-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    ec2 = client("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["egress-nat"]}])["Vpcs"]
    return Applied(ec2, client("iam"), vpc["VpcId"])


def test_private_subnets_are_in_the_pinned_zones(applied):
    subnets = applied.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [applied.vpc_id]}])["Subnets"]
    private = [s for s in subnets if any(t["Value"].startswith("egress-nat-private") for t in s.get("Tags", []))]
    assert sorted(s["AvailabilityZoneId"] for s in private) == ["apne1-az1", "apne1-az4"]


def test_each_private_route_table_sends_internet_traffic_to_its_zones_nat_gateway(applied):
    ec2 = applied.ec2
    gateways = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [applied.vpc_id]}])["NatGateways"]
    assert len(gateways) == 2
    assert all(g["NatGatewayAddresses"][0].get("PublicIp") for g in gateways)
    subnet_zone = {
        s["SubnetId"]: s["AvailabilityZoneId"]
        for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [applied.vpc_id]}])["Subnets"]
    }
    gateway_zone = {g["NatGatewayId"]: subnet_zone[g["SubnetId"]] for g in gateways}
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [applied.vpc_id]}])["RouteTables"]
    private_routes = 0
    for table in tables:
        for route in table["Routes"]:
            if route.get("DestinationCidrBlock") == "0.0.0.0/0" and route.get("NatGatewayId"):
                private_routes += 1
                zones = {subnet_zone[a["SubnetId"]] for a in table["Associations"] if a.get("SubnetId")}
                assert zones == {gateway_zone[route["NatGatewayId"]]}
    assert private_routes == 2


def test_public_subnets_route_to_the_internet_gateway(applied):
    ec2 = applied.ec2
    (igw,) = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [applied.vpc_id]}])[
        "InternetGateways"
    ]
    tables = ec2.describe_route_tables(Filters=[{"Name": "route.gateway-id", "Values": [igw["InternetGatewayId"]]}])
    (public,) = tables["RouteTables"]
    assert len([a for a in public["Associations"] if a.get("SubnetId")]) == 2


def test_the_ssm_interface_endpoint_exists(applied):
    endpoints = applied.ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [applied.vpc_id]}])[
        "VpcEndpoints"
    ]
    (ssm,) = [e for e in endpoints if e["ServiceName"] == "com.amazonaws.ap-northeast-1.ssm"]
    assert ssm["VpcEndpointType"] == "Interface"


def test_the_notifying_task_role_may_read_the_webhook_parameter(applied):
    import json

    iam = applied.iam
    document = iam.get_role_policy(RoleName="egress-nat-batch-task", PolicyName="read-notify-webhook")
    statements = {s["Sid"]: s for s in document["PolicyDocument"]["Statement"]}
    read = statements["ReadNotifyWebhookParameter"]
    assert read["Resource"] == "arn:aws:ssm:ap-northeast-1:123456789012:parameter/example-nat/slack-webhook"
    assert json.dumps(statements["DecryptNotifyWebhookParameter"]["Condition"]) == json.dumps(
        {"StringEquals": {"kms:ViaService": "ssm.ap-northeast-1.amazonaws.com"}}
    )
