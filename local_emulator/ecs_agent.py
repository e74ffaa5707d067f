"""A local stand-in for Fargate: runs each ECS task the emulator starts as a local process.

It polls the emulator for RUNNING tasks, builds the container's command and environment from the
task definition plus the task's container overrides (exactly what Step Functions sent), runs
``batch_container/main.py`` with them (or ``docker run`` of the image when asked and an engine
answers), and reports the stop with the real exit code through SubmitTaskStateChange, the ECS
agent API. Each run's output is kept for the report.

As ECS does, the agent assumes the task role (``ecs-tasks.amazonaws.com``) and hands its session to the
program, so every call the program makes is judged against the deployed task role; and it writes the
task's output to the task definition's awslogs group and stream with the task *execution* role.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROGRAM = REPO_ROOT / "batch_container" / "main.py"
STOPPED_REASON = "Essential container in task exited"


@dataclass
class TaskRun:
    task_arn: str
    cluster_arn: str
    family: str
    command: list[str]
    environment: dict[str, str]
    started_at: float
    stopped_at: float | None = None
    exit_code: int | None = None
    output: str = ""
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    log_configuration: dict | None = None
    container_name: str = ""
    role_error: str | None = None


def merged_container(task_definition: dict, overrides: dict) -> tuple[str, list[str], dict[str, str]]:
    """(container name, command, environment) after applying the task's container overrides."""
    container = task_definition["containerDefinitions"][0]
    name = container["name"]
    command = list(container.get("command") or [])
    environment = {e["name"]: e["value"] for e in container.get("environment") or []}
    for override in overrides.get("containerOverrides", []):
        if override.get("name") != name:
            continue
        if override.get("command"):
            command = list(override["command"])
        environment.update({e["name"]: e["value"] for e in override.get("environment") or []})
    return name, command, environment


@dataclass
class EcsAgent:
    endpoint: str
    region: str
    program: Path = DEFAULT_PROGRAM
    use_docker: bool = False
    poll_seconds: float = 0.05
    task_timeout_seconds: float = 300
    runs: dict[str, TaskRun] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ecs = boto3.client(
            "ecs",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        if self.use_docker and not _docker_engine_answers():
            raise RuntimeError("use_docker was asked for, but `docker info` finds no Docker engine")

    def start(self) -> EcsAgent:
        self._thread = threading.Thread(target=self._loop, name="ecs-agent", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def __enter__(self) -> EcsAgent:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._poll_once()
            except Exception as error:  # keep the agent alive through a transient emulator error
                print(f"ecs-agent: {error}", file=sys.stderr)
            self._stop.wait(self.poll_seconds)

    def _poll_once(self) -> None:
        for cluster_arn in self._ecs.list_clusters()["clusterArns"]:
            task_arns = self._ecs.list_tasks(cluster=cluster_arn, desiredStatus="RUNNING")["taskArns"]
            new = [arn for arn in task_arns if arn not in self.runs]
            if not new:
                continue
            for task in self._ecs.describe_tasks(cluster=cluster_arn, tasks=new)["tasks"]:
                if task["lastStatus"] != "RUNNING" or task["taskArn"] in self.runs:
                    continue
                self._launch(cluster_arn, task)

    def _launch(self, cluster_arn: str, task: dict) -> None:
        definition = self._ecs.describe_task_definition(taskDefinition=task["taskDefinitionArn"])["taskDefinition"]
        name, command, environment = merged_container(definition, task.get("overrides") or {})
        run = TaskRun(
            task_arn=task["taskArn"],
            cluster_arn=cluster_arn,
            family=definition["family"],
            command=command,
            environment=environment,
            started_at=time.monotonic(),
            task_role_arn=(task.get("overrides") or {}).get("taskRoleArn") or definition.get("taskRoleArn"),
            execution_role_arn=definition.get("executionRoleArn"),
            log_configuration=definition["containerDefinitions"][0].get("logConfiguration"),
            container_name=name,
        )
        with self._lock:
            self.runs[task["taskArn"]] = run
        threading.Thread(target=self._run, args=(run, name, definition), daemon=True).start()

    def _role_session(self, role_arn: str, task_arn: str) -> dict[str, str]:
        """ECS assumes task and execution roles with aws:SourceArn in the task's ECS ARN space."""
        from local_emulator.service_roles import assume_role_as_service

        return assume_role_as_service(
            self.endpoint,
            service="ecs-tasks.amazonaws.com",
            role_arn=role_arn,
            source_arn=task_arn,
            source_account=task_arn.split(":")[4],
            region=self.region,
            session_name=task_arn.rsplit("/", 1)[-1],
        )

    def _process_environment(self, run: TaskRun) -> dict[str, str]:
        from local_emulator.service_roles import RoleAssumptionRefused, as_environment

        credentials: dict[str, str] = {}
        if run.task_role_arn:
            try:
                credentials = as_environment(self._role_session(run.task_role_arn, run.task_arn))
            except RoleAssumptionRefused as refused:
                # ECS cannot start such a task; here the program runs without credentials and says so.
                run.role_error = str(refused)
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONDONTWRITEBYTECODE": "1",
            **run.environment,
            # The program talks to the emulator exactly as it would talk to AWS, as its task role.
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            # Only the task role: never the operator's own credential files.
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_CONFIG_FILE": os.devnull,
            **credentials,
            "ECS_CONTAINER_METADATA_TASK_ARN": run.task_arn,
        }

    def _write_logs(self, run: TaskRun) -> None:
        """The awslogs driver: stream ``<prefix>/<container>/<task id>``, written with the execution role."""
        from local_emulator.service_roles import RoleAssumptionRefused, as_client_arguments

        config = run.log_configuration or {}
        options = config.get("options") or {}
        if config.get("logDriver") != "awslogs" or not run.execution_role_arn or "awslogs-group" not in options:
            return
        stream = "/".join(
            filter(None, [options.get("awslogs-stream-prefix"), run.container_name, run.task_arn.rsplit("/", 1)[-1]])
        )
        try:
            credentials = self._role_session(run.execution_role_arn, run.task_arn)
        except RoleAssumptionRefused as refused:
            run.output += f"\necs-agent: no logs written: {refused}"
            return
        logs = boto3.client(
            "logs",
            endpoint_url=self.endpoint,
            region_name=options.get("awslogs-region", self.region),
            **as_client_arguments(credentials),
        )
        lines = run.output.splitlines() or [""]
        now = int(time.time() * 1000)
        try:
            logs.create_log_stream(logGroupName=options["awslogs-group"], logStreamName=stream)
            logs.put_log_events(
                logGroupName=options["awslogs-group"],
                logStreamName=stream,
                logEvents=[{"timestamp": now, "message": line} for line in lines],
            )
        except Exception as error:  # a denied or failed log write must not lose the task's exit code
            run.output += f"\necs-agent: no logs written: {error}"

    def _run(self, run: TaskRun, container_name: str, definition: dict) -> None:
        env = self._process_environment(run)
        if self.use_docker:
            image = definition["containerDefinitions"][0]["image"]
            args = ["docker", "run", "--rm", "--network", "host"]
            for key, value in env.items():
                if key != "PATH":
                    args += ["-e", f"{key}={value}"]
            args += [image, *run.command]
        else:
            args = [sys.executable, str(self.program), *run.command]
        try:
            result = subprocess.run(
                args, env=env, capture_output=True, text=True, timeout=self.task_timeout_seconds, cwd=REPO_ROOT
            )
            run.exit_code, run.output = result.returncode, (result.stdout + result.stderr)
        except subprocess.TimeoutExpired as timeout:
            run.exit_code, run.output = 137, f"killed after {self.task_timeout_seconds:.0f} s: {timeout}"
        run.stopped_at = time.monotonic()
        self._write_logs(run)
        self._ecs.submit_task_state_change(
            cluster=run.cluster_arn,
            task=run.task_arn,
            status="STOPPED",
            reason=STOPPED_REASON,
            containers=[{"containerName": container_name, "exitCode": run.exit_code, "status": "STOPPED"}],
        )


def _docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
