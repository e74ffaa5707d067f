"""Fault injection: RunTask answering "Capacity is unavailable at this time", or throttled.

AWS answers a RunTask it cannot place with HTTP 200, no task and a ``failures`` entry; that is the
failure the pipelines retry. moto 5.2 always places the task. This keeps a per-family budget of
failures, set with ``POST /moto-api/local-emulator/ecs-capacity-failures``
``{"family": "<task definition family>", "count": N}``: the next N RunTask calls for that family
fail exactly as AWS reports it.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html

AWS also throttles RunTask (a token bucket per account and Region): the call fails with HTTP 400,
``ThrottlingException``, "Rate exceeded", which a ``runTask`` state sees as ``ECS.ThrottlingException``.
moto 5.2 never throttles. ``POST /moto-api/local-emulator/ecs-throttling``
``{"family": "<task definition family>", "count": N}`` makes the next N RunTask calls for that family
fail so (:func:`set_throttled_run_tasks`).
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

import json

CAPACITY_REASON = "Capacity is unavailable at this time. Please try again later or in a different availability zone"
PATH = "/moto-api/local-emulator/ecs-capacity-failures"
THROTTLING_PATH = "/moto-api/local-emulator/ecs-throttling"
THROTTLING_CODE = "ThrottlingException"
THROTTLING_MESSAGE = "Rate exceeded"

pending_failures: dict[str, int] = {}
pending_throttles: dict[str, int] = {}


def set_throttled_run_tasks(endpoint: str, family: str, count: int) -> None:
    """The next ``count`` RunTask calls for ``family`` on the emulator at ``endpoint`` are throttled."""
    _post(endpoint + THROTTLING_PATH, {"family": family, "count": count})


def _post(url: str, body: dict) -> None:
    import urllib.request

    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5):
        pass


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.moto_api._internal import urls

    original_run_task = EC2ContainerServiceResponse.run_task

    def run_task(self):
        family = self._get_param("taskDefinition", "").split("/")[-1].split(":")[0]
        if pending_throttles.get(family, 0) > 0:
            from moto.core.exceptions import JsonRESTError

            pending_throttles[family] -= 1
            raise JsonRESTError(THROTTLING_CODE, THROTTLING_MESSAGE)  # HTTP 400, as AWS answers
        if pending_failures.get(family, 0) > 0:
            pending_failures[family] -= 1
            return ActionResult({"tasks": [], "failures": [{"arn": family, "reason": CAPACITY_REASON}]})
        return original_run_task(self)

    EC2ContainerServiceResponse.run_task = run_task

    def set_failures(request, full_url, headers):
        if request.method == "POST":
            body = json.loads(request.get_data() or b"{}")
            pending_failures[body["family"]] = int(body.get("count", 1))
        return 200, {"Content-Type": "application/json"}, json.dumps(pending_failures)

    urls.url_paths["{0}" + PATH] = set_failures
    urls.url_paths["{0}" + THROTTLING_PATH] = _budget_endpoint(pending_throttles)


def _budget_endpoint(budget: dict[str, int]):
    def handle(request, full_url, headers):
        if request.method == "POST":
            body = json.loads(request.get_data() or b"{}")
            if not isinstance(body.get("family"), str) or not str(body.get("count", 1)).isdigit():
                message = 'expected {"family": "<task definition family>", "count": <non-negative integer>}'
                return 400, {"Content-Type": "application/json"}, json.dumps({"message": message})
            budget[body["family"]] = int(body.get("count", 1))
        return 200, {"Content-Type": "application/json"}, json.dumps(budget)

    return handle
