"""The policies that were actually deployed, read from the emulator's own IAM, S3, SQS, SNS and KMS state.

Never from the Python that generated them: a decision must reflect what terraform applied.
Every reader runs inside the emulator process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from moto.core import DEFAULT_ACCOUNT_ID


def _document(value) -> dict | None:
    if value in (None, "", b""):
        return None
    if isinstance(value, bytes):
        value = value.decode()
    return json.loads(value) if isinstance(value, str) else value


def arn_account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else DEFAULT_ACCOUNT_ID


def _iam(account: str):
    from moto.iam.models import iam_backends

    return iam_backends[account]["global"]


@dataclass(frozen=True)
class DeployedRole:
    arn: str
    name: str
    account: str
    trust_policy: dict
    identity_policies: tuple[dict, ...]


def role(role_arn: str) -> DeployedRole | None:
    """A role with its trust policy and identity policies (inline and attached managed ones)."""
    from moto.iam.exceptions import NotFoundException

    account = arn_account(role_arn)
    try:
        found = _iam(account).get_role_by_arn(role_arn)
    except (NotFoundException, KeyError):
        found = None
    if found is None:
        name = role_arn.rsplit("/", 1)[-1]
        try:
            found = _iam(account).get_role(name)
        except NotFoundException:
            return None
    identity = [_document(doc) for doc in found.policies.values()]
    for managed in found.managed_policies.values():
        default = next(v for v in managed.versions if v.is_default)
        identity.append(_document(default.document))
    return DeployedRole(
        arn=found.arn,
        name=found.name,
        account=account,
        trust_policy=_document(found.assume_role_policy_document) or {},
        identity_policies=tuple(d for d in identity if d),
    )


def kms_key(key_id: str, region: str, account: str) -> tuple[str, dict] | None:
    """(key ARN, key policy) for any key id, ARN, alias or alias ARN."""
    from moto.kms.models import kms_backends

    backend = kms_backends[account][region]
    try:
        key = backend.describe_key(key_id)
    except Exception:  # an unknown key: the service call itself fails as in AWS
        return None
    return key.arn, _document(key.policy) or {}


def topic(topic_arn: str) -> tuple[dict | None, str | None]:
    """(topic policy, KMS key id) of an SNS topic."""
    from moto.sns.models import sns_backends

    parts = topic_arn.split(":")
    found = sns_backends[parts[4]][parts[3]].topics.get(topic_arn)
    if found is None:
        return None, None
    return _document(found.policy), found.kms_master_key_id or None


def queue(queue_url_or_name: str, region: str, account: str):
    """(queue ARN, queue policy, KMS key id) of an SQS queue given its URL or name."""
    from moto.sqs.models import sqs_backends

    name = queue_url_or_name.rstrip("/").rsplit("/", 1)[-1]
    found = sqs_backends[account][region].queues.get(name)
    if found is None:
        return None
    return found.queue_arn, _document(found.policy), getattr(found, "kms_master_key_id", None) or None


def bucket(bucket_name: str, partition: str = "aws"):
    """(bucket policy, default-encryption KMS key id) of an S3 bucket."""
    from moto.s3.models import s3_backends

    for account in list(s3_backends.keys()):
        found = s3_backends[account][partition].buckets.get(bucket_name)
        if found is not None:
            return _document(found.policy), _find_key(found.encryption)
    return None


def _find_key(encryption) -> str | None:
    """The KMSMasterKeyID of a bucket's default encryption rule, wherever the parsed XML put it."""
    if isinstance(encryption, dict):
        for name, value in encryption.items():
            if name == "KMSMasterKeyID" and isinstance(value, str):
                return value
            found = _find_key(value)
            if found:
                return found
    if isinstance(encryption, list):
        for item in encryption:
            found = _find_key(item)
            if found:
                return found
    return None
