"""``make run``: the whole project on this machine, no AWS account.

1. start the emulator (moto + local_emulator corrections) on a free loopback port, or reuse the local
   AWS that ``make up`` keeps running (then only what changed is applied, and nothing is torn down);
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

from fargate_batch import push_image
from fargate_batch.alert_delivery import alert_delivery
from fargate_batch.config import ConfigError, config_paths, load_config
from fargate_batch.config.names import stack_name
from fargate_batch.local_aws import LocalAws
from fargate_batch.local_run.deploy import REPO_ROOT, LocalDeployment
from fargate_batch.local_run.report import Progress, RunReport, render_text
from fargate_batch.local_run.tasks_in_emulator import TasksInEmulator
from fargate_batch.local_run.workflows import WorkflowRunner
from fargate_batch.synth_process import SynthFailed
from fargate_batch.terraform_runner import TerraformError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config",
        default=os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml"),
        help="the configuration to deploy (default: $FARGATE_BATCH_CONFIG, else config/dev.toml)",
    )
    parser.add_argument("--work-dir", default=".local")
    parser.add_argument(
        "--keep-emulator", action="store_true", help="leave the emulator running at the end (or use make up)"
    )
    parser.add_argument("--docker", action="store_true", help="run tasks with `docker run` of the image")
    parser.add_argument(
        "--check-plan", action="store_true", help="on a warm run too, plan again after apply (must show no changes)"
    )
    args = parser.parse_args(argv)
    paths = config_paths(args.config)
    if not paths:
        print(
            f"configuration problems:\n{args.config!r} names no file; make run deploys one, e.g. "
            "FARGATE_BATCH_CONFIG=config/dev.toml",
            file=sys.stderr,
        )
        return 2
    if len(paths) == 1:
        args.config = paths[0]
    else:
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

    from local_emulator.alarm_evaluator import evaluate_alarms_over_http
    from local_emulator.ecs_agent import EcsAgent
    from local_emulator.server import start_emulator
    from local_emulator.service_roles import authorization_summary

    work_dir = (REPO_ROOT / args.work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    report = RunReport(stack=stack_name(config), endpoint="")
    delivery = alert_delivery(config)
    report.alert_delivery = {
        "topic": delivery.topic,
        "email_subscriptions": list(delivery.email_subscriptions),
        "warning": delivery.warning,
    }
    running = LocalAws(work_dir).running()
    if running is not None and running["region"] != config.region:
        print(
            f"the local AWS on {running['endpoint']} runs tasks and schedules in {running['region']}, but "
            f"{args.config} deploys to {config.region}: `make down`, then `make run` (or `make up` again)",
            file=sys.stderr,
        )
        return 2
    emulator = None
    if running is None:
        with progress.phase("start emulator", report):
            emulator = start_emulator(log_path=work_dir / "emulator.log")
        endpoint = emulator.endpoint
    else:
        # make up is running: deploy only what changed into it, and let its agent and clock do the work.
        endpoint = running["endpoint"]
        progress.say(f"reusing the local AWS on {endpoint} (make up); `make down` to start from nothing")
    report.endpoint = endpoint
    try:
        deployment = LocalDeployment(endpoint, Path(args.config).resolve(), work_dir, stack_name(config))
        deployment.terraform_log.unlink(missing_ok=True)
        with progress.phase("synth", report):
            deployment.synth()
        terraform = deployment.terraform(progress=progress.say)
        with progress.phase("terraform init", report):
            deployment.create_state_bucket()
            if emulator is not None or not terraform.initialized():
                terraform.init()
        # The order of a first deploy to an account (README "First deploy"): the repository alone, then the
        # image, then everything else, so no service or schedule ever starts a task whose image is missing.
        stack = push_image.Stack(config, deployment.stack_dir)
        try:
            push_image.record_in_emulator(config, endpoint)
        except push_image.UserMistake:
            with progress.phase("bootstrap (terraform apply of the repository only)", report):
                terraform.run("apply", "-input=false", "-auto-approve", f"-target={stack.repository_address()}")
            with progress.phase("push (the tag recorded in the emulator's ECR)", report):
                progress.say(push_image.record_in_emulator(config, endpoint))
        with progress.phase("terraform apply", report):
            report.apply_changes = terraform.apply()
        if emulator is not None or args.check_plan:
            with progress.phase("terraform plan (must be empty)", report):
                report.plan_after_apply_has_changes = terraform.plan_has_changes()
        else:
            # A warm run's apply already refreshed every resource and showed what it changed; the second plan
            # (a perpetual-diff check, ~20 s) is the cold run's job: make down && make run, or --check-plan.
            progress.say("terraform plan after apply: skipped on a warm run (RUN_ARGS=--check-plan to run it)")
        outputs = terraform.outputs()
        before = authorization_summary(endpoint)
        if emulator is not None:
            with EcsAgent(endpoint=endpoint, region=config.region, use_docker=args.docker) as agent:
                runner = WorkflowRunner(
                    config=config, endpoint=endpoint, outputs=outputs, agent=agent, progress=progress
                )
                with progress.phase("run workflows", report):
                    report.executions = runner.run_all()
        else:
            runner = WorkflowRunner(
                config=config,
                endpoint=endpoint,
                outputs=outputs,
                agent=TasksInEmulator(endpoint, config.region),
                progress=progress,
                services_run_by_the_agent=True,
            )
            with progress.phase("run workflows", report):
                report.executions = runner.run_all()
        with progress.phase("evaluate alarms", report):
            report.alarms = evaluate_alarms_over_http(endpoint)
        report.authorization = authorization_since(before, authorization_summary(endpoint))
        report.write_json(work_dir / "report.json")
        print()
        print(render_text(report))
        print(f"\nJSON report: {work_dir / 'report.json'}; terraform output: {deployment.terraform_log}")
        # Every workflow make run starts is expected to be allowed: a denial is a defect in the deployed IAM.
        failed_unexpectedly = (
            report.plan_after_apply_has_changes
            or any(e.status != e.expected_status for e in report.executions)
            or bool(report.authorization["denied"])
            or any(alarm.get("failed_actions") for alarm in report.alarms.get("alarms", []))
        )
        return 1 if failed_unexpectedly else 0
    except TerraformError as error:
        print(
            f"\n{error}\n(terraform output: {deployment.terraform_log}; emulator log: {work_dir / 'emulator.log'})",
            file=sys.stderr,
        )
        return 1
    except SynthFailed as error:
        # The configuration loaded, so this is the synth's own failure: its message, not a traceback.
        print(f"\n{error}", file=sys.stderr)
        return 1
    finally:
        if emulator is not None and args.keep_emulator:
            print(f"emulator left running at {emulator.endpoint} (pid {emulator.process.pid})")
            (work_dir / "endpoint").write_text(json.dumps({"endpoint": emulator.endpoint}))
        elif emulator is not None:
            emulator.stop()


def authorization_since(before: dict, after: dict) -> dict:
    """The decisions of this run only: the local AWS of make up keeps every decision since it started."""
    by_action = {}
    for action, counts in after.get("by_action", {}).items():
        earlier = before.get("by_action", {}).get(action, {"allowed": 0, "denied": 0})
        delta = {kind: counts[kind] - earlier.get(kind, 0) for kind in ("allowed", "denied")}
        if any(delta.values()):
            by_action[action] = delta
    return {
        "decisions": after["decisions"] - before["decisions"],
        "denied": after["denied"][len(before["denied"]) :],
        "by_action": by_action,
    }


if __name__ == "__main__":
    raise SystemExit(main())
