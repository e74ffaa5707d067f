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


def test_plan_checks_that_the_configured_tag_was_pushed(synthesized, dev_config):
    (check,) = synthesized["check"].values()
    ((name, lookup),) = check["data"]["aws_ecr_image"].items()
    assert lookup == {
        "repository_name": reference(synthesized, "aws_ecr_repository", "name", name="fargate-batch-dev"),
        "image_tag": dev_config.container.image_tag,
    }
    (assertion,) = check["assert"]
    assert assertion["condition"] == f"${{data.aws_ecr_image.{name}.image_digest != null}}"
    assert "`make push`" in assertion["error_message"]
    assert (
        f"Image tag {dev_config.container.image_tag} is not in ECR repository fargate-batch-dev"
        in (assertion["error_message"])
    )
    # The names are what Terraform shows when the lookup itself fails: they must say what to do.
    assert "make_push" in name


def test_no_image_lookup_outside_the_check_where_a_missing_tag_would_fail_the_plan(synthesized):
    assert "aws_ecr_image" not in synthesized.get("data", {})
