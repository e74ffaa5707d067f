from __future__ import annotations

import json

from tests.helpers import find, reference


def test_repository_is_immutable_scanned_and_encrypted_with_the_environment_key(synthesized):
    repository = find(synthesized, "aws_ecr_repository", name="fargate-batch-dev")
    assert repository["image_tag_mutability"] == "IMMUTABLE"
    assert repository["image_scanning_configuration"] == {"scan_on_push": True}
    assert repository["encryption_configuration"] == [
        {"encryption_type": "KMS", "kms_key": reference(synthesized, "aws_kms_key", "arn")}
    ]


def test_lifecycle_policy_keeps_the_configured_number_of_images(synthesized, dev_config):
    repository_name = reference(synthesized, "aws_ecr_repository", "name", name="fargate-batch-dev")
    policy = find(synthesized, "aws_ecr_lifecycle_policy", repository=repository_name)
    (rule,) = json.loads(policy["policy"])["rules"]
    assert rule["selection"]["countType"] == "imageCountMoreThan"
    assert rule["selection"]["countNumber"] == dev_config.container.keep_images
    assert rule["action"] == {"type": "expire"}
