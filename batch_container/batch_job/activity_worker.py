"""Step Functions activity worker (seed 002).

Long-polls GetActivityTask, does the job while a background thread sends heartbeats, and reports
SendTaskSuccess or SendTaskFailure. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html

Job input: ``{"command": ["echo", "hi"]}`` runs that subcommand of this program in a child process
(exit code 0 is success); ``{"sleep_seconds": N, "fail": false}`` is a demo job.

Each command job's output is its own: the child process writes to pipes that only the worker reads. The worker
used ``contextlib.redirect_stdout``, which swaps the process-wide ``sys.stdout`` and so "is not suitable
for use in library code and most threaded applications"
(https://docs.python.org/3/library/contextlib.html#contextlib.redirect_stdout): the heartbeat thread's
log lines landed in the job's output. A child process also turns argparse's ``SystemExit`` into an exit
code, and can be ended when the grace period runs out.

Stopping. ECS stops a task with SIGTERM, then SIGKILL after the container's ``stopTimeout``
(Fargate: 30 s unless set, at most 120 s;
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html).
On SIGTERM (or SIGINT) the worker starts no new poll. A poll already in flight is let finish: closing
it would not help, since Step Functions may still hand a task to that poll, and a task nobody reads is
found again only at its heartbeat timeout. A task that arrives once the worker is stopping is not
started: it is failed at once with ``Worker.Stopped``. The job in hand may finish within the grace
period; past it, the job is ended and failed with ``Worker.Stopped``. The activity state machine
retries ``Worker.Stopped`` (modules/activity_state_machine.py), so another worker gets the job at once.
The worker then exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from batch_job import exit_codes
from batch_job.logs import log

LONG_POLL_SECONDS = 60
"""How long Step Functions may hold a GetActivityTask call before answering "no task" (set by AWS).

https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html

The container's ``stopTimeout`` must exceed ``LONG_POLL_SECONDS + SHUTDOWN_GRACE_SECONDS`` (85 s with
the defaults; the Fargate default of 30 s is too short, the maximum is 120 s). Why the sum: at SIGTERM
the worker is either polling (the poll in flight answers within LONG_POLL_SECONDS) or working (the job
gets SHUTDOWN_GRACE_SECONDS, and ending its process takes up to 3 s more), then it sends one report
bounded by REPORT_TIMEOUT_SECONDS. The worst case, max(LONG_POLL_SECONDS, grace + 3) +
REPORT_TIMEOUT_SECONDS, stays under the sum while the grace is at least REPORT_TIMEOUT_SECONDS.
A longer ``STOP_GRACE_SECONDS`` needs a longer ``stopTimeout`` to match.
"""

POLL_SOCKET_TIMEOUT_SECONDS = LONG_POLL_SECONDS + 5
"""AWS: "Workers should set their client side socket timeout to at least 65 seconds"."""

SHUTDOWN_GRACE_SECONDS = 25.0
"""Default time, from SIGTERM, that the job in hand has to finish (``STOP_GRACE_SECONDS`` overrides it).

Past it the job is ended and failed with ``Worker.Stopped``. The task definition's container
``stopTimeout`` must exceed ``LONG_POLL_SECONDS + SHUTDOWN_GRACE_SECONDS``; LONG_POLL_SECONDS says why.
"""

REPORT_TIMEOUT_SECONDS = 10.0
"""Longest wait for SendTaskSuccess/SendTaskFailure; a report that takes longer is abandoned (the task
then fails at its heartbeat timeout, as if the worker had been killed)."""

HEARTBEAT_INTERVAL_SECONDS = 20.0
"""Default time between heartbeats (``HEARTBEAT_INTERVAL_SECONDS`` overrides it; the stack sets a third
of the state's ``HeartbeatSeconds``)."""

STOPPED_ERROR = "Worker.Stopped"
# Poll errors that no retry cures and that mean a wrong ARN: a configuration mistake, exit 2. (AccessDenied, the
# role may not poll, also ends the worker at once, with exit 4.)
CONFIGURATION_ERRORS = ("ActivityDoesNotExist", "InvalidArn")
POLL_ATTEMPTS = 3
SUPERVISE_INTERVAL_SECONDS = 0.05
OUTPUT_TAIL_CHARS = 2000
CAUSE_MAX_CHARS = 32768  # SendTaskFailure: cause is at most 32,768 characters
PROGRAM = Path(__file__).resolve().parent.parent / "main.py"


class Shutdown:
    """When the worker was told to stop, and how long the job in hand may still run.

    Set from a signal handler, so it only stores a float: a handler runs on the main thread between two
    bytecodes, and one that took a lock the interrupted code holds (an Event's) would deadlock.
    """

    def __init__(self, grace_seconds: float):
        self.grace_seconds = grace_seconds
        self.requested_at: float | None = None

    def request(self, *_signal) -> None:
        if self.requested_at is None:
            self.requested_at = time.monotonic()

    @property
    def requested(self) -> bool:
        return self.requested_at is not None

    def grace_expired(self) -> bool:
        return self.requested_at is not None and time.monotonic() >= self.requested_at + self.grace_seconds

    def sleep(self, seconds: float) -> None:
        """Sleep, waking early if the worker is told to stop."""
        end = time.monotonic() + seconds
        while not self.requested and time.monotonic() < end:
            time.sleep(min(SUPERVISE_INTERVAL_SECONDS, max(0.0, end - time.monotonic())))


@dataclass(frozen=True)
class Outcome:
    """What a job came to: ``output`` for SendTaskSuccess, or ``error`` and ``cause`` for SendTaskFailure."""

    output: dict = field(default_factory=dict)
    error: str | None = None
    cause: str = ""


def stopped(cause: str) -> Outcome:
    return Outcome(error=STOPPED_ERROR, cause=cause)


def run_job(raw_input: str, shutdown: Shutdown) -> Outcome:
    """Do one job; never raises (a crash of the job is its outcome)."""
    try:
        payload = json.loads(raw_input)
    except ValueError as error:
        return Outcome(error="Job.InvalidInput", cause=f"the task input is not JSON: {error}")
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        return Outcome(error="Job.InvalidInput", cause=f"the task input is a JSON {kind}, not an object")
    try:
        if "command" in payload:
            return run_command(payload["command"], shutdown)
        return run_demo(payload, shutdown)
    except Exception as error:  # any crash of the job is reported, never swallowed
        return Outcome(error="Job.Crashed", cause=f"{type(error).__name__}: {error}")


def run_command(command: object, shutdown: Shutdown) -> Outcome:
    """Run ``command`` (a subcommand of this program) in a child process whose output only it writes."""
    if not isinstance(command, list) or not command or not all(isinstance(a, (str, int, float)) for a in command):
        return Outcome(error="Job.InvalidInput", cause=f"command must be a non-empty list of strings, got {command!r}")
    if command[0] == "activity-worker":
        return Outcome(error="Job.InvalidInput", cause="a job cannot start another activity worker")
    # Pipes, not temporary files: the task's root filesystem is read-only (modules/fargate_task.py).
    child = subprocess.Popen(
        [sys.executable, str(PROGRAM), *(str(a) for a in command)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        # Its own session: a Ctrl-C in a terminal reaches the worker, which decides when the job ends.
        start_new_session=True,
    )
    stdout, stderr = _Tail(child.stdout), _Tail(child.stderr)
    code = _supervise(child, shutdown)
    output, errors = stdout.text(), stderr.text()
    if code is None:
        return stopped(f"the worker was stopped and the command ran past the {shutdown.grace_seconds:g} s grace period")
    if code != 0:
        return Outcome(error="Job.CommandFailed", cause=f"exit code {code}: {output}{errors}"[:CAUSE_MAX_CHARS])
    return Outcome(output={"exit_code": code, "output": output})


class _Tail:
    """The last OUTPUT_TAIL_CHARS characters a pipe carried, read on a thread so the child never blocks on it."""

    def __init__(self, pipe):
        self._pipe = pipe
        self._kept = bytearray()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        limit = 4 * OUTPUT_TAIL_CHARS  # UTF-8: at most 4 bytes a character
        with self._pipe:
            while chunk := os.read(self._pipe.fileno(), 65536):
                self._kept += chunk
                del self._kept[:-limit]

    def text(self) -> str:
        # The pipe ends when the child does, unless a process it started still holds it: wait a little, no more.
        self._thread.join(timeout=1)
        return bytes(self._kept).decode("utf-8", errors="replace")[-OUTPUT_TAIL_CHARS:]


def _supervise(child: subprocess.Popen, shutdown: Shutdown) -> int | None:
    """The child's exit code, or None if the grace period ran out and the child was ended."""
    while True:
        try:
            return child.wait(timeout=SUPERVISE_INTERVAL_SECONDS)
        except subprocess.TimeoutExpired:
            if shutdown.grace_expired():
                child.terminate()
                try:
                    child.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
                return None


def run_demo(payload: dict, shutdown: Shutdown) -> Outcome:
    seconds = payload.get("sleep_seconds", 0)
    if not isinstance(seconds, (int, float)) or seconds < 0:
        return Outcome(error="Job.InvalidInput", cause=f"sleep_seconds must be a number >= 0, got {seconds!r}")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if shutdown.grace_expired():
            return stopped(f"the worker was stopped and the job ran past the {shutdown.grace_seconds:g} s grace period")
        time.sleep(min(SUPERVISE_INTERVAL_SECONDS, max(0.0, end - time.monotonic())))
    if payload.get("fail"):
        return Outcome(error="Job.Failed", cause="the job asked to fail")
    return Outcome(output={"slept_seconds": seconds})


def _clients():
    import boto3
    from botocore.config import Config

    # No retry inside botocore for the poll: a retried poll would be a new poll, perhaps after SIGTERM.
    poller = boto3.client(
        "stepfunctions",
        config=Config(connect_timeout=5, read_timeout=POLL_SOCKET_TIMEOUT_SECONDS, retries={"total_max_attempts": 1}),
    )
    reporter = boto3.client(
        "stepfunctions",
        config=Config(connect_timeout=3, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 2}),
    )
    return poller, reporter


def _heartbeats(client, token: str, interval: float, done: threading.Event) -> None:
    while not done.wait(interval):
        try:
            client.send_task_heartbeat(taskToken=token)
            log("activity.heartbeat")
        except Exception as error:  # the task may have timed out: the worker keeps working, SFN decides
            log("activity.heartbeat_failed", level="warning", reason=str(error))


def _report(client, token: str, outcome: Outcome) -> None:
    """SendTaskSuccess or SendTaskFailure, waiting at most REPORT_TIMEOUT_SECONDS."""
    failure: list[Exception] = []

    def send() -> None:
        try:
            if outcome.error:
                client.send_task_failure(taskToken=token, error=outcome.error, cause=outcome.cause[:CAUSE_MAX_CHARS])
            else:
                client.send_task_success(taskToken=token, output=json.dumps(outcome.output))
        except Exception as error:  # e.g. TaskTimedOut: Step Functions already gave up on this task
            failure.append(error)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    sender.join(REPORT_TIMEOUT_SECONDS)
    if sender.is_alive() or failure:
        reason = str(failure[0]) if failure else f"no answer within {REPORT_TIMEOUT_SECONDS:g} s"
        log("activity.report_failed", level="error", error=outcome.error, reason=reason)
    elif outcome.error:
        log("activity.failed", level="error", error=outcome.error, cause=outcome.cause[:500])
    else:
        log("activity.succeeded")


def _work(client, token: str, raw_input: str, interval: float, shutdown: Shutdown) -> None:
    done = threading.Event()
    beats = threading.Thread(target=_heartbeats, args=(client, token, interval, done), daemon=True)
    beats.start()
    try:
        outcome = run_job(raw_input, shutdown)
    finally:
        done.set()
    _report(client, token, outcome)


def _seconds_from_environment(name: str, default: float, minimum: float) -> float | str:
    """The variable's value in seconds, or a message saying what is wrong with it."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        return f"{name}={raw!r} is not a number of seconds"
    if not value >= minimum:  # also refuses nan
        return f"{name}={raw!r}: must be at least {minimum:g} seconds"
    return value


def run_worker(args: argparse.Namespace) -> int:
    activity_arn = args.activity_arn or os.environ.get("ACTIVITY_ARN")
    if not activity_arn:
        log("activity.usage", level="error", reason="set ACTIVITY_ARN or pass --activity-arn")
        return exit_codes.USAGE
    interval = _seconds_from_environment("HEARTBEAT_INTERVAL_SECONDS", HEARTBEAT_INTERVAL_SECONDS, minimum=0.01)
    grace = _seconds_from_environment("STOP_GRACE_SECONDS", SHUTDOWN_GRACE_SECONDS, minimum=0)
    for problem in (interval, grace):
        if isinstance(problem, str):
            log("activity.usage", level="error", reason=problem)
            return exit_codes.USAGE
    shutdown = Shutdown(grace)
    previous = {number: signal.signal(number, shutdown.request) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        return _poll(args, activity_arn, interval, shutdown)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _poll(args: argparse.Namespace, activity_arn: str, interval: float, shutdown: Shutdown) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    poller, reporter = _clients()
    handled, failures = 0, 0
    log("activity.polling", activity_arn=activity_arn, grace_seconds=shutdown.grace_seconds)
    while not shutdown.requested and (args.max_tasks is None or handled < args.max_tasks):
        log("activity.poll_started", level="debug")
        try:
            task = poller.get_activity_task(activityArn=activity_arn, workerName=args.worker_name)
        except (BotoCoreError, ClientError) as error:
            code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
            failures += 1
            log("activity.poll_failed", level="error", code=code, attempt=failures, reason=str(error))
            if code in CONFIGURATION_ERRORS:
                return exit_codes.USAGE
            if failures >= POLL_ATTEMPTS or code == "AccessDeniedException":
                return exit_codes.INPUT_UNREADABLE
            shutdown.sleep(2 ** (failures - 1))
            continue
        failures = 0
        token = task.get("taskToken")
        if not token:
            continue
        handled += 1
        if shutdown.requested:
            # The poll in flight at SIGTERM brought a task: not started, so another worker can take it now.
            _report(reporter, token, stopped("the worker was stopping when this task arrived; it was not started"))
            break
        _work(reporter, token, task.get("input") or "{}", interval, shutdown)
    log("activity.stopped", jobs=handled, reason="signal" if shutdown.requested else "max tasks")
    return exit_codes.OK
