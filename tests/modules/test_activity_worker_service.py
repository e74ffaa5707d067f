"""The activity worker service's task definition: a stopTimeout that covers the worker's shutdown."""

from __future__ import annotations

import json
import sys

from tests.conftest import REPO_ROOT
from tests.helpers import find

WORKER = "fargate-batch-dev-worker-hello-world"


def _worker_constants():
    # The batch program is its own package; appended, so batch_container/main.py shadows nothing.
    if str(REPO_ROOT / "batch_container") not in sys.path:
        sys.path.append(str(REPO_ROOT / "batch_container"))
    from batch_job import activity_worker

    return activity_worker


def test_mirrored_shutdown_constants_equal_the_worker_programs():
    from modules import activity_worker_service as service

    worker = _worker_constants()
    assert service.WORKER_LONG_POLL_SECONDS == worker.LONG_POLL_SECONDS
    assert service.WORKER_SHUTDOWN_GRACE_SECONDS == worker.SHUTDOWN_GRACE_SECONDS


def test_stop_timeout_exceeds_the_workers_worst_case_and_fits_fargate():
    # batch_container/README.md: stopTimeout > LONG_POLL_SECONDS + SHUTDOWN_GRACE_SECONDS; the worst case is
    # max(long poll, grace + 3 s to end the job's process) + REPORT_TIMEOUT_SECONDS. Fargate honours at most 120 s.
    from modules.activity_worker_service import WORKER_STOP_TIMEOUT_SECONDS

    worker = _worker_constants()
    worst_case = max(worker.LONG_POLL_SECONDS, worker.SHUTDOWN_GRACE_SECONDS + 3) + worker.REPORT_TIMEOUT_SECONDS
    assert WORKER_STOP_TIMEOUT_SECONDS > worker.LONG_POLL_SECONDS + worker.SHUTDOWN_GRACE_SECONDS
    assert worst_case < WORKER_STOP_TIMEOUT_SECONDS
    assert WORKER_STOP_TIMEOUT_SECONDS <= 120


def test_worker_container_sets_the_stop_timeout(synthesized):
    from modules.activity_worker_service import WORKER_STOP_TIMEOUT_SECONDS

    (container,) = json.loads(find(synthesized, "aws_ecs_task_definition", family=WORKER)["container_definitions"])
    assert container["stopTimeout"] == WORKER_STOP_TIMEOUT_SECONDS == 90
