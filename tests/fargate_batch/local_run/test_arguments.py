"""`make run` deploys the configuration the other targets use, and refuses what it cannot deploy."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def make_run(*args: str, config: str) -> subprocess.CompletedProcess:
    """`python -m fargate_batch.local_run` as `make run` calls it; only the argument checks run here."""
    return subprocess.run(
        [sys.executable, "-m", "fargate_batch.local_run", *args],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "FARGATE_BATCH_CONFIG": config},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_fargate_batch_config_chooses_the_configuration(tmp_path):
    result = make_run(config=str(tmp_path / "staging.toml"))
    assert result.returncode == 2
    assert f"{tmp_path / 'staging.toml'}: no such configuration file" in result.stderr
    assert "Traceback" not in result.stderr


def test_several_configurations_are_refused_with_how_to_choose_one():
    result = make_run(config="config/dev.toml,config/prod.toml")
    assert result.returncode == 2
    assert "names several files; make run deploys one" in result.stderr
    assert "FARGATE_BATCH_CONFIG=config/<env>.toml" in result.stderr


def test_a_trailing_comma_names_the_one_file_it_follows(tmp_path):
    result = make_run(config=f"{tmp_path / 'staging.toml'},")
    assert result.returncode == 2
    assert f"{tmp_path / 'staging.toml'}: no such configuration file" in result.stderr
    assert "is a directory" not in result.stderr
