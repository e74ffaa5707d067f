from __future__ import annotations

from tests.helpers import find, policy_statements, reference, resources


def bucket_id(synthesized):
    return reference(synthesized, "aws_s3_bucket", "id", force_destroy=False)


def test_bucket_sends_events_to_eventbridge(synthesized):
    assert find(synthesized, "aws_s3_bucket_notification", bucket=bucket_id(synthesized))["eventbridge"] is True


def test_public_access_is_blocked(synthesized):
    block = find(synthesized, "aws_s3_bucket_public_access_block", bucket=bucket_id(synthesized))
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )


def test_bucket_is_encrypted_and_versioned(synthesized):
    encryption = find(synthesized, "aws_s3_bucket_server_side_encryption_configuration", bucket=bucket_id(synthesized))
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
    versioning = find(synthesized, "aws_s3_bucket_versioning", bucket=bucket_id(synthesized))
    assert versioning["versioning_configuration"] == {"status": "Enabled"}


def test_bucket_policy_denies_requests_without_tls(synthesized):
    policy = find(synthesized, "aws_s3_bucket_policy", bucket=bucket_id(synthesized))
    (statement,) = policy_statements(synthesized, policy["policy"])
    assert statement["effect"] == "Deny"
    assert statement["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


def test_old_versions_expire(synthesized):
    (lifecycle,) = resources(synthesized, "aws_s3_bucket_lifecycle_configuration")
    assert lifecycle["rule"][0]["noncurrent_version_expiration"] == [{"noncurrent_days": 30}]
