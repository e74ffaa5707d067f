"""``availabilityZoneRebalancing`` of an ECS service.

moto 5.2 neither stores nor returns it; the AWS provider 5.100 defaults it to ``DISABLED`` and shows
a change on every plan when DescribeServices leaves it out. AWS returns the value set at create
time (``DISABLED`` when none was given, for services created through this API version).
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html
"""

from __future__ import annotations


def apply() -> None:
    from moto.ecs.models import Service
    from moto.ecs.responses import EC2ContainerServiceResponse

    Service.availability_zone_rebalancing = "DISABLED"
    original_create = EC2ContainerServiceResponse.create_service

    def create_service(self):
        result = original_create(self)
        requested = self._get_param("availabilityZoneRebalancing")
        if requested:
            service_name = self._get_param("serviceName")
            cluster = self._get_param("cluster", "default")
            for service in self.ecs_backend.describe_services(cluster, [service_name])[0]:
                service.availability_zone_rebalancing = requested
        return result

    EC2ContainerServiceResponse.create_service = create_service
