"""The pull-request comment fits GitHub's 65,536-character limit, cut only between blocks, saying what is missing."""

from __future__ import annotations

import json
import re

import pytest

from fargate_batch.plan_report.comment import (
    GITHUB_COMMENT_LIMIT,
    fit,
    length,
    main,
    split_blocks,
    with_cloud_section,
)


def huge_report(diffs: int = 40, lines_per_diff: int = 400) -> str:
    parts = [
        "<!-- fargate-batch:plan-report -->",
        "# Plan review",
        "",
        "## Stack `s`",
        "",
        "**Plan: 0 to add, 40 to change, 1 to destroy.**",
        "",
        "> [!WARNING]",
        "> This plan destroys or replaces 1 resource(s):",
        "> - **delete** `aws_sqs_queue.q`",
        "",
        "### Attribute changes",
        "",
    ]
    for index in range(diffs):
        body = "\n".join(f"+  line {n} of resource {index}" for n in range(lines_per_diff))
        parts += [
            "<details>",
            f"<summary><code>~</code> update <code>aws_x.r{index}</code>: 1 attribute</summary>",
            "",
            "- `definition`:",
            "",
            "```diff",
            body,
            "",  # a blank line inside the fence must not end the block
            "```",
            "",
            "</details>",
            "",
        ]
    parts += ["### Workflows", "", "```mermaid", "flowchart LR", "  a --> b", "```", "", "### Security scan", "", "ok"]
    return "\n".join(parts) + "\n"


def balanced(text: str) -> bool:
    """Every fence closed and every <details> closed, as a renderer would see them."""
    fence = None
    depth = 0
    for line in text.splitlines():
        match = re.match(r"^(`{3,}|~{3,})", line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        depth += line.count("<details") - line.count("</details>")
    return fence is None and depth == 0


def test_a_report_that_fits_is_unchanged():
    report = huge_report(diffs=2, lines_per_diff=5)
    assert fit(report) == report


def test_blocks_split_on_blank_lines_outside_fences_and_details_only():
    blocks = split_blocks(huge_report(diffs=2, lines_per_diff=3))
    details = [b for b in blocks if b.text.startswith("<details>")]
    assert len(details) == 2
    assert all(b.text.endswith("</details>") for b in details)
    assert details[0].context == "Attribute changes"


def test_a_long_report_is_cut_between_blocks_and_names_what_it_left_out():
    report = huge_report()
    assert length(report) > GITHUB_COMMENT_LIMIT
    comment = fit(report)
    assert length(comment) <= 65_000
    assert balanced(comment)
    # The reviewer's essentials survive; the small sections after the big ones too.
    plan_line = "**Plan: 0 to add, 40 to change, 1 to destroy.**"
    essentials = (plan_line, "> [!WARNING]", "### Workflows", "### Security scan")
    assert all(kept in comment for kept in essentials)
    left_out = re.findall(r"_Left out here: Attribute changes › ~ update aws_x\.r(\d+): 1 attribute", comment)
    assert left_out
    kept_diffs = re.findall(r"<code>aws_x\.r(\d+)</code>", comment)
    assert set(left_out).isdisjoint(kept_diffs)
    assert len(left_out) + len(kept_diffs) == 40
    assert f"leaves out {len(left_out)} part(s)" in comment
    assert "the whole report is in the job summary and the `plan-report` artifact" in comment


@pytest.mark.terraform
@pytest.mark.emulator
def test_the_real_report_cut_small_stays_well_formed(local_plan, dev_config):
    from datetime import UTC, datetime

    from fargate_batch.plan_report.render import StackInput, render_report

    report = render_report(
        [StackInput("fargate-batch-dev", dev_config, local_plan.synthesized, local_plan.plan)],
        now=datetime(2026, 11, 22, tzinfo=UTC),
        target="t",
    )
    comment = fit(report, limit=4000)
    assert length(comment) <= 4000
    assert balanced(comment)
    assert "**Plan: " in comment
    assert "_Left out here:" in comment


def test_terraform_cloud_results_go_before_the_first_stack():
    report = huge_report(diffs=1, lines_per_diff=1)
    results = [
        {
            "stack": "s",
            "workspace": "batch-dev",
            "run_status": "planned_and_finished",
            "run_link": "https://app.terraform.io/app/acme/batch-dev/runs/run-1",
            "add": "0",
            "change": "2",
            "destroy": "1",
        }
    ]
    text = with_cloud_section(report, results)
    assert text.index("## Terraform Cloud speculative plan") < text.index("## Stack `s`")
    assert "| `s` | `batch-dev` | planned_and_finished | Plan: 0 to add, 2 to change, 1 to destroy. | [run](" in text
    assert "[!CAUTION]" not in text
    errored = with_cloud_section(report, [{**results[0], "run_status": "errored", "add": ""}])
    assert "no plan" in errored and "> [!CAUTION]" in errored


def test_command_line_writes_the_fitted_comment_with_the_cloud_section(tmp_path):
    (tmp_path / "plan-report.md").write_text(huge_report())
    cloud = tmp_path / "terraform-cloud"
    cloud.mkdir()
    (cloud / "s.json").write_text(json.dumps({"stack": "s", "workspace": "w", "run_status": "planned_and_finished"}))
    out = tmp_path / "comment.md"
    assert main([str(tmp_path / "plan-report.md"), "--terraform-cloud", str(cloud), "--output", str(out)]) == 0
    text = out.read_text()
    assert length(text) <= 65_000 and "## Terraform Cloud speculative plan" in text


def test_command_line_reports_a_missing_report_without_a_traceback(tmp_path, capsys):
    assert main([str(tmp_path / "absent.md")]) == 2
    assert "cannot read" in capsys.readouterr().err
