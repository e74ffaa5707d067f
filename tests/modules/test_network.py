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
    assert "filter" not in zones
    (comment,) = zones["//"]["checkov"]
    assert comment.startswith("checkov:skip=CKV_AWS_394:")
    assert "availability_zone_ids" in comment


def test_zone_ids_pin_the_zones_and_need_no_skip(tmp_path):
    from modules.network import Network, NetworkProps

    ids = ("use1-az1", "use1-az2")
    synthesized = synth_construct(
        tmp_path,
        lambda stack: Network(
            stack, "net", props=NetworkProps(name="n", region="us-east-1", create_vpc=True, availability_zone_ids=ids)
        ),
    )
    (zones,) = data_sources(synthesized, "aws_availability_zones").values()
    assert zones["filter"] == [{"name": "zone-id", "values": list(ids)}]
    assert "checkov" not in zones["//"]


def test_fails_when_fewer_zone_ids_than_subnets():
    from modules.network import NetworkProps

    with pytest.raises(ValueError, match="availability_zone_ids: 1 zone ids for az_count 2"):
        NetworkProps(name="n", region="r", create_vpc=True, availability_zone_ids=("use1-az1",))
