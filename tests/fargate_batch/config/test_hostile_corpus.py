"""Every hostile configuration is refused at load: its field named, no traceback, within a second.

The corpus (hostile_corpus.py) is loaded in-process, the way the CLI and main.py load it; a few cases
also run the real CLI, ``python -m fargate_batch.config FILE``, for the exit code and the absence of a
traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from fargate_batch.config import ConfigError, load_config
from tests.conftest import REPO_ROOT
from tests.fargate_batch.config.hostile_corpus import CORPUS, Hostile

LOAD_SECONDS_MAX = 1.0


def test_the_corpus_has_at_least_100_distinct_cases():
    assert len(CORPUS) >= 100
    assert len({case.id for case in CORPUS}) == len(CORPUS)
    assert len({case.text() for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.id)
def test_hostile_configuration_is_refused_naming_its_field(tmp_path, case: Hostile):
    path = tmp_path / "dev.toml"
    path.write_text(case.text(), encoding="utf-8")
    # CPU time of this process: what the loader spends, not what a busy machine makes it wait.
    started = time.process_time()
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    elapsed = time.process_time() - started
    assert elapsed < LOAD_SECONDS_MAX, f"{case.id}: took {elapsed:.2f} s"
    assert any(problem.startswith(f"{path}: {case.field}") for problem in refused.value.problems), (
        f"{case.id}: no problem names {case.field}:\n{refused.value}"
    )


# One of each kind of message, through the real command line.
CLI_CASES = (
    "prefix-default-schedule-group",
    "tag-value-emoji",
    "backoff-nan",
    "region-mars",
    "backend-kms-word",
    "step-environment-over-run-task-overrides",
)


@pytest.mark.parametrize("case_id", CLI_CASES)
def test_cli_exits_2_naming_the_field_without_a_traceback(tmp_path, case_id):
    (case,) = [case for case in CORPUS if case.id == case_id]
    path = tmp_path / "dev.toml"
    path.write_text(case.text(), encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "fargate_batch.config", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    assert f"{path}: {case.field}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
