import pytest

from modules._private.integration_patterns import IntegrationPattern, integration_resource


@pytest.mark.parametrize(
    "action, pattern, resource",
    [
        ("ecs:runTask", IntegrationPattern.RUN_JOB, "arn:aws:states:::ecs:runTask.sync"),
        ("states:startExecution", IntegrationPattern.RUN_JOB, "arn:aws:states:::states:startExecution.sync:2"),
        ("ecs:runTask", IntegrationPattern.WAIT_FOR_TASK_TOKEN, "arn:aws:states:::ecs:runTask.waitForTaskToken"),
        ("sns:publish", IntegrationPattern.REQUEST_RESPONSE, "arn:aws:states:::sns:publish"),
    ],
)
def test_resource_suffix_follows_the_pattern(action, pattern, resource):
    assert integration_resource(action, pattern) == resource


def test_sns_has_no_run_job_pattern():
    with pytest.raises(ValueError, match="sns:publish does not support RUN_JOB; supported: REQUEST_RESPONSE"):
        integration_resource("sns:publish", IntegrationPattern.RUN_JOB)
