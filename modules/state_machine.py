"""A Standard state machine with its own role, CloudWatch Logs and X-Ray tracing.

The workflow-specific constructs (run task, pipeline, trigger, activity) build the definition and
the statements their integrations need, and hand both to this one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from fargate_batch.checkov_skips import CheckovSkip, skip_checks
from fargate_batch.config import names
from fargate_batch.config.schema import StateMachineLoggingConfig
from fargate_batch.tf import CloudwatchLogGroup, Construct, SfnStateMachine
from modules._private.iam_statements import Statement, service_trust
from modules._private.policy import attach_statements, service_role
from modules.aws_scope import aws_scope


def log_delivery() -> Statement:
    """Vended log delivery for state machine logging; AWS documents ``*`` as the only resource.

    https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy
    """
    return Statement(
        sid="DeliverExecutionLogs",
        actions=(
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        ),
        resources=("*",),
    )


def xray_tracing() -> Statement:
    """X-Ray trace segments; the actions take no resource-level scoping.

    https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html
    """
    return Statement(
        sid="SendTraces",
        actions=(
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
        ),
        resources=("*",),
    )


@dataclass(frozen=True)
class StateMachineLogging:
    """How a state machine logs, in one value: ``[logging]`` (level, execution data, X-Ray, retention) and the key.

    ``config``: Default level ERROR without execution data, X-Ray on, 365 days of retention (CloudWatch
    Logs retention values only). ``kms_key_arn``: Default none (CloudWatch Logs' own encryption); a
    customer managed key whose policy lets CloudWatch Logs use it for this log group.
    https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
    """

    config: StateMachineLoggingConfig = StateMachineLoggingConfig()
    kms_key_arn: str | None = None


@dataclass(frozen=True)
class StateMachineProps:
    name: str
    definition: dict
    statements: tuple[Statement, ...]
    logging: StateMachineLogging = StateMachineLogging()


# CKV_AWS_285 asks for include_execution_data = true, i.e. every state's input and output in the logs.
EXECUTION_DATA_OFF = CheckovSkip(
    "CKV_AWS_285",
    "execution inputs and outputs (commands, environment values, object keys) stay out of CloudWatch Logs "
    "on purpose; the execution history keeps them for 90 days; [logging] include_execution_data = true turns it on",
)


class StateMachine(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: StateMachineProps) -> None:
        super().__init__(scope, id_)
        aws = aws_scope(self)
        self.name = props.name
        self.definition = props.definition
        # The /aws/vendedlogs/ prefix keeps the log group resource policy small.
        # https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html
        self.log_group = CloudwatchLogGroup(
            self,
            "logs",
            name=names.state_machine_log_group(props.name),
            retention_in_days=props.logging.config.retention_days,
            kms_key_id=props.logging.kms_key_arn,
        )
        self.role = service_role(
            self,
            "role",
            name=names.state_machine_role(props.name),
            trust_statement=service_trust(
                "states.amazonaws.com",
                source_account=aws.account_id,
                source_arn=aws.arn("states", f"stateMachine:{props.name}"),
            ),
            description=f"Step Functions runs {props.name}",
        )
        statements: list[Statement] = list(props.statements)
        if props.logging.config.level != "OFF":
            statements.append(log_delivery())
        if props.logging.config.tracing:
            statements.append(xray_tracing())
        self.policy = attach_statements(self, "policy", self.role, statements)
        self.state_machine = SfnStateMachine(
            self,
            "state-machine",
            name=props.name,
            type="STANDARD",
            role_arn=self.role.arn,
            definition=json.dumps(props.definition, indent=2),
            logging_configuration={
                "log_destination": f"{self.log_group.arn}:*",
                "include_execution_data": props.logging.config.include_execution_data,
                "level": props.logging.config.level,
            },
            tracing_configuration={"enabled": props.logging.config.tracing},
            # Step Functions checks the role when the machine is created; the policy must exist first.
            depends_on=[self.policy],
        )
        if not props.logging.config.include_execution_data:
            skip_checks(self.state_machine, EXECUTION_DATA_OFF)

    @property
    def arn(self) -> str:
        return self.state_machine.arn


def statements_of(items: Iterable[Statement | Iterable[Statement]]) -> tuple[Statement, ...]:
    flat: list[Statement] = []
    for item in items:
        flat.extend([item] if isinstance(item, Statement) else item)
    return tuple(flat)
