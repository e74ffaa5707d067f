"""``make hcl``: every stack as plain HCL, the way out if CDKTF (archived upstream) stops working for you.

    make hcl                                  # aws target: cdktf.out/hcl/<stack>/main.tf
    FARGATE_BATCH_TARGET=local make hcl       # the local emulator's variant
    cd cdktf.out/hcl/fargate-batch-dev && terraform init && terraform plan

Each directory is a self-contained Terraform configuration (provider, backend, resources, outputs)
that plans exactly like the synthesized JSON; from then on it can be edited and applied with
Terraform alone, against the same state.

Why not ``cdktf synth --hcl``: in cdktf 0.21 it writes strings that hold JSON (task container
definitions, for one) with their quotes unescaped, which Terraform cannot parse. This module converts
the synthesized Terraform JSON instead. JSON syntax does not say which keys are nested blocks and
which are attributes, so the AWS provider's own schema (``terraform providers schema -json``) decides,
and ``terraform fmt`` formats the result. checkov skips written in the JSON (``"//"``) become
``# checkov:skip=`` comments, which checkov reads natively from HCL.
https://developer.hashicorp.com/terraform/language/syntax/json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from fargate_batch.terraform_runner import Terraform, TerraformError

PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws"
DEFAULT_OUT = Path("cdktf.out/hcl")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# "${...}" holding one simple expression: a reference or a call whose arguments have no braces or quotes.
_INTERPOLATION_ONLY = re.compile(r"\$\{([^{}\"]+)\}")
_META_REFERENCES = ("depends_on",)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class ExportError(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------------
# Expressions


def _string(value: str) -> str:
    """A JSON-syntax string is a template; the HCL quoted template with the same text means the same."""
    match = _INTERPOLATION_ONLY.fullmatch(value)
    if match:
        return match.group(1).strip()
    if "\n" in value and not any(line.strip() == "EOT" for line in value.split("\n")):
        # Heredocs keep backslashes and quotes literal, as the JSON text had them; they add one newline.
        if value.endswith("\n") and not value.endswith("\n\n"):
            return f"<<EOT\n{value}EOT\n"
        if not value.endswith("\n"):
            return f"chomp(<<EOT\n{value}\nEOT\n)"
    escaped = "".join(_ESCAPES.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in value)
    return f'"{escaped}"'


def _key(key: str) -> str:
    return key if _IDENTIFIER.fullmatch(key) else _string(key)


def expression(value: object, indent: int = 0) -> str:
    pad = "  " * (indent + 1)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{pad}{expression(item, indent + 1)}," for item in value]
        return "[\n" + "\n".join(items) + "\n" + "  " * indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}{_key(k)} = {expression(v, indent + 1)}" for k, v in value.items() if k != "//"]
        return "{\n" + "\n".join(items) + "\n" + "  " * indent + "}"
    raise ExportError(f"cannot express {value!r} in HCL")


def _reference(value: str) -> str:
    """Meta-arguments take references, which JSON syntax writes as strings ("aws_x.y")."""
    return value.removeprefix("${").removesuffix("}")


# ---------------------------------------------------------------------------------------------------
# Blocks


def _comments(meta: object, indent: str) -> list[str]:
    if not isinstance(meta, dict):
        return []
    lines = [f"{indent}# checkov:skip={c.removeprefix('checkov:skip=')}" for c in meta.get("checkov", [])]
    path = meta.get("metadata", {}).get("path")
    if path:
        lines.insert(0, f"{indent}# CDKTF construct: {path}")
    return lines


def body(values: dict, schema: dict | None, indent: int) -> list[str]:
    """Lines of a block body; ``schema`` (the provider's block schema) tells nested blocks from attributes."""
    pad = "  " * indent
    lines = _comments(values.get("//"), pad)
    block_types = (schema or {}).get("block_types", {})
    for key, value in values.items():
        if key == "//":
            continue
        if key in _META_REFERENCES:
            lines.append(f"{pad}{key} = [{', '.join(_reference(v) for v in value)}]")
        elif key == "provider" and schema is not None and "provider" not in schema.get("attributes", {}):
            lines.append(f"{pad}provider = {_reference(value)}")
        elif key == "lifecycle":
            lines.append(f"{pad}lifecycle {{")
            for name, setting in value.items():
                if name in ("ignore_changes", "replace_triggered_by") and isinstance(setting, list):
                    rendered = ", ".join(_reference(s) for s in setting)
                    lines.append(f"{pad}  {name} = [{rendered}]")
                elif name in ("precondition", "postcondition"):
                    # Blocks, one per condition: https://developer.hashicorp.com/terraform/language/expressions/custom-conditions
                    for condition in setting if isinstance(setting, list) else [setting]:
                        lines.append(f"{pad}  {name} {{")
                        for field, text in condition.items():
                            lines.append(f"{pad}    {field} = {expression(text, indent + 2)}")
                        lines.append(f"{pad}  }}")
                else:
                    lines.append(f"{pad}  {name} = {expression(setting, indent + 1)}")
            lines.append(f"{pad}}}")
        elif key in ("provisioner", "connection", "dynamic"):
            raise ExportError(f"{key} blocks are not exported; the stacks do not use them")
        elif key in block_types:
            nested = block_types[key]["block"]
            for block in value if isinstance(value, list) else [value]:
                lines.append(f"{pad}{key} {{")
                lines += body(block, nested, indent + 1)
                lines.append(f"{pad}}}")
        else:
            lines.append(f"{pad}{_key(key)} = {expression(value, indent)}")
    return lines


def _block(header: str, lines: list[str]) -> list[str]:
    return [f"{header} {{", *lines, "}", ""]


def _terraform_block(settings: dict) -> list[str]:
    lines: list[str] = []
    for key, value in settings.items():
        if key == "required_providers":
            lines += ["  required_providers {"] + [f"    {_key(n)} = {expression(p, 2)}" for n, p in value.items()]
            lines.append("  }")
        elif key == "backend":
            for kind, config in value.items():
                lines += [f'  backend "{kind}" {{', *body(config, {}, 2), "  }"]
        elif key == "cloud":
            workspaces = value.get("workspaces")
            lines += ["  cloud {", *body({k: v for k, v in value.items() if k != "workspaces"}, {}, 2)]
            if workspaces is not None:
                lines += ["    workspaces {", *body(workspaces, {}, 3), "    }"]
            lines.append("  }")
        else:
            lines.append(f"  {key} = {expression(value, 1)}")
    return _block("terraform", lines)


def to_hcl(stack: dict, schema: dict) -> str:
    """One stack's Terraform JSON as HCL (unformatted; :func:`export` runs ``terraform fmt``)."""
    aws = schema["provider_schemas"][PROVIDER_SOURCE]
    out = ["# Exported from the synthesized CDKTF stack by fargate_batch.hcl_export.", ""]
    for section, content in stack.items():
        if section == "//":
            continue
        if section == "terraform":
            out += _terraform_block(content)
        elif section == "provider":
            for name, configs in content.items():
                for config in configs if isinstance(configs, list) else [configs]:
                    out += _block(f'provider "{name}"', body(config, aws["provider"]["block"], 1))
        elif section in ("resource", "data"):
            schemas = aws["resource_schemas" if section == "resource" else "data_source_schemas"]
            for type_, instances in content.items():
                if type_ not in schemas:
                    raise ExportError(f"{section} type {type_} is not in the {PROVIDER_SOURCE} schema")
                for name, config in instances.items():
                    out += _block(f'{section} "{type_}" "{name}"', body(config, schemas[type_]["block"], 1))
        elif section == "output":
            for name, config in content.items():
                out += _block(f'output "{name}"', body(config, None, 1))
        elif section == "check":
            # check blocks (the pushed-image check, modules/ecr_repository.py): scoped data sources, then asserts.
            data_schemas = aws["data_source_schemas"]
            for name, config in content.items():
                lines: list[str] = []
                for type_, instances in config.get("data", {}).items():
                    for data_name, data_config in instances.items():
                        data_body = body(data_config, data_schemas[type_]["block"], 2)
                        lines += [f'  data "{type_}" "{data_name}" {{', *data_body, "  }"]
                for assertion in config.get("assert", []):
                    lines += ["  assert {", *body(assertion, None, 2), "  }"]
                out += _block(f'check "{name}"', lines)
        elif section == "locals":
            out += _block("locals", body(content, None, 1))
        elif section == "variable":
            for name, config in content.items():
                out += _block(f'variable "{name}"', body(config, None, 1))
        else:
            raise ExportError(f"top-level {section!r} is not exported; the stacks do not use it")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------
# Commands


def _terraform(args: list[str], cwd: Path, work_dir: Path, stdin: str | None = None) -> str:
    try:
        runner = Terraform(stack_dir=cwd, work_dir=work_dir, timeout_seconds=600)
        return runner.run(*args, stdin=stdin, no_color=False).stdout
    except TerraformError as error:
        raise ExportError(str(error)) from error


def provider_schema(required_providers: dict, work_dir: Path) -> dict:
    """``terraform providers schema -json`` for these providers, from a scratch directory (no backend)."""
    if shutil.which("terraform") is None:
        raise ExportError("terraform is not on PATH: install Terraform >= 1.10 (see README)")
    scratch = work_dir / "provider-schema"
    scratch.mkdir(parents=True, exist_ok=True)
    config = {"terraform": {"required_providers": required_providers}}
    (scratch / "main.tf.json").write_text(json.dumps(config))
    _terraform(["init", "-input=false", "-no-color"], scratch, work_dir)
    return json.loads(_terraform(["providers", "schema", "-json", "-no-color"], scratch, work_dir))


def export_stacks(stack_dirs: dict[str, Path], out: Path, work_dir: Path) -> dict[str, Path]:
    """Write ``out/<stack>/main.tf`` for every synthesized stack directory; returns stack → directory."""
    stacks = {name: json.loads((path / "cdk.tf.json").read_text()) for name, path in stack_dirs.items()}
    required = next(iter(stacks.values()))["terraform"]["required_providers"]
    schema = provider_schema(required, work_dir)
    written = {}
    for name, stack in stacks.items():
        directory = out / name
        directory.mkdir(parents=True, exist_ok=True)
        formatted = _terraform(["fmt", "-no-color", "-"], directory, work_dir, stdin=to_hcl(stack, schema))
        # No lock file: one written here would hold only this machine's platform hash.
        (directory / "main.tf").write_text(formatted)
        written[name] = directory
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fargate_batch.hcl_export", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    # The export is for running Terraform without CDKTF, so it defaults to the real-account target.
    os.environ.setdefault("FARGATE_BATCH_TARGET", "aws")
    from fargate_batch.config import ConfigError, config_paths, load_configs
    from fargate_batch.config.targets import TargetError, target_from_environment
    from main import build_app, stack_directories

    try:
        target = target_from_environment()
        configs = load_configs(config_paths(args.config))
    except (ConfigError, TargetError) as error:
        print(f"hcl: configuration problems:\n{error}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="fargate-batch-hcl-") as scratch:
        try:
            outdir = Path(scratch) / "cdktf.out"
            build_app(configs, target, outdir).synth()
            stack_dirs = stack_directories(configs, outdir)
            written = export_stacks(stack_dirs, args.out, Path(scratch))
        except ExportError as error:
            print(f"hcl: {error}", file=sys.stderr)
            return 1
    for name, directory in written.items():
        print(f"{name}: {directory / 'main.tf'}  (cd {directory} && terraform init && terraform plan)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
