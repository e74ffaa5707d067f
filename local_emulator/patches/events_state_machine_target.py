"""EventBridge rules whose target is a Step Functions state machine.

moto 5.2 delivers rule matches to logs, SQS, archives and buses only, and raises
NotImplementedError for a ``states`` target, so an S3 "Object Created" rule can never start a
workflow. AWS starts an execution with the (possibly transformed) event as input. This does the
same through the emulator's Step Functions backend; other targets keep moto's behaviour.
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html

As in AWS, the rule assumes the target's role (``events.amazonaws.com``, ``aws:SourceArn`` = the rule)
and starts the execution with it; a refused assumption or start goes to the target's dead-letter
queue, which EventBridge itself writes to, so only the queue's and its key's policies can allow it.
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
"""

from __future__ import annotations

import json
import uuid


def start_as_rule(rule, target) -> str | None:
    """Assume the target's role as EventBridge and authorize StartExecution; the denial message, or None."""
    from local_emulator.authorization.authorizer import AssumeRoleDenied, assume_role_as_service, authorize
    from local_emulator.authorization.policy_evaluation import denial_message
    from local_emulator.authorization.run_time_calls import Check

    if not target.get("RoleArn"):
        return f"target {target['Id']} of {rule.arn} has no RoleArn; a state machine target needs one"
    try:
        session = assume_role_as_service(
            "events.amazonaws.com",
            target["RoleArn"],
            source_arn=rule.arn,
            source_account=rule.account_id,
            session_name=uuid.uuid4().hex,
            region=rule.region_name,
        )
    except AssumeRoleDenied as denied:
        return str(denied)
    identity = session.role.identity_policies if session.role else ()
    denied = authorize(session.principal, identity, [Check("states:StartExecution", target["Arn"])], rule.region_name)
    return None if denied is None else denial_message(denied)


def dead_letter(rule, target, event, error_message: str) -> None:
    """EventBridge's dead-letter delivery: the event, with the rule, target and error as attributes."""
    from moto.sqs.models import sqs_backends

    from local_emulator.authorization.authorizer import authorize_service
    from local_emulator.authorization.run_time_calls import sqs_call

    queue_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not queue_arn:
        return  # AWS drops the event too; the rule's FailedInvocations metric is all that shows it
    _, _, _, region, account, queue_name = queue_arn.split(":")
    checks = sqs_call("SendMessage", {"QueueUrl": queue_name}.get, region, account)
    if authorize_service(
        "events.amazonaws.com", checks, source_arn=rule.arn, source_account=rule.account_id, region=region
    ):
        return
    attributes = {
        "RULE_ARN": rule.arn,
        "TARGET_ARN": target["Arn"],
        "ERROR_CODE": "AccessDeniedException",
        "ERROR_MESSAGE": error_message,
    }
    sqs_backends[account][region].send_message(
        queue_name,
        json.dumps(event, default=str),
        message_attributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    )


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
            refused = start_as_rule(self, target)
            if refused is None:
                get_backend(arn.account, arn.region).start_execution(target["Arn"], name=None, execution_input=body)
            else:
                dead_letter(self, target, original_event, refused)
        others = [t for t in self.targets if t not in state_machine_targets]
        if others:
            saved, self.targets = self.targets, others
            try:
                original(self, original_event, transform_input)
            finally:
                self.targets = saved

    Rule.send_to_targets = send_to_targets
