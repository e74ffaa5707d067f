"""Run the terraform binary on a synthesized stack directory, with the mirror's CLI config."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fargate_batch.terraform_cli import terraform_environment


class TerraformError(RuntimeError):
    def __init__(self, command: list[str], result: subprocess.CompletedProcess):
        self.command = command
        self.result = result
        output = (result.stdout + result.stderr).strip()
        super().__init__(f"terraform {' '.join(command)} failed (exit {result.returncode}):\n{output[-4000:]}")


@dataclass
class Terraform:
    """terraform commands in one stack directory (``cdktf.out/stacks/<stack>``)."""

    stack_dir: Path
    work_dir: Path
    timeout_seconds: int = 900
    # Every command's output is appended here, for reading what apply did (and how long each resource took).
    log_file: Path | None = None
    # Called with one line per resource as apply finishes it.
    progress: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        if shutil.which("terraform") is None:
            raise SystemExit(
                "terraform is not on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)"
            )
        self.env = terraform_environment(self.work_dir)
        self.env["TF_IN_AUTOMATION"] = "1"
        self.applied_outputs: dict[str, object] | None = None

    def run(
        self, *args: str, ok_codes: tuple[int, ...] = (0,), stdin: str | None = None, no_color: bool = True
    ) -> subprocess.CompletedProcess:
        """``terraform <args> -no-color`` (pass ``no_color=False`` where the flag must come elsewhere)."""
        command = [*args, "-no-color"] if no_color and args and args[0] not in ("version",) else list(args)
        result = subprocess.run(
            ["terraform", *command],
            cwd=self.stack_dir,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=self.timeout_seconds,
            check=False,
        )
        self._log(command, result)
        if result.returncode not in ok_codes:
            raise TerraformError(command, result)
        return result

    def _log(self, command: list[str], result: subprocess.CompletedProcess) -> None:
        if self.log_file is not None:
            with self.log_file.open("a", encoding="utf-8") as log:
                log.write(
                    f"$ terraform {' '.join(command)}  (exit {result.returncode})\n{result.stdout}{result.stderr}\n"
                )

    def init(self) -> None:
        self.run("init", "-input=false", "-reconfigure")

    def initialized(self) -> bool:
        """Whether ``init`` has run here for the backend the configuration names now (so it can be skipped)."""
        try:
            recorded = json.loads((self.stack_dir / ".terraform" / "terraform.tfstate").read_text())["backend"]
            configured = json.loads((self.stack_dir / "cdk.tf.json").read_text())["terraform"]["backend"]
        except (OSError, ValueError, KeyError):
            return False
        if not (self.stack_dir / ".terraform.lock.hcl").exists() or set(configured) != {recorded.get("type")}:
            return False
        wanted = configured[recorded["type"]]

        def same(want, have) -> bool:
            if isinstance(want, dict):
                return isinstance(have, dict) and all(same(v, have.get(k)) for k, v in want.items())
            return want == have

        return same(wanted, recorded.get("config") or {})

    def apply(self) -> dict[str, int]:
        """Apply, reporting each resource as it finishes; returns the change summary (add/change/remove).

        Uses terraform's machine-readable UI so a long apply is not a minute of silence:
        https://developer.hashicorp.com/terraform/internals/machine-readable-ui
        """
        command = ["apply", "-input=false", "-auto-approve", "-json"]
        summary: dict[str, int] = {}
        lines: list[str] = []
        process = subprocess.Popen(
            ["terraform", *command],
            cwd=self.stack_dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for raw in process.stdout:
            message = _ui_message(raw)
            lines.append(message.get("@message", raw.rstrip("\n")))
            kind, hook = message.get("type"), message.get("hook") or {}
            if hook.get("action") == "read":
                continue  # data sources: local policy documents and lookups, not worth a line each
            if kind == "apply_complete" and self.progress:
                self.progress(
                    f"  {hook['resource']['addr']}: {hook['action']} done in {hook.get('elapsed_seconds', 0)}s"
                )
            elif kind == "apply_errored" and self.progress:
                self.progress(f"  {hook['resource']['addr']}: {hook['action']} FAILED")
            elif kind == "change_summary":
                summary = {k: message["changes"].get(k, 0) for k in ("add", "change", "remove")}
            elif kind == "outputs":
                # The stream ends with every output's value: no second terraform command to read them.
                self.applied_outputs = {name: o.get("value") for name, o in message["outputs"].items()}
        try:
            returncode = process.wait(timeout=self.timeout_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
        result = subprocess.CompletedProcess(["terraform", *command], returncode, "\n".join(lines) + "\n", "")
        self._log(command, result)
        if returncode != 0:
            raise TerraformError(command, result)
        return summary

    def plan_has_changes(self, out: Path | None = None) -> bool:
        """False when the infrastructure matches the configuration (:func:`real_changes` of a fresh plan)."""
        return bool(self.planned_changes(out))

    def planned_changes(self, out: Path | None = None) -> list[str]:
        plan_file = out if out is not None else self.stack_dir / "changes.tfplan"
        self.run("plan", "-input=false", "-lock-timeout=120s", f"-out={plan_file}")
        return real_changes(self.show_json(plan_file))

    def show_json(self, plan_file: Path) -> dict:
        return json.loads(self.run("show", "-json", str(plan_file)).stdout)

    def outputs(self) -> dict[str, object]:
        if self.applied_outputs is not None:
            return dict(self.applied_outputs)
        raw = json.loads(self.run("output", "-json").stdout)
        return {name: value["value"] for name, value in raw.items()}

    def destroy(self) -> None:
        self.run("destroy", "-input=false", "-auto-approve")


def real_changes(plan: dict) -> list[str]:
    """What a plan (``terraform show -json``) would change: resources and outputs, not data-source reads.

    ``plan -detailed-exitcode`` cannot say this: a ``check`` block's scoped data source is read on every
    plan ("will be read during apply ... to verify a check block"), so the exit code is 2 on a stack with
    nothing to change. https://developer.hashicorp.com/terraform/language/checks#scoped-data-sources
    """
    changes = [
        f"{change['address']}: {'/'.join(change['change']['actions'])}"
        for change in plan.get("resource_changes", [])
        if change["change"]["actions"] not in (["no-op"], ["read"])
    ]
    changes += [
        f"output.{name}: {'/'.join(change['actions'])}"
        for name, change in plan.get("output_changes", {}).items()
        if change["actions"] != ["no-op"]
    ]
    return changes


def drift(stack_dirs: list[Path], work_dir: Path) -> int:
    """``python -m fargate_batch.terraform_runner drift STACK_DIR...``: exit 2 and name each change if any stack
    would change, 0 when none would (the check after an apply on main)."""
    drifted = 0
    for stack_dir in stack_dirs:
        runner = Terraform(stack_dir=stack_dir, work_dir=work_dir)
        runner.run("init", "-input=false")
        changes = runner.planned_changes()
        if changes:
            drifted += 1
            print(f"stack {stack_dir.name} drifted: a plan after the apply is not empty", file=sys.stderr)
            for change in changes:
                print(f"  {change}", file=sys.stderr)
        else:
            print(f"{stack_dir.name}: no changes")
    return 2 if drifted else 0


def _ui_message(line: str) -> dict:
    """One line of terraform's machine-readable UI; a line that is not JSON is kept as its own message."""
    try:
        message = json.loads(line)
    except ValueError:
        return {"@message": line.rstrip("\n")}
    return message if isinstance(message, dict) else {"@message": line.rstrip("\n")}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m fargate_batch.terraform_runner")
    commands = parser.add_subparsers(dest="command", required=True)
    drift_parser = commands.add_parser("drift", help="exit 2 if a plan of any stack would change something")
    drift_parser.add_argument("stack_dirs", nargs="+", type=Path)
    drift_parser.add_argument("--work-dir", type=Path, default=Path(".local"))
    arguments = parser.parse_args()
    try:
        raise SystemExit(drift(arguments.stack_dirs, arguments.work_dir))
    except TerraformError as error:
        print(error, file=sys.stderr)
        raise SystemExit(1) from None
