"""Run the terraform binary on a synthesized stack directory, with the mirror's CLI config."""

from __future__ import annotations

import json
import shutil
import subprocess
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
        """``plan -detailed-exitcode``: False when the infrastructure matches the configuration."""
        args = ["plan", "-input=false", "-detailed-exitcode"]
        if out is not None:
            args.append(f"-out={out}")
        return self.run(*args, ok_codes=(0, 2)).returncode == 2

    def show_json(self, plan_file: Path) -> dict:
        return json.loads(self.run("show", "-json", str(plan_file)).stdout)

    def outputs(self) -> dict[str, object]:
        if self.applied_outputs is not None:
            return dict(self.applied_outputs)
        raw = json.loads(self.run("output", "-json").stdout)
        return {name: value["value"] for name, value in raw.items()}

    def destroy(self) -> None:
        self.run("destroy", "-input=false", "-auto-approve")


def _ui_message(line: str) -> dict:
    """One line of terraform's machine-readable UI; a line that is not JSON is kept as its own message."""
    try:
        message = json.loads(line)
    except ValueError:
        return {"@message": line.rstrip("\n")}
    return message if isinstance(message, dict) else {"@message": line.rstrip("\n")}
