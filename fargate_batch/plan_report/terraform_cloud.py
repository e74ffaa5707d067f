"""Terraform Cloud / Enterprise: which workspace each stack goes to, for the API-driven workflow and the CLI.

A ``cloud`` block with ``workspaces { tags = [...] }`` names a *set* of workspaces. Interactively,
``terraform init`` asks which one; non-interactively (CI, ``make plan-report``) it cannot ask and stops,
so ``TF_WORKSPACE`` must name it: https://developer.hashicorp.com/terraform/cli/cloud/settings#tf_workspace
(the workspace must carry those tags). The API-driven workflow (hashicorp/tfc-workflows-github) needs a
workspace name too, to upload each stack's configuration version to.

``python -m fargate_batch.plan_report.terraform_cloud [CONFIGS]`` prints the GitHub Actions matrix of
stacks and workspaces (one JSON line), or exits 2 with the message below.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from fargate_batch.config import ConfigError, ProjectConfig, config_paths, load_configs
from fargate_batch.config.names import stack_name

TF_WORKSPACE = "TF_WORKSPACE"
SETTINGS_DOC = "https://developer.hashicorp.com/terraform/cli/cloud/settings#tf_workspace"
DEFAULT_HOSTNAME = "app.terraform.io"


class CloudWorkspaceError(ValueError):
    pass


@dataclass(frozen=True)
class CloudWorkspace:
    stack: str
    organization: str
    workspace: str
    hostname: str
    directory: str  # the synthesized configuration to upload, relative to the repository


def _tagged_without_name(config: ProjectConfig, environ: Mapping[str, str]) -> str | None:
    backend = config.backend
    if backend.type != "cloud" or not backend.workspace_tags or environ.get(TF_WORKSPACE, "").strip():
        return None
    tags = ", ".join(f'"{t}"' for t in backend.workspace_tags)
    return (
        f"{stack_name(config)}: [backend] workspace_tags = [{tags}] names every workspace with those tags, and a "
        f"non-interactive `terraform init` cannot ask which one; set {TF_WORKSPACE} to that workspace's name "
        f"(e.g. `{TF_WORKSPACE}=<workspace> make plan-report`; in the workflow, the repository variable "
        f'{TF_WORKSPACE}), or name one workspace with workspace = "..." instead. {SETTINGS_DOC}'
    )


def check_workspace_selection(configs: Sequence[ProjectConfig], environ: Mapping[str, str] | None = None) -> None:
    """Raise :class:`CloudWorkspaceError` for a tag-selected cloud backend without ``TF_WORKSPACE``."""
    environ = os.environ if environ is None else environ
    problems = [p for p in (_tagged_without_name(c, environ) for c in configs) if p]
    tagged = [c for c in configs if c.backend.type == "cloud" and c.backend.workspace_tags]
    if len(tagged) > 1 and environ.get(TF_WORKSPACE, "").strip():
        problems.append(
            f"{TF_WORKSPACE} names one workspace, but {len(tagged)} stacks select theirs by tags "
            f"({', '.join(stack_name(c) for c in tagged)}); run them one configuration at a time "
            '(FARGATE_BATCH_CONFIG=<one file>) or give each a workspace = "..."'
        )
    if problems:
        raise CloudWorkspaceError("\n".join(problems))


def cloud_workspaces(
    configs: Sequence[ProjectConfig], environ: Mapping[str, str] | None = None
) -> list[CloudWorkspace]:
    """Every stack with a ``cloud`` backend, with the workspace its configuration version goes to."""
    environ = os.environ if environ is None else environ
    check_workspace_selection(configs, environ)
    found = []
    for config in configs:
        backend = config.backend
        if backend.type != "cloud":
            continue
        name = stack_name(config)
        found.append(
            CloudWorkspace(
                stack=name,
                organization=backend.organization,
                workspace=backend.workspace or environ[TF_WORKSPACE].strip(),
                hostname=backend.hostname or DEFAULT_HOSTNAME,
                directory=f"cdktf.out/stacks/{name}",
            )
        )
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    paths = config_paths(argv[0] if argv else os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml"))
    try:
        workspaces = cloud_workspaces(load_configs(paths))
    except (ConfigError, CloudWorkspaceError) as error:
        print(f"terraform-cloud: configuration problems:\n{error}", file=sys.stderr)
        return 2
    if not workspaces:
        print(
            'terraform-cloud: no configuration has [backend] type = "cloud"; nothing to upload '
            "(APPLY_MODE=terraform-cloud needs one)",
            file=sys.stderr,
        )
        return 2
    print(json.dumps({"include": [asdict(w) for w in workspaces]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
