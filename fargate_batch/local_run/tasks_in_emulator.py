"""The ECS tasks behind a run, read back from the emulator as one would read them from AWS.

With ``make up`` the ECS agent runs in the background process, so the run report cannot look at its
memory: exit codes come from DescribeTasks, the command from the task's overrides, and the output
from the task's CloudWatch log stream (which the agent writes as the awslogs driver does).
"""

from __future__ import annotations

import boto3

from fargate_batch.config.targets import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY
from local_emulator.ecs_agent import TaskRun, awslogs_stream, merged_container


class TaskRunsInEmulator:
    """A read-only mapping task ARN → :class:`TaskRun`, like ``EcsAgent.runs``."""

    def __init__(self, endpoint: str, region: str) -> None:
        arguments = dict(
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=LOCAL_ACCESS_KEY,
            aws_secret_access_key=LOCAL_SECRET_KEY,
        )
        self._ecs = boto3.client("ecs", **arguments)
        self._logs = boto3.client("logs", **arguments)

    def get(self, task_arn: str, default=None) -> TaskRun | None:
        cluster = task_arn.split("/")[1]
        tasks = self._ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"]
        if not tasks:
            return default
        task = tasks[0]
        definition = self._ecs.describe_task_definition(taskDefinition=task["taskDefinitionArn"])["taskDefinition"]
        name, command, environment = merged_container(definition, task.get("overrides") or {})
        stopped = task.get("lastStatus") == "STOPPED"
        started_at, stopped_at = task.get("startedAt") or task.get("createdAt"), task.get("stoppedAt")
        return TaskRun(
            task_arn=task_arn,
            cluster_arn=task["clusterArn"],
            family=definition["family"],
            command=command,
            environment=environment,
            started_at=started_at.timestamp() if started_at else 0.0,
            stopped_at=(stopped_at.timestamp() if stopped_at else 0.0) if stopped else None,
            exit_code=(task.get("containers") or [{}])[0].get("exitCode"),
            output=self._output(definition, name, task_arn) if stopped else "",
            container_name=name,
        )

    def __contains__(self, task_arn: str) -> bool:
        return self.get(task_arn) is not None

    def __getitem__(self, task_arn: str) -> TaskRun:
        run = self.get(task_arn)
        if run is None:
            raise KeyError(task_arn)
        return run

    def _output(self, definition: dict, container_name: str, task_arn: str) -> str:
        options = (definition["containerDefinitions"][0].get("logConfiguration") or {}).get("options") or {}
        if "awslogs-group" not in options:
            return ""
        stream = awslogs_stream(options, container_name, task_arn)
        try:
            events = self._logs.get_log_events(
                logGroupName=options["awslogs-group"], logStreamName=stream, startFromHead=True
            )["events"]
        except self._logs.exceptions.ResourceNotFoundException:
            return ""
        return "".join(e["message"] + "\n" for e in events)


class TasksInEmulator:
    """Stands where the in-process ``EcsAgent`` stands when the agent of ``make up`` runs the tasks."""

    def __init__(self, endpoint: str, region: str) -> None:
        self.runs = TaskRunsInEmulator(endpoint, region)
