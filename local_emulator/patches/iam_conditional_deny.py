"""A Deny statement whose condition does not hold; ``aws:SecureTransport`` of emulator requests.

moto 5.2 evaluates a statement's Condition and returns DENIED when it does not hold, whatever the
Effect: the standard TLS-only bucket policy (Deny s3:* when ``aws:SecureTransport`` is false) then
denies every request, even ones that satisfy it. In AWS a statement whose condition is false does
not apply at all. This makes such a Deny neutral, as in AWS; Allow statements are unchanged. S3
bucket policies are evaluated with ``aws:SecureTransport = true``: AWS's S3 endpoints are HTTPS,
and the emulator that stands in for them listens on loopback only, so no request crosses a network.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations


def deny_conditions_hold(conditions: dict, incoming: dict) -> bool:
    """Whether every ``Bool`` condition of a statement holds (moto ignores ``Bool`` altogether).

    A key the request does not carry makes a ``Bool`` condition false, as in AWS.
    """
    for key, expected in conditions.get("Bool", {}).items():
        expected_values = [str(v).lower() for v in (expected if isinstance(expected, list) else [expected])]
        if key not in incoming or str(incoming[key]).lower() not in expected_values:
            return False
    return True


def apply() -> None:
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    original = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        if self._statement.get("Effect") == "Deny" and not deny_conditions_hold(
            self._statement.get("Condition") or {}, incoming_condition_values or {}
        ):
            return PermissionResult.NEUTRAL
        return original(self, action, resource, principal, incoming_condition_values)

    IAMPolicyStatement.is_action_permitted = is_action_permitted

    from moto.iam.access_control import IAMPolicy
    from moto.s3.models import FakeBucket

    def get_permission(self, action: str, resource: str):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        return IAMPolicy(self.policy.decode()).is_action_permitted(
            action, resource, incoming_condition_values={"aws:SecureTransport": "true"}
        )

    FakeBucket.get_permission = get_permission
