"""The configuration check's tables of derived names match what the stack really makes.

fargate_batch/config/rules.py lists, per workflow kind, the AWS names and construct ids the stack
derives from a workflow's name, so a name clash is reported at load time. If the stack starts
making another name, these tests fail until the tables say so.
"""

from __future__ import annotations

from fargate_batch.config import rules
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
    predicted = {f"{prefix}-{name}" for name in rules.SHARED_AWS_NAMES}
    for kind in WORKFLOW_KINDS:
        for workflow in getattr(dev_config, kind):
            predicted |= {f"{prefix}-{t.format(name=workflow.name)}" for t in rules.DERIVED_AWS_NAMES[kind]}
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
