"""ListStateMachineVersions.

moto 5.2 records published versions of a state machine but has no handler for listing them
(HTTP 500); the AWS provider lists them after every create and read of ``aws_sfn_state_machine``.
AWS answers ``{"stateMachineVersions": [{"stateMachineVersionArn", "creationDate"}]}``, newest first.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachineVersions.html
"""

from __future__ import annotations

import json


def apply() -> None:
    from moto.stepfunctions.responses import StepFunctionResponse

    def list_state_machine_versions(self) -> str:
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        versions = sorted(getattr(machine, "versions", {}).items(), reverse=True)
        return json.dumps(
            {
                "stateMachineVersions": [
                    {"stateMachineVersionArn": version.arn, "creationDate": version.creation_date}
                    for _number, version in versions
                ]
            },
            default=str,
        )

    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
