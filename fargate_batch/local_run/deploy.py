"""Synthesize for the local target and deploy with the real terraform and AWS provider."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boto3

from fargate_batch.config.targets import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, Target
from fargate_batch.local_aws import create_state_bucket
from fargate_batch.synth_process import synthesize
from fargate_batch.terraform_runner import Terraform

REPO_ROOT = Path(__file__).resolve().parents[2]


def local_session(endpoint: str, region: str) -> boto3.session.Session:
    """A boto3 session for the emulator (callers pass ``endpoint_url`` to each client)."""
    return boto3.session.Session(
        aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY, region_name=region
    )


@dataclass
class LocalDeployment:
    endpoint: str
    config_path: Path
    work_dir: Path
    stack_name: str

    @property
    def outdir(self) -> Path:
        return self.work_dir / "cdktf.out"

    @property
    def stack_dir(self) -> Path:
        return self.outdir / "stacks" / self.stack_name

    def synth(self) -> None:
        """For the local target on ``endpoint``; raises ``SynthFailed`` with the end of the synth's output."""
        synthesize(self.config_path, self.outdir, target=Target("local", self.endpoint))

    def create_state_bucket(self) -> None:
        create_state_bucket(self.endpoint)

    def terraform(self, progress=None) -> Terraform:
        return Terraform(
            stack_dir=self.stack_dir, work_dir=self.work_dir, log_file=self.terraform_log, progress=progress
        )

    @property
    def terraform_log(self) -> Path:
        return self.work_dir / "terraform.log"
