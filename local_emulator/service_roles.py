"""Roles assumed the way AWS services assume them, for the parts of the emulation that run outside it.

Scheduler, EventBridge and ECS assume roles internally; AWS has no public API for a service principal.
The emulator offers one (``POST /moto-api/local-emulator/assume-role-as-service``) that evaluates the
role's trust policy with the context the service sets and hands back a session, whose keys then sign
every call the scheduler clock or a local task makes, so each is judged as AWS would judge it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

ASSUME_PATH = "/moto-api/local-emulator/assume-role-as-service"
DECISIONS_PATH = "/moto-api/local-emulator/authorization"


class RoleAssumptionRefused(Exception):
    """The role's trust policy does not let this service assume it (AWS's words in the message)."""


def assume_role_as_service(
    endpoint: str,
    *,
    service: str,
    role_arn: str,
    source_arn: str | None,
    source_account: str | None,
    region: str,
    session_name: str | None = None,
) -> dict[str, str]:
    """Credentials (``AccessKeyId``, ``SecretAccessKey``, ``SessionToken``) of a session of ``role_arn``.

    ``source_arn``/``source_account``: the confused-deputy keys the service sends; None when it sends none.
    """
    body = json.dumps(
        {
            "service": service,
            "role_arn": role_arn,
            "source_arn": source_arn,
            "source_account": source_account,
            "region": region,
            "session_name": session_name,
        }
    ).encode()
    request = urllib.request.Request(endpoint.rstrip("/") + ASSUME_PATH, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        if error.code == 403:
            raise RoleAssumptionRefused(json.loads(error.read())["denied"]) from None
        raise


def as_environment(credentials: dict[str, str]) -> dict[str, str]:
    """The variables an SDK reads, as the ECS agent hands a task its role."""
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


def as_client_arguments(credentials: dict[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def authorization_summary(endpoint: str) -> dict:
    """``{"decisions": N, "denied": [{"principal", "action", "resource", "reason", "message"}]}``."""
    with urllib.request.urlopen(endpoint.rstrip("/") + DECISIONS_PATH, timeout=10) as response:
        return json.loads(response.read())
