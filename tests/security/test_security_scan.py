"""security_scan reads the file it is given from any directory, and a scan that read nothing fails.

Two tests run checkov itself on a one-bucket file (seconds, not the whole stack); the rest feed
``run_checkov`` the reports checkov 3.3.30 prints.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from fargate_batch import security_scan
from fargate_batch.security_scan import ScanError, main, nothing_scanned, run_checkov, scan

# One bucket: enough for checkov's S3 checks to pass and fail.
ONE_BUCKET = {"resource": {"aws_s3_bucket": {"data": {"bucket": "acme-data"}}}}

# What checkov 3.3.30 prints, exit code 0, for a file it cannot find or parse.
PARSING_ERROR_REPORT = {
    "check_type": "terraform_json",
    "results": {"passed_checks": [], "failed_checks": [], "skipped_checks": [], "parsing_errors": ["/x/cdk.tf.json"]},
    "summary": {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 1, "resource_count": 0},
}
# What it prints when it finds nothing to check at all: a bare summary.
EMPTY_REPORT = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}


@pytest.fixture
def relative_stack(tmp_path, monkeypatch):
    """``stack/cdk.tf.json`` relative to the working directory, as a user types it after `make synth`."""
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "cdk.tf.json").write_text(json.dumps(ONE_BUCKET))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "stack" / "cdk.tf.json"


def test_a_relative_path_is_scanned(relative_stack):
    result = scan(relative_stack.relative_to(relative_stack.parent.parent), "terraform_json", [])
    assert result.passed > 0
    assert "CKV_AWS_145" in {f.check_id for f in result.failed}  # no KMS encryption on the bucket


def test_main_fails_when_checkov_cannot_parse_the_file(relative_stack, capsys):
    relative_stack.write_text(json.dumps({"terraform": {"required_version": ">= 1.0"}}))
    assert main(["stack/cdk.tf.json"]) == 2
    error = capsys.readouterr().err
    assert f"security_scan: {relative_stack} (terraform_json): checkov could not parse it" in error


@pytest.mark.parametrize(
    "report, reason",
    [
        (PARSING_ERROR_REPORT, "checkov could not parse it (a parsing error; nothing in it was checked)"),
        (EMPTY_REPORT, "checkov ran no check on it (0 passed, 0 failed, 0 skipped)"),
    ],
    ids=["parsing-error", "nothing-checked"],
)
def test_a_report_that_checked_nothing_is_a_scan_error(monkeypatch, tmp_path, report, reason):
    stack = tmp_path / "cdk.tf.json"
    stack.write_text(json.dumps(ONE_BUCKET))

    def checkov(command, **_):
        return subprocess.CompletedProcess(command, 0, stdout=json.dumps(report), stderr="[ERROR] Template file ...")

    monkeypatch.setattr(security_scan, "checkov_binary", lambda: "checkov")
    monkeypatch.setattr(security_scan.subprocess, "run", checkov)
    with pytest.raises(ScanError) as caught:
        run_checkov(stack, "terraform_json")
    assert str(caught.value).startswith(f"{stack} (terraform_json): {reason}; give a synthesized cdk.tf.json")
    assert str(caught.value).endswith("checkov said:\n[ERROR] Template file ...")


def test_a_report_with_checks_is_not_empty():
    assert nothing_scanned({"results": {"failed_checks": [{"check_id": "CKV_AWS_18"}]}, "summary": {}}) is None
    # A baseline moves every failure to skipped and, as checkov implements it, drops the passed ones.
    assert nothing_scanned({"results": {}, "summary": {"passed": 0, "failed": 0, "skipped": 11}}) is None


def test_main_refuses_a_plan_file_that_does_not_exist(relative_stack, capsys):
    assert main(["stack/cdk.tf.json", "--plan", "absent.json"]) == 2
    assert "security_scan: --plan absent.json does not exist" in capsys.readouterr().err
