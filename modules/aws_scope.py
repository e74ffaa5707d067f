"""Partition, region and account of a stack as Terraform references, created once per stack."""

from __future__ import annotations

from fargate_batch.tf import Construct, DataAwsCallerIdentity, DataAwsPartition, DataAwsRegion, TerraformStack
from modules._private.iam_statements import AwsScope

_ID = "aws-scope"


def aws_scope(scope: Construct) -> AwsScope:
    stack = TerraformStack.of(scope)
    partition = stack.node.try_find_child(f"{_ID}-partition")
    if partition is None:
        partition = DataAwsPartition(stack, f"{_ID}-partition")
        DataAwsRegion(stack, f"{_ID}-region")
        DataAwsCallerIdentity(stack, f"{_ID}-account")
    region = stack.node.find_child(f"{_ID}-region")
    account = stack.node.find_child(f"{_ID}-account")
    return AwsScope(partition=partition.partition, region=region.name, account_id=account.account_id)
