"""What ``terraform plan`` will do, from ``terraform show -json``: counts as Terraform prints them, and every
destroy or replace by address. https://developer.hashicorp.com/terraform/internals/json-format#change-representation
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# Terraform's action lists, by what a reviewer needs to know.
_KINDS = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("no-op",): "no-op",
    ("read",): "read",
    ("forget",): "forget",
}


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    kind: str  # create, update, delete, replace, no-op, read, forget
    reason: str = ""  # Terraform's action_reason, e.g. replace_because_cannot_update


@dataclass(frozen=True)
class PlanSummary:
    changes: tuple[ResourceChange, ...]
    output_changes: tuple[tuple[str, str], ...]  # (output, kind)
    terraform_version: str = ""

    def _count(self, *kinds: str) -> int:
        return sum(1 for c in self.changes if c.kind in kinds)

    @property
    def to_add(self) -> int:
        return self._count("create", "replace")

    @property
    def to_change(self) -> int:
        return self._count("update")

    @property
    def to_destroy(self) -> int:
        return self._count("delete", "replace")

    @property
    def destructive(self) -> tuple[ResourceChange, ...]:
        """Every destroy and replace: what the warning block lists."""
        return tuple(c for c in self.changes if c.kind in ("delete", "replace"))

    def by_type(self) -> dict[str, Counter]:
        table: dict[str, Counter] = {}
        for change in self.changes:
            if change.kind not in ("no-op", "read"):
                table.setdefault(change.type, Counter())[change.kind] += 1
        return dict(sorted(table.items()))

    @property
    def line(self) -> str:
        """Terraform's own summary line."""
        if not any(c.kind not in ("no-op", "read") for c in self.changes):
            return "No changes. Your infrastructure matches the configuration."
        return f"Plan: {self.to_add} to add, {self.to_change} to change, {self.to_destroy} to destroy."


def resource_kind(actions: list[str]) -> str:
    """create, update, delete, replace, no-op, read or forget, from Terraform's action list."""
    try:
        return _KINDS[tuple(actions)]
    except KeyError:
        raise ValueError(f"unknown plan actions {list(actions)}") from None


def summarize_plan(plan: dict) -> PlanSummary:
    changes = []
    for change in plan.get("resource_changes", []):
        if change.get("mode", "managed") != "managed":
            continue
        actions = tuple(change["change"]["actions"])
        if actions not in _KINDS:
            raise ValueError(f"{change['address']}: unknown plan actions {list(actions)}")
        changes.append(
            ResourceChange(change["address"], change["type"], _KINDS[actions], change.get("action_reason", ""))
        )
    outputs = tuple(
        (name, _KINDS.get(tuple(c["actions"]), "/".join(c["actions"])))
        for name, c in sorted(plan.get("output_changes", {}).items())
    )
    return PlanSummary(tuple(changes), outputs, plan.get("terraform_version", ""))
