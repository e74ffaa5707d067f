"""The pull-request comment: the report (plus Terraform Cloud's speculative plans) cut to fit GitHub's limit.

GitHub refuses a comment over 65,536 characters. Cutting the text at that offset can land inside a Mermaid
fence or a ``<details>`` block and break everything after it (tfcmt keeps the head and tail of one code
block; dflook cuts at a line and closes its single fence). This report has many parts, so it is cut at
**block** boundaries instead: a block is what lies between blank lines outside any fence or ``<details>``
(a table, a chart, one resource's collapsed diff, a paragraph). Headings, the plan line and the
warning/caution alerts are kept; the largest other blocks are left out first, each replaced by a line
saying what it was, and a note at the end lists them. The whole report stays in the job summary and the
artifact.

Standard library only: the workflow's comment job runs it with a bare Python, without the project's
dependencies. ``python -m fargate_batch.plan_report.comment REPORT [--terraform-cloud DIR] [--limit N]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

GITHUB_COMMENT_LIMIT = 65_536  # characters in an issue or pull-request comment body
# Room for what the workflow's script adds and for counting differences (GitHub counts characters,
# JavaScript's String.length counts UTF-16 units; this module counts UTF-16 units, the larger).
DEFAULT_LIMIT = 65_000
STEP_SUMMARY_LIMIT = 1_000_000  # a job summary step is refused above 1 MiB
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ESSENTIAL = ("#", "<!--", "**Plan:", "**No changes", "> [!WARNING]", "> [!CAUTION]", "Target:", "Base:", "No base")


def length(text: str) -> int:
    """Characters as GitHub's API and JavaScript count them: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Block:
    text: str
    context: str  # the heading it sits under, for saying what was left out

    @property
    def essential(self) -> bool:
        return self.text.startswith(_ESSENTIAL)

    def describe(self) -> str:
        summary = re.search(r"<summary>(.*?)</summary>", self.text, re.S)
        if self.text.startswith("<details") and summary:
            what = re.sub(r"<[^>]+>", "", summary.group(1)).strip()
        elif _FENCE.match(self.text):
            language = _FENCE.sub("", self.text.splitlines()[0]).strip()
            what = f"{language or 'code'} block"
        elif self.text.startswith("|"):
            what = "table"
        else:
            what = "text"
        return f"{self.context} › {what}" if self.context else what


def split_blocks(markdown: str) -> list[Block]:
    """Top-level blocks: separated by blank lines that are outside every fence and ``<details>``."""
    blocks: list[Block] = []
    current: list[str] = []
    fence: str | None = None
    depth = 0
    context = ""

    def flush() -> None:
        if current:
            blocks.append(Block("\n".join(current), context))
            current.clear()

    for line in markdown.splitlines():
        if fence is None and depth == 0 and not line.strip():
            flush()
            continue
        current.append(line)
        opening = _FENCE.match(line)
        if fence is not None:
            closing = opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence)
            if closing and not line.strip().strip(fence[0]):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        stripped = line.strip()
        depth += stripped.count("<details") - stripped.count("</details>")
        depth = max(depth, 0)
        if depth == 0 and fence is None and line.startswith("#"):
            context = line.lstrip("#").strip()
    flush()
    return blocks


def _placeholder(block: Block) -> str:
    return f"_Left out here: {block.describe()} ({length(block.text):,} characters)._"


WHOLE_REPORT = "the job summary and the `plan-report` artifact"


def fit(markdown: str, limit: int = DEFAULT_LIMIT, where: str = WHOLE_REPORT) -> str:
    """``markdown`` unchanged if it fits in ``limit``; else without its largest blocks, each named in place."""
    if length(markdown) <= limit:
        return markdown
    blocks = split_blocks(markdown)
    # Leave out the largest non-essential blocks first; essential ones (headings, the plan line, the
    # warning) only if nothing else is left, largest first too.
    order = sorted(range(len(blocks)), key=lambda i: (blocks[i].essential, -length(blocks[i].text)))
    dropped: set[int] = set()

    def assemble() -> str:
        parts = [(_placeholder(b) if i in dropped else b.text) for i, b in enumerate(blocks)]
        names = [blocks[i].describe() for i in sorted(dropped)]
        note = [
            "> [!NOTE]",
            f"> This report leaves out {len(names)} part(s) to fit in {limit:,} characters (GitHub refuses a comment "
            f"over {GITHUB_COMMENT_LIMIT:,}); the whole report is in {where}.",
        ]
        return "\n\n".join(parts + ["\n".join(note)]) + "\n"

    for index in order:
        if length(assemble()) <= limit:
            break
        if length(_placeholder(blocks[index])) < length(blocks[index].text):
            dropped.add(index)
    text = assemble()
    if length(text) > limit:  # only placeholders and headings left, and still too long
        text = text[: max(0, limit - 200)].rsplit("\n", 1)[0] + f"\n\n_Cut at {limit:,} characters; see {where}._\n"
    return text


def render_cloud_section(results: list[dict]) -> list[str]:
    """Terraform Cloud's speculative plan of each workspace, from the workflow's per-stack result files."""
    if not results:
        return []
    rows = []
    for result in sorted(results, key=lambda r: r.get("stack", "")):
        counts = (result.get("add"), result.get("change"), result.get("destroy"))
        plan = (
            f"Plan: {counts[0]} to add, {counts[1]} to change, {counts[2]} to destroy."
            if all(str(c).isdigit() for c in counts)
            else "no plan"
        )
        link = result.get("run_link") or ""
        rows.append(
            f"| `{result.get('stack', '?')}` | `{result.get('workspace', '?')}` | {result.get('run_status') or '?'} | "
            f"{plan} | {f'[run]({link})' if link else '–'} |"
        )
    failed = [r for r in results if r.get("run_status") not in ("planned_and_finished", "planned")]
    out = [
        "## Terraform Cloud speculative plan",
        "",
        "| stack | workspace | run status | plan | run |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
    if failed:
        out += [
            "> [!CAUTION]",
            f"> {len(failed)} speculative run(s) did not finish planning; open the run for Terraform Cloud's error.",
            "",
        ]
    return out


def with_cloud_section(report: str, results: list[dict]) -> str:
    """The report with the Terraform Cloud section before the first stack."""
    section = render_cloud_section(results)
    if not section:
        return report
    marker = "\n## Stack "
    at = report.find(marker)
    if at == -1:
        return report.rstrip("\n") + "\n\n" + "\n".join(section)
    return report[: at + 1] + "\n".join(section) + "\n" + report[at + 1 :]


def read_cloud_results(directory: Path) -> list[dict]:
    results = []
    for path in sorted(directory.rglob("*.json")):
        try:
            value = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise SystemExit(f"plan-report comment: {path} is not a Terraform Cloud result file: {error}") from None
        if isinstance(value, dict):
            results.append(value)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fargate_batch.plan_report.comment", description=__doc__.split("\n")[0]
    )
    parser.add_argument("report", type=Path)
    parser.add_argument("--terraform-cloud", type=Path, help="directory of speculative-run result files (*.json)")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="characters (UTF-16 units)")
    parser.add_argument("--output", type=Path, help="default: standard output")
    parser.add_argument("--where", default=WHOLE_REPORT, help="where the whole report is, for the note")
    args = parser.parse_args(argv)
    try:
        report = args.report.read_text(encoding="utf-8")
    except OSError as error:
        print(f"plan-report comment: cannot read {args.report}: {error.strerror}", file=sys.stderr)
        return 2
    if args.terraform_cloud is not None and args.terraform_cloud.is_dir():
        report = with_cloud_section(report, read_cloud_results(args.terraform_cloud))
    text = fit(report, args.limit, args.where)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
