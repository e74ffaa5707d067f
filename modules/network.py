"""Where Fargate tasks run: existing subnets and security groups, or a new VPC with private subnets.

By default a new VPC has no internet route at all (no NAT gateway to pay for or secure); tasks reach
ECR, CloudWatch Logs, S3 and Step Functions through VPC endpoints.
https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
Opt-in egress (``nat``) adds an internet gateway, a public subnet per NAT gateway and a default route
from the private subnets to a NAT gateway, for programs that call the internet (Slack's webhook).
https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-scenarios.html
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from fargate_batch.checkov_skips import CheckovSkip, skip_checks
from fargate_batch.config import names
from fargate_batch.config.schema import NetworkConfig
from fargate_batch.tf import (
    CloudwatchLogGroup,
    Construct,
    DataAwsAvailabilityZones,
    DefaultSecurityGroup,
    Eip,
    FlowLog,
    Fn,
    InternetGateway,
    NatGateway,
    Route,
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
from modules._private.iam_statements import Statement, service_trust
from modules._private.policy import attach_statements, service_role
from modules.aws_scope import aws_scope

# Interface endpoints a task in a private subnet needs to pull its image, write logs, and (for the
# activity worker and the S3 trigger task) call Step Functions.
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs", "states")
# Zones of the region proper: Local Zones and Wavelength Zones are "opted-in"/"not-opted-in", and may lack
# the interface endpoints and Fargate capacity tasks need; Availability Zones are always
# "opt-in-not-required".
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html
REGION_ZONES_FILTER = {"name": "opt-in-status", "values": ["opt-in-not-required"]}
INTERNET = "0.0.0.0/0"


def deliver_flow_logs(log_group_arn: str) -> tuple[Statement, ...]:
    """VPC Flow Logs publishing to one log group (``arn`` without ``:*``).

    DescribeLogGroups is a list action with no resource type in the service authorization reference,
    so it takes ``*``. https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
    """
    return (
        Statement(
            sid="DeliverFlowLogs",
            actions=("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
            resources=(log_group_arn, f"{log_group_arn}:log-stream:*"),
        ),
        Statement(sid="FindFlowLogGroup", actions=("logs:DescribeLogGroups",), resources=("*",)),
    )


@dataclass(frozen=True)
class NetworkProps:
    """Where tasks run, as ``network`` (``[network]``) says: existing subnets and security groups, or a new VPC.

    The configuration's checks (``fargate_batch/config``) hold the rules: subnets and groups or
    ``create_vpc``; ``nat`` only with ``create_vpc``; at least ``az_count`` zone ids when pinned. Zones not
    pinned are the first ``az_count`` available ones that need no opt-in (never a Local Zone or Wavelength
    Zone); pinned ids (``apne1-az1``) keep a zone AWS adds later from shifting the subnets. ``nat``:
    ``"single"`` is one NAT gateway in the first zone for every private subnet (that zone failing cuts the
    others' egress too), ``"per_zone"`` a NAT gateway and route table per zone.
    https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html
    ``extra_interface_endpoints``: Default none: services (``ssm``) reached through interface endpoints
    besides the ones every task needs.
    ``flow_log_retention_days``: Default 365. ``log_kms_key_arn``: Default none; a customer managed
    key for the flow log group. Flow logs record every accepted and rejected connection of a new VPC.
    https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html
    """

    name: str
    region: str
    network: NetworkConfig
    extra_interface_endpoints: tuple[str, ...] = ()
    flow_log_retention_days: int = 365
    log_kms_key_arn: str | None = None


# CKV_AWS_394 wants the zone list pinned by zone name or id; without ids in the configuration the
# subnets take the first zones of the sorted list of available zones that need no opt-in.
ZONES_BY_INDEX = CheckovSkip(
    "CKV_AWS_394",
    "no zone ids are configured, so subnets take the first available zones that need no opt-in, by index; "
    "set [network] availability_zone_ids to pin them and this skip goes away",
)


def enough_zones_precondition(zones: DataAwsAvailabilityZones, props: NetworkProps) -> dict:
    """Fail the plan when the region (or the pinned zone ids) has fewer zones than ``az_count``.

    Only the account knows its zones, so the configuration check cannot; without this, element() wraps
    around and the last subnets silently share a zone. The message names the configuration key.
    https://developer.hashicorp.com/terraform/language/expressions/custom-conditions#preconditions-and-postconditions
    """
    pinned = " with the pinned zone ids" if props.network.availability_zone_ids else ""
    return {
        "lifecycle": {
            "precondition": [
                {
                    "condition": f"${{length({zones.fqn}.names) >= {props.network.az_count}}}",
                    "errorMessage": (
                        f"Configuration key network.az_count is {props.network.az_count}, but region {props.region} "
                        f"has fewer than {props.network.az_count} available availability zones{pinned} "
                        "for this account; lower network.az_count in the configuration file."
                    ),
                }
            ]
        }
    }


class Network(Construct):
    subnet_ids: list[str]
    security_group_ids: list[str]

    def __init__(self, scope: Construct, id_: str, *, props: NetworkProps) -> None:
        super().__init__(scope, id_)
        self.assign_public_ip = props.network.assign_public_ip
        if not props.network.create_vpc:
            if not props.network.subnet_ids or not props.network.security_group_ids:
                raise ValueError(
                    "network: give subnet_ids and security_group_ids of an existing VPC, or set create_vpc = true"
                )
            self.subnet_ids = list(props.network.subnet_ids)
            self.security_group_ids = list(props.network.security_group_ids)
            return
        self._create_vpc(props)

    def _create_vpc(self, props: NetworkProps) -> None:
        network = ipaddress.ip_network(props.network.vpc_cidr)
        subnet_cidrs = list(network.subnets(new_prefix=min(network.prefixlen + 4, 28)))[: props.network.az_count]
        # DNS hostnames are required for interface endpoints' private DNS and awsvpc tasks.
        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=props.network.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": props.name},
        )
        # Lock down the default group: nothing should use it, and CKV2_AWS_12 expects it closed.
        DefaultSecurityGroup(self, "default-security-group", vpc_id=self.vpc.id)
        # Ids pin the zones; without them, the zones that need no opt-in, in name order (the data source
        # sorts names). Either way a Local Zone is never picked.
        zone_filters = [REGION_ZONES_FILTER]
        if props.network.availability_zone_ids:
            zone_filters.append({"name": "zone-id", "values": list(props.network.availability_zone_ids)})
        zones = DataAwsAvailabilityZones(self, "zones", state="available", filter=zone_filters)
        if not props.network.availability_zone_ids:
            skip_checks(zones, ZONES_BY_INDEX)
        self._add_flow_logs(props)
        # One private route table, or one per zone when each zone has its own NAT gateway. The first keeps its
        # construct id whatever ``nat`` is, so turning NAT on or off never replaces it.
        route_tables = [RouteTable(self, "private-routes", vpc_id=self.vpc.id, tags={"Name": f"{props.name}-private"})]
        if props.network.nat == "per_zone":
            route_tables += [
                RouteTable(
                    self, f"private-routes-{index}", vpc_id=self.vpc.id, tags={"Name": f"{props.name}-private-{index}"}
                )
                for index in range(1, props.network.az_count)
            ]
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
                **(enough_zones_precondition(zones, props) if index == len(subnet_cidrs) - 1 else {}),
            )
            route_table = route_tables[index if props.network.nat == "per_zone" else 0]
            RouteTableAssociation(self, f"private-{index}-routes", subnet_id=subnet.id, route_table_id=route_table.id)
            subnets.append(subnet)
        self.subnet_ids = [s.id for s in subnets]
        self.nat_gateways: list[NatGateway] = []
        if props.network.nat != "none":
            self._add_nat_gateways(props, network, zones, route_tables)
        # ECR stores image layers in S3: a gateway endpoint keeps pulls inside the VPC, free of charge.
        s3_endpoint = VpcEndpoint(
            self,
            "endpoint-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{props.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in route_tables],
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
        if props.network.nat != "none":
            # Slack's webhook (and any HTTPS API) has no fixed address range: HTTPS anywhere, through the NAT.
            VpcSecurityGroupEgressRule(
                self,
                "tasks-to-internet",
                security_group_id=self.task_security_group.id,
                description="HTTPS to the internet through the NAT gateway",
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4=INTERNET,
            )
        self.security_group_ids = [self.task_security_group.id]
        for service in (*INTERFACE_ENDPOINT_SERVICES, *props.extra_interface_endpoints):
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

    def _add_nat_gateways(self, props: NetworkProps, network, zones, route_tables: list[RouteTable]) -> None:
        """An internet gateway, a public subnet and a NAT gateway per NAT zone, and each private table's default route.

        Public subnets are cut from the end of the VPC's range, so changing ``az_count`` never moves them
        onto a private subnet's range (private subnets are cut from the start). They launch nothing with a
        public address: only the NAT gateways, each with its Elastic IP, live there.
        https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-working-with.html
        """
        internet_gateway = InternetGateway(self, "internet-gateway", vpc_id=self.vpc.id, tags={"Name": props.name})
        public_routes = RouteTable(self, "public-routes", vpc_id=self.vpc.id, tags={"Name": f"{props.name}-public"})
        Route(
            self,
            "public-default-route",
            route_table_id=public_routes.id,
            destination_cidr_block=INTERNET,
            gateway_id=internet_gateway.id,
        )
        subnet_prefix = min(network.prefixlen + 4, 28)
        all_ranges = list(network.subnets(new_prefix=subnet_prefix))
        zone_count = props.network.az_count if props.network.nat == "per_zone" else 1
        for index in range(zone_count):
            public_subnet = Subnet(
                self,
                f"public-{index}",
                vpc_id=self.vpc.id,
                cidr_block=str(all_ranges[-1 - index]),
                availability_zone=Token.as_string(Fn.element(zones.names, index)),
                map_public_ip_on_launch=False,
                tags={"Name": f"{props.name}-public-{index}"},
            )
            RouteTableAssociation(
                self, f"public-{index}-routes", subnet_id=public_subnet.id, route_table_id=public_routes.id
            )
            address = Eip(self, f"nat-{index}-address", domain="vpc", tags={"Name": f"{props.name}-nat-{index}"})
            nat_gateway = NatGateway(
                self,
                f"nat-{index}",
                allocation_id=address.id,
                subnet_id=public_subnet.id,
                connectivity_type="public",
                tags={"Name": f"{props.name}-nat-{index}"},
                # A public NAT gateway needs the internet gateway attached first (the provider's documented order).
                depends_on=[internet_gateway],
            )
            self.nat_gateways.append(nat_gateway)
        for index, table in enumerate(route_tables):
            Route(
                self,
                "private-default-route" if index == 0 else f"private-{index}-default-route",
                route_table_id=table.id,
                destination_cidr_block=INTERNET,
                nat_gateway_id=self.nat_gateways[index if props.network.nat == "per_zone" else 0].id,
            )

    def _add_flow_logs(self, props: NetworkProps) -> None:
        aws = aws_scope(self)
        self.flow_log_group = CloudwatchLogGroup(
            self,
            "flow-logs",
            name=names.SharedNames(props.name).flow_log_group,
            retention_in_days=props.flow_log_retention_days,
            kms_key_id=props.log_kms_key_arn,
        )
        role = service_role(
            self,
            "flow-logs-role",
            name=names.SharedNames(props.name).flow_logs_role,
            trust_statement=service_trust(
                "vpc-flow-logs.amazonaws.com",
                source_account=aws.account_id,
                source_arn=aws.arn("ec2", "vpc-flow-log/*"),
            ),
            description=f"VPC Flow Logs of {props.name} write to their log group",
        )
        policy = attach_statements(self, "flow-logs-policy", role, deliver_flow_logs(self.flow_log_group.arn))
        self.flow_log = FlowLog(
            self,
            "flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=role.arn,
            # The one-minute interval makes a failed connection from a task visible while it is debugged.
            max_aggregation_interval=60,
            depends_on=[policy],
        )

    @property
    def aws_vpc_configuration(self) -> dict:
        """The ``AwsvpcConfiguration`` of ECS RunTask/CreateService parameters (ASL casing)."""
        return {
            "Subnets": self.subnet_ids,
            "SecurityGroups": self.security_group_ids,
            "AssignPublicIp": "ENABLED" if self.assign_public_ip else "DISABLED",
        }
