"""Attribute diffs from plan-JSON changes: masks as Terraform applies them, long strings as unified diffs.

The change shapes follow Terraform's JSON output format (before/after, after_unknown, before_sensitive,
after_sensitive, replace_paths): https://developer.hashicorp.com/terraform/internals/json-format#change-representation
"""

from __future__ import annotations

import json
import re

from fargate_batch.plan_report.attribute_diff import (
    SENSITIVE,
    UNKNOWN,
    Masked,
    attribute_changes,
    code,
    fenced,
    render_changes,
    render_resource,
)


def change(before, after, **masks):
    return {"actions": ["update"], "before": before, "after": after, **masks}


def by_path(changes):
    return {c.path: c for c in changes}


def test_only_attributes_that_differ_are_listed_with_old_and_new_values():
    found = by_path(attribute_changes(change({"name": "a", "cpu": "256", "x": 1}, {"name": "a", "cpu": "512", "x": 1})))
    assert set(found) == {"cpu"}
    assert (found["cpu"].before, found["cpu"].after) == ("256", "512")


def test_nested_maps_and_blocks_are_named_by_path():
    before = {"tags": {"Env": "dev"}, "ingress": [{"port": 80}, {"port": 443}]}
    after = {"tags": {"Env": "prod"}, "ingress": [{"port": 80}, {"port": 8443}]}
    assert set(by_path(attribute_changes(change(before, after)))) == {"tags.Env", "ingress[1].port"}


def test_sensitive_values_are_masked_on_the_side_terraform_marks():
    found = attribute_changes(
        change(
            {"password": "old-secret", "user": "a"},
            {"password": "new-secret", "user": "b"},
            before_sensitive={"password": True},
            after_sensitive={"password": True},
        )
    )
    masked = by_path(found)["password"]
    assert (masked.before, masked.after) == (Masked(SENSITIVE), Masked(SENSITIVE))
    rendered = "\n".join(render_changes(found))
    assert "old-secret" not in rendered and "new-secret" not in rendered
    assert f"`{SENSITIVE}` → `{SENSITIVE}`" in rendered


def test_an_unchanged_sensitive_value_is_not_listed():
    same = change({"password": "s"}, {"password": "s"}, before_sensitive={"password": True}, after_sensitive=True)
    assert attribute_changes(same) == []


def test_unknown_after_apply_reads_known_after_apply():
    found = by_path(attribute_changes(change({"arn": "arn:old"}, {}, after_unknown={"arn": True})))
    assert found["arn"].after == Masked(UNKNOWN)
    assert f'`"arn:old"` → `{UNKNOWN}`' in "\n".join(render_changes(list(found.values())))


def test_attributes_that_force_replacement_say_so():
    found = attribute_changes(
        {"actions": ["delete", "create"], "before": {"name": "a"}, "after": {"name": "b"}, "replace_paths": [["name"]]}
    )
    assert found[0].forces_replacement
    assert "**(forces replacement)**" in render_changes(found)[0]


def test_json_strings_are_a_unified_diff_of_pretty_printed_json_with_sorted_keys():
    before = json.dumps({"StartAt": "a", "States": {"a": {"Type": "Task", "Parameters": {"commands": ["echo", "x"]}}}})
    # Same document with keys in another order and one command changed.
    after = json.dumps({"States": {"a": {"Parameters": {"commands": ["echo", "y"]}, "Type": "Task"}}, "StartAt": "a"})
    lines = render_changes(attribute_changes(change({"definition": before}, {"definition": after})))
    text = "\n".join(lines)
    assert lines[0] == "- `definition`:"
    assert "```diff" in text and "--- before" in text and "+++ after" in text
    diff = text[text.index("```diff") : text.rindex("```")].splitlines()[1:]
    changed = [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert [line.replace(" ", "") for line in changed] == ['-"x"', '+"y"']


def test_short_values_stay_inline():
    text = "\n".join(render_changes(attribute_changes(change({"count": 1}, {"count": 2}))))
    assert text == "- `count`: `1` → `2`"


def test_backticks_in_values_cannot_break_the_markdown():
    assert code("a`b") == "``a`b``"
    block = fenced("x\n```\ny", "diff")
    assert block[0] == "````diff" and block[-1] == "````"


def test_resource_is_one_collapsed_details_block_naming_kind_address_and_count():
    resource = {"address": "aws_sfn_state_machine.m", "change": change({"a": 1, "b": 2}, {"a": 3, "b": 4})}
    lines = render_resource(resource, "update")
    assert lines[0] == "<details>"
    assert lines[1] == "<summary><code>~</code> update <code>aws_sfn_state_machine.m</code>: 2 attributes</summary>"
    assert lines.count("</details>") == 1
    assert re.search(r"^- `a`: `1` → `3`$", "\n".join(lines), re.M)
