"""The activity worker: each job's output is its own, and SIGTERM ends the worker within its grace period.

The worker runs as the image runs it (a process of batch_container/main.py) against the local emulator,
and is stopped the way ECS stops it: a real SIGTERM.
"""

from __future__ import annotations

import http.server
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import boto3
import pytest

from tests.conftest import REPO_ROOT

# Appended, not put first: batch_container/main.py must not shadow the repository's main.py for other tests.
sys.path.append(str(REPO_ROOT / "batch_container"))

from batch_job import activity_worker  # noqa: E402
from batch_job.logs import log  # noqa: E402

PROGRAM = str(REPO_ROOT / "batch_container" / "main.py")


class SlowWebhook(http.server.BaseHTTPRequestHandler):
    """Answers 200 after half a second: the job is still running while another thread logs."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.5)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_webhook():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowWebhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_a_job_output_holds_its_own_lines_and_none_of_a_thread_logging_meanwhile(capsys, monkeypatch, slow_webhook):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slow_webhook)
    stop = threading.Event()

    def chatter() -> None:
        while not stop.is_set():
            log("activity.heartbeat")
            time.sleep(0.01)

    thread = threading.Thread(target=chatter)
    thread.start()
    try:
        outcome = activity_worker.run_command(["notify", "hello"], activity_worker.Shutdown(grace_seconds=1))
    finally:
        stop.set()
        thread.join()
    assert outcome.error is None
    lines = [json.loads(line) for line in outcome.output["output"].splitlines()]
    assert [(line["event"], line["status"]) for line in lines] == [("notify.sent", 200)]
    # The thread's lines went where it wrote them, the worker's own stdout: dozens over the half second.
    assert capsys.readouterr().out.count('"activity.heartbeat"') > 10


def test_a_command_job_needs_no_writable_disk(monkeypatch, slow_webhook):
    # The task's root filesystem is read-only (modules/fargate_task.py): no temporary file may be needed.
    monkeypatch.setattr(tempfile, "tempdir", "/nonexistent/read-only")
    monkeypatch.setenv("TMPDIR", "/nonexistent/read-only")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slow_webhook)
    outcome = activity_worker.run_command(["notify", "hello"], activity_worker.Shutdown(grace_seconds=1))
    assert outcome.error is None, outcome.cause
    assert json.loads(outcome.output["output"])["event"] == "notify.sent"


def test_the_output_of_a_command_job_is_the_tail_of_what_it_printed(monkeypatch):
    monkeypatch.setenv("PADDING", "x" * 10_000)
    outcome = activity_worker.run_command(["echo", "word"], activity_worker.Shutdown(grace_seconds=1))
    assert len(outcome.output["output"]) == activity_worker.OUTPUT_TAIL_CHARS
    assert json.loads(outcome.output["output"].splitlines()[-1])["event"] == "echo.done"


def test_a_failed_command_job_reports_its_exit_code_and_output():
    outcome = activity_worker.run_command(["echo", "--exit-code", "3", "word"], activity_worker.Shutdown(1))
    assert outcome.error == "Job.CommandFailed"
    assert outcome.cause.startswith("exit code 3: ")
    # The output's tail is kept (the environment echo prints can be long): it ends with the program's last line.
    last_line = outcome.cause.rstrip().splitlines()[-1]
    assert json.loads(last_line) == {**json.loads(last_line), "event": "echo.done", "exit_code": 3}


def test_a_command_the_program_does_not_know_fails_the_job_instead_of_the_worker():
    # argparse ends the child with exit 2 and a usage message; the worker itself goes on.
    outcome = activity_worker.run_command(["explode"], activity_worker.Shutdown(1))
    assert outcome.error == "Job.CommandFailed"
    assert outcome.cause.startswith("exit code 2: ") and "invalid choice" in outcome.cause


def test_a_bad_grace_setting_is_a_usage_error_without_a_traceback():
    result = subprocess.run(
        [sys.executable, PROGRAM, "activity-worker"],
        env={"PATH": os.environ["PATH"], "ACTIVITY_ARN": "arn:x", "STOP_GRACE_SECONDS": "soon"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "STOP_GRACE_SECONDS='soon' is not a number of seconds" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def aws(emulator):
    settings = dict(
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    environment = {
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_CONFIG_FILE": os.devnull,
    }
    return boto3.client("stepfunctions", **settings), environment


@pytest.fixture
def activity(aws):
    """A fresh activity and a state machine whose one Task is that activity: no job of another test reaches it."""
    sfn, _ = aws
    name = f"worker-test-{uuid.uuid4().hex[:8]}"
    activity_arn = sfn.create_activity(name=name)["activityArn"]
    definition = {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity_arn, "HeartbeatSeconds": 60, "End": True}},
    }
    machine_arn = sfn.create_state_machine(
        name=name,
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/worker-test",
    )["stateMachineArn"]
    return activity_arn, machine_arn


class Worker:
    """The worker as a process; its stdout lines are read as they come."""

    def __init__(self, activity_arn: str, environment: dict[str, str], **env: str):
        self.process = subprocess.Popen(
            [sys.executable, PROGRAM, "activity-worker", "--max-tasks", "1"],
            env={"PATH": os.environ["PATH"], "ACTIVITY_ARN": activity_arn, **environment, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[dict] = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def wait_for_line(self, event: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.get("event") == event:
                return line
        raise AssertionError(f"no {event} line after {timeout} s; saw {self.seen}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def workers():
    started: list[Worker] = []

    def start(*args, **env) -> Worker:
        started.append(Worker(*args, **env))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def history(sfn, execution_arn: str) -> list[dict]:
    return sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]


def wait_for_event(sfn, execution_arn: str, kind: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = [e for e in history(sfn, execution_arn) if e["type"] == kind]
        if events:
            return events[0]
        time.sleep(0.05)
    raise AssertionError(f"no {kind} in {execution_arn} after {timeout} s")


def wait_until_stopped(sfn, execution_arn: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        description = sfn.describe_execution(executionArn=execution_arn)
        if description["status"] != "RUNNING":
            return description
        time.sleep(0.05)
    raise AssertionError(f"{execution_arn} still running after {timeout} s")


def start(sfn, machine_arn: str, job: dict) -> str:
    return sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(job))["executionArn"]


@pytest.mark.emulator
def test_the_reported_job_output_has_no_line_of_the_workers_heartbeats(aws, activity, workers):
    sfn, environment = aws
    activity_arn, machine_arn = activity
    execution = start(sfn, machine_arn, {"command": ["echo", "from", "activity"]})
    worker = workers(activity_arn, environment, HEARTBEAT_INTERVAL_SECONDS="0.01")
    assert worker.process.wait(timeout=30) == 0
    description = wait_until_stopped(sfn, execution)
    assert description["status"] == "SUCCEEDED"
    output = [json.loads(line) for line in json.loads(description["output"])["output"].splitlines()]
    assert output[0]["args"] == ["from", "activity"]
    assert [line.get("event") for line in output[1:]] == ["echo.done"]
    # The heartbeats did run while the job did, into the worker's own stdout.
    worker.wait_for_line("activity.succeeded")
    assert any(line["event"] == "activity.heartbeat" for line in worker.seen)


@pytest.mark.emulator
def test_on_sigterm_a_job_inside_the_grace_period_finishes_and_the_worker_exits_0(aws, activity, workers):
    sfn, environment = aws
    activity_arn, machine_arn = activity
    execution = start(sfn, machine_arn, {"sleep_seconds": 2})
    worker = workers(activity_arn, environment, STOP_GRACE_SECONDS="20")
    wait_for_event(sfn, execution, "ActivityStarted")
    worker.process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    assert worker.process.wait(timeout=20) == 0
    assert time.monotonic() - signalled < 10  # the job's 2 s, not the 20 s grace
    assert wait_until_stopped(sfn, execution)["status"] == "SUCCEEDED"


class SilentWebhook(http.server.BaseHTTPRequestHandler):
    """Takes the request and never answers; records when the client hung up (its process ended)."""

    client_gone = threading.Event()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.1)
            if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                SilentWebhook.client_gone.set()
                return

    def log_message(self, *args):
        pass


@pytest.fixture
def silent_webhook():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SilentWebhook)
    SilentWebhook.client_gone = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


@pytest.mark.emulator
def test_on_sigterm_a_job_past_the_grace_period_is_ended_and_failed_with_worker_stopped(
    aws, activity, workers, silent_webhook
):
    sfn, environment = aws
    activity_arn, machine_arn = activity
    # A command that would wait 60 s for a webhook that never answers.
    execution = start(sfn, machine_arn, {"command": ["notify", "hello", "--timeout-seconds", "60"]})
    worker = workers(activity_arn, environment, STOP_GRACE_SECONDS="1", SLACK_WEBHOOK_URL=silent_webhook)
    wait_for_event(sfn, execution, "ActivityStarted")
    time.sleep(0.5)  # the child is running and waiting on the webhook
    worker.process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    assert worker.process.wait(timeout=1 + activity_worker.REPORT_TIMEOUT_SECONDS + 5) == 0
    assert time.monotonic() - signalled < 1 + activity_worker.REPORT_TIMEOUT_SECONDS
    # The job's process was ended with the worker's grace, not left to run on.
    assert SilentWebhook.client_gone.wait(5)
    failed = wait_for_event(sfn, execution, "ActivityFailed")["activityFailedEventDetails"]
    assert failed["error"] == "Worker.Stopped"
    assert "1 s grace period" in failed["cause"]


@pytest.mark.emulator
def test_a_task_that_reaches_the_poll_in_flight_after_sigterm_is_failed_at_once_not_started(aws, activity, workers):
    sfn, environment = aws
    activity_arn, machine_arn = activity
    worker = workers(activity_arn, environment)
    worker.wait_for_line("activity.poll_started")
    worker.process.send_signal(signal.SIGTERM)
    # Step Functions may hand a task to a poll opened before the signal; that task must not wait for a timeout.
    execution = start(sfn, machine_arn, {"sleep_seconds": 30})
    assert worker.process.wait(timeout=10) == 0
    failed = wait_for_event(sfn, execution, "ActivityFailed")["activityFailedEventDetails"]
    assert failed["error"] == "Worker.Stopped"
    assert "not started" in failed["cause"]
    assert worker.wait_for_line("activity.stopped")["reason"] == "signal"


@pytest.mark.emulator
def test_an_activity_that_does_not_exist_is_a_configuration_error_without_a_traceback(aws, workers):
    sfn, environment = aws
    missing = "arn:aws:states:us-east-1:123456789012:activity:no-such-activity"
    worker = workers(missing, environment)
    assert worker.process.wait(timeout=30) == 2
    assert worker.wait_for_line("activity.poll_failed")["code"] == "ActivityDoesNotExist"
    assert "Traceback" not in worker.process.stderr.read()
