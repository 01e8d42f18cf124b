"""Settings and options added for dbt projects, applications and consumers, through the CLI:
each is honoured, and each malformed value is a usage error (exit 2), not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import main

PROJECT = "name: shop\nversion: '1.0'\nprofile: shop\n"


def _dbt(tmp_path: Path, settings: str = "") -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "models" / "m.sql").write_text("select 1 as id", encoding="utf-8")
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / "manifest.json").write_text("{not json", encoding="utf-8")
    if settings:
        (tmp_path / "lineage.yml").write_text(settings, encoding="utf-8")
    return tmp_path


def test_the_manifest_option_and_setting_are_read(tmp_path: Path) -> None:
    root = _dbt(tmp_path)
    quiet = CliRunner().invoke(main, ["diagnostics", "--project-dir", str(root)])
    assert "manifest.json" not in quiet.stdout  # no target/manifest.json: the files alone
    given = CliRunner().invoke(
        main,
        [
            "diagnostics",
            "--project-dir",
            str(root),
            "--manifest",
            str(root / "custom" / "manifest.json"),
        ],
    )
    assert given.exit_code == 0 and "custom/manifest.json" in given.stdout
    (root / "lineage.yml").write_text("manifest: custom/manifest.json\n", encoding="utf-8")
    configured = CliRunner().invoke(main, ["diagnostics", "--project-dir", str(root)])
    assert "custom/manifest.json" in configured.stdout


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ("applications: {name: shop}\n", "'applications' must be a list"),
        ("applications:\n  - {name: shop}\n", "needs at least a `name` and a `path`"),
        ("applications:\n  - {name: shop, path: x, colour: red}\n", "unknown keys colour"),
        ("applications:\n  - {name: s, path: x, table_pattern: raw}\n", "must contain {table}"),
        ("applications:\n  - {name: s, path: x, column_case: title}\n", "column_case"),
        ("consumers: [a]\n", "'consumers' is a mapping"),
        ("consumers: {tableau: x}\n", "'consumers' is a mapping"),
        ("consumers: {code: [1]}\n", "paths must be strings"),
        ("dbt_target: [prod]\n", "'dbt_target' must be a mapping"),
        ("env_vars: [A]\n", "'env_vars' must be a mapping"),
        ("manifest: 3\n", "'manifest' must be the path"),
    ],
)
def test_malformed_settings_are_usage_errors(tmp_path: Path, settings: str, says: str) -> None:
    result = CliRunner().invoke(main, ["graph", "--project-dir", str(_dbt(tmp_path, settings))])
    assert result.exit_code == 2, result.output
    assert says in result.stderr and "Traceback" not in result.output


def test_an_application_path_outside_the_repository_is_said(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "dbt").mkdir()
    root = _dbt(repo / "dbt", "applications:\n  - {name: s, path: ../../elsewhere}\n")
    (tmp_path / "elsewhere").mkdir()
    result = CliRunner().invoke(main, ["diagnostics", "--project-dir", str(root)])
    assert result.exit_code == 0
    assert "is outside the repository of the project and is not read" in result.stdout
