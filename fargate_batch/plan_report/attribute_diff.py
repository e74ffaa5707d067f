"""Attribute-level diff of a resource change from ``terraform show -json``, as Markdown for one ``<details>``.

A change in the plan JSON carries ``before``/``after`` values plus three masks with the same shape:
``after_unknown`` (true where the value is known only after apply), ``before_sensitive`` and
``after_sensitive`` (true where Terraform hides the value), and ``replace_paths`` (the attributes that
force a replacement). https://developer.hashicorp.com/terraform/internals/json-format#change-representation

Shown as Terraform's own plan shows them: a sensitive value is ``(sensitive value)`` whichever side it is
on, an unknown one ``(known after apply)``, and an attribute that forces replacement says so. A long or
multi-line string (a state machine definition, a policy, container definitions) is a unified diff; when it
holds JSON, of the JSON pretty-printed with sorted keys, so that a reordering the provider does is no diff.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from dataclasses import dataclass

SENSITIVE = "(sensitive value)"
UNKNOWN = "(known after apply)"
LONG_STRING = 80  # characters; a longer string reads better as a diff than inline
SYMBOLS = {"update": "~", "replace": "-/+", "delete": "-", "create": "+"}


class _Absent:
    """No value on this side (the attribute or block does not exist there)."""

    def __repr__(self) -> str:
        return "null"


ABSENT = _Absent()


@dataclass(frozen=True)
class Masked:
    """A value Terraform does not show: ``(sensitive value)`` or ``(known after apply)``."""

    text: str


@dataclass(frozen=True)
class AttributeChange:
    path: str  # tags.Name, ingress[0].cidr_blocks
    before: object  # a JSON value, ABSENT or Masked
    after: object
    forces_replacement: bool = False


def _child(mask: object, key: object) -> object:
    """The part of a mask (after_unknown, *_sensitive) under ``key``; True covers everything below it."""
    if mask is True:
        return True
    if isinstance(mask, dict) and isinstance(key, str):
        return mask.get(key, False)
    if isinstance(mask, list) and isinstance(key, int) and key < len(mask):
        return mask[key]
    return False


def _is_block_list(value: object) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) for item in value)


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _path_text(path: list) -> str:
    text = ""
    for key in path:
        text = _join(text, key)
    return text


def attribute_changes(change: dict) -> list[AttributeChange]:
    """Every attribute whose value differs between ``before`` and ``after``, in a stable order."""
    replace = {_path_text(p) for p in change.get("replace_paths") or []}
    found: list[AttributeChange] = []

    def walk(before, after, unknown, before_sensitive, after_sensitive, path: str) -> None:
        if unknown is True:
            after = Masked(UNKNOWN)
        hidden_before = before_sensitive is True and before is not ABSENT and before is not None
        hidden_after = after_sensitive is True and not isinstance(after, Masked) and after is not ABSENT
        if hidden_before or hidden_after or isinstance(after, Masked):
            if before != after:
                found.append(
                    AttributeChange(
                        path,
                        Masked(SENSITIVE) if hidden_before else before,
                        Masked(SENSITIVE) if hidden_after else after,
                        path in replace,
                    )
                )
            return
        both_dicts = all(isinstance(v, dict) or v in (None, ABSENT) for v in (before, after))
        if both_dicts and (isinstance(before, dict) or isinstance(after, dict)):
            before_map = before if isinstance(before, dict) else {}
            after_map = after if isinstance(after, dict) else {}
            unknown_map = unknown if isinstance(unknown, dict) else {}
            for key in sorted(set(before_map) | set(after_map) | set(unknown_map)):
                walk(
                    before_map.get(key, ABSENT),
                    after_map.get(key, ABSENT),
                    _child(unknown, key),
                    _child(before_sensitive, key),
                    _child(after_sensitive, key),
                    _join(path, key),
                )
            return
        if (_is_block_list(before) or _is_block_list(after)) and all(
            isinstance(v, list) or v in (None, ABSENT) for v in (before, after)
        ):
            before_list = before if isinstance(before, list) else []
            after_list = after if isinstance(after, list) else []
            unknown_list = unknown if isinstance(unknown, list) else []
            for index in range(max(len(before_list), len(after_list), len(unknown_list))):
                walk(
                    before_list[index] if index < len(before_list) else ABSENT,
                    after_list[index] if index < len(after_list) else ABSENT,
                    _child(unknown, index),
                    _child(before_sensitive, index),
                    _child(after_sensitive, index),
                    _join(path, index),
                )
            return
        if _normalize(before) != _normalize(after):
            found.append(AttributeChange(path, before, after, path in replace))

    walk(
        change.get("before", ABSENT),
        change.get("after", ABSENT),
        change.get("after_unknown", False),
        change.get("before_sensitive", False),
        change.get("after_sensitive", False),
        "",
    )
    return found


def _normalize(value: object) -> object:
    """A missing attribute, null and an empty map or list read the same: providers turn one into another on
    refresh (``tags: null`` → ``{}`` under ``default_tags``), which is no change anyone made."""
    return None if value is ABSENT or value == {} or value == [] else value


def _json_document(value: object) -> object | None:
    """The parsed JSON of a string that holds an object or an array, else None."""
    if not isinstance(value, str) or not value.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _is_long(value: object) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) > LONG_STRING or _json_document(value) is not None)


def _lines(value: object) -> list[str]:
    if value is ABSENT or value is None:
        return []
    document = _json_document(value)
    if document is not None:
        return json.dumps(document, indent=2, sort_keys=True).splitlines()
    return str(value).splitlines()


def _show(value: object) -> str:
    if isinstance(value, Masked):
        return value.text
    if value is ABSENT:
        return "null"
    return json.dumps(value, ensure_ascii=False)


def code(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds (CommonMark: a longer delimiter run)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str, language: str = "") -> list[str]:
    """A fenced code block that no line of ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence]


def render_changes(changes: list[AttributeChange]) -> list[str]:
    """Markdown lines: short values inline (old → new), long strings as a unified diff."""
    out: list[str] = []
    for change in changes:
        suffix = " **(forces replacement)**" if change.forces_replacement else ""
        masked = isinstance(change.before, Masked) or isinstance(change.after, Masked)
        if masked and (_is_long(change.before) or _is_long(change.after)):
            # One side hidden or unknown, the other a document: name the hidden side, show the document.
            known, side = (change.before, "before") if _is_long(change.before) else (change.after, "after")
            shown = f"{code(_show(change.before))} → …" if side == "after" else f"… → {code(_show(change.after))}"
            out += [f"- {code(change.path)}: {shown}{suffix}; {side}:", "", *fenced("\n".join(_lines(known))), ""]
        elif not masked and (_is_long(change.before) or _is_long(change.after)):
            diff = difflib.unified_diff(
                _lines(change.before), _lines(change.after), "before", "after", n=3, lineterm=""
            )
            out += [f"- {code(change.path)}{suffix}:", "", *fenced("\n".join(diff), "diff"), ""]
        else:
            out.append(f"- {code(change.path)}: {code(_show(change.before))} → {code(_show(change.after))}{suffix}")
    return out


def relevant_paths(plan: dict) -> dict[str, list[str]]:
    """``relevant_attributes``: per resource, the attributes that contributed to the plan (Terraform shows
    only drift in these). https://developer.hashicorp.com/terraform/internals/json-format#plan-representation"""
    found: dict[str, list[str]] = {}
    for entry in plan.get("relevant_attributes", []):
        found.setdefault(entry["resource"], []).append(_path_text(entry.get("attribute", [])))
    return found


def relevant_drift(plan: dict) -> list[tuple[dict, list[AttributeChange]]]:
    """Managed resources changed outside Terraform, with only the changed attributes that matter to the plan."""
    relevant = relevant_paths(plan)
    found = []
    for drift in plan.get("resource_drift", []):
        if drift.get("mode", "managed") != "managed" or drift["address"] not in relevant:
            continue
        paths = relevant[drift["address"]]
        changes = [
            c
            for c in attribute_changes(drift["change"])
            if any(p == "" or c.path == p or c.path.startswith((p + ".", p + "[")) for p in paths)
        ]
        if changes or drift["change"]["actions"] == ["delete"]:
            found.append((drift, changes))
    return found


def render_resource(change: dict, kind: str, changes: list[AttributeChange] | None = None) -> list[str]:
    """One collapsed ``<details>`` for a resource change (or drift) of the plan JSON."""
    changes = attribute_changes(change["change"]) if changes is None else changes
    symbol = SYMBOLS.get(kind, "~")
    count = f"{len(changes)} attribute{'s' if len(changes) != 1 else ''}"
    summary = f"<code>{symbol}</code> {kind} <code>{html.escape(change['address'])}</code>: {count}"
    if changes:
        body = render_changes(changes)
    elif kind == "delete":
        body = ["The object is gone."]
    else:
        body = ["No attribute differs (the change is in its dependencies)."]
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>", ""]
