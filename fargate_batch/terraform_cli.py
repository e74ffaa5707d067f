"""Terraform CLI configuration that uses a provider filesystem mirror when this machine has one.

Offline machines ship providers in a filesystem mirror; Terraform only looks there when a CLI
configuration says so. This module finds a mirror (``TF_PROVIDER_MIRROR``, else the usual
locations) and writes a CLI config for it. Where no mirror exists it writes nothing, so Terraform
talks to the public registry as usual.
https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

MIRROR_ENV = "TF_PROVIDER_MIRROR"
# Where Terraform's own implied mirror search looks, plus /opt/tf-plugins (our CI images).
DEFAULT_MIRROR_LOCATIONS = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)
REQUIRED_PROVIDER = Path("registry.terraform.io/hashicorp/aws")


def find_provider_mirror(environ: dict[str, str] | None = None) -> Path | None:
    """The first directory holding ``registry.terraform.io/hashicorp/aws``, or None."""
    environ = os.environ if environ is None else environ
    explicit = environ.get(MIRROR_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not (path / REQUIRED_PROVIDER).is_dir():
            raise SystemExit(
                f"{MIRROR_ENV}={explicit!r} has no {REQUIRED_PROVIDER} directory; point it at the "
                "directory that contains registry.terraform.io/ or unset it to use the registry"
            )
        return path
    for location in DEFAULT_MIRROR_LOCATIONS:
        path = Path(location).expanduser()
        if (path / REQUIRED_PROVIDER).is_dir():
            return path
    return None


def render_cli_config(mirror: Path) -> str:
    # Only registry.terraform.io comes from the mirror; anything else still goes direct.
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "}\n"
    )


def write_cli_config(destination: Path, environ: dict[str, str] | None = None) -> Path | None:
    """Write a CLI config for the mirror to ``destination``; None (and no file) without a mirror."""
    mirror = find_provider_mirror(environ)
    if mirror is None:
        destination.unlink(missing_ok=True)
        return None
    destination.parent.mkdir(parents=True, exist_ok=True)
    content = render_cli_config(mirror)
    if not destination.exists() or destination.read_text() != content:
        destination.write_text(content)
    return destination


def terraform_environment(work_dir: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for running terraform: the mirror's CLI config where one exists, no checkpoint."""
    env = dict(os.environ if environ is None else environ)
    env["CHECKPOINT_DISABLE"] = "1"
    config = write_cli_config(work_dir / "terraform.rc", env)
    if config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(config)
    elif env.get("TF_CLI_CONFIG_FILE") and not Path(env["TF_CLI_CONFIG_FILE"]).exists():
        # A stale pointer to a missing file only produces a warning on every command.
        env.pop("TF_CLI_CONFIG_FILE")
    return env


def main(argv: list[str]) -> int:
    """``python -m fargate_batch.terraform_cli OUT``: write the CLI config, print the path or nothing."""
    if len(argv) != 1:
        print("usage: python -m fargate_batch.terraform_cli CONFIG_FILE_TO_WRITE", file=sys.stderr)
        return 2
    written = write_cli_config(Path(argv[0]))
    print(written or "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
