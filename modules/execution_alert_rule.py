"""EventBridge rule: every failed, timed-out or aborted execution of the stack's workflows alerts once, in words.

**Who owns the alert.** This rule does, not the workflows' ``Catch`` paths. Step Functions sends
"Step Functions Execution Status Change" for every end of a standard execution, so the rule sees
``FAILED``, ``TIMED_OUT`` and ``ABORTED`` alike. A ``Catch`` sees none of the last two: a timeout of the
whole execution (``TimeoutSeconds``) or a ``StopExecution`` (a person, a redeploy) ends the execution
without running any state. A ``Catch`` that published and then failed the execution would alert
twice, once from the state and once from this rule; so the workflows fail and this rule tells.
Step Functions sends these events on a best-effort basis (as EventBridge lists for all of them).
https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-states.html

**Which executions.** Only the workflows a person or a trigger starts (pipelines, triggers, activity
machines), never their run-task children: a failed child fails its parent (``.sync:2``), and stopping
a parent stops its child, so matching both would alert twice for one failure. The pattern lists their
ARNs (``detail.stateMachineArn``); a state machine added later alerts only once it is listed here.

**The message.** One plain-text message per execution, made by an input transformer: workflow (its
state machine ARN; the name is the part after ``stateMachine:``), status, execution ARN, error,
cause and a console link. One rule with one target for all workflows, rather than one rule per
workflow with the name written in: a rule per workflow would mean a rule, a target, a dead-letter
queue entry and an alarm per workflow for a name the ARN already shows. The template is text, not
JSON: EventBridge does not escape the values it inserts, and a cause is often JSON itself (an ECS task
description), whose quotes would break a JSON template. For ``ABORTED`` executions Step Functions
sends no error and no cause (``null``).
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html

**Delivery.** The topic's policy must let this rule publish (``AlertTopic.allow_publishing_from``),
and with no target role, as EventBridge requires for SNS targets
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html). What EventBridge
cannot deliver after its retries goes to the dead-letter queue, whose alarm tells.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from fargate_batch.tf import CloudwatchEventRule, CloudwatchEventTarget, Construct
from modules.alert_topic import AlertTopic
from modules.dead_letter_queue import DeadLetterQueue

ALERTING_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")

# Input transformer variables → JSON paths of the event (dot notation only, as EventBridge supports).
ALERT_INPUT_PATHS = {
    "workflow": "$.detail.stateMachineArn",
    "execution": "$.detail.executionArn",
    "status": "$.detail.status",
    "error": "$.detail.error",
    "cause": "$.detail.cause",
    "region": "$.region",
}

ALERT_TEMPLATE = "\n".join(
    (
        "fargate-batch: an execution ended <status>.",
        "",
        "Workflow: <workflow>",
        "Status: <status>",
        "Execution: <execution>",
        "Error: <error>",
        "Cause: <cause>",
        "",
        "Execution history: https://<region>.console.aws.amazon.com/states/home?region=<region>"
        "#/v2/executions/details/<execution>",
    )
)


def execution_status_pattern(state_machine_arns: tuple[str, ...]) -> dict:
    """Event pattern for the end of an execution of one of ``state_machine_arns`` that did not succeed.

    https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
    """
    return {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"status": list(ALERTING_STATUSES), "stateMachineArn": list(state_machine_arns)},
    }


class HasArn(Protocol):
    """What the rule needs of a workflow: its state machine's ARN (``PipelineStateMachine`` and the like)."""

    @property
    def arn(self) -> str: ...


@dataclass(frozen=True)
class ExecutionAlertRuleProps:
    """``state_machines``: the workflows whose executions alert; not the children they start.

    ``dead_letter_queue`` must name this rule in its ``event_rule_arns`` (its policy is what lets
    EventBridge deliver there).
    ``retry_attempts``: Default 185 (0-185). ``max_event_age_seconds``: Default 86400 (60-86400): an
    alert is still worth sending a day late. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
    """

    name: str
    state_machines: tuple[HasArn, ...]
    topic: AlertTopic
    dead_letter_queue: DeadLetterQueue
    retry_attempts: int = 185
    max_event_age_seconds: int = 86_400

    def __post_init__(self) -> None:
        if not self.state_machines:
            raise ValueError(f"{self.name}: state_machines is empty; a rule that matches nothing alerts nobody")
        if not 0 <= self.retry_attempts <= 185:
            raise ValueError(f"retry_attempts: {self.retry_attempts} is outside 0-185 (EventBridge RetryPolicy)")
        if not 60 <= self.max_event_age_seconds <= 86_400:
            raise ValueError(
                f"max_event_age_seconds: {self.max_event_age_seconds} is outside 60-86400 (EventBridge RetryPolicy)"
            )


class ExecutionAlertRule(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ExecutionAlertRuleProps) -> None:
        super().__init__(scope, id_)
        self.name = props.name
        self.pattern = execution_status_pattern(tuple(machine.arn for machine in props.state_machines))
        self.rule = CloudwatchEventRule(
            self,
            "rule",
            name=props.name,
            description="Failed, timed-out and aborted executions of this environment's workflows alert the topic",
            event_pattern=json.dumps(self.pattern),
        )
        self.target = CloudwatchEventTarget(
            self,
            "target",
            rule=self.rule.name,
            target_id="alert-topic",
            arn=props.topic.arn,
            input_transformer={"input_paths": ALERT_INPUT_PATHS, "input_template": ALERT_TEMPLATE},
            retry_policy={
                "maximum_retry_attempts": props.retry_attempts,
                "maximum_event_age_in_seconds": props.max_event_age_seconds,
            },
            dead_letter_config={"arn": props.dead_letter_queue.arn},
        )

    @property
    def arn(self) -> str:
        return self.rule.arn
