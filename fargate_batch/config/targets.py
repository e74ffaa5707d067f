"""Where a stack deploys: real AWS, or the local emulator on loopback.

``local`` is the default so that a bare ``cdktf deploy`` on a laptop can never reach an account;
``FARGATE_BATCH_TARGET=aws`` deploys for real with the standard AWS credential chain.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

TARGET_ENV = "FARGATE_BATCH_TARGET"
ENDPOINT_ENV = "FARGATE_BATCH_ENDPOINT"
DEFAULT_LOCAL_ENDPOINT = "http://127.0.0.1:5000"
# The emulator accepts any credentials; these are moto's documented test values.
LOCAL_ACCESS_KEY = "testing"
LOCAL_SECRET_KEY = "testing"
LOCAL_STATE_BUCKET = "fargate-batch-local-state"

# Every service the stacks touch, by the provider's `endpoints` argument names.
PROVIDER_ENDPOINT_SERVICES = (
    "cloudwatch",
    "cloudwatchevents",
    "cloudwatchlogs",
    "ec2",
    "ecr",
    "ecs",
    "iam",
    "kms",
    "s3",
    "scheduler",
    "sfn",
    "sns",
    "sqs",
    "ssm",
    "sts",
)


class TargetError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    kind: Literal["aws", "local"]
    endpoint_url: str | None = None

    @property
    def is_local(self) -> bool:
        return self.kind == "local"


def target_from_environment(environ: dict[str, str] | None = None) -> Target:
    environ = os.environ if environ is None else environ
    kind = environ.get(TARGET_ENV, "local")
    if kind == "aws":
        return Target("aws")
    if kind != "local":
        raise TargetError(
            f"{TARGET_ENV}: {kind!r} is not a target; use 'local' (the emulator on loopback, the default) "
            "or 'aws' (a real account through your AWS credentials)"
        )
    endpoint = environ.get(ENDPOINT_ENV, DEFAULT_LOCAL_ENDPOINT)
    host = urlparse(endpoint).hostname
    # The local target carries fake credentials; never let it point anywhere but this machine.
    if urlparse(endpoint).scheme not in ("http", "https") or host not in ("127.0.0.1", "localhost", "::1"):
        raise TargetError(
            f"{ENDPOINT_ENV}: {endpoint!r} is not a loopback URL; the local target only talks to an emulator "
            "on this machine, e.g. http://127.0.0.1:5000"
        )
    return Target("local", endpoint)


def provider_arguments(target: Target, region: str, tags: dict[str, str]) -> dict:
    """Keyword arguments of the AWS provider for this target."""
    arguments: dict = {"region": region, "default_tags": [{"tags": dict(tags)}] if tags else None}
    if target.is_local:
        arguments.update(
            access_key=LOCAL_ACCESS_KEY,
            secret_key=LOCAL_SECRET_KEY,
            skip_credentials_validation=True,
            skip_metadata_api_check="true",
            skip_requesting_account_id=False,
            skip_region_validation=True,
            s3_use_path_style=True,
            # A few retries ride over a dropped loopback connection; a missing API still fails in seconds.
            max_retries=3,
            endpoints=[{service: target.endpoint_url for service in PROVIDER_ENDPOINT_SERVICES}],
        )
    return {k: v for k, v in arguments.items() if v is not None}
