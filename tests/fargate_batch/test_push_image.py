"""``make bootstrap`` / ``make push``: the local path for real (emulator + terraform), the AWS path's commands.

No Docker engine or AWS account exists here, so the AWS path runs against a fake ``aws`` and ``docker`` on
PATH that record their arguments and standard input; the commands they receive are checked against AWS's
and Docker's documented ones (docker-push-ecr-image.html, docs.docker.com/build/building/multi-platform/).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.conftest import DEV_CONFIG, REPO_ROOT

pytestmark = pytest.mark.terraform

REGISTRY = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
URL = f"{REGISTRY}/fargate-batch-dev"


# -- the local target, for real -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def own_emulator(tmp_path_factory):
    """An emulator of this module's own: the session's holds the end-to-end deployment of the same stack."""
    from fargate_batch.local_aws import create_state_bucket
    from local_emulator.server import start_emulator

    with start_emulator(log_path=tmp_path_factory.mktemp("push-emulator") / "emulator.log") as running:
        create_state_bucket(running.endpoint)  # as make up does
        yield running


def run_tool(args: list[str], endpoint: str, work: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "FARGATE_BATCH_TARGET": "local",
        "FARGATE_BATCH_ENDPOINT": endpoint,
        "FARGATE_BATCH_CONFIG": str(DEV_CONFIG),
    }
    command = [sys.executable, "-m", "fargate_batch.push_image", *args]
    command += ["--work-dir", str(work / "work"), "--outdir", str(work / "cdktf.out")]
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)


def client(endpoint: str, service: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="ap-northeast-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def push_before_bootstrap(own_emulator, tmp_path_factory):
    return run_tool(["push"], own_emulator.endpoint, tmp_path_factory.mktemp("early"))


@pytest.fixture(scope="module")
def bootstrapped(own_emulator, push_before_bootstrap, tmp_path_factory):
    work = tmp_path_factory.mktemp("bootstrap")
    result = run_tool(["bootstrap"], own_emulator.endpoint, work)
    assert result.returncode == 0, result.stdout + result.stderr
    return work, result


def test_push_before_bootstrap_says_to_bootstrap_without_a_traceback(push_before_bootstrap):
    assert push_before_bootstrap.returncode == 2
    assert "make bootstrap" in push_before_bootstrap.stderr
    assert "Traceback" not in push_before_bootstrap.stderr


def test_bootstrap_creates_the_repository_and_nothing_that_runs_tasks(own_emulator, bootstrapped):
    _, result = bootstrapped
    endpoint = own_emulator.endpoint
    (repository,) = client(endpoint, "ecr").describe_repositories()["repositories"]
    assert repository["repositoryName"] == "fargate-batch-dev"
    assert repository["repositoryUri"] in result.stdout
    assert client(endpoint, "ecs").list_task_definitions()["taskDefinitionArns"] == []
    assert client(endpoint, "ecs").list_clusters()["clusterArns"] == []
    assert client(endpoint, "scheduler").list_schedules()["Schedules"] == []
    assert client(endpoint, "stepfunctions").list_state_machines()["stateMachines"] == []


def test_plan_after_bootstrap_warns_that_the_tag_is_missing_naming_make_push(bootstrapped):
    from fargate_batch.terraform_runner import Terraform

    work, _ = bootstrapped
    terraform = Terraform(stack_dir=work / "cdktf.out" / "stacks" / "fargate-batch-dev", work_dir=work / "work")
    plan = terraform.run("plan", "-input=false", "-json")
    warnings = [json.loads(line) for line in plan.stdout.splitlines() if '"@level":"warn"' in line]
    (missing,) = [w for w in warnings if "aws_ecr_image" in json.dumps(w)]
    # Terraform shows the provider's own failure for a scoped lookup, located in the check whose name says why.
    assert missing["diagnostic"]["summary"] == "reading ECR Images: couldn't find resource"
    assert "batch_image_pushed_else_run_make_push" in missing["diagnostic"]["snippet"]["context"]


def test_local_push_records_the_configured_tag_once(own_emulator, bootstrapped, dev_config):
    work, _ = bootstrapped
    ecr = client(own_emulator.endpoint, "ecr")
    first = run_tool(["push"], own_emulator.endpoint, work)
    assert first.returncode == 0, first.stdout + first.stderr
    (image,) = ecr.describe_images(repositoryName="fargate-batch-dev")["imageDetails"]
    assert image["imageTags"] == [dev_config.container.image_tag]
    assert image["imageDigest"] in first.stdout
    again = run_tool(["push"], own_emulator.endpoint, work)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(ecr.describe_images(repositoryName="fargate-batch-dev")["imageDetails"]) == 1


def test_plan_after_push_has_no_missing_image_warning(own_emulator, bootstrapped):
    from fargate_batch.terraform_runner import Terraform

    work, _ = bootstrapped
    assert run_tool(["push"], own_emulator.endpoint, work).returncode == 0
    terraform = Terraform(stack_dir=work / "cdktf.out" / "stacks" / "fargate-batch-dev", work_dir=work / "work")
    plan = terraform.run("plan", "-input=false", "-json")
    warnings = [line for line in plan.stdout.splitlines() if '"@level":"warn"' in line]
    assert not [w for w in warnings if "aws_ecr_image" in w or "make_push" in w]


# -- the aws target: the commands it would run --------------------------------------------------------


FAKE_TOOL = """#!{python}
import json, os, sys
stdin = "" if sys.stdin.isatty() else sys.stdin.read()
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({{"argv": [os.path.basename(sys.argv[0])] + sys.argv[1:], "stdin": stdin}}) + "\\n")
args = sys.argv[1:]
if args[:2] == ["ecr", "describe-images"]:
    if os.environ.get("FAKE_TAG_HELD") == "1":
        print(json.dumps({{"imageDetails": [{{"imageTags": ["v0.1.0"]}}]}}))
        sys.exit(0)
    sys.stderr.write("An error occurred (ImageNotFoundException) when calling the DescribeImages operation\\n")
    sys.exit(254)
if args[:2] == ["ecr", "get-login-password"]:
    print("fake-ecr-password")
"""


@pytest.fixture
def fake_tools(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("aws", "docker"):
        path = bin_dir / tool
        path.write_text(FAKE_TOOL.format(python=sys.executable))
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))

    def calls() -> list[dict]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return calls


def test_aws_push_builds_for_the_task_platform_logs_in_and_pushes_the_tag(fake_tools):
    from fargate_batch.push_image import BUILD_CONTEXT, push_to_ecr

    said = push_to_ecr(URL, "v0.1.0", "linux/amd64", "ap-northeast-1")
    argvs = [call["argv"] for call in fake_tools()]
    assert argvs == [
        ["aws", "ecr", "describe-images", "--region", "ap-northeast-1", "--repository-name", "fargate-batch-dev",
         "--image-ids", "imageTag=v0.1.0", "--output", "json"],
        ["docker", "buildx", "build", "--platform", "linux/amd64", "--tag", f"{URL}:v0.1.0", "--load",
         str(BUILD_CONTEXT)],
        ["aws", "ecr", "get-login-password", "--region", "ap-northeast-1"],
        ["docker", "login", "--username", "AWS", "--password-stdin", REGISTRY],
        ["docker", "push", f"{URL}:v0.1.0"],
    ]  # fmt: skip
    login = fake_tools()[3]
    assert login["stdin"].strip() == "fake-ecr-password"  # the password goes through stdin, never argv
    assert said == f"pushed {URL}:v0.1.0 (linux/amd64)"


def test_aws_push_of_a_tag_already_there_builds_and_pushes_nothing(fake_tools, monkeypatch):
    from fargate_batch.push_image import push_to_ecr

    monkeypatch.setenv("FAKE_TAG_HELD", "1")
    said = push_to_ecr(URL, "v0.1.0", "linux/amd64", "ap-northeast-1")
    assert [call["argv"][:2] for call in fake_tools()] == [["aws", "ecr"]]
    assert "already in the repository" in said


def test_aws_push_without_docker_names_the_fix(tmp_path, monkeypatch):
    from fargate_batch.push_image import UserMistake, push_to_ecr

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UserMistake, match="`aws` is not on PATH"):
        push_to_ecr(URL, "v0.1.0", "linux/amd64", "ap-northeast-1")


def test_image_platform_follows_the_synthesized_task_definitions(aws_synth, dev_config):
    from fargate_batch.push_image import Stack

    _, stack_dir = aws_synth
    stack = Stack(dev_config, stack_dir)
    assert stack.docker_platform() == "linux/amd64"  # runtimePlatform X86_64 on every task definition
    assert stack.repository_address().startswith("aws_ecr_repository.")


def test_a_failed_synth_is_a_message_and_exit_2_not_a_traceback(tmp_path):
    # The configuration loads, but the synth cannot write its output: --outdir is a file, not a directory.
    work = tmp_path / "work"
    work.mkdir()
    (work / "cdktf.out").write_text("not a directory")
    result = run_tool(["bootstrap"], "http://127.0.0.1:5999", work)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("make push: synth failed (exit ")
    assert "not a directory" in result.stderr  # the synth's own words for the cause
    # The child's output may hold its traceback; the tool's own would pass through push_image.py.
    assert "push_image.py" not in result.stderr
