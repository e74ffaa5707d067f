"""The configuration check's tables match what the stack really makes.

fargate_batch/config/names.py derives the AWS names and fargate_batch/config/rules.py lists the construct
ids the stack derives from a workflow's name, and the environment variables it sets itself, so a clash is reported
at load time. If the stack starts making another name or setting another variable, these tests fail
until the tables say so.
"""

from __future__ import annotations

import json

from fargate_batch.config import names, rules
from tests.helpers import resources

WORKFLOW_KINDS = ("pipelines", "triggers", "activities")
# Resource types whose names are derived from workflow names, and the attribute holding the name.
NAME_ATTRIBUTE = {
    "aws_sfn_state_machine": "name",
    "aws_sfn_activity": "name",
    "aws_iam_role": "name",
    "aws_ecs_task_definition": "family",
    "aws_ecs_service": "name",
    "aws_scheduler_schedule": "name",
    "aws_cloudwatch_event_rule": "name",
}


def test_dev_configuration_has_every_workflow_kind(dev_config):
    assert all(getattr(dev_config, kind) for kind in WORKFLOW_KINDS)


def test_aws_names_the_stack_makes_are_the_ones_the_check_predicts(synthesized, dev_config):
    prefix = dev_config.name_prefix
    predicted = set(names.SharedNames(prefix).aws_names())
    for kind in WORKFLOW_KINDS:
        for workflow in getattr(dev_config, kind):
            workflow_names = names.workflow_names(kind, prefix, workflow)
            predicted |= {*workflow_names.aws_names(), *workflow_names.families()}
    made = {
        resource[attribute]
        for resource_type, attribute in NAME_ATTRIBUTE.items()
        for resource in resources(synthesized, resource_type)
    }
    assert made == predicted


def test_construct_ids_the_stack_makes_are_the_ones_the_check_predicts(synthesized, dev_config):
    top_level_ids = set(synthesized["output"])
    for block in ("resource", "data"):
        for by_name in synthesized.get(block, {}).values():
            top_level_ids |= {item["//"]["metadata"]["path"].split("/")[1] for item in by_name.values()}
    kind_prefixes = tuple(rules.CONSTRUCT_ID_PREFIXES.values())
    made = {construct_id for construct_id in top_level_ids if construct_id.startswith(kind_prefixes)}
    predicted = set(rules.SHARED_CONSTRUCT_IDS)
    for kind in WORKFLOW_KINDS:
        for workflow in getattr(dev_config, kind):
            predicted |= {
                f"{rules.CONSTRUCT_ID_PREFIXES[kind]}{workflow.name}{suffix}"
                for suffix in rules.CONSTRUCT_ID_SUFFIXES[kind]
            }
    assert made == predicted


def environment_names(node) -> set[str]:
    """Names of environment entries ({"name"/"Name": ..., "value"/"Value"/"Value.$": ...}) anywhere in node."""
    if isinstance(node, list):
        return set().union(*map(environment_names, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    names = set().union(*map(environment_names, node.values())) if node else set()
    for name_key, value_keys in (("name", ("value",)), ("Name", ("Value", "Value.$"))):
        if name_key in node and any(key in node for key in value_keys):
            names.add(node[name_key])
    return names


def test_environment_variables_the_stack_sets_are_the_reserved_ones(synthesized, dev_config):
    containers = [json.loads(t["container_definitions"]) for t in resources(synthesized, "aws_ecs_task_definition")]
    machines = [json.loads(m["definition"]) for m in resources(synthesized, "aws_sfn_state_machine")]
    configured = set(dev_config.container.environment)
    for pipeline in dev_config.pipelines:
        configured |= {name for step in pipeline.steps for name in step.environment}
    for trigger in dev_config.triggers:
        configured |= set(trigger.environment)
    set_by_the_stack = environment_names(containers) | environment_names(machines)
    assert set_by_the_stack - configured == set(rules.RESERVED_ENV_VARS)
