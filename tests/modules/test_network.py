from __future__ import annotations

import json

from tests.helpers import definition, find, resources


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
