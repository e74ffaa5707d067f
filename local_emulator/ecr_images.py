"""What ``docker push`` leaves in ECR, recorded in the emulator's ECR without a registry.

The emulator has no Docker registry endpoint; what a push leaves behind that ECS looks at is an image
(a manifest) under a tag in the repository. :func:`record_pushed_image` puts exactly that with ECR's
``PutImage`` (the API a registry push ends with), so a task definition naming ``<repository url>:<tag>``
can be pulled by the emulator's ECS (``local_emulator.patches.ecs_image_pull``).
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
"""

from __future__ import annotations

import hashlib
import json
import os

import boto3

from local_emulator.patches.ecs_image_pull import ECR_IMAGE

# Docker image manifest V2, schema 2: the media type ECR stores for a `docker push`.
# https://distribution.github.io/distribution/spec/manifest-v2-2/
MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


def _sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def stand_in_manifest(repository_name: str, tag: str) -> str:
    """A well-formed schema 2 manifest whose config and layer digests are derived from the repository and tag."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": _sha256(f"config {repository_name}:{tag}"),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1,
                    "digest": _sha256(f"layer {repository_name}:{tag}"),
                }
            ],
        },
        sort_keys=True,
    )


def _ecr_client(endpoint_or_client, region: str | None):
    if not isinstance(endpoint_or_client, str):
        return endpoint_or_client
    return boto3.client(
        "ecr",
        endpoint_url=endpoint_or_client,
        region_name=region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def record_pushed_image(
    endpoint_or_client, repository: str, tag: str, *, region: str | None = None, manifest: str | None = None
) -> str:
    """Record ``tag`` in the emulator's ECR repository as a push would; returns the image digest.

    ``endpoint_or_client``: the emulator's URL or a boto3 ECR client. ``repository``: the repository name
    or its URL (``<account>.dkr.ecr.<region>.amazonaws.com/<name>``, the ``repository-url`` output; its
    region is then the client's region). ``manifest``: the pushed image's manifest (``docker manifest
    inspect``); default: a stand-in manifest derived from the repository and tag. Recording a tag the
    repository already holds returns its digest and changes nothing (repositories here have immutable tags).
    """
    name = repository
    match = ECR_IMAGE.match(repository)
    if match is not None:
        name, region = match["repository"], region or match["region"]
    ecr = _ecr_client(endpoint_or_client, region)
    held = ecr.list_images(repositoryName=name, filter={"tagStatus": "TAGGED"})["imageIds"]
    for image in held:
        if image.get("imageTag") == tag:
            return image["imageDigest"]
    answer = ecr.put_image(
        repositoryName=name,
        imageManifest=manifest or stand_in_manifest(name, tag),
        imageManifestMediaType=MANIFEST_MEDIA_TYPE,
        imageTag=tag,
    )
    return answer["image"]["imageId"]["imageDigest"]
