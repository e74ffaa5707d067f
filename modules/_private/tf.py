"""Every CDKTF and provider-binding import the constructs use, in one file.

CDKTF was archived upstream in December 2025. Keeping the framework behind this one module means a
fork or a successor (or generated bindings of another provider version) is swapped here, not in
every construct. Importing ``modules`` first installs the fast provider import, so each provider
class below loads only its own submodule.
"""

from __future__ import annotations

import modules  # noqa: F401  (installs fargate_batch.fast_provider_import before the imports below)
from cdktf import (
    App,
    CloudBackend,
    Fn,
    LocalBackend,
    NamedCloudWorkspace,
    S3Backend,
    TaggedCloudWorkspaces,
    TerraformOutput,
    TerraformStack,
    Token,
)
from constructs import Construct

from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import DataAwsIamPolicyDocument
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import EcrRepository as EcrRepositoryResource
from cdktf_cdktf_provider_aws.ecr_repository import EcrRepositoryEncryptionConfiguration
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster
from cdktf_cdktf_provider_aws.ecs_task_definition import EcsTaskDefinition
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.scheduler_schedule import SchedulerSchedule
from cdktf_cdktf_provider_aws.scheduler_schedule_group import SchedulerScheduleGroup
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.sfn_state_machine import SfnStateMachine
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.data_aws_availability_zones import DataAwsAvailabilityZones
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule

__all__ = [
    "App",
    "AwsProvider",
    "CloudBackend",
    "CloudwatchEventRule",
    "CloudwatchEventTarget",
    "CloudwatchLogGroup",
    "Construct",
    "DataAwsAvailabilityZones",
    "DataAwsCallerIdentity",
    "DataAwsIamPolicyDocument",
    "DataAwsPartition",
    "DataAwsRegion",
    "DefaultSecurityGroup",
    "EcrLifecyclePolicy",
    "EcrRepositoryEncryptionConfiguration",
    "EcrRepositoryResource",
    "EcsCluster",
    "EcsTaskDefinition",
    "Fn",
    "IamRole",
    "IamRolePolicy",
    "LocalBackend",
    "NamedCloudWorkspace",
    "RouteTable",
    "RouteTableAssociation",
    "S3Backend",
    "SchedulerSchedule",
    "SchedulerScheduleGroup",
    "SecurityGroup",
    "SfnStateMachine",
    "SnsTopic",
    "SnsTopicSubscription",
    "SqsQueue",
    "Subnet",
    "TaggedCloudWorkspaces",
    "TerraformOutput",
    "TerraformStack",
    "Token",
    "Vpc",
    "VpcEndpoint",
    "VpcSecurityGroupEgressRule",
    "VpcSecurityGroupIngressRule",
]
