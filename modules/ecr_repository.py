"""ECR repository for the batch image: immutable tags, scan on push, encrypted, bounded history."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fargate_batch.tf import (
    Construct,
    EcrLifecyclePolicy,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryResource,
)
from modules._private.iam_statements import Statement


def ecr_pull(repository_arn: str) -> tuple[Statement, ...]:
    """Task execution role: pull from one repository. GetAuthorizationToken has no resource type."""
    return (
        Statement(sid="GetRegistryToken", actions=("ecr:GetAuthorizationToken",), resources=("*",)),
        Statement(
            sid="PullBatchImage",
            actions=("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"),
            resources=(repository_arn,),
        ),
    )


@dataclass(frozen=True)
class EcrRepositoryProps:
    """``keep_images``: the lifecycle policy expires all but the newest N images (1-1000).

    https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
    """

    name: str
    keep_images: int = 20
    kms_key_arn: str | None = None


class EcrRepository(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: EcrRepositoryProps) -> None:
        super().__init__(scope, id_)
        # Struct classes, not dicts: jsii drops snake_case keys of dicts inside lists.
        encryption = (
            EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=props.kms_key_arn)
            if props.kms_key_arn
            else EcrRepositoryEncryptionConfiguration(encryption_type="AES256")
        )
        self.repository = EcrRepositoryResource(
            self,
            "repository",
            name=props.name,
            # A tag names one image forever: a deploy can be reproduced and rolled back by tag.
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configuration=[encryption],
        )
        EcrLifecyclePolicy(
            self,
            "lifecycle",
            repository=self.repository.name,
            policy=json.dumps(
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": f"Keep the newest {props.keep_images} images",
                            "selection": {
                                "tagStatus": "any",
                                "countType": "imageCountMoreThan",
                                "countNumber": props.keep_images,
                            },
                            "action": {"type": "expire"},
                        }
                    ]
                }
            ),
        )

    @property
    def arn(self) -> str:
        return self.repository.arn

    @property
    def url(self) -> str:
        return self.repository.repository_url

    def image(self, tag: str) -> str:
        return f"{self.repository.repository_url}:{tag}"

    def pull_statements(self) -> tuple[Statement, ...]:
        """What a task's execution role needs to pull an image of this repository."""
        return ecr_pull(self.arn)
