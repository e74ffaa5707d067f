"""Terraform Cloud workspaces per stack, and the TF_WORKSPACE rule for tag-selected workspaces.

https://developer.hashicorp.com/terraform/cli/cloud/settings#tf_workspace: with ``workspaces { tags }`` a
non-interactive ``terraform init`` needs TF_WORKSPACE to pick the workspace.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from fargate_batch.plan_report.terraform_cloud import (
    CloudWorkspaceError,
    check_workspace_selection,
    cloud_workspaces,
    main,
)
from tests.conftest import DEV_CONFIG, with_backend


def test_tagged_workspaces_without_tf_workspace_are_refused_naming_the_fix(dev_config):
    config = with_backend(dev_config, "cloud-tags")
    with pytest.raises(CloudWorkspaceError) as refused:
        check_workspace_selection([config], environ={})
    message = str(refused.value)
    assert message.startswith('fargate-batch-dev: [backend] workspace_tags = ["batch"]')
    assert "set TF_WORKSPACE to that workspace's name" in message
    assert "https://developer.hashicorp.com/terraform/cli/cloud/settings#tf_workspace" in message


def test_tf_workspace_names_the_tagged_workspace(dev_config):
    config = with_backend(dev_config, "cloud-tags")
    (workspace,) = cloud_workspaces([config], environ={"TF_WORKSPACE": "batch-dev"})
    assert (workspace.stack, workspace.workspace, workspace.hostname) == (
        "fargate-batch-dev",
        "batch-dev",
        "tfe.example.com",
    )
    assert workspace.directory == "cdktf.out/stacks/fargate-batch-dev"


def test_a_named_workspace_needs_no_tf_workspace(dev_config):
    (workspace,) = cloud_workspaces([with_backend(dev_config, "cloud-workspace")], environ={})
    expected = ("acme", "batch-dev", "app.terraform.io")
    assert (workspace.organization, workspace.workspace, workspace.hostname) == expected


def test_other_backends_have_no_workspace(dev_config):
    assert cloud_workspaces([dev_config, with_backend(dev_config, "s3")], environ={}) == []


def test_one_tf_workspace_cannot_serve_two_tag_selected_stacks(dev_config):
    first = with_backend(dev_config, "cloud-tags")
    second = replace(first, name_prefix="fargate-batch-prd", environment="prd")
    with pytest.raises(CloudWorkspaceError, match="2 stacks select theirs by tags"):
        check_workspace_selection([first, second], environ={"TF_WORKSPACE": "batch-dev"})


def dev_config_with_backend(tmp_path, backend_lines: str):
    """config/dev.toml with another [backend] table, as a file the loader reads like any other."""
    text = DEV_CONFIG.read_text()
    assert '[backend]\ntype = "local"' in text
    config = tmp_path / "dev.toml"
    config.write_text(text.replace('[backend]\ntype = "local"', "[backend]\n" + backend_lines))
    return config


def test_command_line_prints_the_actions_matrix(tmp_path, capsys, monkeypatch):
    config = dev_config_with_backend(tmp_path, 'type = "cloud"\norganization = "acme"\nworkspace = "batch-dev"')
    monkeypatch.delenv("TF_WORKSPACE", raising=False)
    assert main([str(config)]) == 0
    matrix = json.loads(capsys.readouterr().out)
    assert matrix == {
        "include": [
            {
                "stack": "fargate-batch-dev",
                "organization": "acme",
                "workspace": "batch-dev",
                "hostname": "app.terraform.io",
                "directory": "cdktf.out/stacks/fargate-batch-dev",
            }
        ]
    }


TAGGED = 'type = "cloud"\norganization = "acme"\nworkspace_tags = ["batch"]'


def test_command_line_refuses_tags_without_tf_workspace(tmp_path, capsys, monkeypatch):
    config = dev_config_with_backend(tmp_path, TAGGED)
    monkeypatch.delenv("TF_WORKSPACE", raising=False)
    assert main([str(config)]) == 2
    assert "set TF_WORKSPACE" in capsys.readouterr().err


def test_plan_report_against_the_account_stops_before_terraform_without_tf_workspace(tmp_path, capsys, monkeypatch):
    from fargate_batch.plan_report.runner import main as plan_report

    config = dev_config_with_backend(tmp_path, TAGGED)
    monkeypatch.setenv("FARGATE_BATCH_TARGET", "aws")
    monkeypatch.delenv("TF_WORKSPACE", raising=False)
    code = plan_report(["--config", str(config), "--output", str(tmp_path / "r.md"), "--work-dir", str(tmp_path / "w")])
    assert code == 2
    assert "set TF_WORKSPACE" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()
