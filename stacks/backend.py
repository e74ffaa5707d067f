"""Terraform state for a stack: local file, S3 with the native lock file, or HCP Terraform."""

from __future__ import annotations

from pathlib import Path

from fargate_batch.config.schema import BackendConfig
from fargate_batch.config.targets import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, LOCAL_STATE_BUCKET, Target
from fargate_batch.tf import (
    CloudBackend,
    LocalBackend,
    NamedCloudWorkspace,
    S3Backend,
    TaggedCloudWorkspaces,
    TerraformStack,
)


def configure_backend(stack: TerraformStack, *, backend: BackendConfig, target: Target, stack_name: str) -> None:
    if target.is_local:
        _local_emulator_s3(stack, target, stack_name)
    elif backend.type == "s3":
        S3Backend(
            stack,
            bucket=backend.bucket,
            key=backend.key,
            region=backend.region,
            encrypt=True,
            kms_key_id=backend.kms_key_id or None,
        )
        _use_native_lock_file(stack)
    elif backend.type == "cloud":
        workspaces = (
            NamedCloudWorkspace(backend.workspace)
            if backend.workspace
            else TaggedCloudWorkspaces(tags=list(backend.workspace_tags))
        )
        # The token comes from `terraform login` or TF_TOKEN_<host>; it never goes into synthesized files.
        CloudBackend(stack, organization=backend.organization, workspaces=workspaces, hostname=backend.hostname or None)
    else:
        LocalBackend(stack, path=backend.path or str(Path("terraform.tfstate.d") / f"{stack_name}.tfstate"))


def _use_native_lock_file(stack: TerraformStack) -> None:
    # S3's own conditional writes lock the state (Terraform >= 1.10); cdktf 0.21's S3Backend has no
    # such argument, so it is added to the synthesized block directly.
    # https://developer.hashicorp.com/terraform/language/backend/s3#state-locking
    stack.add_override("terraform.backend.s3.use_lockfile", True)


def _local_emulator_s3(stack: TerraformStack, target: Target, stack_name: str) -> None:
    """Real remote-state mechanics (S3 object + lock file) against a bucket inside the emulator."""
    S3Backend(
        stack,
        bucket=LOCAL_STATE_BUCKET,
        key=f"{stack_name}/terraform.tfstate",
        region="us-east-1",
        encrypt=True,
        access_key=LOCAL_ACCESS_KEY,
        secret_key=LOCAL_SECRET_KEY,
        skip_credentials_validation=True,
        skip_metadata_api_check=True,
        skip_region_validation=True,
        skip_requesting_account_id=True,
        use_path_style=True,
        endpoints={"s3": target.endpoint_url, "sts": target.endpoint_url, "iam": target.endpoint_url},
    )
    _use_native_lock_file(stack)
