"""JSONPaths through an array index, such as ``$.task.Containers[0].ExitCode``.

moto 5.2's interpreter returns a one-element list for any path whose parent step is an array
index (a moto-only change for getmoto/moto#7825), so ``States.Format('exit code {}', ...)`` renders
"exit code [3]". In AWS a definite path (no wildcard, slice, filter or deep scan) selects one
value, and that value is returned as is; paths that can select several values still give a list.
https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
"""

from __future__ import annotations

import importlib
import re

# Anything that can select more than one node: wildcards, slices, unions, filters, deep scans.
INDEFINITE = re.compile(r"\*|\[[^\]]*[:,?][^\]]*\]|\.\.")

IMPORTERS = (
    "moto.stepfunctions.parser.asl.component.common.string.string_expression",
    "moto.stepfunctions.parser.asl.component.intrinsic.argument.argument",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.timestamp_operators",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.boolean_equals",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.numeric",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.string_operators",
    "moto.stepfunctions.parser.asl.eval.states",
)


def apply() -> None:
    from moto.stepfunctions.parser.asl.utils import json_path

    original = json_path.extract_json

    def extract_json(path: str, data):
        value = original(path, data)
        if isinstance(value, list) and len(value) == 1 and not INDEFINITE.search(path):
            from jsonpath_ng.ext import parse

            matches = parse(path).find(data)
            if len(matches) == 1 and not isinstance(matches[0].value, list):
                return matches[0].value
        return value

    json_path.extract_json = extract_json
    for name in IMPORTERS:
        module = importlib.import_module(name)
        if getattr(module, "extract_json", None) is original:
            module.extract_json = extract_json
