"""checkov on a synthesized stack (``terraform_json``) and on its plan (``terraform_plan``), offline.

Skips live next to the resource they concern, with their reason, as ``"//": {"checkov": [...]}`` in
``cdk.tf.json`` (see :mod:`fargate_batch.checkov_skips`). checkov 3.3.30 reads no inline skip in
either framework, so this module applies them the way checkov's own baseline does, by resource and
check id, and can write that baseline for running checkov by hand::

    python -m fargate_batch.security_scan cdktf.out/stacks/fargate-batch-dev/cdk.tf.json [--plan plan.json]
    python -m fargate_batch.security_scan STACK/cdk.tf.json --write-baseline .checkov.baseline
    checkov -f STACK/cdk.tf.json --framework terraform_json --baseline .checkov.baseline --output-baseline-as-skipped

A baseline hides the reasons (checkov prints "baseline-skipped") and, as checkov implements it, also
drops passed checks from its summary; :func:`scan` runs checkov once without it and applies the same
(resource, check id) pairs itself, keeping both the reasons and the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fargate_batch.checkov_skips import RecordedSkip, recorded_skips

Framework = Literal["terraform_json", "terraform_plan"]
REPO_ROOT = Path(__file__).resolve().parent.parent
# No platform, no mapping download, no version check: the scan must work on an offline runner.
OFFLINE_ENVIRONMENT = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "LOG_LEVEL": "ERROR"}
TIMEOUT_SECONDS = 600


class ScanError(RuntimeError):
    pass


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    resource: str


@dataclass(frozen=True)
class SkippedFinding:
    check_id: str
    check_name: str
    resource: str
    reason: str


@dataclass(frozen=True)
class ScanResult:
    """One checkov run with the project's skips applied."""

    framework: Framework
    passed: int
    failed: tuple[Finding, ...]
    skipped: tuple[SkippedFinding, ...]
    unused_skips: tuple[RecordedSkip, ...] = field(default=())
    checkov_version: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed


def checkov_binary(environ: dict[str, str] | None = None) -> str:
    """``$CHECKOV_BIN`` (the Makefile exports it), else the project's ``.venv-checkov``."""
    environ = os.environ if environ is None else environ
    binary = environ.get("CHECKOV_BIN") or str(REPO_ROOT / ".venv-checkov" / "bin" / "checkov")
    if not Path(binary).exists():
        raise ScanError(
            f"checkov is not installed at {binary}: run `make install` (it gets its own venv, .venv-checkov, "
            "from requirements-checkov.txt) or set CHECKOV_BIN"
        )
    return binary


def resource_ids(skip: RecordedSkip, framework: Framework) -> tuple[str, ...]:
    """How checkov names the resource of ``skip`` in its results.

    terraform_plan uses the address. terraform_json (3.3.30) uses ``<block>.<name>`` for its Python
    checks (``resource.data-bucket_D46037D5``) and the address for graph checks.
    """
    if framework == "terraform_plan":
        return (skip.address,)
    return (f"{skip.block}.{skip.name}", skip.address)


def baseline(skips: Iterable[RecordedSkip], framework: Framework, scanned_file: str) -> dict:
    """A checkov ``--baseline`` document for these skips (checkov matches on resource and check id)."""
    by_resource: dict[str, set[str]] = defaultdict(set)
    for skip in skips:
        for resource in resource_ids(skip, framework):
            by_resource[resource].add(skip.skip.check_id)
    findings = [{"resource": r, "check_ids": sorted(ids)} for r, ids in sorted(by_resource.items())]
    return {"failed_checks": [{"file": f"/{scanned_file}", "findings": findings}]}


def apply_skips(report: dict, skips: list[RecordedSkip], framework: Framework) -> ScanResult:
    """Turn checkov's ``-o json`` report into a result, moving failures the project skips (with reason) aside."""
    reasons = {(resource, s.skip.check_id): s for s in skips for resource in resource_ids(s, framework)}
    results = report.get("results", {})
    failed: list[Finding] = []
    skipped: list[SkippedFinding] = []
    used: set[RecordedSkip] = set()
    for record in results.get("failed_checks", []):
        key = (record["resource"], record["check_id"])
        if key in reasons:
            used.add(reasons[key])
            skipped.append(
                SkippedFinding(record["check_id"], record["check_name"], record["resource"], reasons[key].skip.reason)
            )
        else:
            failed.append(Finding(record["check_id"], record["check_name"], record["resource"]))
    for record in results.get("skipped_checks", []):
        # Only a skip from elsewhere (a checkov config file) lands here; keep its comment as the reason.
        comment = record.get("check_result", {}).get("suppress_comment", "")
        skipped.append(SkippedFinding(record["check_id"], record["check_name"], record["resource"], comment))
    return ScanResult(
        framework=framework,
        passed=len(results.get("passed_checks", [])),
        failed=tuple(failed),
        skipped=tuple(skipped),
        unused_skips=tuple(s for s in skips if s not in used),
        checkov_version=report.get("summary", {}).get("checkov_version", ""),
    )


def nothing_scanned(report: dict) -> str | None:
    """Why a report from ``run_checkov`` checked nothing, or None when it checked something.

    checkov exits 0 with 0 passed and 0 failed when it cannot find or parse the file: a scan that
    read nothing must not pass.
    """
    results, summary = report.get("results", {}), report.get("summary", {})
    if results.get("parsing_errors") or summary.get("parsing_errors"):
        return "checkov could not parse it (a parsing error; nothing in it was checked)"
    checked = sum(len(results.get(kind, [])) for kind in ("passed_checks", "failed_checks", "skipped_checks"))
    if not checked and not any(summary.get(kind) for kind in ("passed", "failed", "skipped")):
        return "checkov ran no check on it (0 passed, 0 failed, 0 skipped)"
    return None


def run_checkov(file: Path, framework: Framework, *, extra_args: Iterable[str] = ()) -> dict:
    """checkov's parsed ``-o json`` report for one file (checkov exits 1 on failures; that is not an error here).

    Raises ScanError when checkov checked nothing (see :func:`nothing_scanned`).
    """
    # checkov runs in the file's directory, where a path relative to ours would name nothing.
    file = Path(file).resolve()
    command = [checkov_binary(), "-f", str(file), "--framework", framework, "-o", "json", *extra_args]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        env={**os.environ, **OFFLINE_ENVIRONMENT},
        cwd=file.parent,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        output = (result.stdout + result.stderr)[-3000:]
        raise ScanError(f"checkov gave no JSON report for {file} (exit {result.returncode}):\n{output}") from None
    # One framework gives one report; an empty scan gives a bare summary.
    if isinstance(report, list):
        (report,) = [r for r in report if r.get("check_type") == framework] or [{}]
    report = report if "results" in report else {"results": {}, "summary": report}
    reason = nothing_scanned(report)
    if reason:
        log = result.stderr.strip()[-2000:]
        raise ScanError(
            f"{file} ({framework}): {reason}; give a synthesized cdk.tf.json (or, with --plan, the output of "
            "`terraform show -json`)" + (f". checkov said:\n{log}" if log else "")
        )
    return report


def scan(file: Path, framework: Framework, skips: list[RecordedSkip]) -> ScanResult:
    return apply_skips(run_checkov(file, framework), skips, framework)


def scan_stack(stack_json: Path, plan_json: Path | None = None) -> list[ScanResult]:
    """The synthesized stack, and its plan when given, with the skips recorded in the stack."""
    skips = recorded_skips(json.loads(stack_json.read_text()))
    results = [scan(stack_json, "terraform_json", skips)]
    if plan_json is not None:
        results.append(scan(plan_json, "terraform_plan", skips))
    return results


def render_text(results: Iterable[ScanResult]) -> str:
    lines = []
    for result in results:
        lines.append(
            f"checkov {result.checkov_version} {result.framework}: {result.passed} passed, "
            f"{len(result.failed)} failed, {len(result.skipped)} skipped"
        )
        lines += [f"  FAILED  {f.check_id} {f.resource}: {f.check_name}" for f in result.failed]
        lines += [f"  skipped {s.check_id} {s.resource}: {s.reason}" for s in result.skipped]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fargate_batch.security_scan", description=__doc__.split("\n")[0])
    parser.add_argument("stack_json", type=Path, help="a synthesized cdk.tf.json")
    parser.add_argument("--plan", type=Path, help="terraform show -json output of the stack's plan")
    parser.add_argument("--write-baseline", type=Path, metavar="FILE", help="write a checkov --baseline file and exit")
    parser.add_argument("--framework", choices=("terraform_json", "terraform_plan"), default="terraform_json")
    args = parser.parse_args(argv)
    if not args.stack_json.is_file():
        print(f"security_scan: {args.stack_json} does not exist; run `make synth` first", file=sys.stderr)
        return 2
    if args.plan is not None and not args.plan.is_file():
        print(
            f"security_scan: --plan {args.plan} does not exist; write it with `terraform show -json`", file=sys.stderr
        )
        return 2
    if args.write_baseline:
        skips = recorded_skips(json.loads(args.stack_json.read_text()))
        document = baseline(skips, args.framework, args.stack_json.name)
        args.write_baseline.write_text(json.dumps(document, indent=2) + "\n")
        print(args.write_baseline)
        return 0
    try:
        results = scan_stack(args.stack_json, args.plan)
    except ScanError as error:
        print(f"security_scan: {error}", file=sys.stderr)
        return 2
    print(render_text(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
