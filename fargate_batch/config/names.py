"""AWS names derived from the configuration: asked for by the constructs, the stack and the tools alike.

Pure and cheap to import (the tools that only need a name must not load the construct library).
Limits are checked at configuration load.
"""

from __future__ import annotations

import hashlib

from fargate_batch.config.schema import ProjectConfig

IAM_ROLE_NAME_LIMIT = 64


def stack_name(config: ProjectConfig) -> str:
    return f"fargate-batch-{config.environment}"


def resource_name(prefix: str, *parts: str) -> str:
    return "-".join((prefix, *parts))


def bounded_name(name: str, limit: int) -> str:
    """``name`` if it fits AWS's ``limit``, else a truncation made unique by a hash of the full name."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}-{digest}"
