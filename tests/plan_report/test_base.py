"""Which revision the plan starts from, with real git repositories in temporary directories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fargate_batch.plan_report.base import (
    BaseRefError,
    BaseRevision,
    BaseUnavailable,
    base_config_paths,
    deploy_base,
    resolve_base,
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    """main with one commit, and a branch with one more on top."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "config").mkdir()
    (root / "config" / "dev.toml").write_text("# dev\n")
    (root / "main.py").write_text("raise SystemExit('this revision cannot synthesize')\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    git(root, "checkout", "-qb", "feature")
    (root / "config" / "prd.toml").write_text("# prd\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "second")
    return root


def test_default_base_is_the_merge_base_with_main(repo):
    base = resolve_base(repo, None)
    assert base == BaseRevision("merge base with main", git(repo, "rev-parse", "main"))


def test_a_named_ref_is_resolved_to_its_commit(repo):
    assert resolve_base(repo, "HEAD~1").commit == git(repo, "rev-parse", "HEAD~1")


def test_a_ref_git_cannot_resolve_is_a_mistake_naming_the_fix(repo):
    with pytest.raises(BaseRefError, match=r"PLAN_BASE='nope' is not a commit of this repository; .*PLAN_BASE=none"):
        resolve_base(repo, "nope")


def test_none_plans_from_empty_on_purpose(repo):
    with pytest.raises(BaseUnavailable, match="PLAN_BASE=none; planned from an empty emulator"):
        resolve_base(repo, "none")


def test_without_main_there_is_no_default_base(repo):
    git(repo, "branch", "-qm", "main", "trunk")
    with pytest.raises(BaseUnavailable, match="no merge base with main or origin/main"):
        resolve_base(repo, None)


def test_outside_git_there_is_no_base(tmp_path):
    with pytest.raises(BaseUnavailable, match="not a git checkout"):
        resolve_base(None, None)
    with pytest.raises(BaseRefError, match="not a git checkout"):
        resolve_base(None, "HEAD~1")


def test_a_config_file_the_base_does_not_have_is_a_new_stack(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(repo)  # relative paths are the loader's: from the working directory
    tree = tmp_path / "base-tree"
    git(repo, "worktree", "add", "--detach", str(tree), "main")
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("# not versioned\n")
    present, absent = base_config_paths(repo, tree, [str(repo / "config/dev.toml"), "config/prd.toml", str(outside)])
    assert present == [str(tree / "config" / "dev.toml"), str(outside.resolve())]
    assert absent == ["config/prd.toml"]


def test_a_base_that_does_not_synthesize_says_so_and_leaves_no_worktree(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(repo)
    revision = resolve_base(repo, "HEAD~1")
    with pytest.raises(BaseUnavailable) as unavailable:
        deploy_base(repo, revision, ["config/dev.toml"], "http://127.0.0.1:1", tmp_path / "work")
    line = str(unavailable.value)
    assert line.startswith(f"No base: `HEAD~1` ({revision.commit[:12]}) did not synthesize (")
    assert "this revision cannot synthesize" in line and line.endswith("planned from an empty emulator.")
    assert "\n" not in line
    assert len(git(repo, "worktree", "list").splitlines()) == 1
