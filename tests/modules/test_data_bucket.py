from __future__ import annotations

from tests.helpers import find, policy_statements, reference, resources, role_policy_statements


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


def test_bucket_is_encrypted_with_the_environment_key_and_versioned(synthesized):
    encryption = find(synthesized, "aws_s3_bucket_server_side_encryption_configuration", bucket=bucket_id(synthesized))
    (rule,) = encryption["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": reference(synthesized, "aws_kms_key", "arn"),
    }
    assert rule["bucket_key_enabled"] is True
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


def test_trigger_task_gets_the_data_key_only_through_s3(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, "fargate-batch-dev-trigger-task")}
    key = statements["UseDataBucketKey"]
    assert key["actions"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert key["resources"] == [reference(synthesized, "aws_kms_key", "arn")]
    assert key["condition"][0]["variable"] == "kms:ViaService"
    assert key["condition"][0]["values"][0].startswith("s3.")


def test_access_logging_and_replication_are_skipped_with_reasons(synthesized):
    bucket = find(synthesized, "aws_s3_bucket", force_destroy=False)
    skipped = {c.split(":")[1].removeprefix("skip="): c for c in bucket["//"]["checkov"]}
    assert set(skipped) == {"CKV_AWS_18", "CKV_AWS_144"}
    assert "CloudTrail data events" in skipped["CKV_AWS_18"]


def test_trigger_task_may_list_only_under_the_trigger_prefixes(synthesized, dev_config):
    # API_GetObject.html: a missing key is 404 only for a caller that also has s3:ListBucket, else 403.
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, "fargate-batch-dev-trigger-task")}
    listing = statements["ListTriggerPrefixes"]
    assert listing["actions"] == ["s3:ListBucket"]
    assert listing["resources"] == [reference(synthesized, "aws_s3_bucket", "arn", force_destroy=False)]
    assert listing["condition"] == [
        {"test": "StringLike", "variable": "s3:prefix", "values": [f"{t.prefix}*" for t in dev_config.triggers]}
    ]


def test_reading_stays_limited_to_the_trigger_patterns(synthesized):
    statements = {s["sid"]: s for s in role_policy_statements(synthesized, "fargate-batch-dev-trigger-task")}
    bucket_arn = reference(synthesized, "aws_s3_bucket", "arn", force_destroy=False)
    assert statements["ReadTriggeredObjects"]["actions"] == ["s3:GetObject"]
    assert statements["ReadTriggeredObjects"]["resources"] == [f"{bucket_arn}/target/*"]
