"""A NAT + notify configuration deploys with the real terraform and AWS provider, and the emulator holds what AWS would.

The notify command runs as its task would, with its task role's session: it reads its webhook URL from a
SecureString parameter encrypted with the configured customer managed key (``ssm:GetParameter`` and the
``kms:Decrypt`` SSM makes for it, judged by the emulator's authorizer) and posts to the webhook, here an
HTTP server on loopback. What the emulator cannot show is listed in the README ("Egress: NAT gateways and
notify"): a packet leaving through the NAT gateway, DNS of the ssm endpoint, and Local Zones (moto has none,
and ignores the ``opt-in-status`` filter).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.emulator

EXAMPLE = REPO_ROOT / "config" / "examples" / "nat-notify.toml"


PARAMETER = "/example-nat/slack-webhook"


@dataclass
class Applied:
    ec2: object
    iam: object
    vpc_id: str
    endpoint: str
    ssm: object
    key_arn: str


@pytest.fixture(scope="module")
def applied(emulator, tmp_path_factory) -> Applied:
    from fargate_batch.local_run.deploy import LocalDeployment

    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=emulator.endpoint,
            region_name="ap-northeast-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    work = tmp_path_factory.mktemp("egress")
    # The webhook parameter's key, made by the operator before the deploy as the example's comments say.
    key_arn = client("kms").create_key(Description="notify webhook")["KeyMetadata"]["Arn"]
    # Its own name prefix and stack, so it shares the session's emulator with the dev deployment.
    text = EXAMPLE.read_text().replace('name_prefix = "example-nat"', 'name_prefix = "egress-nat"')
    text = text.replace('nat = "single"', 'nat = "per_zone"')
    text = re.sub(r'notify_webhook_kms_key_arn = "[^"]*"', f'notify_webhook_kms_key_arn = "{key_arn}"', text)
    assert key_arn in text
    config_path = work / "egress.toml"
    config_path.write_text(text)
    deployment = LocalDeployment(emulator.endpoint, config_path, work, "fargate-batch-egress")
    deployment.synth()
    deployment.create_state_bucket()
    terraform = deployment.terraform()
    terraform.init()
    terraform.apply()
    ec2 = client("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["egress-nat"]}])["Vpcs"]
    ssm = client("ssm")
    ssm.put_parameter(Name=PARAMETER, Type="SecureString", KeyId=key_arn, Value="http://127.0.0.1:1/unset")
    return Applied(ec2, client("iam"), vpc["VpcId"], emulator.endpoint, ssm, key_arn)


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


class Webhook:
    """A Slack incoming webhook stand-in on loopback: it records what notify posts."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/x"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def notify_as_its_task(applied: Applied, parameter: str) -> subprocess.CompletedProcess:
    """``batch notify`` with the notifying task's role, assumed as ECS assumes it for a task, and the environment
    the task definition gives it (SLACK_WEBHOOK_SSM_PARAMETER)."""
    from local_emulator.service_roles import as_environment, assume_role_as_service
    from tests.local_emulator.conftest import REPO

    role_arn = applied.iam.get_role(RoleName="egress-nat-batch-task")["Role"]["Arn"]
    credentials = assume_role_as_service(
        applied.endpoint,
        service="ecs-tasks.amazonaws.com",
        role_arn=role_arn,
        source_arn=f"arn:aws:ecs:ap-northeast-1:123456789012:task/egress-nat/{uuid.uuid4().hex}",
        source_account="123456789012",
        region="ap-northeast-1",
    )
    return subprocess.run(
        [sys.executable, str(REPO / "batch_container" / "main.py"), "notify", "nightly report done"],
        env={
            "PATH": os.environ["PATH"],
            "AWS_ENDPOINT_URL": applied.endpoint,
            "AWS_DEFAULT_REGION": "ap-northeast-1",
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_CONFIG_FILE": os.devnull,
            "SLACK_WEBHOOK_SSM_PARAMETER": parameter,
            **as_environment(credentials),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_notify_reads_its_securestring_webhook_with_the_task_role_and_posts(applied):
    from local_emulator.service_roles import authorization_summary

    webhook = Webhook()
    try:
        applied.ssm.put_parameter(
            Name=PARAMETER, Type="SecureString", KeyId=applied.key_arn, Value=webhook.url, Overwrite=True
        )
        before = authorization_summary(applied.endpoint)["by_action"]
        result = notify_as_its_task(applied, PARAMETER)
        after = authorization_summary(applied.endpoint)["by_action"]
    finally:
        webhook.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert webhook.received == [{"text": "nightly report done"}]

    # Both calls were judged and allowed: the read, and SSM's use of the customer managed key for the task.
    def allowed(action: str) -> int:
        return after.get(action, {}).get("allowed", 0) - before.get(action, {}).get("allowed", 0)

    assert allowed("ssm:GetParameter") == 1
    assert allowed("kms:Decrypt") == 1


def test_notify_may_not_read_any_other_parameter(applied):
    """ssm:GetParameter is granted on the configured parameter only; another one is refused, and notify says so."""
    applied.ssm.put_parameter(Name="/other-team/secret", Type="String", Value="http://127.0.0.1:1/", Overwrite=True)
    result = notify_as_its_task(applied, "/other-team/secret")
    assert result.returncode == 5  # exit_codes.NOTIFY_FAILED
    assert "AccessDeniedException" in result.stdout + result.stderr
    assert "ssm:GetParameter" in result.stdout + result.stderr
