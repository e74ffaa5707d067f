"""Synthesize → terraform init/plan/show → checkov → plan-report.md. Thin on purpose; the report is render.py.

Target: the local emulator by default (started here, with the state bucket its S3 backend needs), a
real account with ``FARGATE_BATCH_TARGET=aws`` (credentials from the standard AWS chain; state in the
configured backend). Configurations: ``FARGATE_BATCH_CONFIG`` (comma-separated), default config/dev.toml.
On the emulator the base revision (``PLAN_BASE``, default the merge base with main) is deployed first, so
the plan is the plan of the change (see base.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
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
from fargate_batch.plan_report.base import (
    PLAN_BASE_ENV,
    BaseRefError,
    BaseUnavailable,
    deploy_base,
    repository_root,
    resolve_base,
)
from fargate_batch.plan_report.render import StackInput, render_report
from fargate_batch.plan_report.terraform_cloud import CloudWorkspaceError, check_workspace_selection
from fargate_batch.security_scan import ScanError, scan_stack
from fargate_batch.terraform_runner import Terraform, TerraformError

DEFAULT_CONFIG = "config/dev.toml"
PLAN_FILE = "plan.tfplan"
PLAN_JSON = "plan.json"
TERRAFORM_TIMEOUT_SECONDS = 900


class PlanError(RuntimeError):
    pass


@contextlib.contextmanager
def local_emulator() -> Iterator[str]:
    """The project's emulator (local_emulator.server) on loopback, stopped afterwards."""
    from local_emulator.server import start_emulator

    with start_emulator() as emulator:
        yield emulator.endpoint


def synthesize(configs: list[ProjectConfig], target: Target, outdir: Path) -> dict[str, Path]:
    """``cdktf synth`` of every configuration for ``target``; returns stack name → stack directory."""
    from main import build_app, stack_directories

    build_app(configs, target, outdir).synth()
    return stack_directories(configs, outdir)


def plan_stack(stack_dir: Path, work_dir: Path) -> dict:
    """init, ``plan -out``, ``show -json``; leaves plan.tfplan (for apply) and plan.json in the stack directory."""
    if shutil.which("terraform") is None:
        raise PlanError("terraform is not on PATH: install Terraform >= 1.10 (see README)")
    runner = Terraform(stack_dir=stack_dir, work_dir=work_dir, timeout_seconds=TERRAFORM_TIMEOUT_SECONDS)
    try:
        runner.run("init", "-input=false", "-reconfigure")
        runner.run("plan", "-input=false", "-lock-timeout=60s", f"-out={PLAN_FILE}")
        plan = json.loads(runner.run("show", "-json", PLAN_FILE).stdout)
    except TerraformError as error:
        raise PlanError(f"in {stack_dir}: {error}") from error
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
        return f"local emulator at {target.endpoint_url} (FARGATE_BATCH_TARGET=aws plans against the account)"
    return "AWS account from the standard credential chain (FARGATE_BATCH_TARGET=aws)"


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _fresh_emulator() -> Iterator[str]:
    with local_emulator() as endpoint:
        create_state_bucket(endpoint)
        yield endpoint


def prepare_local(running: contextlib.ExitStack, config: str, work_dir: Path, base_ref: str | None) -> tuple[str, str]:
    """(emulator endpoint, the report's line about the base): the base deployed when there is one.

    Raises BaseRefError for a PLAN_BASE git cannot resolve (a user mistake, checked before anything starts).
    """
    repo = repository_root(Path.cwd())
    try:
        revision = resolve_base(repo, base_ref)
    except BaseUnavailable as none:
        return running.enter_context(_fresh_emulator()), str(none)
    attempt = contextlib.ExitStack()
    endpoint = attempt.enter_context(_fresh_emulator())
    shutil.rmtree(work_dir / "base", ignore_errors=True)
    try:
        deployed = deploy_base(repo, revision, config_paths(config), endpoint, work_dir, _progress)
    except BaseUnavailable as failed:
        # A half-applied base would make the plan neither "from empty" nor "the change": start over.
        attempt.close()
        _progress(f"plan-report: {failed}")
        return running.enter_context(_fresh_emulator()), str(failed)
    running.enter_context(attempt)
    return endpoint, deployed.line()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fargate_batch.plan_report", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--config", default=os.environ.get("FARGATE_BATCH_CONFIG", DEFAULT_CONFIG), help="comma-separated"
    )
    parser.add_argument("--output", type=Path, default=Path("plan-report.md"))
    parser.add_argument("--work-dir", type=Path, default=Path(".local/plan-report"))
    parser.add_argument(
        "--base",
        default=os.environ.get(PLAN_BASE_ENV),
        help="git ref deployed to the emulator before planning (default: merge base with main; 'none': empty)",
    )
    args = parser.parse_args(argv)
    try:
        target = target_from_environment()
        configs = load_configs(config_paths(args.config))
        if not target.is_local:
            # The emulator target replaces every backend with its own S3 one; the account uses the real one.
            check_workspace_selection(configs)
    except (ConfigError, TargetError, CloudWorkspaceError) as error:
        print(f"plan-report: configuration problems:\n{error}", file=sys.stderr)
        return 2
    args.work_dir.mkdir(parents=True, exist_ok=True)
    work_dir = args.work_dir.resolve()
    base_line = ""
    try:
        with contextlib.ExitStack() as running:
            if target.is_local:
                endpoint, base_line = prepare_local(running, args.config, work_dir, args.base)
                target = Target("local", endpoint)
            elif args.base:
                _progress(f"plan-report: {PLAN_BASE_ENV} is for the emulator; in the account, the state is the base")
            inputs = plan_everything(configs, target, work_dir)
    except BaseRefError as error:
        print(f"plan-report: configuration problems:\n{error}", file=sys.stderr)
        return 2
    except (PlanError, ScanError) as error:
        print(f"plan-report: {error}", file=sys.stderr)
        return 1
    report = render_report(inputs, now=datetime.now(UTC), target=describe(target), base=base_line)
    args.output.write_text(report)
    print(report)
    print(f"plan-report: wrote {args.output}; plans in {args.work_dir}/cdktf.out/stacks/*/{PLAN_FILE}", file=sys.stderr)
    failed = sum(len(scan.failed) for stack in inputs for scan in stack.scans)
    if failed:
        print(f"plan-report: {failed} failed security check(s); see the report", file=sys.stderr)
    return 1 if failed else 0
