"""Fault injection: RunTask answering "Capacity is unavailable at this time".

AWS answers a RunTask it cannot place with HTTP 200, no task and a ``failures`` entry; that is the
failure the pipelines retry. moto 5.2 always places the task. This keeps a per-family budget of
failures, set with ``POST /moto-api/local-emulator/ecs-capacity-failures``
``{"family": "<task definition family>", "count": N}``: the next N RunTask calls for that family
fail exactly as AWS reports it.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
"""

from __future__ import annotations

import json

CAPACITY_REASON = "Capacity is unavailable at this time. Please try again later or in a different availability zone"
PATH = "/moto-api/local-emulator/ecs-capacity-failures"

pending_failures: dict[str, int] = {}


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.moto_api._internal import urls

    original_run_task = EC2ContainerServiceResponse.run_task

    def run_task(self):
        family = self._get_param("taskDefinition", "").split("/")[-1].split(":")[0]
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
