"""EventBridge rules delivering to SNS topics and SQS queues, transformed and authorized as AWS does it.

moto 5.2 raises NotImplementedError for an SNS target, delivers to SQS without consulting the queue
policy, ignores a target's ``Input`` and ``InputPath``, and renders an ``InputTransformer`` only when
the result is JSON (a text template such as ``"Execution <name> failed"`` raises), inserting string
values with their JSON quotes everywhere. AWS:

- renders the target input from ``Input`` (constant), ``InputPath`` (a part of the event) or
  ``InputTransformer`` (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html);
- publishes or sends as ``events.amazonaws.com``: the topic or queue policy must allow it (with the rule as
  ``aws:SourceArn``) and, for a customer managed key, the key policy must let EventBridge use the key
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html,
  https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services);
- sends a refused event to the target's dead-letter queue and counts it in the rule's ``FailedInvocations``
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).

Each decision lands in the decision log. State machine targets keep ``events_state_machine_target``; their
failures are counted in ``FailedInvocations`` here too. Other targets keep moto's behaviour.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from local_emulator.authorization.policy_evaluation import denial_message

PREDEFINED = ("aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time")
PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def delivered_event(event: dict) -> dict:
    """The event as targets receive it: ``time`` in ISO 8601, without moto's private ``ingestion-time``."""
    delivered = {k: v for k, v in event.items() if k != "ingestion-time"}
    if isinstance(delivered.get("time"), int | float):
        delivered["time"] = dt.datetime.fromtimestamp(delivered["time"], dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return delivered


def _json_path(path: str, event: dict):
    from jsonpath_ng.ext import parse

    matches = parse(path).find(event)
    return matches[0].value if matches else None


def render_transformer(transformer: dict, event: dict, rule) -> str:
    """``InputTemplate`` with each ``<variable>`` replaced, as EventBridge does it.

    Inside a JSON string (between unescaped quotes) a string value goes in as its escaped characters; elsewhere
    a template that is JSON (it starts with ``{``, ``[`` or ``"``) gets every value as JSON, so a string keeps
    its quotes (the page's ``{"instance": <instance>}`` example), while a plain-text template gets the value's
    text. A path that matches nothing gives ``null`` (an empty string inside quotes).
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
    """
    delivered = delivered_event(event)
    values = {name: _json_path(path, delivered) for name, path in (transformer.get("InputPathsMap") or {}).items()}
    values["aws.events.rule-arn"] = rule.arn
    values["aws.events.rule-name"] = rule.name
    values["aws.events.event.ingestion-time"] = delivered.get("time")
    values["aws.events.event.json"] = delivered
    values["aws.events.event"] = {k: v for k, v in delivered.items() if k != "detail"}
    template = transformer.get("InputTemplate") or ""
    json_template = template.lstrip()[:1] in ("{", "[", '"')
    out, in_string, position = [], False, 0
    for index, char in enumerate(template):
        if index < position:
            continue
        if char == '"' and (index == 0 or template[index - 1] != "\\"):
            in_string = not in_string
        match = PLACEHOLDER.match(template, index) if char == "<" else None
        if match and match.group(1) in values:
            value = values[match.group(1)]
            if in_string:
                text = "" if value is None else value if isinstance(value, str) else json.dumps(value)
                out.append(json.dumps(text)[1:-1])
            elif json_template or not isinstance(value, str):
                out.append(json.dumps(value))
            else:
                out.append(value)
            position = match.end()
            continue
        out.append(char)
    return "".join(out)


def target_input(target: dict, event: dict, rule) -> str:
    """The text EventBridge sends to ``target`` for ``event``. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html"""
    if target.get("Input") is not None:
        return target["Input"]
    if target.get("InputPath"):
        return json.dumps(_json_path(target["InputPath"], delivered_event(event)))
    if target.get("InputTransformer"):
        return render_transformer(target["InputTransformer"], event, rule)
    return json.dumps(delivered_event(event))


def record_invocation(rule, *, failed: bool) -> None:
    """``Invocations`` for every attempt, ``FailedInvocations`` for a failed one, per rule, as EventBridge."""
    from local_emulator.service_metrics import publish

    dimensions = {"RuleName": rule.name}
    publish("AWS/Events", "Invocations", dimensions, account=rule.account_id, region=rule.region_name)
    if failed:
        publish("AWS/Events", "FailedInvocations", dimensions, account=rule.account_id, region=rule.region_name)


def _refusal(rule, target: dict, service: str) -> str | None:
    """Authorize EventBridge's delivery to an SNS or SQS target; the denial message, or None."""
    from local_emulator.authorization.authorizer import authorize_service
    from local_emulator.authorization.run_time_calls import service_publishes_to_topic, sqs_call

    arn = target["Arn"]
    region, account = arn.split(":")[3], arn.split(":")[4]
    if service == "sns":
        checks = service_publishes_to_topic(arn, kms_context={"aws:SourceArn": None, "aws:SourceAccount": None})
    else:
        checks = sqs_call("SendMessage", {"QueueUrl": arn.rsplit(":", 1)[-1]}.get, region, account)
    denied = authorize_service(
        "events.amazonaws.com", checks, source_arn=rule.arn, source_account=rule.account_id, region=region
    )
    return None if denied is None else denial_message(denied)


def deliver(rule, target: dict, event: dict) -> bool:
    """Deliver one matched event to an SNS or SQS target; False when refused (then dead-lettered)."""
    from moto.sns.models import sns_backends
    from moto.sqs.models import sqs_backends

    from local_emulator.patches.events_state_machine_target import dead_letter

    arn = target["Arn"]
    service, region, account, name = arn.split(":")[2], arn.split(":")[3], arn.split(":")[4], arn.split(":")[-1]
    refused = _refusal(rule, target, service)
    if refused is None:
        body = target_input(target, event, rule)
        try:
            if service == "sns":
                sns_backends[account][region].publish(body, arn=arn)
            else:
                group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
                sqs_backends[account][region].send_message(name, body, group_id=group_id)
        except Exception as error:  # the topic or queue is gone: AWS dead-letters that too
            refused = f"{type(error).__name__}: {error}"
    record_invocation(rule, failed=refused is not None)
    if refused is not None:
        dead_letter(rule, target, delivered_event(event), refused)
    return refused is None


def apply() -> None:
    from moto.events.models import Rule
    from moto.utilities.arns import parse_arn

    from local_emulator.patches import events_state_machine_target

    previous = Rule.send_to_targets

    def send_to_targets(self, original_event, transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        ours = [t for t in self.targets if parse_arn(t["Arn"]).service in ("sns", "sqs")]
        for target in ours:
            deliver(self, target, original_event)
        others = [t for t in self.targets if t not in ours]
        if others:
            saved, self.targets = self.targets, others
            try:
                previous(self, original_event, transform_input)
            finally:
                self.targets = saved

    Rule.send_to_targets = send_to_targets

    # A state machine target that could not be started goes through dead_letter: count it as AWS does.
    dead_letter_of_state_machine_targets = events_state_machine_target.dead_letter

    def dead_letter(rule, target, event, error_message: str) -> None:
        if parse_arn(target["Arn"]).service == "states":
            record_invocation(rule, failed=True)
        dead_letter_of_state_machine_targets(rule, target, event, error_message)

    events_state_machine_target.dead_letter = dead_letter
