"""checkov on the synthesized stack and its plan: no failed check; each skip sits on its resource with a reason."""

from __future__ import annotations

import json

import pytest

from fargate_batch.checkov_skips import CheckovSkip, RecordedSkip, recorded_skips
from fargate_batch.security_scan import apply_skips, baseline, run_checkov, scan


@pytest.fixture(scope="session")
def stack_json(aws_synth):
    return aws_synth[1] / "cdk.tf.json"


@pytest.fixture(scope="session")
def skips(synthesized):
    return recorded_skips(synthesized)


@pytest.fixture(scope="session")
def json_scan(stack_json, skips):
    return scan(stack_json, "terraform_json", skips)


def describe(findings) -> str:
    return "\n".join(f"{f.check_id} {f.resource}: {f.check_name}" for f in findings)


def test_synthesized_stack_has_no_failed_check(json_scan):
    assert json_scan.failed == (), describe(json_scan.failed)
    assert json_scan.passed > 400


def test_every_skipped_check_has_the_reason_written_on_its_resource(json_scan, skips):
    assert json_scan.skipped
    written = {s.skip.reason for s in skips}
    for skipped in json_scan.skipped:
        assert skipped.reason in written, skipped
        assert len(skipped.reason.split()) >= 5


def test_every_written_skip_is_still_needed(json_scan):
    # A skip whose check now passes (or no longer exists) must go: it would hide a future regression.
    assert json_scan.unused_skips == ()


def test_checkov_itself_reports_no_failure_with_the_generated_baseline(stack_json, skips, tmp_path):
    baseline_file = tmp_path / "checkov.baseline"
    baseline_file.write_text(json.dumps(baseline(skips, "terraform_json", stack_json.name)))
    report = run_checkov(
        stack_json, "terraform_json", extra_args=("--baseline", str(baseline_file), "--output-baseline-as-skipped")
    )
    assert report["summary"]["failed"] == 0, describe_raw(report)
    assert report["summary"]["skipped"] == len(skips) == 11


def describe_raw(report) -> str:
    return "\n".join(f"{r['check_id']} {r['resource']}" for r in report["results"].get("failed_checks", []))


@pytest.mark.terraform
@pytest.mark.emulator
def test_plan_has_no_failed_check_and_its_skips_are_the_stacks(local_plan):
    skips = recorded_skips(local_plan.synthesized)
    result = scan(local_plan.plan_json, "terraform_plan", skips)
    assert result.failed == (), describe(result.failed)
    assert result.passed > 200
    assert {s.reason for s in result.skipped} <= {s.skip.reason for s in skips}
    # The plan holds no data sources, so only resource skips apply there.
    assert {(s.check_id, s.resource.split(".")[0]) for s in result.skipped} == {
        ("CKV_AWS_18", "aws_s3_bucket"),
        ("CKV_AWS_144", "aws_s3_bucket"),
        ("CKV_AWS_285", "aws_sfn_state_machine"),
    }


def _skip(check_id: str, name: str = "b") -> RecordedSkip:
    return RecordedSkip("resource", "aws_s3_bucket", name, CheckovSkip(check_id, "a reason of at least five words"))


def _record(check_id: str, resource: str) -> dict:
    return {"check_id": check_id, "check_name": "n", "resource": resource}


def test_a_skip_applies_only_to_its_own_resource_and_check():
    report = {
        "results": {
            "passed_checks": [_record("CKV_AWS_1", "resource.b")],
            "failed_checks": [
                _record("CKV_AWS_18", "aws_s3_bucket.b"),  # graph check naming: the address
                _record("CKV_AWS_21", "resource.b"),  # python check naming, but no skip for this check
                _record("CKV_AWS_18", "aws_s3_bucket.other"),  # same check, other bucket
            ],
        },
        "summary": {"checkov_version": "3.3.30"},
    }
    result = apply_skips(report, [_skip("CKV_AWS_18"), _skip("CKV_AWS_144")], "terraform_json")
    assert [(f.check_id, f.resource) for f in result.failed] == [
        ("CKV_AWS_21", "resource.b"),
        ("CKV_AWS_18", "aws_s3_bucket.other"),
    ]
    assert [(s.check_id, s.resource) for s in result.skipped] == [("CKV_AWS_18", "aws_s3_bucket.b")]
    assert [u.skip.check_id for u in result.unused_skips] == ["CKV_AWS_144"]
    assert (result.passed, result.ok) == (1, False)


def test_plan_skips_match_addresses_only():
    report = {"results": {"failed_checks": [_record("CKV_AWS_18", "resource.b")]}, "summary": {}}
    assert not apply_skips(report, [_skip("CKV_AWS_18")], "terraform_plan").ok


def test_stack_with_nat_per_zone_and_a_webhook_parameter_has_no_failed_check(dev_config, synth):
    # Egress adds an internet gateway, public subnets, Elastic IPs, NAT gateways, HTTPS to 0.0.0.0/0 and
    # the ssm endpoint: none of it may need a skip.
    from dataclasses import replace

    from fargate_batch.config.targets import Target

    network = replace(dev_config.network, nat="per_zone", notify_webhook_parameter="/fargate-batch-dev/slack-webhook")
    synthesized, stack_dir = synth(replace(dev_config, network=network), Target("aws"))
    assert "aws_nat_gateway" in synthesized["resource"]
    result = scan(stack_dir / "cdk.tf.json", "terraform_json", recorded_skips(synthesized))
    assert result.failed == (), describe(result.failed)
    assert result.unused_skips == ()
