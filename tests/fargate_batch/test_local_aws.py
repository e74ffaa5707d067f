"""make up / make down and make run on a local AWS that stays up: the tools users run work against it.

Real parts throughout: the daemon process (emulator, ECS agent, scheduler clock) on its own loopback port,
the stack deployed into it by terraform through `make run`, and plain boto3 clients with no project code
in between, as a user's own scripts or the AWS CLI would be.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import boto3
import pytest

from fargate_batch.local_aws import LocalAws
from local_emulator.server import free_port
from tests.conftest import DEV_CONFIG, REPO_ROOT

pytestmark = pytest.mark.emulator


def local_aws(work_dir, command: str, port: int | None = None, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fargate_batch.local_aws", command, "--work-dir", str(work_dir)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **({"LOCAL_AWS_PORT": str(port)} if port else {}), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_up_twice_then_down_leaves_the_port_closed_and_nothing_running(tmp_path):
    port = free_port()
    first = local_aws(tmp_path, "up", port)
    assert first.returncode == 0, first.stderr
    state = LocalAws(tmp_path).running()
    assert state["endpoint"] == f"http://127.0.0.1:{port}"
    again = local_aws(tmp_path, "up", port)
    assert again.returncode == 0
    assert f"already up on http://127.0.0.1:{port}" in again.stdout
    environment = (tmp_path / "env").read_text()
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in environment
    assert f"export FARGATE_BATCH_ENDPOINT=http://127.0.0.1:{port}" in environment
    assert local_aws(tmp_path, "down").returncode == 0
    assert not listening(port)
    with pytest.raises(ProcessLookupError):
        os.kill(state["pid"], 0)
    assert not (tmp_path / "env").exists()


def test_up_on_a_taken_port_says_so_and_how_to_choose_another(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = local_aws(tmp_path, "up", port)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is taken" in result.stderr
    assert "LOCAL_AWS_PORT=" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def up_and_deployed(tmp_path_factory):
    """make up on a port of its own, then make run: the stack is deployed into the local AWS that stays up."""
    work_dir = tmp_path_factory.mktemp("local-aws")
    port = free_port()
    assert local_aws(work_dir, "up", port).returncode == 0
    config = work_dir / "dev.toml"
    config.write_text(DEV_CONFIG.read_text())
    try:
        first = make_run(config, work_dir)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        yield work_dir, LocalAws(work_dir).running(), config
    finally:
        local_aws(work_dir, "down")


def make_run(config, work_dir) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fargate_batch.local_run", "--config", str(config), "--work-dir", str(work_dir)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def plain_client(state: dict, service: str):
    return boto3.client(
        service,
        endpoint_url=state["endpoint"],
        region_name=state["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def wait_until_stopped(sfn, execution_arn: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        description = sfn.describe_execution(executionArn=execution_arn)
        if description["status"] != "RUNNING":
            return description
        time.sleep(0.2)
    raise AssertionError(f"{execution_arn} still RUNNING after {timeout} s")


def log_streams(state: dict, group: str) -> list[str]:
    logs = plain_client(state, "logs")
    return [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]


def test_an_execution_started_by_a_plain_client_runs_its_tasks_and_writes_their_logs(up_and_deployed):
    _, state, _ = up_and_deployed
    sfn = plain_client(state, "stepfunctions")
    machine = next(
        m["stateMachineArn"]
        for m in sfn.list_state_machines()["stateMachines"]
        if m["name"] == "fargate-batch-dev-daily-report"
    )
    before = set(log_streams(state, "/ecs/fargate-batch-dev-batch"))
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    assert wait_until_stopped(sfn, execution)["status"] == "SUCCEEDED"
    new_streams = set(log_streams(state, "/ecs/fargate-batch-dev-batch")) - before
    assert len(new_streams) == 2  # one task per step
    logs = plain_client(state, "logs")
    printed = [
        json.loads(e["message"])
        for stream in new_streams
        for e in logs.get_log_events(logGroupName="/ecs/fargate-batch-dev-batch", logStreamName=stream)["events"]
        if e["message"].startswith("{")
    ]
    # echo prints its arguments and environment as one JSON line; the program's own log lines are JSON too.
    assert {p["environment"]["BATCH_STEP"] for p in printed if "environment" in p} == {"extract", "load"}


def test_an_upload_by_a_plain_client_runs_the_trigger_task(up_and_deployed):
    _, state, _ = up_and_deployed
    sfn, s3 = plain_client(state, "stepfunctions"), plain_client(state, "s3")
    machine = next(
        m["stateMachineArn"]
        for m in sfn.list_state_machines()["stateMachines"]
        if m["name"] == "fargate-batch-dev-trigger-target-files"
    )
    known = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    s3.put_object(Bucket="fargate-batch-dev-data-123456789012", Key="target/plain-client.csv", Body=b"a\nb\n")
    deadline, started = time.monotonic() + 20, []
    while not started and time.monotonic() < deadline:
        started = [
            e for e in sfn.list_executions(stateMachineArn=machine)["executions"] if e["executionArn"] not in known
        ]
        time.sleep(0.2)
    (execution,) = started
    assert wait_until_stopped(sfn, execution["executionArn"])["status"] == "SUCCEEDED"
    assert s3.head_object(
        Bucket="fargate-batch-dev-data-123456789012", Key="output/target/plain-client.csv.result.json"
    )
    assert log_streams(state, "/ecs/fargate-batch-dev-trigger")


def test_the_worker_service_runs_its_desired_count(up_and_deployed):
    _, state, _ = up_and_deployed
    ecs = plain_client(state, "ecs")
    tasks = ecs.describe_tasks(
        cluster="fargate-batch-dev",
        tasks=ecs.list_tasks(cluster="fargate-batch-dev", desiredStatus="RUNNING")["taskArns"],
    )["tasks"]
    workers = [
        t for t in tasks if t["group"] == "family:fargate-batch-dev-worker-hello-world" and t["lastStatus"] == "RUNNING"
    ]
    assert len(workers) == 1  # worker_desired_count in config/dev.toml
    # The service propagates its task definition's tags: the worker's cost is the activity's.
    tags = {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=workers[0]["taskArn"])["tags"]}
    assert tags["fargate-batch:workflow"] == "activity/hello-world"


def test_a_warm_run_after_an_edit_changes_only_the_edited_state_machine(up_and_deployed):
    work_dir, _, config = up_and_deployed
    config.write_text(config.read_text().replace('"echo", "from1"', '"echo", "from1-edited"', 1))
    result = make_run(config, work_dir)
    assert result.returncode == 0, result.stdout[-3000:]
    report = json.loads((work_dir / "report.json").read_text())
    assert report["apply_changes"] == {"add": 0, "change": 1, "remove": 0}
    assert "aws_sfn_state_machine.pipeline-daily-report_machine_state-machine" in result.stdout
    assert "start emulator" not in report["phases"]
    (pipeline,) = [e for e in report["executions"] if e["workflow"] == "pipeline daily-report"]
    assert pipeline["steps"][0]["command"] == ["echo", "from1-edited", "object1"]
    # The report shows the cost allocation tags each step's task carried.
    assert [step["tags"]["fargate-batch:step"] for step in pipeline["steps"]] == ["extract", "load"]
    assert report["authorization"]["denied"] == []
