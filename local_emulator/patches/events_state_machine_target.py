"""EventBridge rules whose target is a Step Functions state machine.

moto 5.2 delivers rule matches to logs, SQS, archives and buses only, and raises
NotImplementedError for a ``states`` target, so an S3 "Object Created" rule can never start a
workflow. AWS starts an execution with the (possibly transformed) event as input. This does the
same through the emulator's Step Functions backend; other targets keep moto's behaviour.
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html
"""

from __future__ import annotations

import json


def apply() -> None:
    from moto.events.models import EventTemplateParser, Rule
    from moto.stepfunctions.responses import get_backend
    from moto.utilities.arns import parse_arn

    original = Rule.send_to_targets

    def send_to_targets(self, original_event, transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        state_machine_targets = [t for t in self.targets if parse_arn(t["Arn"]).service == "states"]
        for target in state_machine_targets:
            transformer = target.get("InputTransformer") if transform_input else None
            if "Input" in target:
                event = target["Input"]  # a constant input replaces the event
            elif transformer:
                event = EventTemplateParser.parse(
                    input_template=transformer.get("InputTemplate"),
                    input_paths_map=transformer.get("InputPathsMap", {}),
                    event=original_event,
                )
            else:
                event = original_event
            arn = parse_arn(target["Arn"])
            body = event if isinstance(event, str) else json.dumps(event, default=str)
            get_backend(arn.account, arn.region).start_execution(target["Arn"], name=None, execution_input=body)
        others = [t for t in self.targets if t not in state_machine_targets]
        if others:
            saved, self.targets = self.targets, others
            try:
                original(self, original_event, transform_input)
            finally:
                self.targets = saved

    Rule.send_to_targets = send_to_targets
