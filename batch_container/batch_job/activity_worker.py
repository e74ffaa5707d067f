"""Step Functions activity worker (seed 002).

Long-polls GetActivityTask (AWS holds the call up to 60 s, so the client's read timeout is 70 s),
does the job while a background thread sends heartbeats, and reports SendTaskSuccess or
SendTaskFailure. On SIGTERM (ECS stops tasks with SIGTERM, then SIGKILL 30 s later) it stops
polling, lets the job in hand finish within STOP_GRACE_SECONDS, and otherwise fails it with
``Worker.Stopped`` so the state machine's retry hands it to another worker: no token is lost.

Job input: ``{"command": ["echo", "hi"]}`` runs that subcommand of this program (exit code 0 is
success); ``{"sleep_seconds": N, "fail": false}`` is a demo job.
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import threading
import time

from batch_job import exit_codes
from batch_job.logs import log

POLL_READ_TIMEOUT_SECONDS = 70


class Job:
    def __init__(self, payload: dict, stopping: threading.Event):
        self.payload = payload
        self.stopping = stopping

    def run(self) -> dict:
        if "command" in self.payload:
            from batch_job.main import main

            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                code = main([str(a) for a in self.payload["command"]])
            if code != 0:
                raise JobFailed("Job.CommandFailed", f"exit code {code}: {output.getvalue()[-500:]}")
            return {"exit_code": code, "output": output.getvalue()[-2000:]}
        deadline = time.monotonic() + float(self.payload.get("sleep_seconds", 0))
        while time.monotonic() < deadline:
            time.sleep(0.05)
        if self.payload.get("fail"):
            raise JobFailed("Job.Failed", "the job asked to fail")
        return {"slept_seconds": self.payload.get("sleep_seconds", 0)}


class JobFailed(Exception):
    def __init__(self, error: str, cause: str):
        super().__init__(cause)
        self.error, self.cause = error, cause


def _client():
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions", config=Config(read_timeout=POLL_READ_TIMEOUT_SECONDS, retries={"max_attempts": 3})
    )


def _heartbeats(client, token: str, interval: float, done: threading.Event) -> None:
    while not done.wait(interval):
        try:
            client.send_task_heartbeat(taskToken=token)
            log("activity.heartbeat")
        except Exception as error:  # the task may have timed out: the worker keeps working, SFN decides
            log("activity.heartbeat_failed", level="warning", reason=str(error))


def run_worker(args: argparse.Namespace) -> int:
    activity_arn = args.activity_arn or os.environ.get("ACTIVITY_ARN")
    if not activity_arn:
        log("activity.usage", level="error", reason="set ACTIVITY_ARN or pass --activity-arn")
        return exit_codes.USAGE
    interval = float(os.environ.get("HEARTBEAT_INTERVAL_SECONDS", "20"))
    grace = float(os.environ.get("STOP_GRACE_SECONDS", "25"))
    client = _client()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    handled = 0
    log("activity.polling", activity_arn=activity_arn)
    while not stopping.is_set() and (args.max_tasks is None or handled < args.max_tasks):
        task = client.get_activity_task(activityArn=activity_arn, workerName=args.worker_name)
        token = task.get("taskToken")
        if not token:
            continue
        handled += 1
        _work(client, token, task.get("input") or "{}", interval, grace, stopping)
    log("activity.stopped", jobs=handled)
    return exit_codes.OK


def _work(client, token: str, raw_input: str, interval: float, grace: float, stopping: threading.Event) -> None:
    done = threading.Event()
    beats = threading.Thread(target=_heartbeats, args=(client, token, interval, done), daemon=True)
    beats.start()
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["output"] = Job(json.loads(raw_input), stopping).run()
        except JobFailed as failure:
            outcome["error"] = (failure.error, failure.cause)
        except Exception as error:  # any crash of the job is reported, never swallowed
            outcome["error"] = ("Job.Crashed", f"{type(error).__name__}: {error}")

    job = threading.Thread(target=target, daemon=True)
    job.start()
    while job.is_alive():
        job.join(0.1)
        if stopping.is_set():
            job.join(grace)
            if job.is_alive():
                outcome = {"error": ("Worker.Stopped", "the worker was stopped before the job finished")}
            break
    done.set()
    if "error" in outcome:
        error, cause = outcome["error"]
        client.send_task_failure(taskToken=token, error=error, cause=cause[:32768])
        log("activity.failed", level="error", error=error, cause=cause[:500])
    else:
        client.send_task_success(taskToken=token, output=json.dumps(outcome["output"]))
        log("activity.succeeded")
