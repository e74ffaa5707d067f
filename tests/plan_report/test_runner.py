"""The plan-report command's own errors: a user mistake is a message and an exit code, never a traceback."""

from __future__ import annotations

from fargate_batch.plan_report.runner import main


def test_missing_configuration_exits_2_with_the_loaders_message(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FARGATE_BATCH_TARGET", raising=False)
    code = main(["--config", str(tmp_path / "absent.toml"), "--output", str(tmp_path / "r.md")])
    assert code == 2
    assert "plan-report: configuration problems" in capsys.readouterr().err
    assert not (tmp_path / "r.md").exists()


def test_unknown_target_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FARGATE_BATCH_TARGET", "prod")
    assert main(["--output", str(tmp_path / "r.md")]) == 2
    assert "'prod' is not a target" in capsys.readouterr().err


def test_a_plan_base_git_cannot_resolve_exits_2_before_anything_starts(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FARGATE_BATCH_TARGET", raising=False)
    code = main(["--base", "no-such-ref-xyz", "--output", str(tmp_path / "r.md"), "--work-dir", str(tmp_path / "w")])
    assert code == 2
    err = capsys.readouterr().err
    assert "PLAN_BASE='no-such-ref-xyz' is not a commit of this repository" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.md").exists() and not (tmp_path / "w" / "base").exists()
