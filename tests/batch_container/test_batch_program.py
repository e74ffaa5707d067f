"""batch_container run as a process, as the image and the local ECS agent run it."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading

import boto3
import pytest

from tests.conftest import REPO_ROOT

PROGRAM = str(REPO_ROOT / "batch_container" / "main.py")


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, PROGRAM, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], **env},
    )


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_echo_prints_arguments_and_environment():
    result = run("echo", "from1", "object1", ENV="Start Execution input1")
    printed = json_lines(result.stdout)[0]
    assert result.returncode == 0
    assert printed["args"] == ["from1", "object1"]
    assert printed["environment"]["ENV"] == "Start Execution input1"


def test_echo_exits_with_the_code_it_is_told():
    assert run("echo", "--exit-code", "3", "x").returncode == 3
    assert run("echo", BATCH_EXIT_CODE="4").returncode == 4


def test_echo_redacts_secrets():
    printed = json_lines(run("echo", AWS_SECRET_ACCESS_KEY="s3cr3t", SLACK_WEBHOOK_URL="https://hooks/x").stdout)[0]
    assert printed["environment"]["AWS_SECRET_ACCESS_KEY"] == "***"
    assert printed["environment"]["SLACK_WEBHOOK_URL"] == "***"
    assert "s3cr3t" not in json.dumps(printed)


def test_unknown_subcommand_is_a_usage_error():
    result = run("explode")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def s3_env(emulator):
    env = {
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "DATA_BUCKET": "program-data",
    }
    s3 = boto3.client(
        "s3",
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="program-data")
    return env, s3


@pytest.mark.emulator
def test_process_reads_the_object_and_writes_a_result(s3_env):
    env, s3 = s3_env
    s3.put_object(Bucket="program-data", Key="target/in.csv", Body=b"a,b\n1,2\n3,4\n")
    result = run("process", "target/in.csv", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    written = json.loads(s3.get_object(Bucket="program-data", Key="output/target/in.csv.result.json")["Body"].read())
    assert (written["bytes"], written["lines"], written["key"]) == (12, 3, "target/in.csv")
    assert json_lines(result.stdout)[-1]["event"] == "process.done"


def result_keys(s3, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="program-data", Prefix=prefix).get("Contents", []))


@pytest.mark.emulator
def test_objects_with_the_same_name_in_two_folders_get_two_results(s3_env):
    env, s3 = s3_env
    s3.put_object(Bucket="program-data", Key="twins/a/x.csv", Body=b"1\n")
    s3.put_object(Bucket="program-data", Key="twins/b/x.csv", Body=b"1\n2\n")
    assert [run("process", key, **env).returncode for key in ("twins/a/x.csv", "twins/b/x.csv")] == [0, 0]
    assert result_keys(s3, "output/twins/") == ["output/twins/a/x.csv.result.json", "output/twins/b/x.csv.result.json"]
    lines = [
        json.loads(s3.get_object(Bucket="program-data", Key=f"output/twins/{folder}/x.csv.result.json")["Body"].read())
        for folder in ("a", "b")
    ]
    assert [(r["key"], r["lines"]) for r in lines] == [("twins/a/x.csv", 1), ("twins/b/x.csv", 2)]


@pytest.mark.emulator
@pytest.mark.parametrize(
    ("key", "expected_result_key"),
    [
        # S3 keys are names: nothing resolves "..", "//" or a leading "/", so the result keeps them and stays distinct.
        ("/odd/x.csv", "output//odd/x.csv.result.json"),
        ("odd/../x.csv", "output/odd/../x.csv.result.json"),
        ("odd//x.csv", "output/odd//x.csv.result.json"),
    ],
)
def test_odd_keys_are_kept_verbatim_under_the_output_prefix(s3_env, key, expected_result_key):
    env, s3 = s3_env
    s3.put_object(Bucket="program-data", Key=key, Body=b"x\n")
    result = run("process", key, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(s3.get_object(Bucket="program-data", Key=expected_result_key)["Body"].read())["key"] == key


@pytest.mark.emulator
def test_a_key_under_the_output_prefix_is_refused_so_a_trigger_cannot_feed_on_its_results(s3_env):
    env, s3 = s3_env
    s3.put_object(Bucket="program-data", Key="results/loop/x.csv.result.json", Body=b"{}")
    result = run("process", "results/loop/x.csv.result.json", OUTPUT_PREFIX="results/", **env)
    assert result.returncode == 2
    (line,) = [entry for entry in json_lines(result.stdout) if entry["level"] == "error"]
    assert line["event"] == "process.refused" and "under the output prefix 'results/'" in line["reason"]
    assert result_keys(s3, "results/") == ["results/loop/x.csv.result.json"]
    assert "Traceback" not in result.stderr


@pytest.mark.emulator
def test_an_empty_output_prefix_is_refused(s3_env):
    env, s3 = s3_env
    s3.put_object(Bucket="program-data", Key="beside/x.csv", Body=b"x\n")
    result = run("process", "beside/x.csv", OUTPUT_PREFIX="", **env)
    assert result.returncode == 2
    assert "OUTPUT_PREFIX is empty" in json_lines(result.stdout)[-1]["reason"]
    assert result_keys(s3, "beside/") == ["beside/x.csv"]


@pytest.mark.emulator
def test_a_key_whose_result_key_exceeds_1024_bytes_is_refused_before_any_read(s3_env):
    env, _ = s3_env
    # A valid 1010-byte key whose result key is 7 + 1010 + 12 = 1029 bytes; the object does not exist, and the
    # exit code is 2, not 3: the check comes before the read.
    key = "long/" + "k" * 1005
    result = run("process", key, **env)
    assert result.returncode == 2
    assert "S3 keys are at most 1024 bytes" in json_lines(result.stdout)[-1]["reason"]


@pytest.mark.emulator
def test_process_of_a_missing_object_exits_3_with_a_clear_log_line(s3_env):
    env, _ = s3_env
    result = run("process", "target/absent.csv", **env)
    assert result.returncode == 3
    (line,) = [entry for entry in json_lines(result.stdout) if entry["level"] == "error"]
    assert (line["event"], line["key"], line["bucket"]) == (
        "process.input_missing",
        "target/absent.csv",
        "program-data",
    )


class Webhook(http.server.BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        Webhook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(Webhook.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = http.server.HTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Webhook.received, Webhook.status = [], 200
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_notify_posts_the_message_to_the_webhook(webhook):
    result = run("notify", "pipeline done", SLACK_WEBHOOK_URL=webhook)
    assert result.returncode == 0
    assert Webhook.received == [{"text": "pipeline done"}]


def test_notify_reports_a_rejected_message(webhook):
    Webhook.status = 500
    result = run("notify", "x", SLACK_WEBHOOK_URL=webhook)
    assert result.returncode == 5
    (line,) = [entry for entry in json_lines(result.stdout) if entry["level"] == "error"]
    assert line["status"] == 500 and line["host"] == "127.0.0.1"


def test_notify_reports_a_refused_connection():
    result = run(
        "notify",
        "x",
        SLACK_WEBHOOK_URL="http://127.0.0.1:9/hook",
    )
    assert result.returncode == 5


def test_notify_without_a_webhook_is_a_usage_error():
    assert run("notify", "x").returncode == 2


@pytest.mark.emulator
def test_notify_reads_the_webhook_url_from_ssm(webhook, s3_env):
    env, _ = s3_env
    ssm = boto3.client(
        "ssm",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ssm.put_parameter(Name="/batch/slack", Value=webhook, Type="SecureString", Overwrite=True)
    result = run("notify", "from ssm", SLACK_WEBHOOK_SSM_PARAMETER="/batch/slack", **env)
    assert result.returncode == 0, result.stdout
    assert Webhook.received == [{"text": "from ssm"}]
