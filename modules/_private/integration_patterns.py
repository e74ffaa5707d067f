"""Step Functions service-integration patterns, in one place.

https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html
"""

from __future__ import annotations

import enum


class IntegrationPattern(enum.Enum):
    REQUEST_RESPONSE = "request_response"
    RUN_JOB = "run_job"
    WAIT_FOR_TASK_TOKEN = "wait_for_task_token"


# Step Functions' nested StartExecution has a ".sync:2" variant whose output is JSON, not a string;
# every other service uses plain ".sync" for run-a-job.
_SUFFIXES: dict[tuple[str, IntegrationPattern], str] = {
    ("ecs:runTask", IntegrationPattern.RUN_JOB): ".sync",
    ("ecs:runTask", IntegrationPattern.REQUEST_RESPONSE): "",
    ("ecs:runTask", IntegrationPattern.WAIT_FOR_TASK_TOKEN): ".waitForTaskToken",
    ("states:startExecution", IntegrationPattern.RUN_JOB): ".sync:2",
    ("states:startExecution", IntegrationPattern.REQUEST_RESPONSE): "",
    ("states:startExecution", IntegrationPattern.WAIT_FOR_TASK_TOKEN): ".waitForTaskToken",
    ("sns:publish", IntegrationPattern.REQUEST_RESPONSE): "",
    ("sns:publish", IntegrationPattern.WAIT_FOR_TASK_TOKEN): ".waitForTaskToken",
    # AWS SDK integrations support request-response and task tokens, never .sync.
    # https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
    ("aws-sdk:sfn:listExecutions", IntegrationPattern.REQUEST_RESPONSE): "",
}


def integration_resource(service_action: str, pattern: IntegrationPattern) -> str:
    """The ASL ``Resource`` for an optimized integration, e.g. ``arn:aws:states:::ecs:runTask.sync``.

    Raises ValueError for a pattern the service does not support (SNS has no ``.sync``).
    """
    try:
        suffix = _SUFFIXES[(service_action, pattern)]
    except KeyError:
        supported = sorted(p.name for (action, p) in _SUFFIXES if action == service_action)
        raise ValueError(
            f"{service_action} does not support {pattern.name}; supported: {', '.join(supported) or 'none'}"
        ) from None
    # The partition stays "aws" in every partition: Step Functions resolves optimized integrations itself.
    return f"arn:aws:states:::{service_action}{suffix}"
