"""One environment's batch platform: image repository, Fargate task, workflows, schedules, alerts."""

from __future__ import annotations

from fargate_batch.config import names, rules, sizes
from fargate_batch.config.schema import ProjectConfig
from fargate_batch.config.targets import Target, provider_arguments
from fargate_batch.tf import AwsProvider, Construct, TerraformOutput, TerraformStack
from modules.activity import Activity, ActivityProps
from modules.activity_state_machine import ActivityStateMachine, ActivityStateMachineProps
from modules.activity_worker_service import (
    WORKER_STOP_TIMEOUT_SECONDS,
    ActivityWorkerService,
    ActivityWorkerServiceProps,
)
from modules.alert_topic import AlertTopic, AlertTopicProps, ServicePublisher
from modules.aws_scope import aws_scope
from modules.data_bucket import DataBucket, DataBucketProps
from modules.dead_letter_queue import DeadLetterQueue, DeadLetterQueueProps
from modules.ecr_repository import EcrRepository, EcrRepositoryProps
from modules.ecs_cluster import EcsCluster, EcsClusterProps
from modules.execution_alert_rule import ExecutionAlertRule, ExecutionAlertRuleProps
from modules.fargate_task import FargateTask, FargateTaskProps
from modules.kms_key import KmsKey, KmsKeyProps
from modules.metric_alarm import (
    MetricAlarm,
    MetricAlarmProps,
    event_rule_failed_invocations,
    queue_messages_visible,
    scheduler_dropped_invocations,
    scheduler_target_errors,
)
from modules.network import Network, NetworkProps
from modules.object_created_rule import ObjectCreatedRule, ObjectCreatedRuleProps, event_rule_arn
from modules.pipeline_state_machine import PipelineStateMachine, PipelineStateMachineProps
from modules.run_task_state_machine import RunTaskStateMachine, RunTaskStateMachineProps
from modules.schedule import Schedule, ScheduleProps
from modules.schedule_group import ScheduleGroup, ScheduleGroupProps
from modules.ssm_parameter import read_webhook_parameter
from modules.state_machine import StateMachineLogging
from modules.trigger_state_machine import TriggerStateMachine, TriggerStateMachineProps
from stacks.backend import configure_backend

# Results of triggered tasks go here; trigger prefixes may not overlap it (checked at config load).
TRIGGER_OUTPUT_PREFIX = "output/"


class BatchStack(TerraformStack):
    def __init__(self, scope: Construct, id_: str, *, config: ProjectConfig, target: Target) -> None:
        super().__init__(scope, id_)
        self.config = config
        prefix = config.name_prefix
        shared = names.SharedNames(prefix)
        retention = config.logging.retention_days
        AwsProvider(self, "aws", **provider_arguments(target, config.region, {**config.tags}))
        configure_backend(self, backend=config.backend, target=target, stack_name=id_)
        # One customer managed key encrypts this environment's logs, alerts, dead letters, schedules,
        # images and data; CloudWatch Logs and EventBridge may use it only for names under the prefix.
        self.key = KmsKey(
            self,
            "key",
            props=KmsKeyProps(
                name=prefix,
                log_group_name_prefixes=(
                    names.task_log_group(f"{prefix}-"),
                    names.state_machine_log_group(f"{prefix}-"),
                    shared.flow_log_group,
                ),
                event_rule_name_prefix=f"{prefix}-",
            ),
        )
        key_arn = self.key.arn
        # Every state machine logs the same way: [logging] and the environment's key.
        self.machine_logging = StateMachineLogging(config.logging, key_arn)

        network = Network(
            self,
            "network",
            props=NetworkProps(
                name=prefix,
                region=config.region,
                network=config.network,
                # The notify command reads its webhook's URL from Parameter Store.
                extra_interface_endpoints=("ssm",) if config.network.notify_webhook_parameter else (),
                flow_log_retention_days=retention,
                log_kms_key_arn=key_arn,
            ),
        )
        self.network = network
        self.repository = EcrRepository(
            self,
            "repository",
            props=EcrRepositoryProps(
                name=shared.repository, keep_images=config.container.keep_images, kms_key_arn=key_arn
            ),
        )
        # A plan against a repository without the configured tag warns, naming `make push`.
        self.repository.require_image(config.container.image_tag)
        self.cluster = EcsCluster(self, "cluster", props=EcsClusterProps(name=shared.cluster))
        # One task definition per pipeline step, tagged with the environment, pipeline and step, so that
        # each step's Fargate cost can be told apart (names.run_tags).
        self.step_families = {
            pipeline.name: {
                step.name: names.PipelineNames(prefix, pipeline.name).step_family(step.name) for step in pipeline.steps
            }
            for pipeline in config.pipelines
        }
        self.task = self._batch_task(
            "batch-task",
            shared.batch_task,
            may_notify=any(rules.uses_notify(step.command) for p in config.pipelines for step in p.steps),
            tagged_families={
                family: names.run_tags(prefix, "pipeline", pipeline, step)
                for pipeline, families in self.step_families.items()
                for step, family in families.items()
            },
        )
        self.alerts = AlertTopic(
            self,
            "alerts",
            props=AlertTopicProps(
                name=shared.alert_topic,
                email_subscriptions=config.alerts.email_subscriptions,
                kms_key_id=key_arn,
            ),
        )
        self.pipelines: dict[str, PipelineStateMachine] = {}
        self.schedules: dict[str, Schedule] = {}
        if any(p.schedule for p in config.pipelines):
            self.schedule_group = ScheduleGroup(
                self, "schedule-group", props=ScheduleGroupProps(name=shared.schedule_group)
            )
            self.schedule_dlq = DeadLetterQueue(
                self,
                "schedule-dlq",
                props=DeadLetterQueueProps(name=shared.schedule_dead_letter_queue, kms_key_id=key_arn),
            )
        for pipeline in config.pipelines:
            pipeline_names = names.PipelineNames(prefix, pipeline.name)
            # Ids come from names, never list positions: reordering pipelines replaces nothing.
            run_task = RunTaskStateMachine(
                self,
                f"pipeline-{pipeline.name}-run-task",
                props=RunTaskStateMachineProps(
                    name=pipeline_names.run_task_state_machine,
                    cluster=self.cluster,
                    task=self.task,
                    families=tuple(self.step_families[pipeline.name].values()),
                    network=network,
                    retry=pipeline.retry,
                    max_task_timeout_seconds=max(step.timeout_seconds for step in pipeline.steps),
                    logging=self.machine_logging,
                ),
            )
            parent = PipelineStateMachine(
                self,
                f"pipeline-{pipeline.name}",
                props=PipelineStateMachineProps(
                    name=pipeline_names.state_machine,
                    pipeline_name=pipeline.name,
                    steps=pipeline.steps,
                    run_task=run_task,
                    step_families=self.step_families[pipeline.name],
                    concurrency=pipeline.concurrency,
                    logging=self.machine_logging,
                ),
            )
            self.pipelines[pipeline.name] = parent
            TerraformOutput(
                self,
                f"pipeline-{pipeline.name}-arn",
                value=parent.arn,
                description=f"ARN of pipeline {pipeline.name} (start it with aws stepfunctions start-execution)",
            )
            TerraformOutput(
                self,
                f"pipeline-{pipeline.name}-run-task-arn",
                value=run_task.arn,
                description=f"ARN of the run-task state machine of pipeline {pipeline.name}",
            )
            if pipeline.schedule is not None:
                self.schedules[pipeline.name] = Schedule(
                    self,
                    f"pipeline-{pipeline.name}-schedule",
                    props=ScheduleProps(
                        name=pipeline_names.schedule,
                        group=self.schedule_group,
                        state_machine_arn=parent.arn,
                        dead_letter_queue=self.schedule_dlq,
                        schedule=pipeline.schedule,
                        input={"pipeline": pipeline.name, "trigger": "schedule"},
                        description=f"Starts pipeline {pipeline.name}",
                        kms_key_arn=key_arn,
                    ),
                )
                TerraformOutput(
                    self,
                    f"pipeline-{pipeline.name}-schedule-name",
                    value=pipeline_names.schedule_in_group,
                    description=f"Schedule of pipeline {pipeline.name} as group/name",
                )
        if config.triggers:
            self._add_triggers(config, target)
        for activity in config.activities:
            self._add_activity(config, activity)
        self._add_alerting(config)
        TerraformOutput(self, "repository-url", value=self.repository.url, description="Push the batch image here")
        TerraformOutput(self, "cluster-name", value=self.cluster.cluster.name, description="ECS cluster of batch tasks")
        TerraformOutput(self, "alert-topic-arn", value=self.alerts.arn, description="Failure alerts are published here")

    def _add_triggers(self, config: ProjectConfig, target: Target) -> None:
        shared = names.SharedNames(config.name_prefix)
        aws = aws_scope(self)
        self.data_bucket = DataBucket(
            self,
            "data-bucket",
            props=DataBucketProps(
                name=shared.data_bucket(aws.account_id),
                # The emulator's bucket is scratch space; a real one is never emptied by destroy.
                force_destroy=target.is_local,
                kms_key_arn=self.key.arn,
            ),
        )
        self.trigger_task = self._batch_task(
            "trigger-task",
            shared.trigger_task,
            environment={"OUTPUT_PREFIX": TRIGGER_OUTPUT_PREFIX},
            may_notify=any(rules.uses_notify(t.command) for t in config.triggers),
            # One task definition per trigger, tagged with the environment and the trigger.
            tagged_families={
                names.TriggerNames(shared.prefix, t.name).family: names.run_tags(shared.prefix, "trigger", t.name)
                for t in config.triggers
            },
        )
        # "*" is IAM's wildcard, matching what the rule's pattern matches: prefix, anything, suffix.
        self.data_bucket.grant_read_write(
            self.trigger_task,
            "read-inputs-write-results",
            read_key_patterns=[f"{t.prefix}*{t.suffix}" for t in config.triggers],
            list_prefixes=[t.prefix for t in config.triggers],
            write_prefix=TRIGGER_OUTPUT_PREFIX,
        )
        self.trigger_dlq = DeadLetterQueue(
            self,
            "trigger-dlq",
            props=DeadLetterQueueProps(
                name=shared.trigger_dead_letter_queue,
                kms_key_id=self.key.arn,
                event_rule_arns=tuple(
                    event_rule_arn(aws, names.TriggerNames(shared.prefix, trigger.name).event_rule)
                    for trigger in config.triggers
                ),
            ),
        )
        self.triggers: dict[str, TriggerStateMachine] = {}
        for trigger in config.triggers:
            trigger_names = names.TriggerNames(shared.prefix, trigger.name)
            run_task = RunTaskStateMachine(
                self,
                f"trigger-{trigger.name}-run-task",
                props=RunTaskStateMachineProps(
                    name=trigger_names.run_task_state_machine,
                    cluster=self.cluster,
                    task=self.trigger_task,
                    families=(trigger_names.family,),
                    network=self.network,
                    retry=trigger.retry,
                    max_task_timeout_seconds=trigger.timeout_seconds,
                    logging=self.machine_logging,
                ),
            )
            machine = TriggerStateMachine(
                self,
                f"trigger-{trigger.name}",
                props=TriggerStateMachineProps(
                    name=trigger_names.state_machine,
                    trigger_name=trigger.name,
                    command=trigger.command,
                    environment=trigger.environment,
                    run_task=run_task,
                    family=trigger_names.family,
                    timeout_seconds=trigger.timeout_seconds,
                    logging=self.machine_logging,
                ),
            )
            self.triggers[trigger.name] = machine
            ObjectCreatedRule(
                self,
                f"trigger-{trigger.name}-rule",
                props=ObjectCreatedRuleProps(
                    name=trigger_names.event_rule,
                    bucket_name=self.data_bucket.name,
                    prefix=trigger.prefix,
                    suffix=trigger.suffix,
                    state_machine_arn=machine.arn,
                    dead_letter_queue=self.trigger_dlq,
                ),
            )
            TerraformOutput(
                self,
                f"trigger-{trigger.name}-arn",
                value=machine.arn,
                description=f"State machine run for objects created under {trigger.prefix}",
            )
        TerraformOutput(
            self, "data-bucket-name", value=self.data_bucket.name, description="Upload files here to trigger tasks"
        )

    def _add_activity(self, config: ProjectConfig, activity_config) -> None:
        activity_names = names.ActivityNames(config.name_prefix, activity_config.name)
        activity = Activity(self, f"activity-{activity_config.name}", props=ActivityProps(name=activity_names.activity))
        machine = ActivityStateMachine(
            self,
            f"activity-{activity_config.name}-machine",
            props=ActivityStateMachineProps(
                name=activity_names.state_machine,
                activity_name=activity_config.name,
                activity=activity,
                heartbeat_seconds=activity_config.heartbeat_seconds,
                timeout_seconds=activity_config.timeout_seconds,
                logging=self.machine_logging,
            ),
        )
        worker_task = self._batch_task(
            f"activity-{activity_config.name}-worker-task",
            activity_names.worker,
            environment={
                "ACTIVITY_ARN": activity.arn,
                # Beat well inside the state machine's heartbeat timeout.
                "HEARTBEAT_INTERVAL_SECONDS": str(max(1, activity_config.heartbeat_seconds // 3)),
            },
            command=("activity-worker",),
            # A job's command arrives with the job, so any worker may run notify.
            may_notify=True,
            # SIGTERM to SIGKILL: long enough for the poll in flight and the job's grace period.
            stop_timeout_seconds=WORKER_STOP_TIMEOUT_SECONDS,
            # The service propagates these onto each worker task.
            tagged_families={
                activity_names.worker: names.run_tags(config.name_prefix, "activity", activity_config.name)
            },
        )
        ActivityWorkerService(
            self,
            f"activity-{activity_config.name}-workers",
            props=ActivityWorkerServiceProps(
                name=activity_names.worker,
                activity=activity,
                task=worker_task,
                cluster=self.cluster,
                network=self.network,
                desired_count=activity_config.worker_desired_count,
            ),
        )
        TerraformOutput(
            self, f"activity-{activity_config.name}-arn", value=activity.arn, description="Activity the workers poll"
        )
        TerraformOutput(
            self,
            f"activity-{activity_config.name}-state-machine-arn",
            value=machine.arn,
            description=f"State machine that hands jobs to activity {activity_config.name}",
        )

    def _batch_task(
        self,
        id_: str,
        family: str,
        *,
        environment: dict[str, str] | None = None,
        command: tuple[str, ...] = (),
        may_notify: bool = False,
        stop_timeout_seconds: int | None = None,
        tagged_families: dict[str, dict[str, str]] | None = None,
    ) -> FargateTask:
        """A task definition of the batch image with the configured size, logs and key; extra environment on top.

        ``may_notify``: the task may run ``notify``; with ``[network] notify_webhook_parameter`` set, it gets
        the parameter's name and may read exactly that parameter.
        """
        container = self.config.container
        parameter = self.config.network.notify_webhook_parameter
        if may_notify and parameter:
            environment = {**(environment or {}), rules.WEBHOOK_PARAMETER_ENV: parameter}
        task = FargateTask(
            self,
            id_,
            props=FargateTaskProps(
                family=family,
                repository=self.repository,
                image_tag=container.image_tag,
                cpu=container.cpu,
                memory_mib=container.memory_mib,
                environment={**container.environment, **(environment or {})},
                command=command,
                log_retention_days=self.config.logging.retention_days,
                log_kms_key_arn=self.key.arn,
                stop_timeout_seconds=stop_timeout_seconds,
                tagged_families=tagged_families or {},
            ),
        )
        if may_notify and parameter:
            task.grant(
                "read-notify-webhook",
                read_webhook_parameter(
                    aws_scope(self),
                    parameter,
                    kms_key_arn=self.config.network.notify_webhook_kms_key_arn or None,
                ),
            )
        return task

    def _add_alerting(self, config: ProjectConfig) -> None:
        """One alert per failed, timed-out or aborted execution, and an alarm wherever a start or an alert can be lost.

        Every dead-letter queue, every EventBridge rule and the schedule group get an alarm on the alert
        topic; the topic and its key admit EventBridge (for the status rule) and CloudWatch (for alarms
        named ``<prefix>-*``) and nothing else.
        """
        shared = names.SharedNames(config.name_prefix)
        aws = aws_scope(self)
        alerting = Construct(self, "alerting")
        topic = shared.alert_topic
        workflows = (
            *self.pipelines.values(),
            *getattr(self, "triggers", {}).values(),
            # _add_activity keeps no handle on the machine; its construct id is part of the id contract.
            *(self.node.find_child(f"activity-{activity.name}-machine") for activity in config.activities),
        )
        alarms: dict[str, MetricAlarmProps] = {}
        if workflows:
            # One rule per group of state machines whose ARNs fit one event pattern (sizes.execution_alert_groups).
            machine_by_name = {workflow.state_machine.name: workflow for workflow in workflows}
            groups = sizes.execution_alert_groups(list(machine_by_name))
            rule_names = [shared.execution_alert_rule_numbered(number) for number in range(1, len(groups) + 1)]
            rule_arns = tuple(event_rule_arn(aws, rule) for rule in rule_names)
            alert_dlq = DeadLetterQueue(
                alerting,
                "execution-alerts-dlq",
                props=DeadLetterQueueProps(
                    name=shared.execution_alert_dead_letter_queue, kms_key_id=self.key.arn, event_rule_arns=rule_arns
                ),
            )
            for number, (rule, group) in enumerate(zip(rule_names, groups, strict=True), start=1):
                # The first rule's construct id predates the grouping; later ones are numbered like their names.
                suffix = "" if number == 1 else f"-{number}"
                ExecutionAlertRule(
                    alerting,
                    f"execution-alerts{suffix}",
                    props=ExecutionAlertRuleProps(
                        name=rule,
                        state_machines=tuple(machine_by_name[name] for name in group),
                        topic=self.alerts,
                        dead_letter_queue=alert_dlq,
                    ),
                )
                alarms[f"execution-alerts{suffix}-failed-invocations"] = MetricAlarmProps(
                    name=names.event_rule_failed_invocations_alarm(rule),
                    description=(
                        f"Rule {rule} could not deliver alerts about failed executions to topic {topic} nor "
                        "dead-letter them: those alerts are lost. First list this environment's executions with "
                        "status FAILED, TIMED_OUT or ABORTED in the Step Functions console for this period, then "
                        "check the topic's policy and its key's policy."
                    ),
                    metric=event_rule_failed_invocations(rule),
                    topic=self.alerts,
                )
            self.alerts.allow_publishing_from(
                ServicePublisher(
                    sid="EventBridgeExecutionAlerts",
                    service="events.amazonaws.com",
                    source_account=aws.account_id,
                    source_arns=rule_arns,
                ),
                key=self.key,
            )
            alarms["execution-alerts-dlq"] = MetricAlarmProps(
                name=names.dead_letter_queue_alarm(shared.execution_alert_dead_letter_queue),
                description=(
                    f"Alerts about failed, timed-out or aborted executions were dead-lettered: EventBridge could not "
                    f"publish them to topic {topic}. First read the messages in SQS queue "
                    f"{shared.execution_alert_dead_letter_queue} (ERROR_CODE and ERROR_MESSAGE say why; the body is "
                    "the Step Functions event naming the execution), look at those executions, fix the topic or key "
                    "policy, then delete the messages: the alarm clears when the queue is empty."
                ),
                metric=queue_messages_visible(shared.execution_alert_dead_letter_queue),
                topic=self.alerts,
            )
        if self.schedules:
            queue = shared.schedule_dead_letter_queue
            group = shared.schedule_group
            alarms["schedule-dlq"] = MetricAlarmProps(
                name=names.dead_letter_queue_alarm(queue),
                description=(
                    f"Scheduled starts of a pipeline were dead-lettered: EventBridge Scheduler could not start its "
                    f"state machine, so that run did not happen. First read the messages in SQS queue {queue} (their "
                    "ERROR_CODE and ERROR_MESSAGE attributes say why; the body is the start input naming the "
                    "pipeline), fix the cause, start the pipeline by hand, then delete the messages: the alarm "
                    "clears when the queue is empty."
                ),
                metric=queue_messages_visible(queue),
                topic=self.alerts,
            )
            alarms["scheduler-target-errors"] = MetricAlarmProps(
                name=names.scheduler_target_errors_alarm(group),
                description=(
                    f"EventBridge Scheduler's call to start a pipeline of schedule group {group} failed; it retries. "
                    "First check that the pipeline's state machine exists and that the schedule's role may start "
                    f"it (the schedule's last error in CloudTrail). If alarm {names.dead_letter_queue_alarm(queue)} "
                    "follows, the start was given up."
                ),
                metric=scheduler_target_errors(group),
                topic=self.alerts,
            )
            alarms["scheduler-dropped-invocations"] = MetricAlarmProps(
                name=names.scheduler_dropped_invocations_alarm(group),
                description=(
                    f"EventBridge Scheduler gave up starting a pipeline of schedule group {group} after its retries: "
                    f"that run did not happen. First read SQS queue {queue} for the start (if it is not there, it "
                    "could not be dead-lettered either and only the schedule says which pipeline), start the "
                    "pipeline by hand, then fix the cause."
                ),
                metric=scheduler_dropped_invocations(group),
                topic=self.alerts,
            )
        if config.triggers:
            queue = shared.trigger_dead_letter_queue
            alarms["trigger-dlq"] = MetricAlarmProps(
                name=names.dead_letter_queue_alarm(queue),
                description=(
                    "Object Created events of the data bucket were dead-lettered: EventBridge could not start a "
                    f"trigger's state machine, so those objects were not processed. First read the messages in SQS "
                    f"queue {queue} (ERROR_CODE and ERROR_MESSAGE say why, RULE_ARN names the trigger, the body is "
                    "the S3 event with the object key), fix the cause, start the trigger's state machine by hand "
                    "with the message body as input, then delete the messages: the alarm clears when the queue is "
                    "empty."
                ),
                metric=queue_messages_visible(queue),
                topic=self.alerts,
            )
            for trigger in config.triggers:
                rule = names.TriggerNames(shared.prefix, trigger.name).event_rule
                alarms[f"trigger-{trigger.name}-failed-invocations"] = MetricAlarmProps(
                    name=names.event_rule_failed_invocations_alarm(rule),
                    description=(
                        f"Rule {rule} (trigger {trigger.name}) could not start its state machine for some created "
                        f"objects nor dead-letter the events to {queue}: those objects were not processed and are "
                        f"recorded nowhere else. First list the objects created under {trigger.prefix} in this "
                        "period and start the trigger's state machine for each, then check the rule's role."
                    ),
                    metric=event_rule_failed_invocations(rule),
                    topic=self.alerts,
                )
        if alarms:
            self.alerts.allow_publishing_from(
                ServicePublisher(
                    sid="CloudWatchAlarms",
                    service="cloudwatch.amazonaws.com",
                    source_account=aws.account_id,
                    source_arns=(aws.arn("cloudwatch", f"alarm:{shared.alarm_name_prefix}*"),),
                ),
                key=self.key,
            )
        for id_, props in alarms.items():
            MetricAlarm(alerting, f"{id_}-alarm", props=props)
