"""Where Fargate tasks run: existing subnets and security groups, or a new private-only VPC.

A new VPC has no internet route at all (no NAT gateway to pay for or secure); tasks reach ECR,
CloudWatch Logs, S3 and Step Functions through VPC endpoints.
https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from modules._private.tf import (
    Construct,
    DataAwsAvailabilityZones,
    DefaultSecurityGroup,
    Fn,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    Subnet,
    Token,
    Vpc,
    VpcEndpoint,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)

# Interface endpoints a task in a private subnet needs to pull its image, write logs, and (for the
# activity worker and the S3 trigger task) call Step Functions.
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs", "states")


@dataclass(frozen=True)
class NetworkProps:
    """Either ``subnet_ids`` + ``security_group_ids`` (existing), or ``create_vpc``.

    ``az_count``: Default 2 private subnets in distinct availability zones.
    ``assign_public_ip``: Default false.
    """

    name: str
    region: str
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    create_vpc: bool = False
    vpc_cidr: str = "10.20.0.0/16"
    az_count: int = 2
    assign_public_ip: bool = False


class Network(Construct):
    subnet_ids: list[str]
    security_group_ids: list[str]

    def __init__(self, scope: Construct, id_: str, *, props: NetworkProps) -> None:
        super().__init__(scope, id_)
        self.assign_public_ip = props.assign_public_ip
        if not props.create_vpc:
            if not props.subnet_ids or not props.security_group_ids:
                raise ValueError(
                    "network: give subnet_ids and security_group_ids of an existing VPC, or set create_vpc = true"
                )
            self.subnet_ids = list(props.subnet_ids)
            self.security_group_ids = list(props.security_group_ids)
            return
        self._create_vpc(props)

    def _create_vpc(self, props: NetworkProps) -> None:
        network = ipaddress.ip_network(props.vpc_cidr)
        subnet_cidrs = list(network.subnets(new_prefix=min(network.prefixlen + 4, 28)))[: props.az_count]
        # DNS hostnames are required for interface endpoints' private DNS and awsvpc tasks.
        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=props.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": props.name},
        )
        # Lock down the default group: nothing should use it, and CKV2_AWS_12 expects it closed.
        DefaultSecurityGroup(self, "default-security-group", vpc_id=self.vpc.id)
        zones = DataAwsAvailabilityZones(self, "zones", state="available")
        route_table = RouteTable(self, "private-routes", vpc_id=self.vpc.id, tags={"Name": f"{props.name}-private"})
        subnets = []
        for index, cidr in enumerate(subnet_cidrs):
            subnet = Subnet(
                self,
                f"private-{index}",
                vpc_id=self.vpc.id,
                cidr_block=str(cidr),
                availability_zone=Token.as_string(Fn.element(zones.names, index)),
                map_public_ip_on_launch=False,
                tags={"Name": f"{props.name}-private-{index}"},
            )
            RouteTableAssociation(self, f"private-{index}-routes", subnet_id=subnet.id, route_table_id=route_table.id)
            subnets.append(subnet)
        self.subnet_ids = [s.id for s in subnets]
        # ECR stores image layers in S3: a gateway endpoint keeps pulls inside the VPC, free of charge.
        s3_endpoint = VpcEndpoint(
            self,
            "endpoint-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{props.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[route_table.id],
            tags={"Name": f"{props.name}-s3"},
        )

        self.task_security_group = SecurityGroup(
            self,
            "tasks",
            name=f"{props.name}-tasks",
            description="Batch tasks: no inbound; HTTPS out to VPC endpoints and S3",
            vpc_id=self.vpc.id,
            tags={"Name": f"{props.name}-tasks"},
        )
        endpoint_security_group = SecurityGroup(
            self,
            "endpoints",
            name=f"{props.name}-endpoints",
            description="Interface endpoints: HTTPS from batch tasks only",
            vpc_id=self.vpc.id,
            tags={"Name": f"{props.name}-endpoints"},
        )
        # Standalone rule resources, as the provider recommends over inline blocks: one rule per change.
        VpcSecurityGroupEgressRule(
            self,
            "tasks-to-endpoints",
            security_group_id=self.task_security_group.id,
            description="HTTPS to AWS APIs through VPC endpoints",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            referenced_security_group_id=endpoint_security_group.id,
        )
        VpcSecurityGroupEgressRule(
            self,
            "tasks-to-s3",
            security_group_id=self.task_security_group.id,
            description="HTTPS to S3 (image layers, data) through the gateway endpoint",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            prefix_list_id=s3_endpoint.prefix_list_id,
        )
        VpcSecurityGroupIngressRule(
            self,
            "endpoints-from-tasks",
            security_group_id=endpoint_security_group.id,
            description="HTTPS from batch tasks",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            referenced_security_group_id=self.task_security_group.id,
        )
        self.security_group_ids = [self.task_security_group.id]
        for service in INTERFACE_ENDPOINT_SERVICES:
            VpcEndpoint(
                self,
                f"endpoint-{service.replace('.', '-')}",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{props.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.subnet_ids,
                security_group_ids=[endpoint_security_group.id],
                tags={"Name": f"{props.name}-{service}"},
            )

    @property
    def aws_vpc_configuration(self) -> dict:
        """The ``AwsvpcConfiguration`` of ECS RunTask/CreateService parameters (ASL casing)."""
        return {
            "Subnets": self.subnet_ids,
            "SecurityGroups": self.security_group_ids,
            "AssignPublicIp": "ENABLED" if self.assign_public_ip else "DISABLED",
        }
