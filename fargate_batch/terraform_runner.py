"""Run the terraform binary on a synthesized stack directory, with the mirror's CLI config."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fargate_batch.terraform_cli import terraform_environment


class TerraformError(RuntimeError):
    def __init__(self, command: list[str], result: subprocess.CompletedProcess):
        self.command = command
        self.result = result
        output = (result.stdout + result.stderr).strip()
        super().__init__(f"terraform {' '.join(command)} failed (exit {result.returncode}):\n{output[-4000:]}")


@dataclass
class Terraform:
    """terraform commands in one stack directory (``cdktf.out/stacks/<stack>``)."""

    stack_dir: Path
    work_dir: Path
    timeout_seconds: int = 900
    # Every command's output is appended here, for reading what apply did (and how long each resource took).
    log_file: Path | None = None

    def __post_init__(self) -> None:
        if shutil.which("terraform") is None:
            raise SystemExit(
                "terraform is not on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)"
            )
        self.env = terraform_environment(self.work_dir)
        self.env["TF_IN_AUTOMATION"] = "1"

    def run(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        command = [*args, "-no-color"] if args and args[0] not in ("version",) else list(args)
        result = subprocess.run(
            ["terraform", *command],
            cwd=self.stack_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=self.timeout_seconds,
            check=False,
        )
        if self.log_file is not None:
            with self.log_file.open("a", encoding="utf-8") as log:
                log.write(
                    f"$ terraform {' '.join(command)}  (exit {result.returncode})\n{result.stdout}{result.stderr}\n"
                )
        if result.returncode not in ok_codes:
            raise TerraformError(command, result)
        return result

    def init(self) -> None:
        self.run("init", "-input=false", "-reconfigure")

    def apply(self) -> None:
        self.run("apply", "-input=false", "-auto-approve")

    def plan_has_changes(self, out: Path | None = None) -> bool:
        """``plan -detailed-exitcode``: False when the infrastructure matches the configuration."""
        args = ["plan", "-input=false", "-detailed-exitcode"]
        if out is not None:
            args.append(f"-out={out}")
        return self.run(*args, ok_codes=(0, 2)).returncode == 2

    def show_json(self, plan_file: Path) -> dict:
        return json.loads(self.run("show", "-json", str(plan_file)).stdout)

    def outputs(self) -> dict[str, object]:
        raw = json.loads(self.run("output", "-json").stdout)
        return {name: value["value"] for name, value in raw.items()}

    def destroy(self) -> None:
        self.run("destroy", "-input=false", "-auto-approve")
