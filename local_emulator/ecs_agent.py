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

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from local_emulator.background import BackgroundLoop

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROGRAM = REPO_ROOT / "batch_container" / "main.py"
STOPPED_REASON = "Essential container in task exited"
# A container's stopTimeout: 30 s when the task definition names none, at most 120 s on Fargate.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_timeout
DEFAULT_STOP_TIMEOUT_SECONDS = 30
FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120


def stop_timeout_seconds(container_definition: dict) -> float:
    """How long StopTask waits between SIGTERM and SIGKILL for this container, as Fargate bounds it."""
    configured = container_definition.get("stopTimeout")
    if configured is None:
        return DEFAULT_STOP_TIMEOUT_SECONDS
    return max(0, min(int(configured), FARGATE_MAX_STOP_TIMEOUT_SECONDS))


def container_exit_code(returncode: int) -> int:
    """The exit code a container reports: its own, or 128 + the signal that ended it (SIGTERM 143, SIGKILL 137).

    https://docs.docker.com/engine/containers/run/#exit-status
    """
    return 128 - returncode if returncode < 0 else returncode


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
    stop_timeout_seconds: float = 30
    started_by: str | None = None
    process: subprocess.Popen | None = None
    stop_requested: bool = False


def service_task_tags(ecs, service: dict) -> dict:
    """RunTask arguments that tag a task as ECS tags the ones it starts for ``service`` (its propagateTags):
    the task definition's tags (RunTask's own propagateTags) or the service's (copied: RunTask takes no SERVICE).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-propagateTags
    """
    propagate = service.get("propagateTags", "NONE")
    if propagate == "TASK_DEFINITION":
        return {"propagateTags": "TASK_DEFINITION"}
    if propagate == "SERVICE":
        tags = ecs.list_tags_for_resource(resourceArn=service["serviceArn"])["tags"]
        return {"tags": tags} if tags else {}
    return {}


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


def awslogs_stream(options: dict, container_name: str, task_arn: str) -> str:
    """The stream the awslogs driver writes a task to: ``<prefix>/<container>/<task id>``.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    """
    return "/".join(filter(None, [options.get("awslogs-stream-prefix"), container_name, task_arn.rsplit("/", 1)[-1]]))


@dataclass
class EcsAgent:
    endpoint: str
    region: str
    program: Path = DEFAULT_PROGRAM
    use_docker: bool = False
    poll_seconds: float = 0.05
    # None: tasks run until they exit or are stopped (service tasks such as the activity worker).
    task_timeout_seconds: float | None = 300
    # Keep each ACTIVE service at its desired count, as the ECS service scheduler does (make up).
    maintain_services: bool = False
    # How often services are compared with their desired count, and the least time between two launches
    # for one service: the service scheduler backs off from a service whose tasks keep failing to start.
    service_check_seconds: float = 2
    service_retry_seconds: float = 10
    runs: dict[str, TaskRun] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ecs = boto3.client(
            "ecs",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self._loop = BackgroundLoop(
            "ecs-agent", self._poll_once, poll_seconds=self.poll_seconds, report=lambda m: print(m, file=sys.stderr)
        )
        self._lock = threading.Lock()
        self._last_service_start: dict[str, float] = {}
        self._services_checked: dict[str, float] = {}
        if self.use_docker and not _docker_engine_answers():
            raise RuntimeError("use_docker was asked for, but `docker info` finds no Docker engine")

    def start(self) -> EcsAgent:
        self._loop.start()
        return self

    def stop(self) -> None:
        """Stop polling and stop every task still running, as a cluster going away would."""
        self._loop.stop()
        stoppers = [threading.Thread(target=self._terminate, args=(run,)) for run in list(self.runs.values())]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()

    def __enter__(self) -> EcsAgent:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _poll_once(self) -> None:
        for cluster_arn in self._ecs.list_clusters()["clusterArns"]:
            task_arns = self._ecs.list_tasks(cluster=cluster_arn, desiredStatus="RUNNING")["taskArns"]
            new = [arn for arn in task_arns if arn not in self.runs]
            if new:
                for task in self._ecs.describe_tasks(cluster=cluster_arn, tasks=new)["tasks"]:
                    if task["lastStatus"] != "RUNNING" or task["taskArn"] in self.runs:
                        continue
                    self._launch(cluster_arn, task)
            self._stop_tasks_stopped_through_the_api(cluster_arn, set(task_arns))
            # The service scheduler reacts in seconds in ECS too; checking on every poll would only load the emulator.
            checked = self._services_checked.get(cluster_arn, -1e9)
            if self.maintain_services and time.monotonic() - checked >= self.service_check_seconds:
                self._services_checked[cluster_arn] = time.monotonic()
                self._maintain_services(cluster_arn)

    def _stop_tasks_stopped_through_the_api(self, cluster_arn: str, running_arns: set[str]) -> None:
        """StopTask (or a service scaling in) ends the process: SIGTERM, then SIGKILL after the stop timeout.

        https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html
        """
        for run in list(self.runs.values()):
            alive = run.process is not None and run.process.poll() is None
            if run.cluster_arn == cluster_arn and alive and run.task_arn not in running_arns and not run.stop_requested:
                run.stop_requested = True
                threading.Thread(target=self._terminate, args=(run,), daemon=True).start()

    def _terminate(self, run: TaskRun) -> None:
        """``docker stop`` of the task's container: SIGTERM to its processes, SIGKILL when the stop timeout ends."""
        process = run.process
        if process is None or process.poll() is not None:
            return
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=run.stop_timeout_seconds)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)

    def _maintain_services(self, cluster_arn: str) -> None:
        """Start tasks until each ACTIVE service runs its desired count; stop the extra ones."""
        service_arns = self._ecs.list_services(cluster=cluster_arn)["serviceArns"]
        if not service_arns:
            return
        now = time.monotonic()
        for service in self._ecs.describe_services(cluster=cluster_arn, services=service_arns)["services"]:
            if service.get("status") != "ACTIVE":
                continue
            started_by = f"ecs-svc/{service['serviceName']}"[:36]
            running = [
                r
                for r in self.runs.values()
                if r.started_by == started_by and r.cluster_arn == cluster_arn and r.stopped_at is None
            ]
            missing = service.get("desiredCount", 0) - len(running)
            # ECS backs off from a service whose tasks keep stopping; here: one start per service every 10 s.
            if missing > 0 and now - self._last_service_start.get(started_by, -1e9) >= self.service_retry_seconds:
                self._last_service_start[started_by] = now
                self._ecs.run_task(
                    cluster=cluster_arn,
                    taskDefinition=service["taskDefinition"],
                    count=missing,
                    launchType=service.get("launchType") or "FARGATE",
                    networkConfiguration=service.get("networkConfiguration") or {},
                    startedBy=started_by,
                    **service_task_tags(self._ecs, service),
                )
            for extra in running[: max(0, -missing)]:
                self._ecs.stop_task(cluster=cluster_arn, task=extra.task_arn, reason="Scaling activity initiated")

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
            stop_timeout_seconds=stop_timeout_seconds(definition["containerDefinitions"][0]),
            started_by=task.get("startedBy"),
        )
        with self._lock:
            self.runs[task["taskArn"]] = run
        threading.Thread(target=self._run, args=(run, name, definition), daemon=True).start()

    def _role_session(self, role_arn: str, task_arn: str, *, execution_role: bool = False) -> dict[str, str]:
        """A session of the task role (with the task's ARN as aws:SourceArn) or of the execution role (without).

        AWS documents ``aws:SourceAccount``/``aws:SourceArn`` in the trust policy of task roles
        (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html) and not for task
        execution roles, whose documented trust policy has no condition
        (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html). So the
        agent sends neither key when it assumes an execution role: a trust policy that relies on them is
        refused here, as it could be in an account.
        """
        from local_emulator.service_roles import assume_role_as_service

        return assume_role_as_service(
            self.endpoint,
            service="ecs-tasks.amazonaws.com",
            role_arn=role_arn,
            source_arn=None if execution_role else task_arn,
            source_account=None if execution_role else task_arn.split(":")[4],
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

    def _log_writer(self, run: TaskRun):
        """The awslogs driver: stream ``<prefix>/<container>/<task id>``, written with the execution role.

        Returns a function that sends a batch of lines, or None when the task definition asks for no awslogs.
        """
        from local_emulator.service_roles import RoleAssumptionRefused, as_client_arguments

        config = run.log_configuration or {}
        options = config.get("options") or {}
        if config.get("logDriver") != "awslogs" or not run.execution_role_arn or "awslogs-group" not in options:
            return None
        stream = awslogs_stream(options, run.container_name, run.task_arn)
        try:
            credentials = self._role_session(run.execution_role_arn, run.task_arn, execution_role=True)
        except RoleAssumptionRefused as refused:
            run.output += f"\necs-agent: no logs written: {refused}"
            return None
        logs = boto3.client(
            "logs",
            endpoint_url=self.endpoint,
            region_name=options.get("awslogs-region", self.region),
            **as_client_arguments(credentials),
        )
        created = False

        def send(lines: list[str]) -> None:
            nonlocal created
            try:
                if not created:
                    logs.create_log_stream(logGroupName=options["awslogs-group"], logStreamName=stream)
                    created = True
                now = int(time.time() * 1000)
                logs.put_log_events(
                    logGroupName=options["awslogs-group"],
                    logStreamName=stream,
                    logEvents=[{"timestamp": now, "message": line} for line in lines or [""]],
                )
            except Exception as error:  # a denied or failed log write must not lose the task's exit code
                run.output += f"\necs-agent: no logs written: {error}"

        return send

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
        send = self._log_writer(run)
        # A session of its own makes the program the leader of a process group: stopping the task signals
        # every process the program started, as stopping a container does.
        run.process = subprocess.Popen(
            args,
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        # The agent reports the container RUNNING, as the ECS agent does: a StopTask from now on waits for it.
        self._ecs.submit_task_state_change(
            cluster=run.cluster_arn,
            task=run.task_arn,
            status="RUNNING",
            reason="",
            containers=[{"containerName": container_name, "status": "RUNNING"}],
        )
        pending: list[str] = []
        pending_lock = threading.Lock()
        reader = threading.Thread(target=self._read_output, args=(run, pending, pending_lock), daemon=True)
        reader.start()
        deadline = None if self.task_timeout_seconds is None else time.monotonic() + self.task_timeout_seconds
        # Lines go to CloudWatch about once a second while the task runs, as the awslogs driver batches them.
        while run.process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                run.process.wait(timeout=1)
            self._send_pending(send, pending, pending_lock)
            if deadline is not None and time.monotonic() > deadline and run.process.poll() is None:
                run.output += f"\nkilled after {self.task_timeout_seconds:.0f} s"
                _signal_group(run.process, signal.SIGKILL)
        # The container is gone once its main process is: nothing it started outlives it.
        _signal_group(run.process, signal.SIGKILL)
        reader.join(timeout=5)
        run.exit_code = container_exit_code(run.process.wait())
        self._send_pending(send, pending, pending_lock)
        run.stopped_at = time.monotonic()
        # After a StopTask the emulator keeps the stop code and reason StopTask set; the exit code is the container's.
        self._ecs.submit_task_state_change(
            cluster=run.cluster_arn,
            task=run.task_arn,
            status="STOPPED",
            reason=STOPPED_REASON,
            containers=[{"containerName": container_name, "exitCode": run.exit_code, "status": "STOPPED"}],
        )

    @staticmethod
    def _send_pending(send, pending: list[str], lock: threading.Lock) -> None:
        if not send:
            return
        with lock:
            batch, pending[:] = list(pending), []
        if batch:
            send(batch)

    @staticmethod
    def _read_output(run: TaskRun, pending: list[str], lock: threading.Lock) -> None:
        for line in run.process.stdout:
            run.output += line
            with lock:
                pending.append(line.rstrip("\n"))


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the process group the task's program leads (started with ``start_new_session``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(process.pid, signum)


def _docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
