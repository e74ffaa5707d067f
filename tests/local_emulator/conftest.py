"""One emulator and one deployment of a test configuration for the whole session (deploying is slow)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from tests.conftest import DEV_CONFIG

# The dev configuration with fast retries and heartbeats, and a second of every workflow kind: a
# pipeline whose first step exits 3, a trigger on JSON files under another prefix (both triggers share
# the trigger dead-letter queue, whose one policy must name both rules), and an idle activity.
FAILING_PIPELINE = """
[[pipelines]]
name = "failing"

[pipelines.retry]
interval_seconds = 1
backoff_rate = 1.0
max_attempts = 2
max_delay_seconds = 1
jitter = true

[[pipelines.steps]]
name = "explode"
command = ["echo", "--exit-code", "3", "step", "one"]

[[pipelines.steps]]
name = "never"
command = ["echo", "must", "not", "run"]
"""


# A pipeline whose one step hangs past its timeout, and one that runs for a while (overlap, abort).
HUNG_AND_SLOW_PIPELINES = """
[[pipelines]]
name = "hung"

[[pipelines.steps]]
name = "hang"
command = ["echo", "--sleep-seconds", "300", "stuck"]
timeout_seconds = 8

[[pipelines]]
name = "slow"

[[pipelines.steps]]
name = "linger"
command = ["echo", "--sleep-seconds", "12", "slow"]
timeout_seconds = 120
"""


SECOND_TRIGGER_AND_ACTIVITY = """
[[triggers]]
name = "json-files"
prefix = "incoming/"
suffix = ".json"
command = ["process", "{key}"]

[[activities]]
name = "idle"
heartbeat_seconds = 2
timeout_seconds = 60
worker_desired_count = 0
"""


def fast_config_text() -> str:
    text = DEV_CONFIG.read_text()
    replacements = {
        "interval_seconds = 10": "interval_seconds = 1",
        "max_attempts = 4": "max_attempts = 2",
        "max_delay_seconds = 300": "max_delay_seconds = 1",
        "heartbeat_seconds = 60": "heartbeat_seconds = 2",
        "timeout_seconds = 3600": "timeout_seconds = 60",
    }
    for old, new in replacements.items():
        assert old in text, f"config/dev.toml no longer contains {old!r}"
        text = text.replace(old, new)
    # Appended tables of an array of tables extend it, so the failing pipeline is pipelines[1] here too.
    return text + FAILING_PIPELINE + HUNG_AND_SLOW_PIPELINES + SECOND_TRIGGER_AND_ACTIVITY


def emulator_clients(endpoint: str, region: str):
    """``client(service)``: boto3 clients of the emulator, signed with its operator keys."""

    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


@dataclass
class Deployed:
    endpoint: str
    region: str
    outputs: dict
    deployment: object
    config: object

    def client(self, service: str):
        return emulator_clients(self.endpoint, self.region)(service)


@pytest.fixture(scope="session")
def deployed(emulator, tmp_path_factory) -> Deployed:
    from fargate_batch.config import load_config
    from fargate_batch.local_run.deploy import LocalDeployment

    work = tmp_path_factory.mktemp("deploy")
    config_path = work / "dev.toml"
    config_path.write_text(fast_config_text())
    config = load_config(config_path)
    deployment = LocalDeployment(emulator.endpoint, config_path, work, "fargate-batch-dev")
    deployment.synth()
    deployment.create_state_bucket()
    terraform = deployment.terraform()
    terraform.init()
    terraform.apply()
    outputs = terraform.outputs()
    # What `make push` leaves in the stack's repository: without it the emulator's ECS cannot pull the batch image.
    from local_emulator.ecr_images import record_pushed_image

    record_pushed_image(emulator.endpoint, outputs["repository-url"], config.container.image_tag)
    return Deployed(emulator.endpoint, config.region, outputs, deployment, config)


@pytest.fixture(scope="session")
def agent(deployed):
    from local_emulator.ecs_agent import EcsAgent

    with EcsAgent(endpoint=deployed.endpoint, region=deployed.region) as running:
        yield running


@pytest.fixture(scope="session")
def alert_queue(deployed):
    """An SQS queue subscribed to the alert topic: what a person would receive."""
    sqs, sns = deployed.client("sqs"), deployed.client("sns")
    url = sqs.create_queue(QueueName="test-alerts")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=deployed.outputs["alert-topic-arn"],
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return url


def drain(sqs, url: str) -> list[str]:
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def alerts_for(sqs, url: str, execution_arn: str, *, timeout_seconds: float = 15, settle_seconds: float = 2) -> list:
    """The alerts naming ``execution_arn``: waits for the first (event delivery is asynchronous), then a
    moment longer, so a duplicate would be counted too."""
    found: list[str] = []
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline and not found:
        found += [body for body in drain(sqs, url) if execution_arn in body]
    time.sleep(settle_seconds)
    return found + [body for body in drain(sqs, url) if execution_arn in body]


def start(deployed, output: str, payload: dict | None = None) -> str:
    return deployed.client("stepfunctions").start_execution(
        stateMachineArn=deployed.outputs[output], input=json.dumps(payload or {})
    )["executionArn"]


def history(deployed, execution_arn: str) -> list[dict]:
    return deployed.client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]


def set_capacity_failures(endpoint: str, family: str, count: int) -> None:
    import urllib.request

    from local_emulator.patches.ecs_capacity_faults import PATH

    request = urllib.request.Request(
        endpoint + PATH, data=json.dumps({"family": family, "count": count}).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


REPO = Path(__file__).resolve().parents[2]
