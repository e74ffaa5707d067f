"""Command line of the batch program. ``main(argv)`` returns the exit code; nothing here exits."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

from batch_job import exit_codes
from batch_job.logs import log

# Values of these variables never reach the logs.
SECRET_MARKERS = ("SECRET", "TOKEN", "PASSWORD", "WEBHOOK", "ACCESS_KEY", "PRIVATE", "CREDENTIAL")

DEFAULT_OUTPUT_PREFIX = "output/"
RESULT_SUFFIX = ".result.json"
# The UTF-8 bytes of a key, its prefix included: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
MAX_KEY_BYTES = 1024


def redacted_environment(environ: dict[str, str]) -> dict[str, str]:
    return {k: ("***" if any(m in k.upper() for m in SECRET_MARKERS) else v) for k, v in sorted(environ.items())}


def aws_client(service: str):
    import boto3

    # boto3 honours AWS_ENDPOINT_URL itself: the same code runs against AWS and the local emulator.
    return boto3.client(service)


def echo(args: argparse.Namespace) -> int:
    """The seeds' sample program: print the arguments and environment, exit with the code asked for."""
    code = args.exit_code if args.exit_code is not None else int(os.environ.get("BATCH_EXIT_CODE", "0"))
    if args.sleep_seconds:
        # Stands in for a job that hangs (a stuck download, a deadlock): what timeouts exist to stop.
        log("echo.sleeping", seconds=args.sleep_seconds)
        time.sleep(args.sleep_seconds)
    print(json.dumps({"args": args.words, "environment": redacted_environment(dict(os.environ))}), flush=True)
    log("echo.done", exit_code=code)
    return code


def result_key(key: str, output_prefix: str) -> str:
    """Where the result of ``key`` goes: the output prefix, the whole source key as it is, ``.result.json``.

    S3 keys are names, not paths: S3 resolves no ``..`` and no ``//``, and neither does the IAM grant
    on ``output/*`` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). So the key
    is kept verbatim: ``a/x.csv`` and ``b/x.csv``, ``/x.csv`` and ``x.csv`` get distinct results, and a
    key such as ``a/../x.csv`` still lands under the output prefix (``output/a/../x.csv.result.json``).
    """
    return f"{output_prefix}{key}{RESULT_SUFFIX}"


def refusal(key: str, output_prefix: str) -> str | None:
    """Why ``process`` must not run on ``key`` (checked before any S3 call), or None.

    A key under the output prefix is a result (or would be taken for one): processing it would write
    ``output/output/...``, and if a trigger's prefix covered the output prefix, each result would start
    the trigger again, without end. Refusing it stops such a chain after one execution, which fails
    (exit 2) so the misconfiguration shows in the alerts.
    """
    if not output_prefix:
        return (
            "OUTPUT_PREFIX is empty: results would land beside their inputs, where a trigger would start again "
            f"on each of them; set a prefix such as {DEFAULT_OUTPUT_PREFIX!r}"
        )
    if not key:
        return "the object key is empty; pass the key of the object to process"
    if key.startswith(output_prefix):
        return (
            f"{key!r} is under the output prefix {output_prefix!r}: it is a result, and results are never "
            "processed (a trigger whose prefix covers the output prefix would otherwise start on its own results)"
        )
    output_key = result_key(key, output_prefix)
    size = len(output_key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        return (
            f"the result key would be {size} bytes ({output_prefix!r} + the key + {RESULT_SUFFIX!r}); "
            f"S3 keys are at most {MAX_KEY_BYTES} bytes of UTF-8"
        )
    return None


def process(args: argparse.Namespace) -> int:
    """Read s3://bucket/key, write a small result (size, lines, sha256) at ``result_key(key)``."""
    bucket = args.bucket or os.environ.get("DATA_BUCKET")
    if not bucket:
        log("process.usage", level="error", reason="no bucket: pass --bucket or set DATA_BUCKET")
        return exit_codes.USAGE
    output_prefix = os.environ.get("OUTPUT_PREFIX", DEFAULT_OUTPUT_PREFIX)
    reason = refusal(args.key, output_prefix)
    if reason:
        log("process.refused", level="error", bucket=bucket, key=args.key, reason=reason)
        return exit_codes.USAGE
    from botocore.exceptions import BotoCoreError, ClientError

    s3 = aws_client("s3")
    try:
        body = s3.get_object(Bucket=bucket, Key=args.key)["Body"].read()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        missing = code in ("NoSuchKey", "404", "NotFound")
        log(
            "process.input_missing" if missing else "process.input_unreadable",
            level="error",
            bucket=bucket,
            key=args.key,
            reason=str(error),
        )
        return exit_codes.INPUT_MISSING if missing else exit_codes.INPUT_UNREADABLE
    except BotoCoreError as error:
        log("process.input_unreadable", level="error", bucket=bucket, key=args.key, reason=str(error))
        return exit_codes.INPUT_UNREADABLE
    result = {
        "bucket": bucket,
        "key": args.key,
        "bytes": len(body),
        "lines": body.count(b"\n") + (1 if body and not body.endswith(b"\n") else 0),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    output_key = result_key(args.key, output_prefix)
    try:
        s3.put_object(Bucket=bucket, Key=output_key, Body=json.dumps(result).encode(), ContentType="application/json")
    except (ClientError, BotoCoreError) as error:
        log("process.output_failed", level="error", bucket=bucket, key=output_key, reason=str(error))
        return exit_codes.INPUT_UNREADABLE
    log("process.done", bucket=bucket, key=args.key, output=f"s3://{bucket}/{output_key}", bytes=result["bytes"])
    return exit_codes.OK


def webhook_url() -> str | None:
    if os.environ.get("SLACK_WEBHOOK_URL"):
        return os.environ["SLACK_WEBHOOK_URL"]
    parameter = os.environ.get("SLACK_WEBHOOK_SSM_PARAMETER")
    if parameter:
        return aws_client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
    return None


def notify(args: argparse.Namespace) -> int:
    """Post a message to a Slack incoming webhook (seed 001); the URL never comes from code."""
    try:
        url = webhook_url()
    except Exception as error:  # an SSM failure is reported, with its reason
        log("notify.failed", level="error", reason=f"could not read the webhook URL: {error}")
        return exit_codes.NOTIFY_FAILED
    if not url:
        log("notify.usage", level="error", reason="set SLACK_WEBHOOK_URL or SLACK_WEBHOOK_SSM_PARAMETER")
        return exit_codes.USAGE
    host = urllib.parse.urlparse(url).hostname
    request = urllib.request.Request(
        url, data=json.dumps({"text": args.message}).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=args.timeout_seconds) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        log("notify.failed", level="error", host=host, status=error.code, reason=error.reason)
        return exit_codes.NOTIFY_FAILED
    except (urllib.error.URLError, OSError) as error:
        log("notify.failed", level="error", host=host, reason=str(getattr(error, "reason", error)))
        return exit_codes.NOTIFY_FAILED
    log("notify.sent", host=host, status=status)
    return exit_codes.OK


def activity_worker(args: argparse.Namespace) -> int:
    from batch_job.activity_worker import run_worker

    return run_worker(args)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="batch", description="fargate-batch program")
    commands = root.add_subparsers(dest="command", required=True)
    echo_parser = commands.add_parser("echo", help="print arguments and environment as JSON")
    echo_parser.add_argument("--exit-code", type=int, default=None, help="exit with this code (or BATCH_EXIT_CODE)")
    echo_parser.add_argument("--sleep-seconds", type=float, default=0, help="sleep this long first")
    echo_parser.add_argument("words", nargs=argparse.REMAINDER)
    echo_parser.set_defaults(handler=echo)
    process_parser = commands.add_parser("process", help="summarize an S3 object into a result object")
    process_parser.add_argument("key")
    process_parser.add_argument("--bucket", default=None)
    process_parser.set_defaults(handler=process)
    notify_parser = commands.add_parser("notify", help="post a message to Slack")
    notify_parser.add_argument("message")
    notify_parser.add_argument("--timeout-seconds", type=float, default=10)
    notify_parser.set_defaults(handler=notify)
    worker = commands.add_parser("activity-worker", help="poll a Step Functions activity and do its jobs")
    worker.add_argument("--activity-arn", default=None, help="default: ACTIVITY_ARN")
    worker.add_argument("--max-tasks", type=int, default=None, help="exit after this many jobs")
    worker.add_argument("--worker-name", default=os.environ.get("HOSTNAME", "batch-worker"))
    worker.set_defaults(handler=activity_worker)
    return root


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    return arguments.handler(arguments)
