"""ECR repository for the batch image: immutable tags, scan on push, encrypted, bounded history."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fargate_batch.tf import (
    Construct,
    EcrLifecyclePolicy,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryResource,
    TerraformStack,
)
from modules._private.iam_statements import Statement

PUSH_COMMAND = "make push"
"""What puts the configured tag into the repository (``fargate_batch/push_image.py``)."""


def image_pushed_check(*, repository_name: str, repository_ref: str, tag: str, assert_name: str) -> dict:
    """A Terraform ``check`` block: the repository holds ``tag``, else a warning naming ``make push``.

    A check, not a precondition: a ``check`` only warns and never blocks a plan or an apply
    (https://developer.hashicorp.com/terraform/language/checks), so a stack whose repository is created
    in the same apply (the first apply, every emulator deploy) still applies, while a plan against a
    repository without the tag says so before ECS fails the tasks with CannotPullContainerError. The
    ``aws_ecr_image`` lookup is scoped to the check: outside one, a missing image would be a hard error.
    Terraform 1.11 reports a scoped data source that fails ("reading ECR Images: couldn't find resource",
    the AWS provider's words for a missing tag) as that warning in place of the assertion's message, so the
    check and its data source carry ``make push`` in their names: the warning names
    ``check.<assert_name>.data.aws_ecr_image.<assert_name>``. The assertion catches a lookup that answers
    without a digest. https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/data-sources/ecr_image
    """
    message = (
        f"Image tag {tag} is not in ECR repository {repository_name}: run `{PUSH_COMMAND}` "
        "(README: First deploy to an AWS account), then plan again."
    )
    return {
        # The reference (not the plain name) orders the lookup after the repository's creation.
        "data": {"aws_ecr_image": {assert_name: {"repository_name": repository_ref, "image_tag": tag}}},
        "assert": [
            {
                "condition": f"${{data.aws_ecr_image.{assert_name}.image_digest != null}}",
                "error_message": message,
            }
        ],
    }


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
        self.name = props.name
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

    def require_image(self, tag: str) -> None:
        """Warn at plan time when ``tag`` is not in this repository (see :func:`image_pushed_check`).

        CDKTF 0.21 has no construct for ``check`` blocks, so the block is written into the stack's JSON
        with an override; its data source is therefore plain JSON rather than a ``DataAwsEcrImage``, which
        CDKTF can only place at the top level, where a missing image would fail the plan outright.
        """
        name = "batch_image_pushed_else_run_make_push"
        TerraformStack.of(self).add_override(
            f"check.{name}",
            image_pushed_check(
                repository_name=self.name, repository_ref=self.repository.name, tag=tag, assert_name=name
            ),
        )

    def pull_statements(self) -> tuple[Statement, ...]:
        """What a task's execution role needs to pull an image of this repository."""
        return ecr_pull(self.arn)
