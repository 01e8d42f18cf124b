"""lineage.yml settings for dbt projects: the target, and what env_var() may see."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage import projects
from lineage.config import load_config
from lineage.entities import Project

PROJECT = "name: shop\nversion: '1.0'\nprofile: shop\n"
SOURCES = """version: 2
sources:
  - name: app
    schema: "{{ env_var('APP_SCHEMA', 'raw_default') }}"
    tables:
      - name: users
        columns: [{name: id}]
"""
MODEL = (
    "select id, id || '{{ target.name }}' as env, id || '{{ this }}' as me, "
    "id || '{{ env_var('TOKEN', 'none') }}' as token from {{ source('app', 'users') }}"
)


def _build(tmp_path: Path, settings: str) -> Project:
    (tmp_path / "models").mkdir(exist_ok=True)
    (tmp_path / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "lineage.yml").write_text(settings, encoding="utf-8")
    (tmp_path / "models" / "_sources.yml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "models" / "m.sql").write_text(MODEL, encoding="utf-8")
    return projects.build(tmp_path, load_config(tmp_path))


def _expressions(project: Project) -> str:
    return " ".join(e.expression for e in project.edges)


def test_defaults_never_read_the_machine_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKEN", "s3cret")
    monkeypatch.setenv("APP_SCHEMA", "from_the_machine")
    project = _build(tmp_path, "dialect: postgres\n")
    assert "s3cret" not in _expressions(project)
    assert "'none'" in _expressions(project)  # env_var fell back to its default
    assert "'dev'" in _expressions(project)
    assert '"analytics"."dbt"."m"' in _expressions(project)  # dbt quotes on postgres
    [edge] = [e for e in project.edges if str(e.target) == "model.shop.m.id"]
    assert str(edge.source) == "source.shop.app.users.id"
    assert "from_the_machine" not in str(project.relations)


def test_env_vars_and_target_from_lineage_yml(tmp_path: Path) -> None:
    settings = (
        "env_vars: {APP_SCHEMA: raw_app}\n"
        "dbt_target: {name: prod, database: warehouse, schema: analytics}\n"
    )
    project = _build(tmp_path, settings)
    expressions = _expressions(project)
    assert "'prod'" in expressions  # target.name
    assert '"warehouse"."analytics"."m"' in expressions  # this, for the configured target
    assert "'none'" in expressions  # TOKEN is not listed: its default
    assert [r.name for r in project.relations if r.name.startswith("source.")] == [
        "source.shop.app.users"
    ]
    assert not project.diagnostics
