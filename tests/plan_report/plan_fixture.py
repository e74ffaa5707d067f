"""One real plan per test session: the dev stack synthesized for the local emulator and planned there.

tests/plan_report, tests/security and tests/hcl_export share it through the cache: one emulator (kept
running for the session, so the HCL export can be planned against it too), one synth, one plan.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

_CACHE: dict[str, object] = {}


@dataclass(frozen=True)
class LocalPlan:
    endpoint: str
    work_dir: Path
    stack_dir: Path
    synthesized: dict
    plan: dict

    @property
    def plan_json(self) -> Path:
        return self.stack_dir / "plan.json"


def session_plan(dev_config, tmp_path_factory, request) -> LocalPlan:
    if "plan" not in _CACHE:
        from fargate_batch.config.targets import Target
        from fargate_batch.local_aws import create_state_bucket
        from fargate_batch.plan_report.runner import local_emulator, plan_stack, synthesize

        running = contextlib.ExitStack()
        request.session.config.add_cleanup(running.close)
        endpoint = running.enter_context(local_emulator())
        create_state_bucket(endpoint)
        work_dir = tmp_path_factory.mktemp("local-plan")
        (stack_dir,) = synthesize([dev_config], Target("local", endpoint), work_dir / "cdktf.out").values()
        plan = plan_stack(stack_dir, work_dir)
        synthesized = json.loads((stack_dir / "cdk.tf.json").read_text())
        _CACHE["plan"] = LocalPlan(endpoint, work_dir, stack_dir, synthesized, plan)
    return _CACHE["plan"]
