"""An endpoint that evaluates CloudWatch alarms once: ``POST /moto-api/local-emulator/evaluate-alarms``.

moto 5.2 never evaluates an alarm (it stays in the state it was put in); AWS evaluates each alarm every
period and runs its actions on a change of state:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
:mod:`local_emulator.alarm_evaluator` does it inside the emulator process (where the decision log and the
metrics live); this lets the local run and tests, which are other processes, ask for one evaluation.
The answer is ``Evaluation.as_json()``: every alarm's state and actions, and the alarms not computed.
"""

from __future__ import annotations

import json


def apply() -> None:
    from moto.moto_api._internal import urls

    from local_emulator.alarm_evaluator import EVALUATE_PATH, evaluate_alarms
    from local_emulator.patches.authorization import _reported

    def evaluate(request, full_url, headers):
        return 200, {"Content-Type": "application/json"}, json.dumps(evaluate_alarms().as_json())

    urls.url_paths["{0}" + EVALUATE_PATH] = _reported(evaluate)
