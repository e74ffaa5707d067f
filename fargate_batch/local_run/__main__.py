"""``make run``: the whole project on this machine, no AWS account.

1. start the emulator (moto + local_emulator corrections) on a free loopback port;
2. synthesize for the local target and deploy with the real terraform (S3 backend + lock file in
   the emulator), then ``plan`` again, which must show no changes;
3. run every workflow: fire each schedule now, upload a sample file under each trigger prefix (and
   one outside it), send one job to each activity; a local ECS agent runs each task as a process;
4. print a report and write it to .local/report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from fargate_batch.config import ConfigError, load_config
from fargate_batch.local_run.deploy import REPO_ROOT, LocalDeployment
from fargate_batch.local_run.report import Progress, RunReport, render_text
from fargate_batch.local_run.workflows import WorkflowRunner
from fargate_batch.terraform_runner import TerraformError
from stacks.batch_stack import stack_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config",
        default=os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml"),
        help="the configuration to deploy (default: $FARGATE_BATCH_CONFIG, else config/dev.toml)",
    )
    parser.add_argument("--work-dir", default=".local")
    parser.add_argument("--keep-emulator", action="store_true", help="leave the emulator running at the end")
    parser.add_argument("--docker", action="store_true", help="run tasks with `docker run` of the image")
    args = parser.parse_args(argv)
    if "," in args.config:
        print(
            f"configuration problems:\n{args.config!r} names several files; make run deploys one: "
            "choose it with FARGATE_BATCH_CONFIG=config/<env>.toml or RUN_ARGS=--config=config/<env>.toml",
            file=sys.stderr,
        )
        return 2
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"configuration problems:\n{error}", file=sys.stderr)
        return 2

    from local_emulator.ecs_agent import EcsAgent
    from local_emulator.server import start_emulator
    from local_emulator.service_roles import authorization_summary

    work_dir = (REPO_ROOT / args.work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    with progress.phase("start emulator", report := RunReport(stack=stack_name(config), endpoint="")):
        emulator = start_emulator(log_path=work_dir / "emulator.log")
    report.endpoint = emulator.endpoint
    try:
        deployment = LocalDeployment(emulator.endpoint, Path(args.config).resolve(), work_dir, stack_name(config))
        deployment.terraform_log.unlink(missing_ok=True)
        with progress.phase("synth", report):
            deployment.synth()
        terraform = deployment.terraform()
        with progress.phase("terraform init", report):
            deployment.create_state_bucket()
            terraform.init()
        with progress.phase("terraform apply", report):
            terraform.apply()
        with progress.phase("terraform plan (must be empty)", report):
            report.plan_after_apply_has_changes = terraform.plan_has_changes()
        outputs = terraform.outputs()
        with EcsAgent(endpoint=emulator.endpoint, region=config.region, use_docker=args.docker) as agent:
            runner = WorkflowRunner(
                config=config, endpoint=emulator.endpoint, outputs=outputs, agent=agent, progress=progress
            )
            with progress.phase("run workflows", report):
                report.executions = runner.run_all()
        report.authorization = authorization_summary(emulator.endpoint)
        report.write_json(work_dir / "report.json")
        print()
        print(render_text(report))
        print(f"\nJSON report: {work_dir / 'report.json'}; terraform output: {deployment.terraform_log}")
        # Every workflow make run starts is expected to be allowed: a denial is a defect in the deployed IAM.
        failed_unexpectedly = (
            report.plan_after_apply_has_changes
            or any(e.status != e.expected_status for e in report.executions)
            or bool(report.authorization["denied"])
        )
        return 1 if failed_unexpectedly else 0
    except TerraformError as error:
        print(
            f"\n{error}\n(terraform output: {deployment.terraform_log}; emulator log: {work_dir / 'emulator.log'})",
            file=sys.stderr,
        )
        return 1
    finally:
        if args.keep_emulator:
            print(f"emulator left running at {emulator.endpoint} (pid {emulator.process.pid})")
            (work_dir / "endpoint").write_text(json.dumps({"endpoint": emulator.endpoint}))
        else:
            emulator.stop()


if __name__ == "__main__":
    raise SystemExit(main())
