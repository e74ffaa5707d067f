"""Run every workflow of a deployed stack on the emulator and collect what happened."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from fargate_batch.config import names
from fargate_batch.config.schema import ProjectConfig
from fargate_batch.local_run.deploy import local_session
from fargate_batch.local_run.executions import task_steps, wait_for_execution
from fargate_batch.local_run.report import ExecutionReport, Progress, StepReport

ALERT_QUEUE = "local-run-alerts"


@dataclass
class Outcome(ExecutionReport):
    expected_status: str = "SUCCEEDED"


@dataclass
class WorkflowRunner:
    config: ProjectConfig
    endpoint: str
    outputs: dict
    agent: object
    progress: Progress
    execution_timeout_seconds: float = 120
    # With make up, the agent keeps each service at its desired count: the activity's own workers take the job.
    services_run_by_the_agent: bool = False
    clients: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        session = local_session(self.endpoint, self.config.region)
        for service in ("stepfunctions", "scheduler", "s3", "sqs", "sns", "ecs"):
            self.clients[service] = session.client(service, endpoint_url=self.endpoint)
        self.sfn = self.clients["stepfunctions"]
        self._alert_queue_url = self._subscribe_alert_queue()
        self._alerts_lock = threading.Lock()
        self._received_alerts: list[str] = []

    def _subscribe_alert_queue(self) -> str:
        sqs, sns = self.clients["sqs"], self.clients["sns"]
        url = sqs.create_queue(QueueName=ALERT_QUEUE)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(
            TopicArn=self.outputs["alert-topic-arn"],
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        return url

    def alerts(self, execution_arn: str) -> list[str]:
        """The alerts received that name this execution (each alert ends with ``Execution: <arn>``)."""
        with self._alerts_lock:
            while True:
                messages = (
                    self.clients["sqs"]
                    .receive_message(QueueUrl=self._alert_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
                    .get("Messages", [])
                )
                if not messages:
                    break
                for message in messages:
                    self._received_alerts.append(message["Body"])
                    self.clients["sqs"].delete_message(
                        QueueUrl=self._alert_queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
            mine = [alert for alert in self._received_alerts if execution_arn in alert]
            self._received_alerts = [alert for alert in self._received_alerts if execution_arn not in alert]
        return mine

    def run_all(self) -> list[Outcome]:
        """Every workflow at once (they are independent, as in AWS); the outcomes in configuration order."""
        runs = [lambda name=p.name: [self.run_schedule(name)] for p in self.config.pipelines if p.schedule]
        runs += [lambda t=t: self.run_trigger(t.name, t.prefix, t.suffix) for t in self.config.triggers]
        runs += [lambda name=a.name: [self.run_activity(name)] for a in self.config.activities]
        with ThreadPoolExecutor(max_workers=max(1, len(runs))) as pool:
            results = [pool.submit(run) for run in runs]
            return [outcome for result in results for outcome in result.result()]

    # -- one workflow each -------------------------------------------------------------------

    def run_schedule(self, pipeline_name: str) -> Outcome:
        from local_emulator.scheduler_clock import ScheduleInvocationFailed, fire_now

        pipeline_names = names.PipelineNames(self.config.name_prefix, pipeline_name)
        name = pipeline_names.schedule
        self.progress.say(f"schedule {name}: firing now (the emulator stores schedules but has no clock)")
        try:
            group = names.SharedNames(self.config.name_prefix).schedule_group
            arn = fire_now(self.clients["scheduler"], name=name, group=group)
        except ScheduleInvocationFailed as failed:
            self.progress.say(f"schedule {name}: NOT STARTED: {failed}")
            outcome = Outcome(f"pipeline {pipeline_name}", f"schedule {name}", "", "NOT STARTED", None)
            outcome.alerts = [str(failed) + (" (sent to the dead-letter queue)" if failed.dead_lettered else "")]
            return outcome
        return self.collect(arn, workflow=f"pipeline {pipeline_name}", trigger=f"schedule {name}")

    def run_trigger(self, trigger_name: str, prefix: str, suffix: str) -> list[Outcome]:
        """One object under the prefix (must start the workflow) and one outside it (must start nothing), at once."""
        bucket = self.outputs["data-bucket-name"]
        machine = self.outputs[f"trigger-{trigger_name}-arn"]
        s3 = self.clients["s3"]
        known = {e["executionArn"] for e in self.sfn.list_executions(stateMachineArn=machine)["executions"]}
        stamp = int(time.time())
        key, outside = f"{prefix}sample-{stamp}{suffix or '.csv'}", f"elsewhere/sample-{stamp}.csv"
        self.progress.say(
            f"trigger {trigger_name}: uploading s3://{bucket}/{key}, and s3://{bucket}/{outside} "
            f"(outside {prefix}: must start nothing)"
        )
        s3.put_object(Bucket=bucket, Key=key, Body=b"id,value\n1,apple\n2,banana\n")
        s3.put_object(Bucket=bucket, Key=outside, Body=b"ignored\n")
        outside_uploaded = time.monotonic()
        arn = self._wait_for_execution_of(machine, known, key, timeout_seconds=10)
        outcomes = []
        if arn is None:
            outcomes.append(Outcome(f"trigger {trigger_name}", f"s3://{bucket}/{key}", "", "NOT STARTED", None))
        else:
            outcome = self.collect(arn, workflow=f"trigger {trigger_name}", trigger=f"s3://{bucket}/{key}")
            result_key = f"output/{key}.result.json"
            listed = s3.list_objects_v2(Bucket=bucket, Prefix=result_key).get("Contents", [])
            outcome.outputs = [f"s3://{bucket}/{o['Key']}" for o in listed]
            outcomes.append(outcome)
        # EventBridge delivers within a second here; two seconds after the upload, nothing more will come.
        started = self._wait_for_execution_of(
            machine, known, outside, timeout_seconds=max(0.0, 2 - (time.monotonic() - outside_uploaded))
        )
        ignored = Outcome(
            f"trigger {trigger_name}",
            f"s3://{bucket}/{outside}",
            started or "",
            "STARTED" if started else "NOT STARTED",
            None,
        )
        ignored.expected_status = "NOT STARTED"
        outcomes.append(ignored)
        return outcomes

    def _wait_for_execution_of(self, machine: str, known: set[str], key: str, timeout_seconds: float) -> str | None:
        """A new execution of ``machine`` whose input (the S3 event) names ``key``."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            for execution in self.sfn.list_executions(stateMachineArn=machine)["executions"]:
                arn = execution["executionArn"]
                if arn not in known and key in self.sfn.describe_execution(executionArn=arn).get("input", ""):
                    return arn
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def run_activity(self, activity_name: str) -> Outcome:
        machine = self.outputs[f"activity-{activity_name}-state-machine-arn"]
        job = {"command": ["echo", "job", "for", activity_name]}
        arn = self.sfn.start_execution(stateMachineArn=machine, input=json.dumps(job))["executionArn"]
        family = names.ActivityNames(self.config.name_prefix, activity_name).worker
        (service,) = self.clients["ecs"].describe_services(cluster=self.outputs["cluster-name"], services=[family])[
            "services"
        ]
        if self.services_run_by_the_agent and service["desiredCount"] > 0:
            self.progress.say(f"activity {activity_name}: job sent; the worker service's tasks poll for it")
            return self.collect(arn, workflow=f"activity {activity_name}", trigger="job sent by make run")
        from local_emulator.ecs_agent import service_task_tags

        self.progress.say(f"activity {activity_name}: job sent; running one task of the worker service ({family})")
        # One task of the service's own task definition, so the worker polls with the worker task role.
        task_arn = self.clients["ecs"].run_task(
            cluster=self.outputs["cluster-name"],
            taskDefinition=family,
            launchType="FARGATE",
            networkConfiguration=service["networkConfiguration"],
            # Tagged as the service tags its tasks: they carry the worker's cost allocation tags.
            **service_task_tags(self.clients["ecs"], service),
            overrides={
                "containerOverrides": [
                    {
                        "name": self._container_name(family),
                        "command": ["activity-worker", "--max-tasks", "1"],
                        "environment": [{"name": "HEARTBEAT_INTERVAL_SECONDS", "value": "5"}],
                    }
                ]
            },
        )["tasks"][0]["taskArn"]
        outcome = self.collect(arn, workflow=f"activity {activity_name}", trigger="job sent by make run")
        run = self._wait_for_task(task_arn)
        for step in outcome.steps:
            if run is not None:
                step.exit_code, step.output = run.exit_code, run.output[-2000:]
                step.tags = self._run_tags(task_arn)
        return outcome

    def _container_name(self, family: str) -> str:
        definition = self.clients["ecs"].describe_task_definition(taskDefinition=family)["taskDefinition"]
        return definition["containerDefinitions"][0]["name"]

    def _wait_for_task(self, task_arn: str):
        deadline = time.monotonic() + self.execution_timeout_seconds
        while time.monotonic() < deadline:
            run = self.agent.runs.get(task_arn)
            if run is not None and run.stopped_at is not None:
                return run
            time.sleep(0.1)
        return None

    # -- reading an execution ---------------------------------------------------------------

    def collect(self, execution_arn: str, *, workflow: str, trigger: str) -> Outcome:
        description = wait_for_execution(self.sfn, execution_arn, timeout_seconds=self.execution_timeout_seconds)
        stopped = description.get("stopDate")
        duration = (stopped - description["startDate"]).total_seconds() if stopped else None
        outcome = Outcome(workflow, trigger, execution_arn, description["status"], duration)
        for step in task_steps(self.sfn, execution_arn):
            outcome.steps.append(self._step_report(step))
        time.sleep(0.2)  # SNS → SQS delivery is asynchronous in the emulator too
        outcome.alerts = self.alerts(execution_arn)
        self.progress.say(
            f"{workflow}: {outcome.status}"
            + "".join(f"; {s.name} exit {s.exit_code}" for s in outcome.steps if s.exit_code is not None)
        )
        return outcome

    def _step_report(self, step) -> StepReport:
        report = StepReport(step.name, step.status, step.duration_seconds, error=step.error, cause=step.cause)
        task_arns = list(step.task_arns)
        attempts = step.attempts
        if step.child_execution_arn:
            for child_step in task_steps(self.sfn, step.child_execution_arn):
                task_arns += child_step.task_arns
                attempts = max(attempts, child_step.attempts)
        report.attempts = max(1, attempts)
        runs = [self.agent.runs[arn] for arn in task_arns if arn in self.agent.runs]
        if runs:
            last = runs[-1]
            report.exit_code, report.command, report.output = last.exit_code, last.command, last.output[-2000:]
            report.task_started, report.task_stopped = last.started_at, last.stopped_at
            report.tags = self._run_tags(last.task_arn)
        return report

    def _run_tags(self, task_arn: str) -> dict[str, str]:
        """The task's cost allocation tags (names.RUN_TAG_KEYS), which RunTask copied from the task definition."""
        tags = self.clients["ecs"].list_tags_for_resource(resourceArn=task_arn)["tags"]
        return {tag["key"]: tag["value"] for tag in tags if tag["key"].startswith(names.RUN_TAG_PREFIX)}
