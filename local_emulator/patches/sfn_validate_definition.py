"""ValidateStateMachineDefinition.

moto 5.2 has no handler for it (HTTP 500 with an HTML body); the AWS provider 5.100 calls it while
planning every ``aws_sfn_state_machine``, so plans fail (or hang for minutes with retries).
AWS parses the definition and answers ``{"result": "OK"|"FAIL", "diagnostics": [...]}``.
This answers the same from moto's own ASL parser (the ANTLR grammar ported from LocalStack) plus
its static analyser, so a broken definition is reported as AWS would report it, at plan time.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html
"""

from __future__ import annotations

import json


def dangling_transitions(states_container: dict) -> list[str]:
    """Transitions to states that do not exist, in this container and every nested branch.

    The ASL grammar accepts them; AWS rejects them (``MISSING_TRANSITION_TARGET``).
    """
    states = states_container.get("States", {})
    problems = []
    if states_container.get("StartAt") not in states:
        problems.append(f"StartAt '{states_container.get('StartAt')}' is not a state")
    for name, state in states.items():
        targets = [state.get("Next"), state.get("Default")]
        targets += [choice.get("Next") for choice in state.get("Choices", [])]
        targets += [catcher.get("Next") for catcher in state.get("Catch", [])]
        problems += [f"state '{name}' moves to '{t}', which is not a state" for t in targets if t and t not in states]
        for branch in state.get("Branches", []) + [state.get("Iterator") or state.get("ItemProcessor") or {}]:
            if branch:
                problems += dangling_transitions(branch)
    return problems


def unsupported_integration_fields(states_container: dict) -> list[str]:
    """Parameters an optimized integration does not accept, in this container and every nested branch.

    AWS refuses them when the state machine is created or validated ("The field 'Tags' is not supported
    by Step Functions"); moto's interpreter drops them silently. The lists are the interpreter's own,
    which follow each integration's "supported parameters" in the Step Functions developer guide, e.g.
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
    """
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_ecs

    supported_by_resource = {"ecs:runTask": state_task_service_ecs._SUPPORTED_API_PARAM_BINDINGS["runtask"]}
    problems = []
    for name, state in states_container.get("States", {}).items():
        resource = str(state.get("Resource", ""))
        for prefix, supported in supported_by_resource.items():
            if resource.startswith(f"arn:aws:states:::{prefix}"):
                fields = {key.removesuffix(".$") for key in (state.get("Parameters") or {})}
                problems += [
                    f"state '{name}': the field '{field}' is not supported by Step Functions for {prefix}"
                    for field in sorted(fields - supported)
                ]
        for branch in state.get("Branches", []) + [state.get("Iterator") or state.get("ItemProcessor") or {}]:
            if branch:
                problems += unsupported_integration_fields(branch)
    return problems


def validate(definition: str, state_machine_type: str = "STANDARD") -> dict:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException
    from moto.stepfunctions.parser.asl.static_analyser.express_static_analyser import ExpressStaticAnalyser
    from moto.stepfunctions.parser.asl.static_analyser.static_analyser import StaticAnalyser

    analyser = ExpressStaticAnalyser() if state_machine_type == "EXPRESS" else StaticAnalyser()
    try:
        dangling = dangling_transitions(json.loads(definition))
        if dangling:
            return {
                "result": "FAIL",
                "diagnostics": [
                    {"severity": "ERROR", "code": "MISSING_TRANSITION_TARGET", "message": message}
                    for message in dangling
                ],
                "truncated": False,
            }
        unsupported = unsupported_integration_fields(json.loads(definition))
        if unsupported:
            return {
                "result": "FAIL",
                "diagnostics": [
                    {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": message}
                    for message in unsupported
                ],
                "truncated": False,
            }
        AmazonStateLanguageParser.parse(definition)
        analyser.analyse(definition)
    except (ASLParserException, ValueError, Exception) as error:  # the analysers raise plain exceptions
        message = repr(error) if isinstance(error, ASLParserException) else f"{type(error).__name__}: {error}"
        return {
            "result": "FAIL",
            "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": message}],
            "truncated": False,
        }
    return {"result": "OK", "diagnostics": [], "truncated": False}


def apply() -> None:
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self) -> str:
        return json.dumps(validate(self._get_param("definition"), self._get_param("type") or "STANDARD"))

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
