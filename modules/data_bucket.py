"""The data bucket: files land here and trigger tasks through EventBridge.

Private, encrypted, versioned, TLS-only, and with EventBridge notifications on, so object events
can be routed by rules instead of S3's own single-destination notifications.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fargate_batch.checkov_skips import CheckovSkip, skip_checks
from fargate_batch.tf import (
    Construct,
    DataAwsIamPolicyDocument,
    S3Bucket,
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketNotification,
    S3BucketOwnershipControls,
    S3BucketPolicy,
    S3BucketPublicAccessBlock,
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
    S3BucketVersioningA,
)
from modules._private.iam_statements import Condition, Statement, kms_data_keys_via
from modules.aws_scope import aws_scope
from modules.fargate_task import FargateTask


def list_under_prefixes(bucket_arn: str, prefixes: Iterable[str]) -> Statement:
    """``s3:ListBucket`` on the bucket, only for listings whose ``s3:prefix`` starts with one of ``prefixes``.

    Why: "If the object you request doesn't exist, the error that Amazon S3 returns depends on whether you
    also have the s3:ListBucket permission. If you have the s3:ListBucket permission on the bucket, Amazon S3
    returns an HTTP status code 404 Not Found error. If you don't have the s3:ListBucket permission, Amazon
    S3 returns an HTTP status code 403 Access Denied error."
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Permissions). ``process`` tells a
    missing input (exit 3) from an unreadable one (exit 4) by that status.

    UNVERIFIED: AWS documents ``s3:prefix`` for ListObjects requests
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html), but not which
    ``s3:prefix`` value, if any, the implicit ListBucket check of a GetObject on a missing key carries. If
    it carries none, this condition does not match and a missing input still reads as 403 (exit 4, no
    worse than before); the fix would then be ListBucket without the condition, which lets the task list
    every key of the bucket. The local emulator assumes the key is the prefix
    (``local_emulator/authorization/run_time_calls.py: s3_missing_object_checks``).
    """
    return Statement(
        sid="ListTriggerPrefixes",
        actions=("s3:ListBucket",),
        resources=(bucket_arn,),
        conditions=(Condition("StringLike", "s3:prefix", tuple(f"{prefix}*" for prefix in prefixes)),),
    )


@dataclass(frozen=True)
class DataBucketProps:
    """``noncurrent_version_days``: Default 30: overwritten or deleted versions are kept that long.

    ``force_destroy``: Default false; true lets ``destroy`` empty the bucket (the local emulator).
    ``kms_key_arn``: Default none: SSE-S3 (AES256). With a customer managed key, objects are encrypted
    with SSE-KMS and an S3 Bucket Key (fewer KMS calls); readers and writers need the key too
    (:meth:`DataBucket.kms_statements`).
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
    """

    name: str
    noncurrent_version_days: int = 30
    force_destroy: bool = False
    kms_key_arn: str | None = None


# Decisions on checkov checks that do not fit a bucket of trigger inputs and derived results.
NO_ACCESS_LOGS = CheckovSkip(
    "CKV_AWS_18",
    "server access logs need a second bucket that itself fails the same checks; object-level events "
    "already go to EventBridge, and CloudTrail data events are the account-wide audit trail",
)
NO_REPLICATION = CheckovSkip(
    "CKV_AWS_144",
    "scratch space for trigger inputs and results that can be produced again; versioning covers "
    "mistakes, and a second region would double storage for no recovery need",
)


class DataBucket(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: DataBucketProps) -> None:
        super().__init__(scope, id_)
        self.kms_key_arn = props.kms_key_arn
        self._s3_endpoint = f"s3.{aws_scope(self).region}.amazonaws.com"
        self.bucket = S3Bucket(self, "bucket", bucket=props.name, force_destroy=props.force_destroy)
        skip_checks(self.bucket, NO_ACCESS_LOGS, NO_REPLICATION)
        bucket_id = self.bucket.id
        S3BucketOwnershipControls(self, "ownership", bucket=bucket_id, rule={"object_ownership": "BucketOwnerEnforced"})
        S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket_id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=(
                        S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="aws:kms", kms_master_key_id=props.kms_key_arn
                        )
                        if props.kms_key_arn
                        else S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="AES256"
                        )
                    ),
                    bucket_key_enabled=True,
                )
            ],
        )
        S3BucketVersioningA(self, "versioning", bucket=bucket_id, versioning_configuration={"status": "Enabled"})
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=bucket_id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-old-versions-and-uploads",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=props.noncurrent_version_days
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
        )
        tls_only = DataAwsIamPolicyDocument(
            self,
            "tls-only",
            statement=[
                {
                    "sid": "DenyInsecureTransport",
                    "effect": "Deny",
                    "actions": ["s3:*"],
                    "resources": [self.bucket.arn, f"{self.bucket.arn}/*"],
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                    "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
                }
            ],
        )
        S3BucketPolicy(self, "policy", bucket=bucket_id, policy=tls_only.json)
        self.notification = S3BucketNotification(self, "eventbridge", bucket=bucket_id, eventbridge=True)

    @property
    def name(self) -> str:
        return self.bucket.bucket

    @property
    def arn(self) -> str:
        return self.bucket.arn

    def grant_read_write(
        self,
        grantee: FargateTask,
        id_: str,
        *,
        read_key_patterns: Iterable[str],
        list_prefixes: Iterable[str],
        write_prefix: str,
    ) -> None:
        """Let ``grantee``'s program read objects matching ``read_key_patterns`` and write under ``write_prefix``.

        Patterns use IAM's ``*`` wildcard (``input/*.csv``); with a customer managed key the program also
        gets the data key, through S3 only. ``list_prefixes`` (the trigger prefixes) get ``s3:ListBucket``
        (:func:`list_under_prefixes`), so that reading a key that is not there is a 404, not a 403.
        """
        grantee.grant(
            id_,
            (
                Statement(
                    sid="ReadTriggeredObjects",
                    actions=("s3:GetObject",),
                    resources=tuple(f"{self.arn}/{pattern}" for pattern in read_key_patterns),
                ),
                list_under_prefixes(self.arn, list_prefixes),
                Statement(sid="WriteResults", actions=("s3:PutObject",), resources=(f"{self.arn}/{write_prefix}*",)),
                *self.kms_statements(),
            ),
        )

    def kms_statements(self) -> tuple[Statement, ...]:
        """The data key a role needs to read or write objects here (none with SSE-S3)."""
        if not self.kms_key_arn:
            return ()
        return (kms_data_keys_via(self.kms_key_arn, sid="UseDataBucketKey", service_endpoint=self._s3_endpoint),)
