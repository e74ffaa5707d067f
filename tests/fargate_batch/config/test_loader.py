"""Every configuration mistake gets one clear message: field path, value, what is allowed, the fix."""

from __future__ import annotations

import codecs
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fargate_batch.config import ConfigError, load_config, load_configs
from tests.conftest import DEV_CONFIG, REPO_ROOT

DEV_TEXT = DEV_CONFIG.read_text()
EXAMPLES = REPO_ROOT / "config" / "examples"


def example(name: str) -> str:
    """The text of config/examples/<name>.toml, the fixture a test builds on."""
    return (EXAMPLES / f"{name}.toml").read_text()


def edit_example(name: str, old: str, new: str) -> str:
    text = example(name)
    assert old in text, f"config/examples/{name}.toml no longer contains {old!r}"
    return text.replace(old, new, 1)


def pipeline_toml(name: str) -> str:
    """One more [[pipelines]] table, to append to a configuration's text."""
    return f'''
[[pipelines]]
name = "{name}"

[[pipelines.steps]]
name = "only"
command = ["echo", "{name}"]
'''


def load_text(tmp_path: Path, text: str, name: str = "dev.toml"):
    path = tmp_path / name
    path.write_text(text)
    return load_config(path)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    return caught.value.problems


def edit(old: str, new: str) -> str:
    assert old in DEV_TEXT, f"config/dev.toml no longer contains {old!r}"
    return DEV_TEXT.replace(old, new, 1)


def only_problem(tmp_path, text) -> str:
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1, problems
    return problems[0]


def test_dev_config_loads_the_seed_example(dev_config):
    assert dev_config.environment == "dev"
    (pipeline,) = dev_config.pipelines
    assert pipeline.schedule.expression == "cron(0 10 * * ? *)"
    assert pipeline.schedule.time_zone == "Asia/Tokyo"
    assert [s.command for s in pipeline.steps] == [("echo", "from1", "object1"), ("echo", "from2", "object2")]
    assert [s.environment["ENV"] for s in pipeline.steps] == ["Start Execution input1", "Start Execution input2"]
    assert (dev_config.container.cpu, dev_config.container.memory_mib) == (512, 1024)


def test_configuration_is_immutable(dev_config):
    with pytest.raises(TypeError):
        dev_config.container.environment["ENV"] = "changed"


def test_rejects_cron_hour_25_naming_the_field_and_range(tmp_path):
    problem = only_problem(tmp_path, edit("cron(0 10 * * ? *)", "cron(0 25 * * ? *)"))
    assert problem.endswith(
        "pipelines[0].schedule.expression: 'cron(0 25 * * ? *)' has hours '25'; hours are 0-23 "
        "(AWS cron: minutes hours day-of-month month day-of-week year)"
    )


def test_rejects_unix_style_five_field_cron(tmp_path):
    problem = only_problem(tmp_path, edit("cron(0 10 * * ? *)", "cron(0 10 * * *)"))
    assert "has 5 fields; AWS cron has 6" in problem


def test_rejects_cron_without_question_mark(tmp_path):
    problem = only_problem(tmp_path, edit("cron(0 10 * * ? *)", "cron(0 10 * * * *)"))
    assert "exactly one of day-of-month ('*') and day-of-week ('*') must be '?'" in problem


@pytest.mark.parametrize("expression", ["rate(5 minutes)", "rate(1 hour)", "at(2026-12-24T09:00:00)"])
def test_accepts_rate_and_at_expressions(tmp_path, expression):
    assert load_text(tmp_path, edit("cron(0 10 * * ? *)", expression)).pipelines[0].schedule.expression == expression


def test_rejects_plural_unit_for_a_rate_of_one(tmp_path):
    problem = only_problem(tmp_path, edit("cron(0 10 * * ? *)", "rate(1 hours)"))
    assert "write rate(1 hour)" in problem


def test_rejects_unknown_schedule_form_listing_the_three_forms(tmp_path):
    problem = only_problem(tmp_path, edit("cron(0 10 * * ? *)", "0 10 * * *"))
    assert "use cron(" in problem and "rate(N" in problem and "at(yyyy" in problem


def test_rejects_unknown_time_zone_with_a_suggestion(tmp_path):
    problem = only_problem(tmp_path, edit('time_zone = "Asia/Tokyo"', 'time_zone = "Asia/Tokio"'))
    assert "pipelines[0].schedule.time_zone: 'Asia/Tokio' is not a known IANA time zone" in problem
    assert "did you mean 'Asia/Tokyo'?" in problem


def test_rejects_cpu_memory_pair_fargate_does_not_offer_listing_valid_memory(tmp_path):
    problem = only_problem(tmp_path, edit("memory_mib = 1024", "memory_mib = 512"))
    assert "container.memory_mib: 512 MiB is not offered by Fargate with cpu 512" in problem
    assert "valid memory for cpu 512: 1024, 2048, 3072, 4096" in problem


def test_rejects_unknown_cpu_listing_valid_sizes(tmp_path):
    problem = only_problem(tmp_path, edit("cpu = 512", "cpu = 300"))
    assert "container.cpu: 300 is not a Fargate CPU size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384" in problem


def test_rejects_the_latest_image_tag(tmp_path):
    problem = only_problem(tmp_path, edit('image_tag = "v0.1.0"', 'image_tag = "latest"'))
    assert "container.image_tag: 'latest' is a moving tag" in problem
    assert "git SHA" in problem


def test_requires_an_image_tag(tmp_path):
    problem = only_problem(tmp_path, edit('image_tag = "v0.1.0"\n', ""))
    assert "container.image_tag: is required" in problem


def test_rejects_an_empty_pipeline(tmp_path):
    problem = only_problem(tmp_path, example("s3-trigger") + '\n[[pipelines]]\nname = "empty"\n')
    assert problem.endswith("pipelines[0].steps: is required (a list)")


def test_step_names_leave_room_for_the_failure_state_within_the_80_character_limit(tmp_path):
    longest = "s" * 62
    load_text(tmp_path, edit('name = "extract"', f'name = "{longest}"'))
    problem = only_problem(tmp_path, edit('name = "extract"', f'name = "{longest}x"'))
    assert f"pipelines[0].steps[0].name: '{longest}x' has 63 characters; at most 62" in problem
    assert "Record failure of <step>" in problem


@pytest.mark.parametrize(
    "base, second, made",
    [
        ("minimal-pipeline", "nightly-run-task", "makes the AWS name 'example-minimal-nightly-run-task'"),
        ("minimal-pipeline", "nightly-schedule", "makes the construct id 'pipeline-nightly-schedule'"),
        ("s3-trigger", "trigger-csv-files", "makes the AWS name 'example-trigger-trigger-csv-files'"),
    ],
)
def test_rejects_workflow_names_that_make_a_name_another_workflow_makes(tmp_path, base, second, made):
    problem = only_problem(tmp_path, example(base) + pipeline_toml(second))
    assert made in problem
    assert "already makes" in problem
    assert "rename one of them" in problem


def test_rejects_two_pipeline_steps_that_make_one_task_definition_family(tmp_path):
    """Pipeline 'daily-sales' step 'load' and pipeline 'daily' step 'sales-load' would both register
    'example-minimal-daily-sales-load', one overwriting the other's revisions and tags."""
    first = pipeline_toml("daily-sales").replace('name = "only"', 'name = "load"')
    second = pipeline_toml("daily").replace('name = "only"', 'name = "sales-load"')
    problem = only_problem(tmp_path, example("minimal-pipeline") + first + second)
    assert problem.endswith(
        "pipelines[2].name: 'daily' makes the task definition family 'example-minimal-daily-sales-load', which "
        "pipelines[1] ('daily-sales') already makes; rename one of them"
    )


def test_a_pipeline_named_like_another_pipelines_step_family_is_accepted(tmp_path):
    """Families are ECS's namespace: state machine 'example-minimal-nightly-report' beside the task definition
    family of the same name (pipeline 'nightly', step 'report') clash with nothing."""
    load_text(tmp_path, example("minimal-pipeline") + pipeline_toml("nightly-report"))


def test_rejects_names_that_differ_only_in_case_because_iam_role_names_ignore_case(tmp_path):
    problem = only_problem(tmp_path, example("minimal-pipeline") + pipeline_toml("Nightly"))
    assert problem.endswith(
        "pipelines[1].name: 'Nightly' makes the AWS name 'example-minimal-Nightly', which "
        "pipelines[0] ('nightly') already makes as 'example-minimal-nightly', and AWS compares "
        "IAM role names ignoring case; rename one of them"
    )


def test_rejects_a_trigger_named_like_the_shared_trigger_resources(tmp_path):
    problem = only_problem(tmp_path, edit_example("s3-trigger", 'name = "csv-files"', 'name = "task"'))
    assert "triggers[0].name: 'task' makes the AWS name 'example-trigger-trigger-task'" in problem
    assert "the triggered task's role already makes" in problem


@pytest.mark.parametrize(
    "old, new, path",
    [
        (
            'environment = { ENV = "Start Execution input1" }',
            'environment = { BATCH_STEP = "x" }',
            "pipelines[0].steps[0].environment.BATCH_STEP",
        ),
        (
            'environment = { MODE = "strict" }',
            'environment = { OBJECT_KEY = "x" }',
            "triggers[0].environment.OBJECT_KEY",
        ),
    ],
)
def test_rejects_environment_variables_that_fargate_batch_sets_itself(tmp_path, old, new, path):
    text = edit(old, new) if path.startswith("pipelines") else edit_example("s3-trigger", old, new)
    problem = only_problem(tmp_path, text)
    assert f"{path}: is set by fargate-batch itself" in problem
    assert "use another name" in problem


def test_rejects_duplicate_step_names(tmp_path):
    problem = only_problem(tmp_path, edit('name = "load"', 'name = "extract"'))
    assert "pipelines[0].steps[1].name: 'extract' is used twice" in problem


def test_rejects_duplicate_pipeline_names(tmp_path):
    problem = only_problem(tmp_path, example("minimal-pipeline") + pipeline_toml("nightly"))
    assert "pipelines[1].name: 'nightly' is used twice in pipelines" in problem


def test_rejects_a_pipeline_name_too_long_for_aws_names(tmp_path):
    problem = only_problem(tmp_path, edit('name = "daily-report"', f'name = "{"x" * 25}"'))
    assert "has 25 characters; at most 24" in problem


def test_rejects_a_name_with_characters_aws_forbids(tmp_path):
    problem = only_problem(tmp_path, edit('name = "daily-report"', 'name = "daily report"'))
    assert "pipelines[0].name: 'daily report' is not a valid name" in problem


@pytest.mark.parametrize("prefix, suggestion", [("Acme-Batch", "acme-batch"), ("acme_batch", "acme-batch")])
def test_rejects_a_name_prefix_that_ecr_and_s3_would_refuse(tmp_path, prefix, suggestion):
    problem = only_problem(tmp_path, edit('name_prefix = "fargate-batch-dev"', f'name_prefix = "{prefix}"'))
    assert f"name_prefix: {prefix!r} is not allowed: it is also the ECR repository's name" in problem
    assert f"e.g. {suggestion!r}" in problem


def test_rejects_a_file_name_that_cannot_name_the_stack(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, DEV_TEXT, name="my env.toml")
    (problem,) = caught.value.problems
    assert "the file name 'my env.toml' names the environment 'my env'" in problem
    assert "e.g. config/staging.toml" in problem


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda path: path.mkdir(), "is a directory; give a configuration file such as config/dev.toml"),
        (
            lambda path: path.write_bytes(b'name_prefix = "caf\xe9"\n'),
            "is not UTF-8 text (at byte offset 18); save the file as UTF-8",
        ),
    ],
    ids=["directory", "not-utf8"],
)
def test_unreadable_configuration_files_get_one_line_not_a_traceback(tmp_path, make, expected):
    path = tmp_path / "dev.toml"
    make(path)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [f"{path}: {expected}"]


def test_rejects_a_name_prefix_longer_than_32(tmp_path):
    problem = only_problem(tmp_path, edit('name_prefix = "fargate-batch-dev"', f'name_prefix = "{"p" * 33}"'))
    assert "name_prefix:" in problem and "at most 32" in problem


def test_rejects_retry_attempts_above_185(tmp_path):
    problem = only_problem(tmp_path, edit("retry_attempts = 185", "retry_attempts = 186"))
    assert "pipelines[0].schedule.retry_attempts: 186 is outside 0-185" in problem


def test_rejects_max_event_age_below_60(tmp_path):
    problem = only_problem(tmp_path, edit("max_event_age_seconds = 86400", "max_event_age_seconds = 30"))
    assert "pipelines[0].schedule.max_event_age_seconds: 30 is outside 60-86400" in problem


def test_rejects_flexible_window_above_a_day(tmp_path):
    problem = only_problem(tmp_path, edit("enabled = true\n", "enabled = true\nflexible_window_minutes = 1441\n"))
    assert "flexible_window_minutes: 1441 is outside 1-1440" in problem


def test_rejects_backoff_rate_below_one(tmp_path):
    problem = only_problem(tmp_path, edit("backoff_rate = 2.0", "backoff_rate = 0.5"))
    assert "pipelines[0].retry.backoff_rate: 0.5 is below 1.0" in problem


def test_rejects_max_delay_below_interval(tmp_path):
    problem = only_problem(tmp_path, edit("max_delay_seconds = 300", "max_delay_seconds = 5"))
    assert "pipelines[0].retry.max_delay_seconds: 5 is below interval_seconds (10)" in problem


def test_rejects_unknown_keys_with_a_suggestion(tmp_path):
    problem = only_problem(tmp_path, edit("cpu = 512", "cpu = 512\nmemroy_mib = 1024"))
    assert "container.memroy_mib: unknown key; allowed keys here:" in problem
    assert "did you mean 'memory_mib'?" in problem


def test_refuses_credentials_in_the_file(tmp_path):
    problem = only_problem(tmp_path, edit('type = "local"', 'type = "local"\ntoken = "abc"'))
    assert "backend.token: unknown key" in problem and "terraform login" in problem


def test_rejects_wrong_types(tmp_path):
    problem = only_problem(tmp_path, edit("cpu = 512", 'cpu = "512"'))
    assert "container.cpu: '512' is not a whole number" in problem


def test_rejects_log_retention_cloudwatch_does_not_offer(tmp_path):
    problem = only_problem(tmp_path, edit("retention_days = 365", "retention_days = 31"))
    assert "logging.retention_days: 31 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30," in problem


def test_log_retention_is_read_from_logging(tmp_path, dev_config):
    assert dev_config.logging.retention_days == 365
    assert load_text(tmp_path, edit("retention_days = 365", "retention_days = 30")).logging.retention_days == 30


def test_log_retention_defaults_to_a_year(tmp_path):
    assert load_text(tmp_path, example("minimal-pipeline")).logging.retention_days == 365


def test_log_retention_under_container_is_refused_naming_its_new_place(tmp_path):
    text = edit_example("minimal-pipeline", 'image_tag = "v1.0.0"', 'image_tag = "v1.0.0"\nlog_retention_days = 90')
    problem = only_problem(tmp_path, text)
    assert problem.endswith(
        "container.log_retention_days: 90: this key has moved to [logging] retention_days; remove it here and "
        "write `retention_days = 90` under [logging]"
    )


def test_rejects_existing_network_without_subnets(tmp_path):
    problem = only_problem(tmp_path, edit("create_vpc = true", "create_vpc = false"))
    assert "network: give subnet_ids and security_group_ids" in problem


def test_rejects_malformed_subnet_ids(tmp_path):
    text = edit("create_vpc = true", 'subnet_ids = ["subnet-xyz"]\nsecurity_group_ids = ["sg-0123456789abcdef0"]')
    problem = only_problem(tmp_path, text)
    assert "network.subnet_ids[0]: 'subnet-xyz' is not a subnet id" in problem


def test_rejects_invalid_environment_variable_names(tmp_path):
    problem = only_problem(tmp_path, edit('ENV = "Original env value."', '"MY-VAR" = "x"'))
    assert "container.environment.MY-VAR: is not a valid environment variable name" in problem


TRIGGER_COMMAND = 'command = ["process", "--input", "{key}"]'


def test_rejects_trigger_command_without_key_placeholder(tmp_path):
    problem = only_problem(tmp_path, edit_example("s3-trigger", TRIGGER_COMMAND, 'command = ["process"]'))
    assert "triggers[0].command: ['process'] does not use {key}" in problem


def test_rejects_unknown_placeholders(tmp_path):
    text = edit_example("s3-trigger", TRIGGER_COMMAND, 'command = ["process", "{bucket}/{key}"]')
    problem = only_problem(tmp_path, text)
    assert "uses {bucket}; the only placeholder is {key}" in problem


def test_rejects_an_empty_trigger_prefix(tmp_path):
    problem = only_problem(tmp_path, edit_example("s3-trigger", 'prefix = "incoming/"', 'prefix = ""'))
    assert "triggers[0].prefix: is empty" in problem


def test_rejects_a_trigger_on_the_results_prefix(tmp_path):
    problem = only_problem(tmp_path, edit_example("s3-trigger", 'prefix = "incoming/"', 'prefix = "output/"'))
    assert "overlaps 'output/'" in problem


def test_rejects_overlapping_trigger_prefixes(tmp_path):
    second = """
[[triggers]]
name = "nested"
prefix = "incoming/sub/"
suffix = ".csv"
command = ["process", "{key}"]
"""
    problem = only_problem(tmp_path, example("s3-trigger") + second)
    assert "triggers[1].prefix: 'incoming/sub/' overlaps triggers[0] (csv-files, 'incoming/')" in problem


def test_rejects_activity_timeout_not_above_heartbeat(tmp_path):
    problem = only_problem(tmp_path, edit_example("activity", "timeout_seconds = 900", "timeout_seconds = 30"))
    assert "activities[0].timeout_seconds: 30 is not above heartbeat_seconds (30)" in problem


def test_s3_backend_requires_bucket_key_and_region(tmp_path):
    problems = problems_of(tmp_path, edit('type = "local"', 'type = "s3"'))
    assert {re.sub(r"^.*?: ", "", p, count=1) for p in problems} == {
        "backend.bucket: is required for the s3 backend",
        "backend.key: is required for the s3 backend",
        "backend.region: is required for the s3 backend",
    }


def test_cloud_backend_needs_exactly_one_workspace_selector(tmp_path):
    problem = only_problem(tmp_path, edit('type = "local"', 'type = "cloud"\norganization = "acme"'))
    assert "exactly one of workspace (one per environment) or workspace_tags" in problem


def test_backend_fields_of_another_type_are_rejected(tmp_path):
    problem = only_problem(tmp_path, edit('type = "local"', 'type = "local"\nbucket = "acme-state"'))
    assert "backend.bucket: does not apply to type 'local'" in problem


def test_reports_every_problem_at_once(tmp_path):
    text = edit("cpu = 512", "cpu = 300").replace("retry_attempts = 185", "retry_attempts = 999")
    assert len(problems_of(tmp_path, text)) == 2


def test_invalid_toml_is_reported_with_its_line(tmp_path):
    problem = only_problem(tmp_path, DEV_TEXT + "\nthis is not toml\n")
    assert "not valid TOML" in problem and "line" in problem


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "absent.toml")


def test_cli_reports_problems_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(edit("cron(0 10 * * ? *)", "cron(0 25 * * ? *)"))
    result = subprocess.run(
        [sys.executable, "-m", "fargate_batch.config", str(bad)], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "has hours '25'" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_synth_with_bad_configuration_exits_2_without_a_traceback_or_output(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(edit("memory_mib = 1024", "memory_mib = 100"))
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "FARGATE_BATCH_CONFIG": str(bad), "CDKTF_OUTDIR": str(tmp_path / "out")},
        timeout=120,
    )
    assert result.returncode == 2
    assert "container.memory_mib: 100 MiB is not offered by Fargate" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+inf"])
@pytest.mark.parametrize(
    "old, new, path",
    [
        ("backoff_rate = 2.0", "backoff_rate = {value}", "pipelines[0].retry.backoff_rate"),
        (
            "max_attempts = 3",
            "max_attempts = 3\nbackoff_rate = {value}",
            "triggers[0].retry.backoff_rate",
        ),
    ],
    ids=["pipeline", "trigger"],
)
def test_rejects_numbers_that_are_not_finite_wherever_a_float_is_accepted(tmp_path, value, old, new, path):
    new = new.replace("{value}", value)
    text = edit(old, new) if path.startswith("pipelines") else edit_example("s3-trigger", old, new)
    problem = only_problem(tmp_path, text)
    shown = value.lstrip("+")
    assert problem.endswith(f"{path}: {shown} is not a finite number; a finite number is required here, e.g. 2.0")


def test_a_finite_float_is_still_accepted_where_nan_is_refused(tmp_path):
    config = load_text(tmp_path, edit("backoff_rate = 2.0", "backoff_rate = 1.5"))
    assert config.pipelines[0].retry.backoff_rate == 1.5


def run_cli(*paths, timeout=30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fargate_batch.config", *map(str, paths)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_named_pipe_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "dev.toml"
    os.mkfifo(fifo)
    # In a child process: a loader that opens the pipe would block for ever; the timeout fails the test.
    result = run_cli(fifo, timeout=30)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"{fifo}: is a named pipe (FIFO), not a regular file; give a configuration file such as config/dev.toml\n"
    )
    assert "Traceback" not in result.stdout + result.stderr


# A path that is a regular file when checked and a named pipe when opened; in a child process,
# because os.stat is replaced there.
SWAPPED_FOR_A_PIPE = """
import os, sys
from fargate_batch.config import ConfigError, load_config

fifo, regular = sys.argv[1], os.stat(sys.argv[2])
real_stat = os.stat
os.stat = lambda path, *args, **kwargs: regular if str(path) == fifo else real_stat(path, *args, **kwargs)
try:
    load_config(fifo)
except ConfigError as error:
    print(error)
"""


def test_a_path_swapped_for_a_named_pipe_after_the_check_is_refused_too(tmp_path):
    fifo = tmp_path / "dev.toml"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-c", SWAPPED_FOR_A_PIPE, str(fifo), str(DEV_CONFIG)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (
        result.stdout
        == f"{fifo}: is a named pipe (FIFO), not a regular file; give a configuration file such as config/dev.toml\n"
    )
    assert result.stderr == ""


def test_a_utf8_byte_order_mark_is_read_and_dropped(tmp_path, dev_config):
    path = tmp_path / "dev.toml"
    path.write_bytes(codecs.BOM_UTF8 + DEV_TEXT.encode("utf-8"))
    assert load_config(path) == dev_config


def test_a_utf8_byte_order_mark_does_not_hide_an_encoding_error_or_shift_its_offset(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_bytes(codecs.BOM_UTF8 + b'name_prefix = "caf\xe9"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [f"{path}: is not UTF-8 text (at byte offset 21); save the file as UTF-8"]


def test_a_utf16_file_is_refused_asking_for_utf8(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_bytes(DEV_TEXT.encode("utf-16"))  # Python writes the byte-order mark first
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        f"{path}: is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"
    ]


def test_a_symlink_loop_is_reported_as_a_loop_not_as_a_permission_problem(tmp_path):
    first, second = tmp_path / "dev.toml", tmp_path / "other.toml"
    first.symlink_to(second)
    second.symlink_to(first)
    with pytest.raises(ConfigError) as caught:
        load_config(first)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{first}: is a symbolic link loop")
    assert "permission" not in problem


def test_a_dangling_symlink_names_its_missing_target(tmp_path):
    link = tmp_path / "dev.toml"
    link.symlink_to(tmp_path / "gone.toml")
    with pytest.raises(ConfigError) as caught:
        load_config(link)
    assert caught.value.problems == [
        f"{link}: is a symbolic link to {str(tmp_path / 'gone.toml')!r}, which does not exist; "
        "point it at a configuration file"
    ]


def test_a_symlink_to_a_configuration_file_is_read(tmp_path, dev_config):
    link = tmp_path / "dev.toml"
    link.symlink_to(DEV_CONFIG)
    assert load_config(link) == dev_config


def test_an_empty_path_is_reported_as_empty_not_as_the_current_directory():
    with pytest.raises(ConfigError) as caught:
        load_config("")
    (problem,) = caught.value.problems
    assert problem.startswith("the configuration path is empty")
    assert "directory" not in problem


@pytest.mark.parametrize("second_name", [None, "link.toml"], ids=["same-path", "through-a-symlink"])
def test_load_configs_refuses_the_same_file_given_twice_naming_both(tmp_path, second_name):
    path = tmp_path / "dev.toml"
    path.write_text(DEV_TEXT)
    again = path
    if second_name:
        (tmp_path / "links").mkdir()
        again = tmp_path / "links" / "dev.toml"
        again.symlink_to(path)
    with pytest.raises(ConfigError) as caught:
        load_configs([path, str(again)])
    assert caught.value.problems == [f"{again}: is {path} given a second time; give each configuration file once"]


def test_load_configs_refuses_two_files_that_make_the_same_stack_naming_both(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "dev.toml", tmp_path / "b" / "dev.toml"
    first.write_text(DEV_TEXT)
    second.write_text(DEV_TEXT)
    with pytest.raises(ConfigError) as caught:
        load_configs([first, second])
    assert caught.value.problems == [
        f"{second}: names the stack 'fargate-batch-dev', as {first} does (a file's name is its environment); "
        "give one file per environment, or rename one of them"
    ]


def test_load_configs_loads_files_of_different_environments(tmp_path):
    (tmp_path / "dev.toml").write_text(DEV_TEXT)
    (tmp_path / "prod.toml").write_text(DEV_TEXT)
    configs = load_configs([tmp_path / "dev.toml", tmp_path / "prod.toml"])
    assert [c.environment for c in configs] == ["dev", "prod"]


def test_load_configs_reports_the_problems_of_every_file_at_once(tmp_path):
    (tmp_path / "dev.toml").write_text(edit("cpu = 512", "cpu = 300"))
    (tmp_path / "prod.toml").write_text(edit("retry_attempts = 185", "retry_attempts = 999"))
    with pytest.raises(ConfigError) as caught:
        load_configs([tmp_path / "dev.toml", tmp_path / "prod.toml"])
    assert [p.split(": ", 2)[:2] for p in caught.value.problems] == [
        [str(tmp_path / "dev.toml"), "container.cpu"],
        [str(tmp_path / "prod.toml"), "pipelines[0].schedule.retry_attempts"],
    ]


def test_cli_refuses_one_file_given_twice_in_one_line_without_a_traceback():
    result = run_cli("config/dev.toml", "./config/dev.toml")
    assert result.returncode == 2
    assert result.stdout.startswith("config/dev.toml: ok")
    assert (
        result.stderr == "config/dev.toml: is config/dev.toml given a second time; give each configuration file once\n"
    )
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "zone, fix",
    [
        ("localtime", "use an IANA name such as 'Asia/Tokyo' or 'UTC'"),
        ("posixrules", "use an IANA name such as 'Asia/Tokyo' or 'UTC'"),
        ("Factory", "use an IANA name such as 'Asia/Tokyo' or 'UTC'"),
        ("posix/Asia/Tokyo", "use 'Asia/Tokyo'"),
        ("right/UTC", "use 'UTC'"),
        ("SystemV/AST4", "use an IANA name such as 'Asia/Tokyo' or 'UTC'"),
        ("/etc/localtime", "use an IANA name such as 'Asia/Tokyo' or 'UTC'"),
        ("../../etc/localtime", "use an IANA name such as 'Asia/Tokyo' or 'UTC'"),
        ("Asia/../UTC", "use an IANA name such as 'Asia/Tokyo' or 'UTC'"),
    ],
)
def test_rejects_time_zones_python_knows_but_scheduler_does_not(tmp_path, zone, fix):
    problem = only_problem(tmp_path, edit('time_zone = "Asia/Tokyo"', f'time_zone = "{zone}"'))
    assert f"pipelines[0].schedule.time_zone: {zone!r} " in problem
    assert problem.endswith(fix)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Argentina/Buenos_Aires", "Etc/GMT+9"])
def test_accepts_iana_time_zones(tmp_path, zone):
    config = load_text(tmp_path, edit('time_zone = "Asia/Tokyo"', f'time_zone = "{zone}"'))
    assert config.pipelines[0].schedule.time_zone == zone


@pytest.mark.parametrize(
    "expression, message",
    [
        (
            "at(2026-02-30T10:00:00)",
            "'at(2026-02-30T10:00:00)' does not exist: February 2026 has 28 days, so there is no day 30",
        ),
        (
            "cron(0 10 31 2 ? *)",
            "'cron(0 10 31 2 ? *)' can never fire: day-of-month '31' is past the end of month '2' (at most 29 days); "
            "use a day that exists, or L for the last day of the month",
        ),
        (
            "cron(0 10 30 2 ? *)",
            "'cron(0 10 30 2 ? *)' can never fire: day-of-month '30' is past the end of month '2' (at most 29 days); "
            "use a day that exists, or L for the last day of the month",
        ),
    ],
)
def test_rejects_schedules_that_can_never_run_naming_the_field(tmp_path, expression, message):
    problem = only_problem(tmp_path, edit("cron(0 10 * * ? *)", expression))
    assert f"pipelines[0].schedule.expression: {message}" in problem


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.toml"))


def test_the_examples_are_the_seven_the_readme_lists():
    assert [path.stem for path in EXAMPLE_FILES] == [
        "activity",
        "cloud-backend",
        "existing-vpc",
        "minimal-pipeline",
        "nat-notify",
        "s3-backend",
        "s3-trigger",
    ]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.stem)
def test_every_example_loads_cleanly(path):
    config = load_config(path)
    assert config.environment == path.stem
    assert config.pipelines or config.triggers or config.activities


def test_the_examples_show_what_their_names_say():
    configs = {path.stem: load_config(path) for path in EXAMPLE_FILES}
    assert configs["s3-trigger"].triggers[0].prefix == "incoming/"
    assert configs["activity"].activities[0].worker_desired_count == 2
    assert not configs["existing-vpc"].network.create_vpc and configs["existing-vpc"].network.subnet_ids
    assert configs["s3-backend"].backend.type == "s3"
    assert configs["cloud-backend"].backend.type == "cloud"
    assert len(configs["minimal-pipeline"].pipelines[0].steps) == 1
    assert configs["nat-notify"].network.nat == "single"
    assert configs["nat-notify"].pipelines[0].steps[-1].command[0] == "notify"


def test_cli_passes_every_example_at_once():
    result = run_cli(*(path.relative_to(REPO_ROOT) for path in EXAMPLE_FILES))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == len(EXAMPLE_FILES)


# --- timeout_seconds of pipeline steps and triggers ---------------------------------------------
# One year, the longest a standard execution runs, minus what the execution of a one-step pipeline adds to
# its step's timeout_seconds in its TimeoutSeconds (modules/_private/nested_workflow.py), each retrier
# counted as its waits plus 60 s per failed attempt (asl.FAILED_ATTEMPT_ALLOWANCE_SECONDS):
# - the dev pipeline's launch retries: waits 10 + 20 + 40 + 80 = 150 s (4 retries from 10 s doubling, under
#   the 300 s cap) and 4 × 60 s; and the run-task child's fixed ECS throttling retries: waits
#   2 + 4 + 8 + 16 + 32 + 60 = 122 s and 6 × 60 s;
# - the step's margin over the child's timeout (60 s), and the parent's nested-start retries (the same
#   retrier as ECS throttling: 122 s and 6 × 60 s);
# - the execution's margin over its steps (60 s);
# minus one second to stay below the year.
YEAR = 365 * 24 * 3600
LAUNCH_RETRIES = (150 + 4 * 60) + (122 + 6 * 60)
NESTED_START_RETRIES = 122 + 6 * 60
PER_STEP = LAUNCH_RETRIES + 60 + NESTED_START_RETRIES
DEV_STEP_TIMEOUT_MAX = YEAR - 1 - PER_STEP - 60
STEP_TIMEOUT_LINE = "expected_duration_seconds = 120"


def test_a_step_and_a_trigger_may_run_one_hour_by_default(dev_config):
    assert [step.timeout_seconds for step in dev_config.pipelines[0].steps] == [3600, 3600]
    assert dev_config.triggers[0].timeout_seconds == 3600


@pytest.mark.parametrize("timeout", [1, DEV_STEP_TIMEOUT_MAX])
def test_accepts_step_timeouts_from_one_second_to_the_limit(tmp_path, timeout):
    # One step, with the default launch retries (the same budget as dev's: 150 s).
    command = 'command = ["echo", "hello"]'
    text = edit_example("minimal-pipeline", command, f"{command}\ntimeout_seconds = {timeout}")
    assert load_text(tmp_path, text).pipelines[0].steps[0].timeout_seconds == timeout


def test_rejects_a_step_timeout_of_zero(tmp_path):
    problem = only_problem(tmp_path, edit(STEP_TIMEOUT_LINE, f"{STEP_TIMEOUT_LINE}\ntimeout_seconds = 0"))
    assert problem.endswith(
        "pipelines[0].steps[0].timeout_seconds: 0 is below 1; a task needs at least a second (default 3600, one hour)"
    )


def test_rejects_a_step_timeout_that_with_its_retries_outlasts_a_standard_execution(tmp_path):
    too_long = DEV_STEP_TIMEOUT_MAX + 1
    problem = only_problem(tmp_path, edit(STEP_TIMEOUT_LINE, f"{STEP_TIMEOUT_LINE}\ntimeout_seconds = {too_long}"))
    assert problem.endswith(
        f"pipelines[0].steps[0].timeout_seconds: {too_long} is outside 1-{DEV_STEP_TIMEOUT_MAX}: the task's timeout "
        f"plus its launch retries ({LAUNCH_RETRIES} s with pipelines[0].retry and the ECS throttling retries), the "
        f"nested-start retries ({NESTED_START_RETRIES} s) and the timeouts' margins (120 s) must stay below one "
        f"year ({YEAR} s), the longest a Step Functions standard execution runs (a retry budget counts its waits "
        "and 60 s per failed attempt); lower timeout_seconds, or pipelines[0].retry.max_attempts or "
        "max_delay_seconds"
    )


def test_more_launch_retries_lower_the_step_timeout_limit(tmp_path):
    # 6 retries instead of 4: two more delays, 160 s and then 320 s capped at 300 s, and two more failed
    # attempts of 60 s each: 460 + 120 s more.
    text = edit(STEP_TIMEOUT_LINE, f"{STEP_TIMEOUT_LINE}\ntimeout_seconds = {DEV_STEP_TIMEOUT_MAX}")
    problem = only_problem(tmp_path, text.replace("max_attempts = 4", "max_attempts = 6", 1))
    assert f"is outside 1-{DEV_STEP_TIMEOUT_MAX - 460 - 120}:" in problem
    assert f"({LAUNCH_RETRIES + 460 + 120} s with pipelines[0].retry and the ECS throttling retries)" in problem


def test_rejects_steps_whose_timeouts_together_outlast_the_pipelines_one_execution(tmp_path):
    half = DEV_STEP_TIMEOUT_MAX // 2 + 1
    text = edit(STEP_TIMEOUT_LINE, f"{STEP_TIMEOUT_LINE}\ntimeout_seconds = {half}").replace(
        "expected_duration_seconds = 60", f"expected_duration_seconds = 60\ntimeout_seconds = {half}", 1
    )
    problem = only_problem(tmp_path, text)
    assert f"pipelines[0].steps: the steps' timeout_seconds ({half} + {half}) plus {PER_STEP} s of launch " in problem
    assert "the steps run in series in one execution, which must end within one year" in problem
    # Both steps' overhead and the pipeline's margin come off the year; what is left is the steps' together.
    assert problem.endswith(f"lower the steps' timeout_seconds to at most {YEAR - 1 - 2 * PER_STEP - 60} s together")


def test_accepts_steps_whose_timeouts_together_fit_one_execution(tmp_path):
    fits = (DEV_STEP_TIMEOUT_MAX - PER_STEP) // 2
    text = edit(STEP_TIMEOUT_LINE, f"{STEP_TIMEOUT_LINE}\ntimeout_seconds = {fits}").replace(
        "expected_duration_seconds = 60", f"expected_duration_seconds = 60\ntimeout_seconds = {fits}", 1
    )
    assert [step.timeout_seconds for step in load_text(tmp_path, text).pipelines[0].steps] == [fits, fits]


def test_accepts_a_trigger_timeout(tmp_path):
    assert load_text(tmp_path, example("s3-trigger")).triggers[0].timeout_seconds == 7200


@pytest.mark.parametrize("timeout, expected", [(0, "0 is below 1"), (YEAR, f"{YEAR} is outside 1-")])
def test_rejects_a_trigger_timeout_out_of_range(tmp_path, timeout, expected):
    text = edit_example("s3-trigger", "timeout_seconds = 7200", f"timeout_seconds = {timeout}")
    problem = only_problem(tmp_path, text)
    assert f"triggers[0].timeout_seconds: {expected}" in problem


def test_rejects_a_string_timeout_as_a_type_error(tmp_path):
    problem = only_problem(tmp_path, edit_example("s3-trigger", "timeout_seconds = 7200", 'timeout_seconds = "2h"'))
    assert problem.endswith("triggers[0].timeout_seconds: '2h' is not a whole number")


def test_rejects_launch_retries_that_alone_outlast_a_standard_execution(tmp_path):
    text = edit("max_attempts = 4", "max_attempts = 200000").replace(
        "max_delay_seconds = 300", "max_delay_seconds = 31622400", 1
    )
    problem = only_problem(tmp_path, text)
    assert "pipelines[0].retry.max_attempts: 200000 launch retries can take " in problem
    assert "leaves no time for the task within one year" in problem


# --- concurrency of pipelines -------------------------------------------------------------------


def test_a_pipeline_skips_a_run_while_another_runs_by_default(dev_config):
    assert dev_config.pipelines[0].concurrency == "skip"


@pytest.mark.parametrize("value", ["allow", "skip"])
def test_accepts_allow_and_skip_concurrency(tmp_path, value):
    text = edit_example("existing-vpc", 'concurrency = "allow"', f'concurrency = "{value}"')
    assert load_text(tmp_path, text).pipelines[0].concurrency == value


def test_rejects_an_unknown_concurrency_with_a_suggestion(tmp_path):
    problem = only_problem(tmp_path, edit_example("existing-vpc", 'concurrency = "allow"', 'concurrency = "skp"'))
    assert problem.endswith(
        "pipelines[0].concurrency: 'skp' is not allowed; use one of 'allow', 'skip'; did you mean 'skip'?"
    )


def test_the_readme_configuration_reference_points_at_every_example():
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Configuration reference") :]
    section = section[: section.index("\n## ", 1)]
    for path in EXAMPLE_FILES:
        assert f"`{path.name}`" in section, path.name


# --- egress, notify and zones --------------------------------------------------------------------
NAT_LINE = 'nat = "single"'


def field_problem(tmp_path, text) -> str:
    """The one problem of ``text``, from its field path on (the file's path comes first)."""
    return only_problem(tmp_path, text).split(".toml: ", 1)[1]


def test_notify_in_a_vpc_without_nat_is_refused_with_the_reason_and_the_fix(tmp_path):
    problem = field_problem(tmp_path, edit_example("nat-notify", NAT_LINE, 'nat = "none"'))
    assert problem.startswith("pipelines[0].steps[1].command: notify posts to a Slack webhook on the internet, but ")
    assert 'the new VPC has no route to the internet ([network] nat = "none")' in problem
    assert 'set [network] nat = "single"' in problem and "AWS Chatbot" in problem


def test_notify_in_an_existing_vpc_needs_the_owner_to_vouch_for_egress(tmp_path):
    existing = (
        'create_vpc = false\nsubnet_ids = ["subnet-0123456789abcdef0"]\nsecurity_group_ids = ["sg-0123456789abcdef0"]'
    )
    text = edit_example("nat-notify", "create_vpc = true", existing)
    text = text.replace('availability_zone_ids = ["apne1-az1", "apne1-az4"]\n', "").replace(NAT_LINE, "")
    problem = field_problem(tmp_path, text)
    assert "the existing subnets are not known to reach the internet" in problem
    assert "existing_subnets_reach_internet = true" in problem
    vouched = text.replace(existing, existing + "\nexisting_subnets_reach_internet = true")
    assert load_text(tmp_path, vouched).network.has_internet_egress


def test_a_webhook_parameter_without_egress_is_refused_even_with_no_notify_step(tmp_path):
    text = edit_example("nat-notify", NAT_LINE, 'nat = "none"')
    problem = field_problem(tmp_path, text.replace('"notify", "nightly report done"', '"echo", "x"'))
    assert problem.startswith("network.notify_webhook_parameter: the webhook is read by notify, which posts")


def test_notify_without_a_webhook_is_refused(tmp_path):
    text = edit_example("nat-notify", 'notify_webhook_parameter = "/example-nat/slack-webhook"\n', "")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("notify_webhook_kms_key_arn"))
    problem = field_problem(tmp_path, text)
    assert problem.startswith("pipelines[0].steps[1].command: notify needs the webhook's URL")


def test_nat_and_zone_ids_apply_to_a_new_vpc_only(tmp_path):
    text = edit_example("existing-vpc", "assign_public_ip = false", 'assign_public_ip = false\nnat = "single"')
    assert field_problem(tmp_path, text).startswith("network.nat: applies to create_vpc = true only")


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ('["apne1-az1", "usw2-lax1-az1"]', "network.availability_zone_ids[1]: 'usw2-lax1-az1' is a Local Zone id"),
        ('["apne1-az1", "ap-northeast-1a"]', "'ap-northeast-1a' is not an Availability Zone id such as 'apne1-az1'"),
        ('["apne1-az1"]', "network.availability_zone_ids: 1 distinct zone id(s) for az_count = 2"),
    ],
)
def test_zone_ids_are_checked_at_load(tmp_path, ids, message):
    text = edit_example("nat-notify", '["apne1-az1", "apne1-az4"]', ids)
    assert message in field_problem(tmp_path, text)


def test_the_webhook_key_must_be_a_key_arn_of_the_stacks_region(tmp_path):
    text = edit_example("nat-notify", "arn:aws:kms:ap-northeast-1:", "arn:aws:kms:us-east-1:")
    problem = field_problem(tmp_path, text)
    assert problem.startswith("network.notify_webhook_kms_key_arn: ") and "is in us-east-1" in problem


def test_the_webhook_parameter_variable_is_set_through_the_configuration_key(tmp_path):
    text = example("nat-notify") + '\n[container.environment]\nSLACK_WEBHOOK_SSM_PARAMETER = "/x"\n'
    expected = "container.environment.SLACK_WEBHOOK_SSM_PARAMETER: set [network] notify_webhook_parameter instead"
    problems = [p.split(".toml: ", 1)[1] for p in problems_of(tmp_path, text)]
    assert any(p.startswith(expected) for p in problems), problems
