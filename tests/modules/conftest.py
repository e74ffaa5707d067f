"""Stack variants the module tests need beyond the session's (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest


@pytest.fixture(scope="session")
def pipelines_only_synth(dev_config, synth) -> dict:
    """The dev stack with its pipeline unscheduled and no triggers or activities: alerting makes only what exists."""
    from fargate_batch.config.targets import Target

    pipeline = replace(dev_config.pipelines[0], schedule=None)
    return synth(replace(dev_config, pipelines=(pipeline,), triggers=(), activities=()), Target("aws"))[0]
