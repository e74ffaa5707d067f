"""The base revision, deployed to the emulator first, so that the plan of the working tree is the plan of the change.

An empty emulator makes every plan "N to add, 0 to change, 0 to destroy": the destroy/replace warning can
never fire and a reviewer cannot see what a pull request changes. So the base revision (``PLAN_BASE``,
default the merge base with ``main``) is checked out into a temporary git worktree, synthesized by **its
own** ``main.py`` (the base's code, not the working tree's), applied to the emulator with the real
provider, and the working tree is planned against that state: Terraform's own plan of the change.

Anything that keeps the base from being deployed (no git, no merge base, a base whose synth or apply
fails) is not an error: the report says so in one line and the plan starts from an empty emulator.
Only a ``PLAN_BASE`` the user named and git cannot resolve is a mistake (:class:`BaseRefError`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fargate_batch.config.targets import ENDPOINT_ENV, TARGET_ENV
from fargate_batch.terraform_runner import Terraform, TerraformError

PLAN_BASE_ENV = "PLAN_BASE"
NO_BASE = "none"  # PLAN_BASE=none: plan from an empty emulator on purpose
DEFAULT_BRANCHES = ("main", "origin/main")
SYNTH_TIMEOUT_SECONDS = 600


class BaseRefError(ValueError):
    """A PLAN_BASE the user named that git cannot resolve to a commit."""


class BaseUnavailable(RuntimeError):
    """The base cannot be deployed; the message is the report's one line about it."""


@dataclass(frozen=True)
class BaseRevision:
    ref: str  # what the user named (or how the default was found), for the report
    commit: str  # full commit id


@dataclass(frozen=True)
class DeployedBase:
    revision: BaseRevision
    stacks: tuple[str, ...]  # stacks the base synthesized and applied
    new_configs: tuple[str, ...]  # configuration files the base does not have: their stacks are new

    def line(self) -> str:
        short = self.revision.commit[:12]
        stacks = ", ".join(f"`{s}`" for s in self.stacks) or "no stack"
        line = (
            f"Base: `{self.revision.ref}` ({short}) synthesized by its own code and applied to the emulator first "
            f"({stacks}); the plan below is the change from it."
        )
        if self.new_configs:
            line += f" Not in the base, so new: {', '.join(f'`{c}`' for c in self.new_configs)}."
        return line


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False, timeout=120)


def repository_root(start: Path) -> Path | None:
    try:
        result = _git(start, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(result.stdout.strip()) if result.returncode == 0 else None


def resolve_base(repo: Path | None, requested: str | None) -> BaseRevision:
    """The commit to deploy first. Raises :class:`BaseRefError` for a named ref git cannot resolve and
    :class:`BaseUnavailable` when there is no base (``PLAN_BASE=none``, no git, no merge base)."""
    requested = (requested or "").strip()
    if requested.lower() == NO_BASE:
        raise BaseUnavailable(f"No base: {PLAN_BASE_ENV}={NO_BASE}; planned from an empty emulator.")
    if repo is None:
        if requested:
            raise BaseRefError(
                f"{PLAN_BASE_ENV}={requested!r}: this directory is not a git checkout, so there is no revision "
                f"to deploy first; run from the repository, or set {PLAN_BASE_ENV}={NO_BASE} to plan from empty"
            )
        raise BaseUnavailable("No base: not a git checkout; planned from an empty emulator.")
    if requested:
        result = _git(repo, "rev-parse", "--verify", "--quiet", f"{requested}^{{commit}}")
        if result.returncode != 0:
            raise BaseRefError(
                f"{PLAN_BASE_ENV}={requested!r} is not a commit of this repository; name a branch, tag or commit "
                f"(e.g. {PLAN_BASE_ENV}=HEAD~1 or {PLAN_BASE_ENV}=origin/main; a shallow clone may need "
                f"`git fetch --depth=2`), or set {PLAN_BASE_ENV}={NO_BASE} to plan from an empty emulator"
            )
        return BaseRevision(requested, result.stdout.strip())
    for branch in DEFAULT_BRANCHES:
        result = _git(repo, "merge-base", "HEAD", branch)
        if result.returncode == 0 and result.stdout.strip():
            return BaseRevision(f"merge base with {branch}", result.stdout.strip())
    raise BaseUnavailable(
        f"No base: no merge base with {' or '.join(DEFAULT_BRANCHES)} ({PLAN_BASE_ENV}=<git ref> names one); "
        "planned from an empty emulator, so every resource shows as new."
    )


def base_config_paths(repo: Path, tree: Path, config_paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the base's copies of the configuration files, the files the base does not have).

    A file inside the repository is read from the base's tree, as the base had it; a file that does not
    exist there means its stack is new. A file outside the repository is not versioned: both sides use it.
    """
    present, absent = [], []
    for given in config_paths:
        path = Path(given).resolve()
        try:
            relative = path.relative_to(repo.resolve())
        except ValueError:
            present.append(str(path))
            continue
        if (tree / relative).is_file():
            present.append(str(tree / relative))
        else:
            absent.append(str(relative))
    return present, absent


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def deploy_base(
    repo: Path,
    revision: BaseRevision,
    config_paths: Sequence[str],
    endpoint: str,
    work_dir: Path,
    progress: Callable[[str], None] = lambda line: None,
) -> DeployedBase:
    """Check the base out into a temporary worktree, synthesize it with its own main.py, apply every stack.

    Raises :class:`BaseUnavailable` (with the report's line) when the base cannot be synthesized or applied;
    the caller then plans from a fresh emulator. The worktree is removed in every case.
    """
    with tempfile.TemporaryDirectory(prefix="plan-base-") as scratch:
        tree = Path(scratch) / "tree"
        added = _git(repo, "worktree", "add", "--detach", str(tree), revision.commit)
        if added.returncode != 0:
            raise BaseUnavailable(
                f"No base: `git worktree add` of {revision.commit[:12]} failed ({_tail(added.stderr, 1)}); "
                "planned from an empty emulator."
            )
        try:
            return _synthesize_and_apply(repo, tree, revision, config_paths, endpoint, work_dir, progress)
        finally:
            _git(repo, "worktree", "remove", "--force", str(tree))
            _git(repo, "worktree", "prune")


def _synthesize_and_apply(
    repo: Path,
    tree: Path,
    revision: BaseRevision,
    config_paths: Sequence[str],
    endpoint: str,
    work_dir: Path,
    progress: Callable[[str], None],
) -> DeployedBase:
    short = revision.commit[:12]
    present, absent = base_config_paths(repo, tree, config_paths)
    if not present:
        return DeployedBase(revision, (), tuple(absent))
    outdir = work_dir / "base" / "cdktf.out"
    outdir.mkdir(parents=True, exist_ok=True)  # cdktf creates only the last level itself
    environment = {
        **os.environ,
        TARGET_ENV: "local",
        ENDPOINT_ENV: endpoint,
        "FARGATE_BATCH_CONFIG": ",".join(present),
        "CDKTF_OUTDIR": str(outdir),
        # The base's own packages (fargate_batch, modules, stacks), never the working tree's.
        "PYTHONPATH": str(tree),
    }
    progress(f"plan-report: synthesizing the base {revision.ref} ({short}) with its own main.py")
    try:
        synth = subprocess.run(
            [sys.executable, "main.py"],
            cwd=tree,
            env=environment,
            capture_output=True,
            text=True,
            timeout=SYNTH_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BaseUnavailable(
            f"No base: synthesizing `{revision.ref}` ({short}) took over {SYNTH_TIMEOUT_SECONDS} s; "
            "planned from an empty emulator."
        ) from None
    stacks_dir = outdir / "stacks"
    if synth.returncode != 0 or not stacks_dir.is_dir():
        why = _tail(synth.stderr or synth.stdout, 1) or f"exit {synth.returncode}"
        raise BaseUnavailable(
            f"No base: `{revision.ref}` ({short}) did not synthesize ({why}); planned from an empty emulator."
        )
    stacks = sorted(p.name for p in stacks_dir.iterdir() if (p / "cdk.tf.json").is_file())
    log = work_dir / "base" / "terraform.log"
    for stack in stacks:
        progress(f"plan-report: applying the base's {stack} to the emulator")
        runner = Terraform(stacks_dir / stack, work_dir, log_file=log)
        try:
            runner.init()
            runner.apply()
        except TerraformError as error:
            last = _tail(str(error), 1)
            raise BaseUnavailable(
                f"No base: applying `{revision.ref}` ({short}) stack `{stack}` to the emulator failed ({last}; "
                f"full output in {log}); planned from an empty emulator."
            ) from None
    return DeployedBase(revision, tuple(stacks), tuple(absent))
