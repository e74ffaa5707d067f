from __future__ import annotations

import pytest

from fargate_batch.terraform_cli import find_provider_mirror, render_cli_config, terraform_environment, write_cli_config


def make_mirror(root):
    (root / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0").mkdir(parents=True)
    return root


def test_explicit_mirror_wins(tmp_path):
    mirror = make_mirror(tmp_path / "mirror")
    assert find_provider_mirror({"TF_PROVIDER_MIRROR": str(mirror)}) == mirror


def test_explicit_mirror_without_the_provider_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="has no registry.terraform.io/hashicorp/aws"):
        find_provider_mirror({"TF_PROVIDER_MIRROR": str(tmp_path)})


def test_config_sends_only_the_public_registry_to_the_mirror(tmp_path):
    text = render_cli_config(tmp_path)
    assert f'path    = "{tmp_path}"' in text
    assert 'include = ["registry.terraform.io/*/*"]' in text
    assert 'exclude = ["registry.terraform.io/*/*"]' in text


def test_no_mirror_writes_no_config_and_drops_a_dangling_pointer(tmp_path, monkeypatch):
    monkeypatch.setattr("fargate_batch.terraform_cli.DEFAULT_MIRROR_LOCATIONS", (str(tmp_path / "absent"),))
    assert write_cli_config(tmp_path / "terraform.rc", {}) is None
    assert not (tmp_path / "terraform.rc").exists()
    env = terraform_environment(tmp_path, {"TF_CLI_CONFIG_FILE": str(tmp_path / "missing.rc")})
    assert "TF_CLI_CONFIG_FILE" not in env
    assert env["CHECKPOINT_DISABLE"] == "1"


def test_mirror_config_is_pointed_at_by_the_environment(tmp_path):
    mirror = make_mirror(tmp_path / "mirror")
    env = terraform_environment(tmp_path / "work", {"TF_PROVIDER_MIRROR": str(mirror)})
    assert env["TF_CLI_CONFIG_FILE"] == str(tmp_path / "work" / "terraform.rc")
    assert str(mirror) in (tmp_path / "work" / "terraform.rc").read_text()
