"""The shared state machine construct: logs (encrypted, a year), X-Ray, and the execution-data decision."""

from __future__ import annotations

from fargate_batch.config.schema import StateMachineLoggingConfig
from tests.helpers import find, resources
from tests.modules.small_stack import synth_construct

PARENT = "fargate-batch-dev-daily-report"


def test_execution_data_stays_out_of_the_logs_and_the_skip_says_why(synthesized):
    machine = find(synthesized, "aws_sfn_state_machine", name=PARENT)
    assert machine["logging_configuration"]["include_execution_data"] is False
    (comment,) = machine["//"]["checkov"]
    assert comment.startswith("checkov:skip=CKV_AWS_285:")
    assert "include_execution_data = true" in comment


def test_every_state_machine_of_the_stack_traces_with_xray(synthesized):
    machines = resources(synthesized, "aws_sfn_state_machine")
    assert len(machines) == 5
    assert all(m["tracing_configuration"] == {"enabled": True} for m in machines)


def test_no_skip_when_execution_data_is_logged(tmp_path):
    from modules.state_machine import StateMachine, StateMachineLogging, StateMachineProps

    props = StateMachineProps(
        name="m",
        definition={"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}},
        statements=(),
        logging=StateMachineLogging(StateMachineLoggingConfig(level="ALL", include_execution_data=True)),
    )
    synthesized = synth_construct(tmp_path, lambda stack: StateMachine(stack, "machine", props=props))
    machine = find(synthesized, "aws_sfn_state_machine", name="m")
    assert machine["logging_configuration"]["include_execution_data"] is True
    assert "checkov" not in machine["//"]
    assert find(synthesized, "aws_cloudwatch_log_group", name="/aws/vendedlogs/states/m")["retention_in_days"] == 365
