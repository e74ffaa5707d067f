"""The limits table against its sources: botocore's region list and the forms AWS documents."""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest

from fargate_batch.config import limits


def test_regions_by_partition_are_botocores():
    # botocore's endpoints.json is generated from AWS's own endpoint metadata; a boto3 upgrade that
    # adds a region fails here until the table has it.
    endpoints = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    botocore_regions = {p["partition"]: tuple(sorted(p["regions"])) for p in endpoints["partitions"]}
    assert {p: tuple(sorted(r)) for p, r in limits.REGIONS_BY_PARTITION.items()} == botocore_regions


@pytest.mark.parametrize(
    "value",
    [
        # The four forms in https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/ExampleAlias",
        "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias",
        # Multi-Region keys: https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
        "mrk-1234abcd12ab34cd56ef1234567890ab",
    ],
)
def test_every_documented_kms_key_form_is_accepted(value):
    assert limits.kms_key_problems(value, "us-east-2") == []


@pytest.mark.parametrize(
    "kind, name",
    [
        ("s3_bucket", "my.data-bucket.1"),
        ("iam_role", "a+b=c,d.e@f_g-h"),
        ("log_group", "/aws/vendedlogs/states/x"),
        ("security_group", "batch tasks (private)"),
        ("kms_alias", "alias/batch"),
    ],
)
def test_names_aws_accepts_pass(kind, name):
    assert limits.name_problems(kind, name) == []


@pytest.mark.parametrize(
    "kind, name, problem",
    [
        ("s3_bucket", "xn--data", "starts with 'xn--'"),
        ("s3_bucket", "data--x-s3", "ends with '--x-s3'"),
        ("s3_bucket", "d" * 64, "has 64 characters"),
        ("scheduler_group", "default", "is reserved"),
        ("security_group", "sg-batch", "starts with 'sg-'"),
        ("ecr_repository", "a", "has 1 characters"),
        ("iam_role", "r" * 65, "has 65 characters"),
        ("event_rule", "e" * 65, "has 65 characters"),
        ("kms_alias", "alias/aws/s3", "starts with 'alias/aws/'"),
    ],
)
def test_names_aws_refuses_are_named(kind, name, problem):
    assert any(problem in message for message in limits.name_problems(kind, name))


@pytest.mark.parametrize("character", list("ÄaZ9 _.:/=+-@") + ["日", "\u3000"])
def test_tag_characters_aws_takes(character):
    assert not limits.tag_character_refused(character)


@pytest.mark.parametrize("character", list("#!*,'\"\n\t;") + ["😀"])
def test_tag_characters_aws_refuses(character):
    assert limits.tag_character_refused(character)
