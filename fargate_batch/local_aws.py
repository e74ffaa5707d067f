"""``make up`` / ``make down`` / ``make fire``: a local AWS that stays up, for the tools users already run.

``up`` starts ``local_emulator.daemon`` in the background on a fixed loopback port (``LOCAL_AWS_PORT``,
default 5000): the emulator, the local ECS agent and the scheduler clock. It creates the Terraform state
bucket and writes ``.local/env``, so that after ``source .local/env`` the AWS CLI, boto3, terraform and
``npx cdktf deploy``/``diff`` all talk to it. It survives the terminal (pid file and log under ``.local/``);
a second ``up`` says it is already up. ``down`` stops all of it. ``fire PIPELINE`` fires one schedule now.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from fargate_batch.config import ConfigError, load_config
from fargate_batch.config.targets import (
    ENDPOINT_ENV,
    LOCAL_ACCESS_KEY,
    LOCAL_SECRET_KEY,
    LOCAL_STATE_BUCKET,
    TARGET_ENV,
)
from fargate_batch.terraform_cli import write_cli_config

REPO_ROOT = Path(__file__).resolve().parents[1]
PORT_ENV = "LOCAL_AWS_PORT"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class LocalAws:
    """The background local AWS of one checkout: its files under ``work_dir``."""

    work_dir: Path

    @property
    def state_file(self) -> Path:
        return self.work_dir / "local-aws.json"

    @property
    def log_file(self) -> Path:
        return self.work_dir / "local-aws.log"

    @property
    def env_file(self) -> Path:
        return self.work_dir / "env"

    def running(self) -> dict | None:
        """``{"pid", "port", "endpoint", "region"}`` of a local AWS that is up and answering, else None."""
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        if not _alive(state.get("pid", 0)) or not _answers(state["endpoint"]):
            return None
        return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/config", timeout=1):
            return True
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        # As the server will: a port a just-stopped server left in TIME_WAIT is free to listen on.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def environment_lines(endpoint: str, region: str, work_dir: Path) -> list[str]:
    """What ``source .local/env`` sets: the AWS CLI, boto3, terraform and cdktf then talk to the emulator."""
    values = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        TARGET_ENV: "local",
        ENDPOINT_ENV: endpoint,
        "CHECKPOINT_DISABLE": "1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    cli_config = write_cli_config(work_dir / "terraform.rc")
    if cli_config is not None:
        values["TF_CLI_CONFIG_FILE"] = str(cli_config.resolve())
    return [f"export {name}={value}" for name, value in values.items()]


def create_state_bucket(endpoint: str) -> None:
    """The S3 backend's bucket must exist before ``terraform init``, as in a real account."""
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=LOCAL_ACCESS_KEY,
        aws_secret_access_key=LOCAL_SECRET_KEY,
    )
    if LOCAL_STATE_BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=LOCAL_STATE_BUCKET)
        s3.put_bucket_versioning(Bucket=LOCAL_STATE_BUCKET, VersioningConfiguration={"Status": "Enabled"})


def up(local: LocalAws, port: int, region: str, *, timeout_seconds: float = 30) -> int:
    state = local.running()
    if state is not None:
        print(f"local AWS is already up on {state['endpoint']} (pid {state['pid']}); `make down` stops it")
        return 0
    if not port_is_free(port):
        print(
            f"port {port} on {HOST} is taken by another program; stop it, or choose another port: "
            f"LOCAL_AWS_PORT=5001 make up",
            file=sys.stderr,
        )
        return 1
    local.work_dir.mkdir(parents=True, exist_ok=True)
    endpoint = f"http://{HOST}:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    with local.log_file.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_emulator.daemon", "--port", str(port), "--region", region],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the terminal that ran make up
        )
    deadline = time.monotonic() + timeout_seconds
    while not _answers(endpoint):
        if process.poll() is not None or time.monotonic() > deadline:
            print(f"local AWS did not start; see {local.log_file}", file=sys.stderr)
            _stop(process.pid)
            return 1
        time.sleep(0.1)
    create_state_bucket(endpoint)
    local.state_file.write_text(json.dumps({"pid": process.pid, "port": port, "endpoint": endpoint, "region": region}))
    local.env_file.write_text("\n".join(environment_lines(endpoint, region, local.work_dir)) + "\n")
    print(f"local AWS up on {endpoint} (pid {process.pid}; log {local.log_file})")
    print(f"  source {local.env_file}")
    print("  then the AWS CLI, boto3, terraform and npx cdktf talk to it (README: Local AWS); make down stops it")
    return 0


def _stop(pid: int, timeout_seconds: float = 45) -> None:
    """SIGTERM; the daemon stops its tasks (each within its stop timeout, 30 s by default), then itself."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_seconds
    while _alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def down(local: LocalAws) -> int:
    try:
        state = json.loads(local.state_file.read_text())
    except (OSError, ValueError):
        print("local AWS is not up")
        return 0
    _stop(state["pid"])
    local.state_file.unlink(missing_ok=True)
    local.env_file.unlink(missing_ok=True)
    print(f"local AWS on {state['endpoint']} stopped")
    return 0


def fire(local: LocalAws, config_path: str, pipeline: str) -> int:
    import boto3

    from fargate_batch.config import names
    from local_emulator.scheduler_clock import ScheduleInvocationFailed, fire_now

    state = local.running()
    if state is None:
        print("local AWS is not up: `make up` first", file=sys.stderr)
        return 1
    config = load_config(config_path)
    scheduled = [p.name for p in config.pipelines if p.schedule is not None]
    if pipeline not in scheduled:
        print(
            f"PIPELINE={pipeline!r}: no scheduled pipeline of that name in {config_path}; choose one of {scheduled}",
            file=sys.stderr,
        )
        return 2
    scheduler = boto3.client(
        "scheduler",
        endpoint_url=state["endpoint"],
        region_name=config.region,
        aws_access_key_id=LOCAL_ACCESS_KEY,
        aws_secret_access_key=LOCAL_SECRET_KEY,
    )
    try:
        execution = fire_now(
            scheduler,
            name=names.PipelineNames(config.name_prefix, pipeline).schedule,
            group=names.SharedNames(config.name_prefix).schedule_group,
        )
    except ScheduleInvocationFailed as failed:
        print(f"not started: {failed}", file=sys.stderr)
        return 1
    except scheduler.exceptions.ResourceNotFoundException:
        print(
            f"the schedule of {pipeline!r} is not deployed on {state['endpoint']}: deploy first (make run)",
            file=sys.stderr,
        )
        return 1
    print(execution)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make up|down|fire", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "fire", "status"))
    parser.add_argument("--pipeline", default="")
    parser.add_argument("--config", default=os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml"))
    parser.add_argument("--work-dir", default=str(REPO_ROOT / ".local"))
    args = parser.parse_args(argv)
    local = LocalAws(Path(args.work_dir).resolve())
    if args.command == "down":
        return down(local)
    if args.command == "status":
        state = local.running()
        print(f"up on {state['endpoint']} (pid {state['pid']})" if state else "not up")
        return 0 if state else 1
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"configuration problems:\n{error}", file=sys.stderr)
        return 2
    if args.command == "fire":
        return fire(local, args.config, args.pipeline)
    raw_port = os.environ.get(PORT_ENV, "5000")
    if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
        print(f"{PORT_ENV}: {raw_port!r} is not a port; use a number 1-65535, e.g. {PORT_ENV}=5001", file=sys.stderr)
        return 2
    return up(local, int(raw_port), config.region)


if __name__ == "__main__":
    raise SystemExit(main())
