"""RunTask's ``propagateTags``: the task is created with its task definition's tags, as ECS does.

moto 5.2 reads RunTask's ``tags`` but ignores ``propagateTags``, so a task launched with
``PropagateTags=TASK_DEFINITION`` (how every Step Functions run-task state here tags its tasks) came up
untagged and the per-step cost allocation tags could not be seen, let alone tested.

ECS: "Specifies whether to propagate the tags from the task definition to the task. If no value is
specified, the tags aren't propagated. Tags can only be propagated to the task during task creation.
[...] An error will be received if you specify the SERVICE option when running a task."
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-propagateTags
Tags given in the request itself are kept; for a key given both ways the request's value wins (the
request is the more specific; AWS does not document the tie).
"""

from __future__ import annotations

TASK_DEFINITION = "TASK_DEFINITION"
ALLOWED = ("TASK_DEFINITION", "NONE")


def apply() -> None:
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.responses import EC2ContainerServiceResponse

    original_run_task = EC2ContainerServiceResponse.run_task

    def run_task(self):
        propagate = self._get_param("propagateTags")
        if propagate is not None and propagate not in ALLOWED:
            # What ECS answers for SERVICE (and anything else) on RunTask.
            raise InvalidParameterException(
                f"The specified propagateTags value {propagate!r} is not valid for RunTask; "
                f"use one of {', '.join(ALLOWED)}"
            )
        response = original_run_task(self)
        if propagate == TASK_DEFINITION:
            for task in response.result.get("tasks", []):
                definition = self.ecs_backend.describe_task_definition(task.task_definition_arn)
                requested = {tag["key"] for tag in task.tags}
                task.tags = [*task.tags, *(tag for tag in definition.tags or [] if tag["key"] not in requested)]
        return response

    EC2ContainerServiceResponse.run_task = run_task
