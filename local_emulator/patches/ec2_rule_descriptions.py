"""Descriptions of security group rules that reference a group or a prefix list.

moto 5.2 keeps a rule's description only for CIDR rules; for a rule whose peer is another
security group (``UserIdGroupPairs``) or a prefix list (``PrefixListIds``) DescribeSecurityGroupRules
answers without it, and every ``aws_vpc_security_group_*_rule`` with a description shows a change on
every plan. AWS keeps the description whatever the peer.
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRule.html
"""

from __future__ import annotations

import inspect


def apply() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule

    original_init = SecurityGroupRule.__init__
    signature = inspect.signature(original_init)

    def __init__(self, *args, **kwargs) -> None:
        original_init(self, *args, **kwargs)
        prefix_list = signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id") or {}
        self._peer_description = (self.source_group or {}).get("Description") or prefix_list.get("Description")

    def description(self):
        return self.ip_range.get("Description") or getattr(self, "_peer_description", None)

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(description)
