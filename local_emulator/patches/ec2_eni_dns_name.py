"""Private DNS names of network interfaces in VPCs without DNS hostnames.

moto 5.2 gives an ENI a private DNS name only when its VPC has DNS hostnames on, and ECS RunTask
with ``awsvpc`` networking then fails with AttributeError (HTTP 500) in any other VPC. AWS assigns
every ENI an ``ip-a-b-c-d.<region>.compute.internal`` name regardless, and runs the task.
https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html
"""

from __future__ import annotations


def apply() -> None:
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface
    from moto.ec2.utils import generate_dns_from_ip

    original_init = NetworkInterface.__init__

    def __init__(self, *args, **kwargs) -> None:
        original_init(self, *args, **kwargs)
        if not getattr(self, "private_dns_name", None) and self.private_ip_address:
            self.private_dns_name = generate_dns_from_ip(self.private_ip_address)

    NetworkInterface.__init__ = __init__
