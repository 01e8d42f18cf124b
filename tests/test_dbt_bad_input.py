"""Bad dbt projects: each problem is a diagnostic with file:line confined to its own model;
the rest of the project is still analysed, and nothing escapes the Jinja sandbox."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lineage import projects
from lineage.cli import main
from lineage.config import load_config
from lineage.entities import DiagnosticCode, Project

PROJECT = "name: shop\nversion: '1.0'\nprofile: shop\n"
SOURCES = """version: 2
sources:
  - name: app
    tables:
      - name: users
        columns: [{name: id}, {name: email}]
"""
GOOD = "select id, lower(email) as email from {{ source('app', 'users') }}"


def _project(tmp_path: Path, models: dict[str, str]) -> Project:
    (tmp_path / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "_sources.yml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "models" / "good.sql").write_text(GOOD, encoding="utf-8")
    for name, text in models.items():
        (tmp_path / "models" / name).write_text(text, encoding="utf-8")
    return projects.build(tmp_path, load_config(tmp_path))


def _codes(project: Project) -> dict[str, set[DiagnosticCode]]:
    found: dict[str, set[DiagnosticCode]] = {}
    for d in project.diagnostics:
        found.setdefault(str(d.location), set()).add(d.code)
    return found


def _good_still_analysed(project: Project) -> None:
    edges = {(str(e.target), str(e.source)) for e in project.edges}
    assert ("model.shop.good.email", "source.shop.app.users.email") in edges


def test_a_jinja_syntax_error_is_reported_at_its_line(tmp_path: Path) -> None:
    project = _project(tmp_path, {"broken.sql": "select 1 as a\n{% if %}\nfrom x"})
    assert DiagnosticCode.PARSE_ERROR in _codes(project)["models/broken.sql:2"]
    assert "model.shop.broken" in {str(b.target) for b in project.blind_spots}
    _good_still_analysed(project)


def test_an_unknown_macro_names_itself_and_fails_only_its_model(tmp_path: Path) -> None:
    project = _project(
        tmp_path, {"m.sql": "select {{ not_a_macro('x') }} as a from {{ ref('good') }}"}
    )
    messages = [d.message for d in project.diagnostics if d.location.path == "models/m.sql"]
    assert any("not_a_macro" in m for m in messages)
    _good_still_analysed(project)


def test_a_ref_to_a_missing_model_is_an_unknown_relation(tmp_path: Path) -> None:
    project = _project(tmp_path, {"m.sql": "select a from {{ ref('nowhere') }}"})
    [missing] = [
        d
        for d in project.diagnostics
        if d.code is DiagnosticCode.UNKNOWN_RELATION and d.location.path == "models/m.sql"
    ]
    assert "nowhere" in missing.message
    _good_still_analysed(project)


def test_cyclic_refs_are_reported_and_the_rest_analysed(tmp_path: Path) -> None:
    project = _project(
        tmp_path, {"a.sql": "select x from {{ ref('b') }}", "b.sql": "select x from {{ ref('a') }}"}
    )
    cycle = [d for d in project.diagnostics if "cycle" in d.message]
    assert {d.location.path for d in cycle} == {"models/a.sql", "models/b.sql"}
    assert project.coverage.statements_analysed < project.coverage.statements
    _good_still_analysed(project)


def test_malformed_yaml_is_reported_and_the_models_still_built(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "bad.yml").write_text("version: 2\nmodels: [\n", encoding="utf-8")
    (tmp_path / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "models" / "_sources.yml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "models" / "good.sql").write_text(GOOD, encoding="utf-8")
    project = projects.build(tmp_path, load_config(tmp_path))
    assert any(d.location.path == "models/bad.yml" for d in project.diagnostics)
    _good_still_analysed(project)


def test_sandbox_escapes_fail_inside_their_model(tmp_path: Path) -> None:
    attempts = {
        "mro.sql": "select '{{ ''.__class__.__mro__ }}' as a",
        "globals.sql": "select '{{ cycler.__init__.__globals__ }}' as a",
        "context.sql": "select '{{ self._TemplateReference__context }}' as a",
    }
    project = _project(tmp_path, attempts)
    for name in attempts:
        assert f"models/{name}:1" in _codes(project), name
    rendered = " ".join(e.expression for e in project.edges)
    assert "object" not in rendered and "__" not in rendered
    _good_still_analysed(project)


def test_who_uses_on_a_dbt_project_without_dbt_installed(tmp_path: Path) -> None:
    _project(tmp_path, {"m.sql": "select email from {{ ref('good') }}"})
    result = CliRunner().invoke(
        main, ["who-uses", "source:app.users.email", "--project-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "model.shop.m.email" in result.stdout
    assert "2 of 2 models rendered, parsed and analysed" in result.stderr


def test_vars_from_the_command_line_reach_the_models(tmp_path: Path) -> None:
    model = "select id from {{ source('app', 'users') }} where id > {{ var('min_id') }}"
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "models" / "_sources.yml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "models" / "m.sql").write_text(model, encoding="utf-8")
    without = CliRunner().invoke(main, ["graph", "--project-dir", str(tmp_path)])
    assert "0 of 1 models" in without.stderr  # var without default: that model fails, said
    given = CliRunner().invoke(
        main, ["graph", "--project-dir", str(tmp_path), "--vars", "{min_id: 10}"]
    )
    assert "1 of 1 models" in given.stderr
    bad = CliRunner().invoke(main, ["graph", "--project-dir", str(tmp_path), "--vars", "[1, 2]"])
    assert bad.exit_code == 2 and "--vars must be a YAML mapping" in bad.stderr
