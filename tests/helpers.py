"""Find synthesized resources by type and attributes, never by hashed construct id."""

from __future__ import annotations

import json
import re


def resources(synthesized: dict, resource_type: str) -> list[dict]:
    return list(synthesized.get("resource", {}).get(resource_type, {}).values())


def data_sources(synthesized: dict, data_type: str) -> dict[str, dict]:
    return synthesized.get("data", {}).get(data_type, {})


def find(synthesized: dict, resource_type: str, **attributes) -> dict:
    matches = [r for r in resources(synthesized, resource_type) if all(r.get(k) == v for k, v in attributes.items())]
    assert len(matches) == 1, f"expected one {resource_type} with {attributes}, found {len(matches)}"
    return matches[0]


def reference(synthesized: dict, resource_type: str, attribute: str, **attributes) -> str:
    """The Terraform reference (``${type.id.attr}``) of the one resource matching ``attributes``."""
    table = synthesized["resource"][resource_type]
    ids = [k for k, r in table.items() if all(r.get(a) == v for a, v in attributes.items())]
    assert len(ids) == 1, f"expected one {resource_type} with {attributes}, found {ids}"
    return "${" + f"{resource_type}.{ids[0]}.{attribute}" + "}"


def definition(synthesized: dict, name: str) -> dict:
    return json.loads(find(synthesized, "aws_sfn_state_machine", name=name)["definition"])


def policy_statements(synthesized: dict, policy_reference: str) -> list[dict]:
    """Statements of the ``aws_iam_policy_document`` behind ``${data.aws_iam_policy_document.X.json}``."""
    doc_id = policy_reference.removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    return data_sources(synthesized, "aws_iam_policy_document")[doc_id]["statement"]


def role_policy_statements(synthesized: dict, role_name: str) -> list[dict]:
    """All statements of the inline policies attached to the role called ``role_name``."""
    role_ref = reference(synthesized, "aws_iam_role", "id", name=role_name)
    statements: list[dict] = []
    for policy in resources(synthesized, "aws_iam_role_policy"):
        if policy["role"] == role_ref:
            statements.extend(policy_statements(synthesized, policy["policy"]))
    return statements


def trust_statements(synthesized: dict, role_name: str) -> list[dict]:
    return policy_statements(synthesized, find(synthesized, "aws_iam_role", name=role_name)["assume_role_policy"])


def iam_policy_text(statements: list[dict]) -> str:
    """A policy as IAM stores it (what ``aws_iam_policy_document`` renders), without whitespace."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": statement["sid"],
                "Effect": statement["effect"],
                "Action": statement["actions"],
                "Resource": statement["resources"],
                **(
                    {"Condition": {c["test"]: {c["variable"]: c["values"]} for c in statement["condition"]}}
                    if statement.get("condition")
                    else {}
                ),
            }
            for statement in statements
        ],
    }
    return json.dumps(document, separators=(",", ":"))


def role_policy_characters(synthesized: dict, role_name: str, resolved: tuple[tuple[re.Pattern, str], ...]) -> int:
    """What IAM counts against the role's 10,240 (the aggregate of its inline policies, whitespace aside), with
    each Terraform reference replaced by the value ``resolved`` gives its pattern (e.g. its longest value)."""
    role_ref = reference(synthesized, "aws_iam_role", "id", name=role_name)
    total = 0
    for policy in resources(synthesized, "aws_iam_role_policy"):
        if policy["role"] == role_ref:
            text = iam_policy_text(policy_statements(synthesized, policy["policy"]))
            for pattern, value in resolved:
                text = pattern.sub(value, text)
            assert "${" not in text, f"a reference without a resolved value: {text}"
            total += len(text)
    return total
