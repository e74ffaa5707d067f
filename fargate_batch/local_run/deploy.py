"""Synthesize for the local target and deploy with the real terraform and AWS provider."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3

from fargate_batch.config.targets import ENDPOINT_ENV, LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, TARGET_ENV
from fargate_batch.local_aws import create_state_bucket
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
        env = {
            **os.environ,
            TARGET_ENV: "local",
            ENDPOINT_ENV: self.endpoint,
            "FARGATE_BATCH_CONFIG": str(self.config_path),
            "CDKTF_OUTDIR": str(self.outdir),
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
        result = subprocess.run(
            [sys.executable, str(REPO_ROOT / "main.py")], cwd=REPO_ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"synth failed (exit {result.returncode}):\n{result.stderr[-4000:]}")

    def create_state_bucket(self) -> None:
        create_state_bucket(self.endpoint)

    def terraform(self, progress=None) -> Terraform:
        return Terraform(
            stack_dir=self.stack_dir, work_dir=self.work_dir, log_file=self.terraform_log, progress=progress
        )

    @property
    def terraform_log(self) -> Path:
        return self.work_dir / "terraform.log"
