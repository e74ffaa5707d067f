"""The lifecycle of ECS tasks and .sync states on the emulator, as ECS and Step Functions run them.

Real state machines on the running emulator, each ECS task a process run by the local ECS agent
(``task_program.py``, which records its pids so a test can see that none is left behind).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local_emulator.ecr_images import record_pushed_image
from local_emulator.ecs_agent import EcsAgent, stop_timeout_seconds
from local_emulator.patches.ecs_capacity_faults import set_throttled_run_tasks
from local_emulator.patches.ecs_image_pull import check_enabled

pytestmark = pytest.mark.emulator

# Regions no other test module runs tasks in: this module's agent runs every RUNNING task of REGION, and
# NO_AGENT_REGION has no agent at all.
REGION = "eu-west-1"
NO_AGENT_REGION = "eu-north-1"
ACCOUNT = "123456789012"
PROGRAM = Path(__file__).with_name("task_program.py")
RUN_TASK_SYNC = "arn:aws:states:::ecs:runTask.sync"
# State and execution timeouts: long enough for the interpreter to parse the machine and the agent to launch
# the task on a loaded machine (about 2 s), short enough to keep the tests quick.
TIMEOUT = 5
# An image outside the emulator's ECR: never checked, always runs.
PUBLIC_IMAGE = "public.ecr.aws/docker/library/python:3.11"


class Aws:
    def __init__(self, endpoint: str, region: str = REGION):
        self.endpoint = endpoint
        self.region = region

    def __call__(self, service: str, region: str | None = None, **config):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region or self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(**config) if config else None,
        )


@pytest.fixture(scope="module")
def aws(emulator):
    aws = Aws(emulator.endpoint)
    iam = aws("iam")
    trust = {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(
            RoleName="lifecycle",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}),
        )
    # The machines here may do anything: authorization has tests of its own.
    iam.put_role_policy(
        RoleName="lifecycle",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    return aws


@pytest.fixture(scope="module")
def agent(emulator):
    with EcsAgent(
        endpoint=emulator.endpoint,
        region=REGION,
        program=PROGRAM,
        maintain_services=True,
        service_check_seconds=0.2,
        service_retry_seconds=0.5,
        task_timeout_seconds=None,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def network(aws):
    return _network(aws, REGION)


def _network(aws, region: str) -> dict:
    ec2 = aws("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"lifecycle-{uuid.uuid4().hex[:6]}", Description="t", VpcId=vpc)
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group["GroupId"]]}}


class Task:
    """A task definition running task_program.py, with the pid file its tasks write."""

    def __init__(
        self, aws, network, tmp_path: Path, *, program_args=(), stop_timeout=None, image="public.ecr.aws/x/y:1"
    ):
        self.aws, self.network = aws, network
        self.family = f"lifecycle-{uuid.uuid4().hex[:8]}"
        self.pid_file = tmp_path / f"{self.family}.pids"
        ecs = aws("ecs")
        ecs.create_cluster(clusterName=self.family)
        self.cluster_arn = ecs.describe_clusters(clusters=[self.family])["clusters"][0]["clusterArn"]
        container = {
            "name": "batch",
            "image": image,
            "memory": 512,
            "command": [str(self.pid_file), *program_args],
        }
        if stop_timeout is not None:
            container["stopTimeout"] = stop_timeout
        self.definition_arn = ecs.register_task_definition(
            family=self.family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[container],
        )["taskDefinition"]["taskDefinitionArn"]

    def run(self) -> str:
        (task,) = self.aws("ecs").run_task(**self.run_parameters())["tasks"]
        return task["taskArn"]

    def run_parameters(self) -> dict:
        return {
            "cluster": self.family,
            "taskDefinition": self.family,
            "launchType": "FARGATE",
            "networkConfiguration": self.network,
        }

    def asl_parameters(self) -> dict:
        return {
            "Cluster": self.cluster_arn,
            "TaskDefinition": self.definition_arn,
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "Subnets": self.network["awsvpcConfiguration"]["subnets"],
                    "SecurityGroups": self.network["awsvpcConfiguration"]["securityGroups"],
                }
            },
        }

    def describe(self, task_arn: str) -> dict:
        return self.aws("ecs").describe_tasks(cluster=self.family, tasks=[task_arn])["tasks"][0]

    def pids(self, timeout: float = 15) -> list[int]:
        """The pids the program wrote once it started (the agent has launched it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid_file.exists():
                return [int(p) for p in self.pid_file.read_text().split()]
            time.sleep(0.05)
        raise AssertionError(f"{self.family}: the program never started")

    def wait_until_stopped(self, task_arn: str, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            task = self.describe(task_arn)
            if task["lastStatus"] == "STOPPED":
                return task
            time.sleep(0.05)
        raise AssertionError(f"{task_arn} not STOPPED after {timeout} s")

    def only_task_arn(self) -> str:
        ecs = self.aws("ecs")
        arns = ecs.list_tasks(cluster=self.family)["taskArns"]
        assert len(arns) == 1, arns
        return arns[0]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent's wait is missing.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def wait_until_gone(pids: list[int], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    assert not [p for p in pids if alive(p)], f"processes left behind: {pids}"


def machine(aws, definition: dict) -> str:
    return aws("stepfunctions").create_state_machine(
        name=f"lifecycle-{uuid.uuid4().hex[:8]}",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/lifecycle",
        definition=json.dumps(definition),
    )["stateMachineArn"]


def run_task_state(task: Task, **fields) -> dict:
    return {"Type": "Task", "Resource": RUN_TASK_SYNC, "Parameters": task.asl_parameters(), "End": True, **fields}


def start(aws, machine_arn: str) -> str:
    return aws("stepfunctions").start_execution(stateMachineArn=machine_arn)["executionArn"]


def wait_for_execution(aws, execution_arn: str, timeout: float = 20) -> dict:
    sfn = aws("stepfunctions")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        description = sfn.describe_execution(executionArn=execution_arn)
        if description["status"] != "RUNNING":
            return description
        time.sleep(0.1)
    raise AssertionError(f"{execution_arn} still RUNNING after {timeout} s")


def history(aws, execution_arn: str) -> list[dict]:
    return aws("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]


def process_of(agent, task: Task) -> int:
    """The pid of the program the agent started for the task's one task (whether or not it got to write its pids)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        arns = task.aws("ecs").list_tasks(cluster=task.family)["taskArns"]
        run = agent.runs.get(arns[0]) if arns else None
        if run is not None and run.process is not None:
            return run.process.pid
        time.sleep(0.05)
    raise AssertionError(f"{task.family}: the agent never started the task")


def assert_history_ends_with(aws, execution_arn: str, event_type: str) -> None:
    """moto's interpreter writes the final event a moment after DescribeExecution reports the status."""
    deadline = time.monotonic() + 5
    while history(aws, execution_arn)[-1]["type"] != event_type and time.monotonic() < deadline:
        time.sleep(0.1)
    assert history(aws, execution_arn)[-1]["type"] == event_type


def assert_stopped_by_step_functions(task: Task, task_arn: str, pids: list[int]) -> None:
    stopped = task.wait_until_stopped(task_arn)
    assert stopped["stopCode"] == "UserInitiated"
    assert stopped["containers"][0]["exitCode"] == 143  # SIGTERM: the program did not handle it
    wait_until_gone(pids)


# -- StopTask as ECS does it -------------------------------------------------------------------------


def test_stop_timeout_is_30_seconds_by_default_and_at_most_120_on_fargate():
    assert stop_timeout_seconds({}) == 30
    assert stop_timeout_seconds({"stopTimeout": 2}) == 2
    assert stop_timeout_seconds({"stopTimeout": 600}) == 120


def test_stop_task_sends_sigterm_and_the_task_stops_with_exit_code_143(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path)
    task_arn = task.run()
    pids = task.pids()
    answer = aws("ecs").stop_task(cluster=task.family, task=task_arn, reason="maintenance window")["task"]
    # StopTask answers before the container has exited: the task is stopping, not yet stopped.
    assert answer["desiredStatus"] == "STOPPED"
    assert answer["lastStatus"] != "STOPPED"
    stopped = task.wait_until_stopped(task_arn)
    assert stopped["containers"][0]["exitCode"] == 143
    assert stopped["stopCode"] == "UserInitiated"
    assert stopped["stoppedReason"] == "maintenance window"
    wait_until_gone(pids)


def test_stop_task_kills_a_program_ignoring_sigterm_when_the_stop_timeout_ends(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path, program_args=["--ignore-sigterm"], stop_timeout=1)
    task_arn = task.run()
    pids = task.pids()
    asked = time.monotonic()
    aws("ecs").stop_task(cluster=task.family, task=task_arn)
    time.sleep(0.5)
    assert all(alive(p) for p in pids)  # SIGTERM ignored: still running within the stop timeout
    stopped = task.wait_until_stopped(task_arn)
    assert time.monotonic() - asked >= 1
    assert stopped["containers"][0]["exitCode"] == 137  # SIGKILL
    assert stopped["stoppedReason"] == "Task stopped by user"
    wait_until_gone(pids)


def test_stopping_a_task_leaves_none_of_its_processes_behind(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path, program_args=["--child-ignoring-sigterm"], stop_timeout=1)
    task_arn = task.run()
    pids = task.pids()
    assert len(pids) == 2 and all(alive(p) for p in pids)
    aws("ecs").stop_task(cluster=task.family, task=task_arn)
    stopped = task.wait_until_stopped(task_arn)
    assert stopped["containers"][0]["exitCode"] == 143  # the program itself ended on SIGTERM
    wait_until_gone(pids)  # its child, which ignored SIGTERM, went with the container


def test_a_task_that_exits_on_its_own_keeps_its_exit_code_and_reason(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path, program_args=["--seconds", "0", "--exit-code", "4"])
    stopped = task.wait_until_stopped(task.run())
    assert stopped["containers"][0]["exitCode"] == 4
    assert (stopped["stopCode"], stopped["stoppedReason"]) == (
        "EssentialContainerExited",
        "Essential container in task exited",
    )


def test_stop_task_on_a_task_no_agent_runs_stops_it_at_once(aws, tmp_path):
    task = Task(aws.__class__(aws.endpoint, NO_AGENT_REGION), _network(aws, NO_AGENT_REGION), tmp_path)
    task_arn = task.run()
    answer = task.aws("ecs").stop_task(cluster=task.family, task=task_arn)["task"]
    assert (answer["lastStatus"], answer["stopCode"]) == ("STOPPED", "UserInitiated")


# -- .sync states that end before their job ------------------------------------------------------------


def test_run_task_sync_state_timeout_fails_with_states_timeout_and_stops_the_task(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path)
    arn = start(aws, machine(aws, {"StartAt": "Run", "States": {"Run": run_task_state(task, TimeoutSeconds=TIMEOUT)}}))
    pids = [process_of(agent, task)]
    description = wait_for_execution(aws, arn)
    assert (description["status"], description["error"]) == ("FAILED", "States.Timeout")
    assert "TaskTimedOut" in [e["type"] for e in history(aws, arn)]
    assert_stopped_by_step_functions(task, task.only_task_arn(), pids)


def test_run_task_sync_heartbeat_timeout_fails_with_states_timeout_and_stops_the_task(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path)
    state = run_task_state(task, TimeoutSeconds=30, HeartbeatSeconds=TIMEOUT)
    arn = start(aws, machine(aws, {"StartAt": "Run", "States": {"Run": state}}))
    pids = [process_of(agent, task)]
    description = wait_for_execution(aws, arn)
    assert (description["status"], description["error"]) == ("FAILED", "States.Timeout")
    assert_stopped_by_step_functions(task, task.only_task_arn(), pids)


def test_execution_timeout_ends_timed_out_and_stops_the_task(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path)
    definition = {"StartAt": "Run", "TimeoutSeconds": TIMEOUT, "States": {"Run": run_task_state(task)}}
    arn = start(aws, machine(aws, definition))
    pids = [process_of(agent, task)]
    assert wait_for_execution(aws, arn)["status"] == "TIMED_OUT"
    assert_history_ends_with(aws, arn, "ExecutionTimedOut")
    assert_stopped_by_step_functions(task, task.only_task_arn(), pids)


def test_stop_execution_ends_aborted_and_stops_the_task(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path)
    arn = start(aws, machine(aws, {"StartAt": "Run", "States": {"Run": run_task_state(task)}}))
    pids = task.pids()
    aws("stepfunctions").stop_execution(executionArn=arn)
    assert wait_for_execution(aws, arn)["status"] == "ABORTED"
    assert_history_ends_with(aws, arn, "ExecutionAborted")
    assert_stopped_by_step_functions(task, task.only_task_arn(), pids)


def test_a_task_that_finishes_in_time_is_not_stopped(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path, program_args=["--seconds", "0"])
    arn = start(aws, machine(aws, {"StartAt": "Run", "States": {"Run": run_task_state(task, TimeoutSeconds=30)}}))
    assert wait_for_execution(aws, arn)["status"] == "SUCCEEDED"
    stopped = task.wait_until_stopped(task.only_task_arn())
    assert (stopped["stopCode"], stopped["containers"][0]["exitCode"]) == ("EssentialContainerExited", 0)


def nested(aws, task: Task, **parent_fields) -> tuple[str, str]:
    child = machine(aws, {"StartAt": "Run", "States": {"Run": run_task_state(task)}})
    step = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": child},
        "End": True,
    }
    parent = machine(aws, {"StartAt": "Child", "States": {"Child": step}, **parent_fields})
    return parent, child


def child_execution(aws, child_machine: str) -> str:
    (execution,) = aws("stepfunctions").list_executions(stateMachineArn=child_machine)["executions"]
    return execution["executionArn"]


def test_stopping_a_parent_stops_its_child_execution_and_the_child_task(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path)
    parent, child = nested(aws, task)
    arn = start(aws, parent)
    pids = task.pids()
    aws("stepfunctions").stop_execution(executionArn=arn)
    assert wait_for_execution(aws, arn)["status"] == "ABORTED"
    assert wait_for_execution(aws, child_execution(aws, child))["status"] == "ABORTED"
    assert_stopped_by_step_functions(task, task.only_task_arn(), pids)


def test_a_parent_timing_out_stops_its_child_execution_and_the_child_task(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path)
    parent, child = nested(aws, task, TimeoutSeconds=TIMEOUT)
    arn = start(aws, parent)
    pids = [process_of(agent, task)]
    assert wait_for_execution(aws, arn)["status"] == "TIMED_OUT"
    assert wait_for_execution(aws, child_execution(aws, child))["status"] == "ABORTED"
    assert_stopped_by_step_functions(task, task.only_task_arn(), pids)


# -- Images that are not in the emulator's ECR ---------------------------------------------------------


def ecr_repository(aws) -> str:
    name = f"lifecycle-{uuid.uuid4().hex[:8]}"
    return aws("ecr").create_repository(repositoryName=name)["repository"]["repositoryUri"]


def test_a_tag_the_repository_does_not_hold_fails_the_task_to_start(aws, agent, network, tmp_path):
    repository = ecr_repository(aws)
    task = Task(aws, network, tmp_path, image=f"{repository}:v1")
    stopped = task.wait_until_stopped(task.run())
    assert stopped["stopCode"] == "TaskFailedToStart"
    assert stopped["stoppedReason"].startswith("CannotPullContainerError: ")
    assert f"{repository}:v1" in stopped["stoppedReason"]
    assert "exitCode" not in stopped["containers"][0]
    time.sleep(0.3)
    assert not task.pid_file.exists()  # the program never ran


def test_a_recorded_tag_runs(aws, agent, network, tmp_path):
    repository = ecr_repository(aws)
    record_pushed_image(aws.endpoint, repository, "v1")
    task = Task(aws, network, tmp_path, image=f"{repository}:v1", program_args=["--seconds", "0"])
    stopped = task.wait_until_stopped(task.run())
    assert (stopped["stopCode"], stopped["containers"][0]["exitCode"]) == ("EssentialContainerExited", 0)


def test_an_image_by_digest_runs_only_when_the_repository_holds_that_digest(aws, agent, network, tmp_path):
    repository = ecr_repository(aws)
    digest = record_pushed_image(aws.endpoint, repository, "v1")
    assert digest.startswith("sha256:") and len(digest) == len("sha256:") + 64
    held = Task(aws, network, tmp_path, image=f"{repository}@{digest}", program_args=["--seconds", "0"])
    assert held.wait_until_stopped(held.run())["containers"][0]["exitCode"] == 0
    other = "sha256:" + "0" * 64
    missing = Task(aws, network, tmp_path, image=f"{repository}@{other}")
    assert missing.wait_until_stopped(missing.run())["stopCode"] == "TaskFailedToStart"


def test_recording_a_tag_twice_returns_its_digest_and_takes_a_repository_name_or_url(aws):
    repository = ecr_repository(aws)
    name = repository.split("/", 1)[1]
    first = record_pushed_image(aws.endpoint, repository, "v1")
    assert record_pushed_image(aws("ecr"), name, "v1") == first
    images = aws("ecr").describe_images(repositoryName=name)["imageDetails"]
    assert [(i["imageTags"], i["imageDigest"]) for i in images] == [(["v1"], first)]


def test_run_task_sync_of_a_missing_image_fails_the_state_as_task_failed(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path, image=f"{ecr_repository(aws)}:v1")
    arn = start(aws, machine(aws, {"StartAt": "Run", "States": {"Run": run_task_state(task)}}))
    description = wait_for_execution(aws, arn)
    assert (description["status"], description["error"]) == ("FAILED", "States.TaskFailed")
    cause = json.loads(description["cause"])
    assert cause["StopCode"] == "TaskFailedToStart"
    assert cause["StoppedReason"].startswith("CannotPullContainerError: ")


def test_a_service_keeps_failing_to_start_until_its_image_is_recorded(aws, agent, network, tmp_path):
    repository = ecr_repository(aws)
    task = Task(aws, network, tmp_path, image=f"{repository}:v1")
    ecs = aws("ecs")
    ecs.create_service(
        cluster=task.family,
        serviceName="worker",
        taskDefinition=task.family,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=task.network,
    )
    try:
        deadline = time.monotonic() + 15
        failed = []
        while len(failed) < 2 and time.monotonic() < deadline:
            arns = ecs.list_tasks(cluster=task.family, desiredStatus="STOPPED")["taskArns"]
            failed = ecs.describe_tasks(cluster=task.family, tasks=arns)["tasks"] if arns else []
            time.sleep(0.1)
        assert len(failed) >= 2, "the service scheduler did not try again"
        assert {t["stopCode"] for t in failed} == {"TaskFailedToStart"}
        assert not task.pid_file.exists()
        record_pushed_image(aws.endpoint, repository, "v1")
        (pid,) = task.pids()
        assert alive(pid)
    finally:
        ecs.update_service(cluster=task.family, service="worker", desiredCount=0)
    wait_until_gone([pid], timeout=10)


def test_the_image_check_can_be_switched_off(monkeypatch):
    monkeypatch.delenv("LOCAL_EMULATOR_ECR_IMAGE_CHECK", raising=False)
    assert check_enabled()
    monkeypatch.setenv("LOCAL_EMULATOR_ECR_IMAGE_CHECK", "off")
    assert not check_enabled()


# -- Throttled RunTask ---------------------------------------------------------------------------------


def test_a_throttled_run_task_answers_http_400_rate_exceeded(aws, network, tmp_path):
    task = Task(aws, network, tmp_path, program_args=["--seconds", "0"])
    set_throttled_run_tasks(aws.endpoint, task.family, 1)
    ecs = aws("ecs", retries={"total_max_attempts": 1})
    with pytest.raises(ClientError) as raised:
        ecs.run_task(**task.run_parameters())
    error = raised.value.response
    assert (error["Error"]["Code"], error["Error"]["Message"]) == ("ThrottlingException", "Rate exceeded")
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(ecs.run_task(**task.run_parameters())["tasks"]) == 1  # only the next call was throttled


def test_run_task_sync_with_a_retry_on_throttling_succeeds_after_a_throttled_call(aws, agent, network, tmp_path):
    task = Task(aws, network, tmp_path, program_args=["--seconds", "0"])
    retry = [{"ErrorEquals": ["ECS.ThrottlingException"], "IntervalSeconds": 1, "MaxAttempts": 2}]
    arn = machine(aws, {"StartAt": "Run", "States": {"Run": run_task_state(task, Retry=retry)}})
    set_throttled_run_tasks(aws.endpoint, task.family, 1)
    execution = start(aws, arn)
    assert wait_for_execution(aws, execution)["status"] == "SUCCEEDED"
    failures = [e["taskFailedEventDetails"] for e in history(aws, execution) if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failures] == ["ECS.ThrottlingException"]
    assert "Rate exceeded" in failures[0]["cause"]


def test_run_task_sync_without_a_retry_fails_with_ecs_throttling_exception(aws, network, tmp_path):
    task = Task(aws, network, tmp_path, program_args=["--seconds", "0"])
    arn = machine(aws, {"StartAt": "Run", "States": {"Run": run_task_state(task)}})
    set_throttled_run_tasks(aws.endpoint, task.family, 1)
    description = wait_for_execution(aws, start(aws, arn))
    assert (description["status"], description["error"]) == ("FAILED", "ECS.ThrottlingException")
    assert aws("ecs").list_tasks(cluster=task.family)["taskArns"] == []
