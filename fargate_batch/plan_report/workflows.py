"""Workflows as they are synthesized: trigger → state machine → steps → alert, read from ``cdk.tf.json``.

The state machine definitions in the synthesized stack are what will be deployed, so the diagrams,
the state-transition counts and the task sizes come from them, not from the configuration. The
configuration only says which workflows exist (by name) and how long each step is expected to run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from fargate_batch.config import names
from fargate_batch.config.schema import ProjectConfig
from fargate_batch.plan_report.pricing import TaskSize
from modules.pipeline_state_machine import SKIP_STATE

_REFERENCE = re.compile(r"^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$")
_ANY_REFERENCE = re.compile(r"\$\{[^}]*?\.([a-z_]+)\}")
NESTED = "arn:aws:states:::states:startExecution.sync:2"
RUN_TASK = "arn:aws:states:::ecs:runTask.sync"
_MAX_LABEL = 60


class WorkflowError(ValueError):
    pass


@dataclass(frozen=True)
class TaskRun:
    """One Fargate task a successful execution starts: which step, what size, which family."""

    step: str
    size: TaskSize
    family: str


@dataclass(frozen=True)
class StateNode:
    name: str
    type: str
    detail: str = ""
    caught: bool = False  # a Catch fails the execution, which the execution-status rule alerts


@dataclass(frozen=True)
class Trigger:
    kind: str  # "schedule", "s3" or "api"
    label: tuple[str, ...]
    edge: str


@dataclass(frozen=True)
class Workflow:
    kind: str  # "pipeline", "trigger" or "activity"
    name: str
    machine_name: str
    trigger: Trigger
    path: tuple[StateNode, ...]
    transitions_per_run: int
    task_runs: tuple[TaskRun, ...]
    alert_topic: str | None
    schedule: dict | None = None  # the aws_scheduler_schedule block, for pipelines that have one
    workers: tuple[str, int, TaskSize] | None = None  # activity: service name, desired count, size
    notes: tuple[str, ...] = field(default=())


def readable(value: str) -> str:
    """``fargate-batch-dev-data-${data.aws_caller_identity.x.account_id}`` → ``fargate-batch-dev-data-<account_id>``."""
    return _ANY_REFERENCE.sub(lambda m: f"<{m.group(1)}>", value)


class StackView:
    """Lookups over one synthesized stack."""

    def __init__(self, synthesized: dict) -> None:
        self.resources = synthesized.get("resource", {})

    def of_type(self, type_: str) -> dict[str, dict]:
        return self.resources.get(type_, {})

    def by_reference(self, reference: str) -> tuple[str, dict]:
        match = _REFERENCE.match(reference)
        if not match or match.group(2) not in self.of_type(match.group(1)):
            raise WorkflowError(f"{reference!r} does not name a resource of the stack")
        return match.group(1), self.of_type(match.group(1))[match.group(2)]

    def machine_named(self, name: str) -> dict:
        for machine in self.of_type("aws_sfn_state_machine").values():
            if machine.get("name") == name:
                return machine
        raise WorkflowError(f"the stack has no state machine named {name!r}")

    def reference_to(self, type_: str, body: dict, attribute: str = "arn") -> str:
        for id_, candidate in self.of_type(type_).items():
            if candidate is body:
                return "${" + f"{type_}.{id_}.{attribute}" + "}"
        raise WorkflowError(f"no {type_} resource for {body.get('name')!r}")


def definition_of(machine: dict) -> dict:
    return json.loads(machine["definition"])


def success_path(definition: dict) -> list[tuple[str, dict]]:
    """The states an execution visits when nothing fails: StartAt, then Next, to End or Succeed.

    A Choice on the success path follows its Default (the workflows here branch on failures), except the
    overlap guard's, whose Default skips the run: a run that goes on follows its first choice.
    """
    states = definition["States"]
    path: list[tuple[str, dict]] = []
    name = definition["StartAt"]
    while True:
        if name in (n for n, _ in path):
            raise WorkflowError(f"state {name!r} is visited twice on the success path; cannot count transitions")
        state = states[name]
        path.append((name, state))
        if state.get("End") or state["Type"] in ("Succeed", "Fail"):
            return path
        name = state.get("Next") or state.get("Default")
        if state["Type"] == "Choice" and name == SKIP_STATE:
            name = state["Choices"][0]["Next"]
        if name is None:
            raise WorkflowError(f"state {path[-1][0]!r} has neither Next, Default nor End")


def _alert_topic(view: StackView, machine: dict) -> str | None:
    """The topic the stack's execution-status rule alerts for this state machine, if any rule does."""
    arn = view.reference_to("aws_sfn_state_machine", machine)
    for rule_id, rule in view.of_type("aws_cloudwatch_event_rule").items():
        pattern = json.loads(rule.get("event_pattern") or "{}")
        if arn not in pattern.get("detail", {}).get("stateMachineArn", []):
            continue
        for target in view.of_type("aws_cloudwatch_event_target").values():
            if not target["rule"].startswith(f"${{aws_cloudwatch_event_rule.{rule_id}."):
                continue
            kind, topic = view.by_reference(target["arn"])
            if kind == "aws_sns_topic":
                return topic["name"]
    return None


def _task_size(view: StackView, reference: str) -> tuple[TaskSize, str]:
    _, task = view.by_reference(reference)
    return TaskSize(int(task["cpu"]), int(task["memory"])), task["family"]


def count_transitions(view: StackView, definition: dict) -> int:
    """States visited on the success path, plus those of every child execution a state starts."""
    total = 0
    for _, state in success_path(definition):
        total += 1
        if state.get("Resource") == NESTED:
            _, child = view.by_reference(state["Parameters"]["StateMachineArn"])
            total += count_transitions(view, definition_of(child))
    return total


def _task_definition(parameters: dict, execution_input: dict | None) -> str:
    """RunTask's task definition: fixed, or (``TaskDefinition.$``: ``$.x``) the caller's input field ``x``."""
    if "TaskDefinition" in parameters:
        return parameters["TaskDefinition"]
    field = parameters["TaskDefinition.$"].removeprefix("$.")
    return (execution_input or {})[field]


def task_runs(
    view: StackView, definition: dict, step: str | None = None, execution_input: dict | None = None
) -> list[TaskRun]:
    """Every Fargate task a successful execution runs, named after the top-level state that led to it.

    ``execution_input``: what the caller passes to this machine (a nested call's ``Input``), which names the
    task definition of a run-task child."""
    runs: list[TaskRun] = []
    for name, state in success_path(definition):
        if state.get("Resource") == NESTED:
            _, child = view.by_reference(state["Parameters"]["StateMachineArn"])
            runs += task_runs(view, definition_of(child), step or name, state["Parameters"].get("Input"))
        elif state.get("Resource") == RUN_TASK:
            size, family = _task_size(view, _task_definition(state["Parameters"], execution_input))
            runs.append(TaskRun(step or name, size, family))
    return runs


def _node(view: StackView, name: str, state: dict, on_path: set[str], command_hint: str | None = None) -> StateNode:
    # A Catch that returns to the success path (the overlap guard's) is not a failure.
    caught = any(catcher.get("Next") not in on_path for catcher in state.get("Catch", []))
    resource = state.get("Resource", "")
    if resource == NESTED:
        _, child = view.by_reference(state["Parameters"]["StateMachineArn"])
        child_input = state["Parameters"].get("Input", {})
        command = child_input.get("commands")
        runs = task_runs(view, definition_of(child), execution_input=child_input)
        sizes = ", ".join(f"{r.family} ({r.size})" for r in runs)
        detail = " ".join(command) if isinstance(command, list) else command_hint or "command from the execution input"
        return StateNode(name, "step", f"{detail}|{child['name']}|{sizes}", caught)
    if resource == RUN_TASK and "TaskDefinition" in state["Parameters"]:
        size, family = _task_size(view, state["Parameters"]["TaskDefinition"])
        return StateNode(name, "ecs", f"{family} ({size})", caught)
    if state["Type"] == "Task" and (":activity:" in resource or resource.startswith("${aws_sfn_activity.")):
        _, activity = view.by_reference(resource)
        return StateNode(name, "activity", f"activity {activity['name']}", caught)
    return StateNode(name, state["Type"].lower(), "", caught)


def _build(
    view: StackView, kind: str, name: str, machine: dict, trigger: Trigger, command_hint: str | None = None, **extra
) -> Workflow:
    definition = definition_of(machine)
    path = success_path(definition)
    on_path = {name for name, _ in path}
    return Workflow(
        kind=kind,
        name=name,
        machine_name=machine["name"],
        trigger=trigger,
        path=tuple(_node(view, n, s, on_path, command_hint) for n, s in path),
        transitions_per_run=count_transitions(view, definition),
        task_runs=tuple(task_runs(view, definition)),
        alert_topic=_alert_topic(view, machine),
        **extra,
    )


def workflows(config: ProjectConfig, synthesized: dict) -> list[Workflow]:
    """Every pipeline, S3 trigger and activity of the configuration, as synthesized."""
    view = StackView(synthesized)
    prefix = config.name_prefix
    found: list[Workflow] = []
    for pipeline in config.pipelines:
        machine = view.machine_named(names.PipelineNames(prefix, pipeline.name).state_machine)
        arn = view.reference_to("aws_sfn_state_machine", machine)
        schedule = next((s for s in view.of_type("aws_scheduler_schedule").values() if s["target"]["arn"] == arn), None)
        if schedule is not None:
            state = "" if schedule.get("state", "ENABLED") == "ENABLED" else " (DISABLED)"
            trigger = Trigger(
                "schedule",
                (
                    "EventBridge Scheduler" + state,
                    schedule["schedule_expression"],
                    schedule.get("schedule_expression_timezone", "UTC"),
                ),
                "StartExecution",
            )
        else:
            trigger = Trigger("api", ("StartExecution", "(no schedule: on demand)"), "")
        found.append(_build(view, "pipeline", pipeline.name, machine, trigger, schedule=schedule))
    for trigger_config in config.triggers:
        machine = view.machine_named(names.TriggerNames(prefix, trigger_config.name).state_machine)
        arn = view.reference_to("aws_sfn_state_machine", machine)
        target = next(t for t in view.of_type("aws_cloudwatch_event_target").values() if t["arn"] == arn)
        _, rule = view.by_reference(target["rule"])
        pattern = json.loads(rule["event_pattern"])
        bucket = pattern["detail"]["bucket"]["name"][0]
        if _REFERENCE.match(bucket):
            _, bucket_resource = view.by_reference(bucket)
            bucket = bucket_resource[_REFERENCE.match(bucket).group(3)]
        bucket = readable(bucket)
        (key_matcher,) = pattern["detail"]["object"]["key"]
        keys = key_matcher.get("prefix", key_matcher.get("wildcard", ""))
        trigger = Trigger(
            "s3",
            ("S3 Object Created", f"s3://{bucket}/{keys}{'*' if 'prefix' in key_matcher else ''}"),
            f"EventBridge rule {rule['name']}",
        )
        command = " ".join(trigger_config.command)
        found.append(_build(view, "trigger", trigger_config.name, machine, trigger, command_hint=command))
    for activity in config.activities:
        machine = view.machine_named(names.ActivityNames(prefix, activity.name).state_machine)
        service = next(
            (
                s
                for s in view.of_type("aws_ecs_service").values()
                if s["name"] == names.ActivityNames(prefix, activity.name).worker
            ),
            None,
        )
        workers = None
        if service is not None:
            size, _ = _task_size(view, service["task_definition"])
            workers = (service["name"], int(service["desired_count"]), size)
        trigger = Trigger("api", ("StartExecution", "(jobs for the activity workers)"), "")
        found.append(_build(view, "activity", activity.name, machine, trigger, workers=workers))
    return found


_MERMAID_ENTITIES = {"&": "#amp;", "<": "#lt;", ">": "#gt;", '"': "#quot;"}


def _label(*lines: str) -> str:
    """A quoted Mermaid label; text is escaped with Mermaid's entity codes, lines joined with <br/>."""
    cut = [line if len(line) <= _MAX_LABEL else line[: _MAX_LABEL - 1] + "…" for line in lines if line]
    escaped = ("".join(_MERMAID_ENTITIES.get(c, c) for c in line) for line in cut)
    return '"' + "<br/>".join(escaped) + '"'


def mermaid(workflow: Workflow) -> str:
    """A left-to-right flowchart: trigger → state machine (its success path) → succeeded; failures → alert."""
    lines = ["flowchart LR"]
    lines.append(f"  trigger[{_label(*workflow.trigger.label)}]")
    lines.append(f"  subgraph machine[{_label('Step Functions ' + workflow.machine_name)}]")
    lines.append("    direction LR")
    steps = 0
    for index, node in enumerate(workflow.path):
        if node.type == "step":
            steps += 1
            command, child, sizes = node.detail.split("|", 2)
            label = _label(f"{steps}. {node.name}", command, f"→ {child}", sizes)
        elif node.type in ("ecs", "activity"):
            label = _label(node.name, node.detail)
        else:
            label = _label(node.name, f"({node.type})")
        lines.append(f"    s{index}[{label}]")
    for index in range(1, len(workflow.path)):
        lines.append(f"    s{index - 1} --> s{index}")
    lines.append("  end")
    edge = f"|{workflow.trigger.edge}|" if workflow.trigger.edge else ""
    lines.append(f"  trigger -->{edge} s0")
    lines.append(f"  s{len(workflow.path) - 1} --> succeeded([succeeded])")
    if workflow.workers is not None:
        name, count, size = workflow.workers
        worker_step = next(i for i, n in enumerate(workflow.path) if n.type == "activity")
        lines.append(
            f"  workers[{_label(f'ECS service {name}', f'{count} × {size}')}] -.->|GetActivityTask| s{worker_step}"
        )
    caught = [f"s{i}" for i, node in enumerate(workflow.path) if node.caught]
    if caught:
        lines.append(f"  {' & '.join(caught)} -.->|caught| failed([failed])")
    if workflow.alert_topic:
        lines.append(f"  failed -.->|execution-status rule| alert[{_label('SNS alert', workflow.alert_topic)}]")
    return "\n".join(lines)
