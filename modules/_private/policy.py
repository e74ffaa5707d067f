"""Render statements into an ``aws_iam_policy_document`` and attach them to a role."""

from __future__ import annotations

from collections.abc import Iterable

from fargate_batch.tf import Construct, DataAwsIamPolicyDocument, IamRole, IamRolePolicy
from modules._private.iam_statements import Statement


def attach_statements(scope: Construct, id_: str, role: IamRole, statements: Iterable[Statement]) -> IamRolePolicy:
    """One inline policy per role (non-exclusive; never ``aws_iam_policy_attachment``)."""
    document = DataAwsIamPolicyDocument(scope, f"{id_}-document", statement=[s.render() for s in statements])
    return IamRolePolicy(scope, id_, role=role.id, name=id_, policy=document.json)


def service_role(scope: Construct, id_: str, *, name: str, trust_statement: dict, description: str) -> IamRole:
    trust = DataAwsIamPolicyDocument(scope, f"{id_}-trust", statement=[trust_statement])
    return IamRole(scope, id_, name=name, assume_role_policy=trust.json, description=description)
