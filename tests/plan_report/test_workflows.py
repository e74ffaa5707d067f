"""Workflows read back from the synthesized stack: success paths, transitions, task sizes, diagrams."""

from __future__ import annotations

import re

import pytest

from fargate_batch.plan_report.pricing import TaskSize
from fargate_batch.plan_report.workflows import WorkflowError, mermaid, success_path, workflows


@pytest.fixture(scope="module")
def flows(dev_config, synthesized):
    return {f"{w.kind} {w.name}": w for w in workflows(dev_config, synthesized)}


def test_one_workflow_per_pipeline_trigger_and_activity(flows, dev_config):
    assert set(flows) == (
        {f"pipeline {p.name}" for p in dev_config.pipelines}
        | {f"trigger {t.name}" for t in dev_config.triggers}
        | {f"activity {a.name}" for a in dev_config.activities}
    )


def test_pipeline_success_path_is_its_steps_in_configured_order(flows, dev_config):
    pipeline = dev_config.pipelines[0]
    # The overlap guard (concurrency = "skip") comes first; a run that goes on then runs the steps.
    guard = ["Find runs in progress", "Another run in progress?"]
    assert [n.name for n in flows[f"pipeline {pipeline.name}"].path] == guard + [s.name for s in pipeline.steps]


def test_transitions_count_parent_states_and_each_childs_states(flows, dev_config):
    # Parent: the overlap guard's two states and one state per step. Each step starts the run-task
    # child, whose success path is one state ("Run task", End). So 2 steps → 2 + 2 + 2 × 1.
    steps = len(dev_config.pipelines[0].steps)
    assert flows["pipeline daily-report"].transitions_per_run == 2 + steps + steps * 1
    # Trigger: "Build task input" → "Run task", plus the child's one state.
    assert flows["trigger target-files"].transitions_per_run == 3
    assert flows["activity hello-world"].transitions_per_run == 1


def test_task_runs_carry_the_configured_task_size(flows, dev_config):
    size = TaskSize(dev_config.container.cpu, dev_config.container.memory_mib)
    runs = flows["pipeline daily-report"].task_runs
    # Each step runs its own task definition, named in the child's input (names.PipelineNames.step_family).
    assert [(r.step, r.size, r.family) for r in runs] == [
        ("extract", size, "fargate-batch-dev-daily-report-extract"),
        ("load", size, "fargate-batch-dev-daily-report-load"),
    ]


def test_diagram_goes_from_schedule_through_the_steps_to_the_alert(flows):
    chart = mermaid(flows["pipeline daily-report"])
    assert chart.startswith("flowchart LR")
    assert 'trigger["EventBridge Scheduler<br/>cron(0 10 * * ? *)<br/>Asia/Tokyo"]' in chart
    assert re.search(r's2\["1\. extract<br/>echo from1 object1', chart)
    assert re.search(r's3\["2\. load<br/>echo from2 object2', chart)
    assert "s2 --> s3" in chart
    assert "trigger -->|StartExecution| s0" in chart
    # The guard's lookup catches into the first step, not into a failure.
    assert "s2 & s3 -.->|caught| failed([failed])" in chart
    assert 'failed -.->|execution-status rule| alert["SNS alert<br/>fargate-batch-dev-alerts"]' in chart


def test_trigger_diagram_names_the_bucket_prefix_and_the_command(flows):
    chart = mermaid(flows["trigger target-files"])
    assert "s3://fargate-batch-dev-data-#lt;account_id#gt;/target/*" in chart
    assert "process {key}" in chart


def test_activity_diagram_shows_the_worker_service(flows, dev_config):
    chart = mermaid(flows["activity hello-world"])
    count = dev_config.activities[0].worker_desired_count
    assert f"ECS service fargate-batch-dev-worker-hello-world<br/>{count} × 0.5 vCPU, 1 GB" in chart


def test_label_text_is_escaped_for_mermaid(flows):
    from dataclasses import replace

    flow = flows["pipeline daily-report"]
    tricky = replace(flow, trigger=replace(flow.trigger, label=('say "hi" <now> & go',)))
    assert 'trigger["say #quot;hi#quot; #lt;now#gt; #amp; go"]' in mermaid(tricky)


def test_choice_on_the_success_path_follows_its_default():
    definition = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "No"}],
                "Default": "Yes",
            },
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Fail"},
        },
    }
    assert [name for name, _ in success_path(definition)] == ["Check", "Yes"]


def test_a_loop_on_the_success_path_is_refused():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}
    with pytest.raises(WorkflowError, match="visited twice"):
        success_path(definition)
