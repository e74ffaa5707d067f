"""Terraform JSON → HCL, expression by expression (no terraform needed)."""

from __future__ import annotations

import pytest

from fargate_batch.hcl_export import ExportError, body, expression, to_hcl

SCHEMA_BLOCK = {"attributes": {"name": {}, "tags": {}}, "block_types": {"rule": {"block": {"attributes": {}}}}}


@pytest.mark.parametrize(
    "value, hcl",
    [
        ("plain", '"plain"'),
        ('say "hi" \\ now\t', '"say \\"hi\\" \\\\ now\\t"'),
        ("${aws_s3_bucket.b.arn}", "aws_s3_bucket.b.arn"),
        ("${element(data.z.names, 0)}", "element(data.z.names, 0)"),
        ("arn:${data.p.partition}:s3:::x", '"arn:${data.p.partition}:s3:::x"'),
        ("$${literal}", '"$${literal}"'),
        ('${jsonencode({"a" = 1})}', '"${jsonencode({\\"a\\" = 1})}"'),
        (True, "true"),
        (None, "null"),
        (1.5, "1.5"),
        ([], "[]"),
    ],
)
def test_expressions_mean_what_the_json_meant(value, hcl):
    assert expression(value) == hcl


def test_multi_line_strings_become_heredocs_with_the_exact_text():
    assert expression('{\n  "a": "\\"q\\""\n}') == 'chomp(<<EOT\n{\n  "a": "\\"q\\""\n}\nEOT\n)'
    assert expression("one\n") == "<<EOT\none\nEOT\n"


def test_maps_quote_keys_that_are_not_identifiers():
    assert expression({"Name": "x", "kubernetes.io/role": "y"}) == '{\n  Name = "x"\n  "kubernetes.io/role" = "y"\n}'


def test_schema_block_types_become_nested_blocks_and_the_rest_attributes():
    lines = body({"name": "n", "rule": [{"a": 1}, {"a": 2}], "tags": {"k": "v"}}, SCHEMA_BLOCK, 1)
    assert lines == [
        '  name = "n"',
        "  rule {",
        "    a = 1",
        "  }",
        "  rule {",
        "    a = 2",
        "  }",
        '  tags = {\n    k = "v"\n  }',
    ]


def test_checkov_skips_become_comments_checkov_reads_and_metadata_names_the_construct():
    lines = body(
        {"//": {"checkov": ["checkov:skip=CKV_AWS_18:why not"], "metadata": {"path": "s/b"}}, "name": "n"},
        SCHEMA_BLOCK,
        1,
    )
    assert lines[:2] == ["  # CDKTF construct: s/b", "  # checkov:skip=CKV_AWS_18:why not"]


def test_depends_on_holds_references_not_strings():
    assert body({"depends_on": ["aws_iam_role_policy.p"]}, SCHEMA_BLOCK, 1) == [
        "  depends_on = [aws_iam_role_policy.p]"
    ]


def test_cloud_backend_workspaces_is_a_block():
    stack = {"terraform": {"cloud": {"organization": "acme", "workspaces": {"name": "batch-dev"}}}}
    hcl = to_hcl(stack, {"provider_schemas": {"registry.terraform.io/hashicorp/aws": {}}})
    assert 'cloud {\n    organization = "acme"\n    workspaces {\n      name = "batch-dev"\n    }\n  }' in hcl


def test_unknown_top_level_sections_are_refused():
    with pytest.raises(ExportError, match="top-level 'module' is not exported"):
        to_hcl({"module": {}}, {"provider_schemas": {"registry.terraform.io/hashicorp/aws": {}}})
