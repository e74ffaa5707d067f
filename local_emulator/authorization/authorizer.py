"""Who is calling, and may they: sessions of deployed roles, service role assumption, and call checks.

Requests signed with the keys of a session the emulator issued for a deployed role (Step Functions
running a state machine, Scheduler or EventBridge invoking a target, ECS giving a task its role) are
evaluated against the policies deployed in the emulator; every decision is logged. Other requests
come from the operator (terraform, the AWS CLI, tests) with the account's own credentials, which AWS
would allow as an administrator's; they are not judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from moto.core import DEFAULT_ACCOUNT_ID

from local_emulator.authorization import deployed_policies
from local_emulator.authorization.decision_log import decision_log
from local_emulator.authorization.policy_evaluation import Decision, PolicyKind, Principal, Request, evaluate
from local_emulator.authorization.run_time_calls import Check


@dataclass(frozen=True)
class Session:
    """An assumed-role session: its caller identity and the role behind it."""

    principal: Principal
    role: deployed_policies.DeployedRole | None
    access_key_id: str
    secret_access_key: str
    session_token: str

    def credentials(self) -> dict:
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
        }


class AssumeRoleDenied(Exception):
    def __init__(self, decision: Decision, message: str) -> None:
        super().__init__(message)
        self.decision = decision


def _sts(account: str):
    from moto.sts.models import sts_backends

    return sts_backends[account]["aws"]


def _session_of(assumed, account: str) -> Session:
    role = deployed_policies.role(assumed.role_arn)
    principal = Principal(arn=assumed.arn, account=account, role_arn=role.arn if role else assumed.role_arn)
    return Session(principal, role, assumed.access_key_id, assumed.secret_access_key, assumed.session_token)


def session_for_access_key(access_key_id: str | None) -> Session | None:
    """The deployed-role session these keys belong to, or None for the operator's own credentials."""
    if not access_key_id:
        return None
    from moto.sts.models import sts_backends

    for account in list(sts_backends.keys()) or [DEFAULT_ACCOUNT_ID]:
        assumed = _sts(account).get_assumed_role_from_access_key(access_key_id)
        if assumed is not None:
            return _session_of(assumed, account)
    return None


def base_context(principal: Principal, region: str) -> dict:
    """Global condition keys AWS sets on every request.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    ``aws:SecureTransport`` is true: AWS endpoints are HTTPS, and the emulator standing in for them
    listens on loopback only.
    """
    now = dt.datetime.now(dt.UTC)
    context = {
        "aws:SecureTransport": True,
        "aws:RequestedRegion": region,
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
    }
    if principal.service:
        context["aws:PrincipalServiceName"] = principal.service
        context["aws:PrincipalIsAWSService"] = True
    else:
        context.update(
            {
                "aws:PrincipalArn": principal.role_arn or principal.arn,
                "aws:PrincipalAccount": principal.account or DEFAULT_ACCOUNT_ID,
                "aws:PrincipalType": "AssumedRole",
                "aws:PrincipalIsAWSService": False,
            }
        )
    return context


def authorize(principal: Principal, identity_policies, checks: list[Check], region: str) -> Decision | None:
    """Evaluate every check of one call; log each decision; return the first denial (AWS stops there)."""
    for check in checks:
        context = {**base_context(principal, region), **check.context}
        decision = evaluate(
            Request(principal=principal, action=check.action, resource=check.resource, context=context),
            identity_policies=identity_policies,
            resource_policy=check.resource_policy,
            kind=check.kind,
        )
        decision_log.record(decision)
        if not decision.allowed:
            return decision
    return None


def assume_role_as_service(
    service: str,
    role_arn: str,
    *,
    source_arn: str | None,
    source_account: str | None,
    session_name: str,
    region: str,
) -> Session:
    """A service principal assumes a deployed role, with the confused-deputy context that service sets.

    Only the role's trust policy decides. https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    A ``source_arn``/``source_account`` of None is a key the service does not send: a trust condition on it
    does not match, as in AWS. Raises :class:`AssumeRoleDenied` in AWS's words when the trust policy does not
    allow it.
    """
    principal = Principal(arn=service, service=service)
    role = deployed_policies.role(role_arn)
    sent = {"aws:SourceArn": source_arn, "aws:SourceAccount": source_account}
    context = {**base_context(principal, region), **{k: v for k, v in sent.items() if v is not None}}
    request = Request(principal=principal, action="sts:AssumeRole", resource=role_arn, context=context)
    if role is None:
        decision = Decision(False, "because the role does not exist", request)
    else:
        decision = evaluate(request, resource_policy=role.trust_policy, kind=PolicyKind.TRUST)
    logged = decision_log.record(decision)
    if not decision.allowed:
        raise AssumeRoleDenied(decision, logged.message)
    assumed = _sts(role.account).assume_role(
        region_name=region,
        role_session_name=session_name[:64],
        role_arn=role.arn,
        policy="",
        duration=3600,
        external_id="",
    )
    return _session_of(assumed, role.account)


def authorize_service(service: str, checks: list[Check], *, source_arn: str, source_account: str, region: str):
    """A service principal acting on its own (EventBridge delivering to a rule's dead-letter queue):
    only resource-based policies can allow it."""
    principal = Principal(arn=service, service=service)
    scoped = [
        Check(
            c.action,
            c.resource,
            {"aws:SourceArn": source_arn, "aws:SourceAccount": source_account, **c.context},
            c.resource_policy,
            PolicyKind.TRUST if c.kind is PolicyKind.DEFAULT else c.kind,
        )
        for c in checks
    ]
    return authorize(principal, (), scoped, region)
