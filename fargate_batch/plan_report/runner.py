"""Synthesize → terraform init/plan/show → checkov → plan-report.md. Thin on purpose; the report is render.py.

Target: the local emulator by default (started here, with the state bucket its S3 backend needs), a
real account with ``FARGATE_BATCH_TARGET=aws`` (credentials from the standard AWS chain; state in the
configured backend). Configurations: ``FARGATE_BATCH_CONFIG`` (comma-separated), default config/dev.toml.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from fargate_batch.config import ConfigError, ProjectConfig, config_paths, load_configs
from fargate_batch.config.targets import (
    Target,
    TargetError,
    target_from_environment,
)
from fargate_batch.local_aws import create_state_bucket
from fargate_batch.plan_report.render import StackInput, render_report
from fargate_batch.security_scan import ScanError, scan_stack
from fargate_batch.terraform_cli import terraform_environment

DEFAULT_CONFIG = "config/dev.toml"
PLAN_FILE = "plan.tfplan"
PLAN_JSON = "plan.json"
TERRAFORM_TIMEOUT_SECONDS = 900


class PlanError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def local_emulator() -> Iterator[str]:
    """The project's emulator (local_emulator.server) on loopback; stock moto where it is not installed."""
    try:
        from local_emulator.server import start_emulator
    except ModuleNotFoundError as missing:
        if not (missing.name or "").startswith("local_emulator"):
            raise
        start_emulator = None
    if start_emulator is not None:
        with start_emulator() as emulator:
            yield emulator.endpoint
        return
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def synthesize(configs: list[ProjectConfig], target: Target, outdir: Path) -> dict[str, Path]:
    """``cdktf synth`` of every configuration for ``target``; returns stack name → stack directory."""
    from main import build_app, stack_directories

    build_app(configs, target, outdir).synth()
    return stack_directories(configs, outdir)


def terraform(stack_dir: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["terraform", *args, "-no-color"],
        cwd=stack_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TERRAFORM_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise PlanError(f"terraform {args[0]} in {stack_dir} failed:\n{(result.stdout + result.stderr)[-4000:]}")
    return result.stdout


def plan_stack(stack_dir: Path, work_dir: Path) -> dict:
    """init, ``plan -out``, ``show -json``; leaves plan.tfplan (for apply) and plan.json in the stack directory."""
    if shutil.which("terraform") is None:
        raise PlanError("terraform is not on PATH: install Terraform >= 1.10 (see README)")
    env = {**terraform_environment(work_dir), "TF_IN_AUTOMATION": "1"}
    terraform(stack_dir, env, "init", "-input=false", "-reconfigure")
    terraform(stack_dir, env, "plan", "-input=false", "-lock-timeout=60s", f"-out={PLAN_FILE}")
    plan = json.loads(terraform(stack_dir, env, "show", "-json", PLAN_FILE))
    (stack_dir / PLAN_JSON).write_text(json.dumps(plan, indent=1))
    return plan


def plan_everything(configs: list[ProjectConfig], target: Target, work_dir: Path) -> list[StackInput]:
    stack_dirs = synthesize(configs, target, work_dir / "cdktf.out")
    inputs = []
    for config, (name, stack_dir) in zip(configs, stack_dirs.items(), strict=True):
        plan = plan_stack(stack_dir, work_dir)
        scans = tuple(scan_stack(stack_dir / "cdk.tf.json", stack_dir / PLAN_JSON))
        synthesized = json.loads((stack_dir / "cdk.tf.json").read_text())
        inputs.append(StackInput(name, config, synthesized, plan, scans))
    return inputs


def describe(target: Target) -> str:
    if target.is_local:
        return (
            f"local emulator at {target.endpoint_url} (every resource is new there; "
            "FARGATE_BATCH_TARGET=aws plans against the account)"
        )
    return "AWS account from the standard credential chain (FARGATE_BATCH_TARGET=aws)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fargate_batch.plan_report", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--config", default=os.environ.get("FARGATE_BATCH_CONFIG", DEFAULT_CONFIG), help="comma-separated"
    )
    parser.add_argument("--output", type=Path, default=Path("plan-report.md"))
    parser.add_argument("--work-dir", type=Path, default=Path(".local/plan-report"))
    args = parser.parse_args(argv)
    try:
        target = target_from_environment()
        configs = load_configs(config_paths(args.config))
    except (ConfigError, TargetError) as error:
        print(f"plan-report: configuration problems:\n{error}", file=sys.stderr)
        return 2
    args.work_dir.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.ExitStack() as running:
            if target.is_local:
                endpoint = running.enter_context(local_emulator())
                create_state_bucket(endpoint)
                target = Target("local", endpoint)
            inputs = plan_everything(configs, target, args.work_dir.resolve())
    except (PlanError, ScanError) as error:
        print(f"plan-report: {error}", file=sys.stderr)
        return 1
    report = render_report(inputs, now=datetime.now(UTC), target=describe(target))
    args.output.write_text(report)
    print(report)
    print(f"plan-report: wrote {args.output}; plans in {args.work_dir}/cdktf.out/stacks/*/{PLAN_FILE}", file=sys.stderr)
    failed = sum(len(scan.failed) for stack in inputs for scan in stack.scans)
    if failed:
        print(f"plan-report: {failed} failed security check(s); see the report", file=sys.stderr)
    return 1 if failed else 0
