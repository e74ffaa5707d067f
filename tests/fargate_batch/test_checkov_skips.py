"""checkov skips: validated, written under the resource's "//" key, read back with their address."""

from __future__ import annotations

import pytest

from fargate_batch.checkov_skips import CheckovSkip, recorded_skips

REASON = "this check does not fit here because of a reason"


def test_skip_renders_as_the_checkov_comment_text():
    assert CheckovSkip("CKV_AWS_18", REASON).comment == f"checkov:skip=CKV_AWS_18:{REASON}"


def test_parse_round_trips_a_reason_containing_colons():
    skip = CheckovSkip("CKV2_AWS_11", "flow logs: not here, because of the reason")
    assert CheckovSkip.parse(skip.comment) == skip


@pytest.mark.parametrize("check_id", ["CKV_18", "ckv_aws_18", "CKV_AWS_18:x", ""])
def test_fails_for_something_that_is_not_a_check_id(check_id):
    with pytest.raises(ValueError, match="is not a check id"):
        CheckovSkip(check_id, REASON)


@pytest.mark.parametrize("reason", ["", "not needed", "one\ntwo three four five six"])
def test_fails_without_a_one_line_reason_of_five_words(reason):
    with pytest.raises(ValueError, match="must be one line of at least 5 words"):
        CheckovSkip("CKV_AWS_18", reason)


def test_recorded_skips_reads_resources_and_data_sources_with_their_addresses():
    synthesized = {
        "resource": {
            "aws_s3_bucket": {"b": {"//": {"checkov": [f"checkov:skip=CKV_AWS_18:{REASON}"], "metadata": {}}}}
        },
        "data": {
            "aws_availability_zones": {"z": {"//": {"checkov": [f"checkov:skip=CKV_AWS_394:{REASON}"]}}},
            "aws_region": {"r": {"//": {"metadata": {}}}},
        },
    }
    found = recorded_skips(synthesized)
    assert [(s.address, s.skip.check_id) for s in found] == [
        ("aws_s3_bucket.b", "CKV_AWS_18"),
        ("data.aws_availability_zones.z", "CKV_AWS_394"),
    ]


def test_every_skip_in_the_stack_sits_on_the_resource_it_concerns(synthesized):
    by_type = {(s.type, s.skip.check_id) for s in recorded_skips(synthesized)}
    assert by_type == {
        ("aws_s3_bucket", "CKV_AWS_18"),
        ("aws_s3_bucket", "CKV_AWS_144"),
        ("aws_sfn_state_machine", "CKV_AWS_285"),
        ("aws_availability_zones", "CKV_AWS_394"),
        ("aws_iam_policy_document", "CKV_AWS_109"),
        ("aws_iam_policy_document", "CKV_AWS_111"),
        ("aws_iam_policy_document", "CKV_AWS_356"),
    }
