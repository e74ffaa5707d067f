"""Resource names derived from the configuration's name prefix (limits are checked at config load)."""

from __future__ import annotations

import hashlib

IAM_ROLE_NAME_LIMIT = 64


def resource_name(prefix: str, *parts: str) -> str:
    return "-".join((prefix, *parts))


def bounded_name(name: str, limit: int) -> str:
    """``name`` if it fits AWS's ``limit``, else a truncation made unique by a hash of the full name."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}-{digest}"
