"""checkov skips written next to the resource they concern, with the reason, in the synthesized JSON.

Terraform JSON has no comments, but Terraform ignores any property named ``//`` in a block body
(https://developer.hashicorp.com/terraform/language/syntax/json#comment-properties) and CDKTF already
keeps its construct metadata there. A skip is stored as the same text an HCL comment would carry::

    "//": {"checkov": ["checkov:skip=CKV_AWS_144:<why this check does not fit>"], "metadata": {...}}

so the reason stays with the resource, shows in review diffs of ``cdk.tf.json`` and becomes a real
``# checkov:skip=`` comment in the HCL export.

checkov itself cannot read it there: in checkov 3.3.30 the ``terraform_json`` runner passes an empty
skip list to every check (``checkov/terraform_json/runner.py``: ``registry.scan(..., [], ...)``) and graph
checks get none, and a plan JSON has nowhere to put one. ``fargate_batch.security_scan`` therefore
turns these entries into a checkov baseline (resource + check id) for both frameworks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SKIP_PREFIX = "checkov:skip="
OVERRIDE_PATH = "//.checkov"
_CHECK_ID = re.compile(r"CKV2?_[A-Z0-9]+_\d+")
_MIN_REASON_WORDS = 5


@dataclass(frozen=True)
class CheckovSkip:
    """One check that does not fit one resource, and why (a sentence a reviewer can judge)."""

    check_id: str
    reason: str

    def __post_init__(self) -> None:
        if not _CHECK_ID.fullmatch(self.check_id):
            raise ValueError(f"checkov skip: {self.check_id!r} is not a check id such as CKV_AWS_18 or CKV2_AWS_11")
        if "\n" in self.reason or len(self.reason.split()) < _MIN_REASON_WORDS:
            raise ValueError(
                f"checkov skip {self.check_id}: reason {self.reason!r} must be one line of at least "
                f"{_MIN_REASON_WORDS} words saying why the check does not fit this resource"
            )

    @property
    def comment(self) -> str:
        return f"{SKIP_PREFIX}{self.check_id}:{self.reason}"

    @classmethod
    def parse(cls, comment: str) -> CheckovSkip:
        if not comment.startswith(SKIP_PREFIX) or ":" not in comment[len(SKIP_PREFIX) :]:
            raise ValueError(f"{comment!r} is not 'checkov:skip=CKV_ID:reason'")
        check_id, reason = comment[len(SKIP_PREFIX) :].split(":", 1)
        return cls(check_id, reason)


def skip_checks(element, *skips: CheckovSkip) -> None:
    """Record ``skips`` on a CDKTF resource or data source (call again to add more)."""
    from fargate_batch.tf import TerraformDataSource, TerraformStack

    recorded = (*getattr(element, "_checkov_skips", ()), *skips)
    ids = [s.check_id for s in recorded]
    if len(set(ids)) != len(ids):
        raise ValueError(f"checkov skip: {ids} names a check twice on {element.node.path}")
    element._checkov_skips = recorded
    comments = [s.comment for s in recorded]
    if isinstance(element, TerraformDataSource):
        # cdktf 0.21 writes a data source's "//" after its own overrides, replacing them; the
        # stack's overrides are merged last, so the comment goes in through the stack.
        address = f"data.{element.terraform_resource_type}.{element.friendly_unique_id}"
        TerraformStack.of(element).add_override(f"{address}.{OVERRIDE_PATH}", comments)
    else:
        element.add_override(OVERRIDE_PATH, comments)


@dataclass(frozen=True)
class RecordedSkip:
    """A skip found in a synthesized stack: where it sits and what it says."""

    block: str  # "resource" or "data"
    type: str
    name: str
    skip: CheckovSkip

    @property
    def address(self) -> str:
        """The Terraform address, as ``terraform plan`` and checkov's graph checks name it."""
        prefix = "data." if self.block == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


def recorded_skips(synthesized: dict) -> list[RecordedSkip]:
    """Every skip in a synthesized ``cdk.tf.json``, in file order."""
    found: list[RecordedSkip] = []
    for block in ("resource", "data"):
        for type_, instances in synthesized.get(block, {}).items():
            for name, body in instances.items():
                comments = body.get("//", {}).get("checkov", []) if isinstance(body.get("//"), dict) else []
                found.extend(RecordedSkip(block, type_, name, CheckovSkip.parse(c)) for c in comments)
    return found
