"""A configuration at the timeout limits synthesizes state machines whose every timeout fits in one year.

A Step Functions standard execution runs at most one year ("Maximum execution time: 1 year",
https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). The configuration's limits
(rules.task_timeout_max_seconds, the pipeline and retry checks) must count everything the synthesized
``TimeoutSeconds`` add: retry waits, 60 s per failed attempt, the fixed ECS throttling and nested-start
retriers, and the timeouts' margins. Here the limits are reached exactly, the stack is synthesized for real,
and every ``TimeoutSeconds`` is read back; one second more, or a retrier with millions of attempts, is refused.
"""

from __future__ import annotations

import json

import pytest

from fargate_batch.config import ConfigError, load_config, rules
from fargate_batch.config.names import ActivityNames, PipelineNames, TriggerNames
from fargate_batch.config.schema import RetryConfig
from fargate_batch.config.targets import Target
from tests.conftest import DEV_CONFIG
from tests.helpers import resources

YEAR = 365 * 24 * 60 * 60  # 31,536,000 s
DEV_TEXT = DEV_CONFIG.read_text()
PREFIX = "fargate-batch-dev"

# The dev pipeline's retry is the default one; its limits, as the configuration counts them.
DEFAULT_RETRY = RetryConfig()
STEP_MAX = rules.task_timeout_max_seconds(DEFAULT_RETRY)
# Two steps in series share one execution: what is left of the year after both steps' overhead.
TWO_STEPS_TOGETHER_MAX = YEAR - 1 - rules.execution_timeout_seconds([0, 0], DEFAULT_RETRY)
FIRST_STEP = 3600
SECOND_STEP = TWO_STEPS_TOGETHER_MAX - FIRST_STEP
# A trigger whose launch retries do not back off: 100,000 attempts of a 1 s wait each, 6,100,000 s with the
# 60 s allowed per failed attempt, a fifth of the year the old count (waits only) left out.
MANY_ATTEMPTS = RetryConfig(interval_seconds=1, backoff_rate=1.0, max_attempts=100_000, max_delay_seconds=1)
TRIGGER_MAX = rules.task_timeout_max_seconds(MANY_ATTEMPTS)
# An activity's job is delivered up to 5 times (4 redeliveries: waits 10 + 20 + 40 + 80 s and 60 s per
# failed delivery, 390 s), each to its own timeout, plus a 60 s margin: (YEAR - 1 - 450) // 5.
ACTIVITY_MAX = (YEAR - 1 - 450) // 5  # 6,307,109 s, 73 days


def at_the_limits(
    first_step: int = FIRST_STEP,
    one_step: int = STEP_MAX,
    trigger: int = TRIGGER_MAX,
    attempts: int = 100_000,
    activity: int = ACTIVITY_MAX,
) -> str:
    """dev.toml with the daily pipeline's two steps, a one-step pipeline, the trigger and the activity at their
    limits."""
    text = DEV_TEXT
    for old, new in (
        ("timeout_seconds = 3600\nworker_desired_count", f"timeout_seconds = {activity}\nworker_desired_count"),
        ("expected_duration_seconds = 120", f"expected_duration_seconds = 120\ntimeout_seconds = {first_step}"),
        ("expected_duration_seconds = 60", f"expected_duration_seconds = 60\ntimeout_seconds = {SECOND_STEP}"),
        (
            'command = ["process", "{key}"]',
            f'command = ["process", "{{key}}"]\ntimeout_seconds = {trigger}\n\n[triggers.retry]\n'
            f"interval_seconds = 1\nbackoff_rate = 1.0\nmax_attempts = {attempts}\nmax_delay_seconds = 1",
        ),
        (
            "# Seed 003",
            f'[[pipelines]]\nname = "one-step"\n\n[[pipelines.steps]]\nname = "only"\ncommand = ["echo", "x"]\n'
            f"timeout_seconds = {one_step}\n\n# Seed 003",
        ),
    ):
        assert old in text, f"config/dev.toml no longer contains {old!r}"
        text = text.replace(old, new, 1)
    return text


def load(tmp_path, text: str):
    path = tmp_path / "dev.toml"  # the file's name is the environment's: the stack stays fargate-batch-dev
    path.write_text(text)
    return load_config(path)


def problems_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, text)
    return [problem.split("dev.toml: ", 1)[1] for problem in refused.value.problems]


@pytest.fixture(scope="module")
def limit_config(tmp_path_factory):
    return load(tmp_path_factory.mktemp("limits"), at_the_limits())


@pytest.fixture(scope="module")
def definitions(limit_config, synth) -> dict[str, dict]:
    """State machine name -> its definition, from the stack synthesized for AWS."""
    stack, _ = synth(limit_config, Target("aws"))
    return {machine["name"]: json.loads(machine["definition"]) for machine in resources(stack, "aws_sfn_state_machine")}


def timeouts_in(node) -> list[int]:
    """Every TimeoutSeconds in a definition: the machine's own and each state's, at any depth."""
    if isinstance(node, dict):
        found = [node["TimeoutSeconds"]] if isinstance(node.get("TimeoutSeconds"), int) else []
        return found + [t for value in node.values() for t in timeouts_in(value)]
    if isinstance(node, list):
        return [t for value in node for t in timeouts_in(value)]
    return []


def test_the_configuration_at_its_limits_loads(limit_config):
    daily, one_step = limit_config.pipelines
    assert [step.timeout_seconds for step in daily.steps] == [FIRST_STEP, SECOND_STEP]
    assert one_step.steps[0].timeout_seconds == STEP_MAX
    assert limit_config.triggers[0].timeout_seconds == TRIGGER_MAX
    assert limit_config.activities[0].timeout_seconds == ACTIVITY_MAX


def test_every_timeout_of_every_state_machine_fits_in_one_year(definitions):
    # Parents, run-task children and the activity's machine; a state's TimeoutSeconds too.
    assert len(definitions) >= 7
    for name, definition in definitions.items():
        assert isinstance(definition.get("TimeoutSeconds"), int), name
        assert max(timeouts_in(definition)) <= YEAR, name


@pytest.mark.parametrize(
    "machine",
    [
        PipelineNames(PREFIX, "daily-report").state_machine,
        PipelineNames(PREFIX, "one-step").state_machine,
        TriggerNames(PREFIX, "target-files").state_machine,
    ],
)
def test_at_the_limit_a_workflows_execution_timeout_is_one_second_below_the_year(definitions, machine):
    # Exactly at the limit, not merely under it: the configuration counts what the ASL adds, no more, no less.
    assert definitions[machine]["TimeoutSeconds"] == YEAR - 1


def test_at_the_limit_the_activitys_every_delivery_ends_within_the_year(definitions):
    machine = definitions[ActivityNames(PREFIX, "hello-world").state_machine]
    assert machine["States"]["Do work"]["TimeoutSeconds"] == ACTIVITY_MAX
    assert YEAR - 5 <= machine["TimeoutSeconds"] <= YEAR - 1  # five deliveries: the floor loses at most 4 s


def test_one_second_more_for_an_activity_is_refused_with_its_field(tmp_path):
    (problem,) = problems_of(tmp_path, at_the_limits(activity=ACTIVITY_MAX + 1))
    assert problem.startswith(f"activities[0].timeout_seconds: {ACTIVITY_MAX + 1} is outside 1-{ACTIVITY_MAX}: ")
    assert "delivered up to 5 times" in problem and problem.endswith("lower timeout_seconds")


def test_one_second_more_for_a_lone_step_is_refused_with_its_field(tmp_path):
    (problem,) = problems_of(tmp_path, at_the_limits(one_step=STEP_MAX + 1))
    assert problem.startswith(f"pipelines[1].steps[0].timeout_seconds: {STEP_MAX + 1} is outside 1-{STEP_MAX}: ")
    assert "lower timeout_seconds, or pipelines[1].retry.max_attempts or max_delay_seconds" in problem


def test_one_second_more_for_a_trigger_is_refused_with_its_field(tmp_path):
    (problem,) = problems_of(tmp_path, at_the_limits(trigger=TRIGGER_MAX + 1))
    assert problem.startswith(f"triggers[0].timeout_seconds: {TRIGGER_MAX + 1} is outside 1-{TRIGGER_MAX}: ")
    # 100,000 × (1 s wait + 60 s per failed attempt), and the ECS throttling retrier's 122 s + 6 × 60 s.
    assert f"({100_000 * 61 + 122 + 6 * 60} s with triggers[0].retry and the ECS throttling retries)" in problem


def test_one_second_more_for_steps_in_series_is_refused_with_the_steps_field(tmp_path):
    (problem,) = problems_of(tmp_path, at_the_limits(first_step=FIRST_STEP + 1))
    assert problem.startswith(f"pipelines[0].steps: the steps' timeout_seconds ({FIRST_STEP + 1} + {SECOND_STEP}) ")
    assert f"add up to {YEAR} s;" in problem
    assert problem.endswith(f"lower the steps' timeout_seconds to at most {TWO_STEPS_TOGETHER_MAX} s together")


# Launch retries that do not back off cost 1 s of waiting and 60 s of failed attempt each. The fixed part of
# the year is the ECS throttling and nested-start retriers (122 s + 6 × 60 s each) and two 60 s margins, and
# the task needs at least 1 s (and the execution ends below the year): the most attempts that fit.
FIXED = 2 * (122 + 6 * 60) + 2 * 60
MOST_ATTEMPTS = (YEAR - 1 - 1 - FIXED) // 61  # 516,965


def test_millions_of_launch_attempts_are_refused_though_their_waits_alone_fit_the_year(tmp_path):
    # 2,000,000 waits of 1 s are 23 days; with 60 s per failed attempt, 122,000,000 s: almost four years.
    (problem,) = problems_of(tmp_path, at_the_limits(trigger=1, attempts=2_000_000))
    assert problem.startswith("triggers[0].retry.max_attempts: 2000000 launch retries can take 122000000 s in all ")
    assert "leaves no time for the task within one year (31536000 s)" in problem
    assert f"lower max_attempts to at most {MOST_ATTEMPTS} (with this interval_seconds" in problem


def test_the_most_launch_attempts_the_message_offers_do_load(tmp_path):
    config = load(tmp_path, at_the_limits(trigger=1, attempts=MOST_ATTEMPTS))
    assert config.triggers[0].retry.max_attempts == MOST_ATTEMPTS
    (problem,) = problems_of(tmp_path, at_the_limits(trigger=1, attempts=MOST_ATTEMPTS + 1))
    assert problem.startswith(f"triggers[0].retry.max_attempts: {MOST_ATTEMPTS + 1} launch retries ")
