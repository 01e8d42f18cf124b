"""Cross-repository lineage: an application repository with `downstream:` state files sees
its tables' downstream through the dbt project it does not contain."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from lineage import projects
from lineage.config import load_config
from lineage.entities import (
    Column,
    ColumnRef,
    Coverage,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    Project,
    Relation,
    RelationKind,
    Severity,
)
from lineage.errors import UsageError
from lineage.graph import Answer, LineageGraph
from lineage.report.graph_formats import graph_json

FIXTURES = Path(__file__).parent.parent / "fixtures"
SHOP = FIXTURES / "shop"
MIGRATIONS = FIXTURES / "shop_app" / "shop" / "db" / "migrations"
APP_YML = """\
applications:
  - name: shop
    path: db/migrations
    source: app
    ingestion: fivetran
downstream: state.json
"""
EMAIL = ColumnRef("app:shop.users", "email")


@pytest.fixture(scope="module")
def full() -> Project:
    """The analytics repository's build, with the shop application configured there."""
    return projects.build(SHOP, load_config(SHOP))


@pytest.fixture(scope="module")
def state_text(full: Project) -> str:
    return graph_json(full)


def app_repo(folder: Path, state_text: str, lineage_yml: str = APP_YML) -> Path:
    """An application repository: its migrations, its lineage.yml, the published state."""
    (folder / ".git").mkdir(parents=True)
    shutil.copytree(MIGRATIONS, folder / "db" / "migrations")
    (folder / "lineage.yml").write_text(lineage_yml, encoding="utf-8")
    (folder / "state.json").write_text(state_text, encoding="utf-8")
    return folder


def build(root: Path) -> Project:
    return projects.build(root, load_config(root))


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory, state_text: str) -> Project:
    return build(app_repo(tmp_path_factory.mktemp("app"), state_text))


def who_uses(project: Project, ref: ColumnRef) -> Answer:
    return LineageGraph(project).downstream((ref,))


def hops(answer: Answer) -> set[tuple[object, ...]]:
    return {(h.ref, h.depth, h.kind, h.expression, h.location, h.via) for h in answer.hops}


# -- the merged project answers as the full build does --------------------------------------


def test_who_uses_sees_the_same_models_and_consumers(full: Project, merged: Project) -> None:
    expected, found = who_uses(full, EMAIL), who_uses(merged, EMAIL)
    assert len(expected.hops) > 10, "the shop's users.email feeds many models"
    assert hops(found) == hops(expected)
    reached = {(c.consumer.id, c.via, c.depth) for c in found.consumers}
    assert reached == {(c.consumer.id, c.via, c.depth) for c in expected.consumers}
    assert "exposure.shop.churn_dashboard" in {c.consumer.id for c in found.consumers}
    assert found.blind_spots == expected.blind_spots
    assert found.unanalysed == expected.unanalysed


def test_the_application_tables_are_the_local_ones(merged: Project) -> None:
    users = merged.relation("app:shop.users")
    assert users is not None and users.location is not None
    assert users.location.path == "db/migrations/V1__create_users.sql"  # not ../shop_app/...
    # the ingestion edge: from the local column into the state's source column, at the
    # source's location in the analytics repository, as the dbt build makes it
    [ingestion] = [e for e in merged.edges if e.source == EMAIL]
    assert ingestion.target == ColumnRef("source.shop.app.users", "email")
    assert ingestion.kind is EdgeKind.IDENTITY
    assert ingestion.expression == "loaded by fivetran from app:shop.users"
    assert ingestion.location == Location("models/staging/app/_app__sources.yml", 19)


def test_state_relations_of_other_applications_are_kept(full: Project, merged: Project) -> None:
    sessions = merged.relation("app:tracking.tracking_sessions")
    assert sessions == full.relation("app:tracking.tracking_sessions")
    from_tracking = [e for e in merged.edges if e.source.relation.startswith("app:tracking.")]
    assert from_tracking == [e for e in full.edges if e.source.relation.startswith("app:tracking.")]
    assert from_tracking
    # the `app` source also ingests the tracking application: its tables are not "missing"
    drift = [d.message for d in merged.diagnostics if d.code is DiagnosticCode.SCHEMA_DRIFT]
    assert not [m for m in drift if "has no application table" in m], drift


def test_state_diagnostics_keep_their_place_and_say_where_they_come_from(
    merged: Project,
) -> None:
    [python] = [d for d in merged.diagnostics if d.code is DiagnosticCode.PYTHON_MODEL]
    assert python.location == Location("models/marts/ml/churn_predictions.py", 1)
    assert python.message.startswith("downstream state state.json: Python model:")


def test_coverage_adds_up(full: Project, merged: Project, tmp_path: Path) -> None:
    local_root = app_repo(tmp_path / "app", "{}", APP_YML.replace("downstream: state.json\n", ""))
    local = build(local_root)
    assert merged.coverage.files == local.coverage.files + full.coverage.files
    assert merged.coverage.statements == local.coverage.statements + full.coverage.statements
    assert (
        merged.coverage.statements_analysed
        == local.coverage.statements_analysed + full.coverage.statements_analysed
    )
    # the application's migrations are not warehouse SQL: only the state's models count
    assert local.coverage.statements == 0
    assert merged.coverage.unit == "models"
    # the state's app:shop tables are replaced by the same tables read locally: counted once
    assert merged.coverage.columns == local.coverage.columns + full.coverage.columns
    # the application is read here (not by the plain SQL build): its one warning, the DO
    # block of V7, is the merge's own
    [own] = [d for d in merged.diagnostics if d.code is DiagnosticCode.APP_SCHEMA
             and d.location.path.startswith("db/")]  # fmt: skip
    assert own.location == Location("db/migrations/V7__add_products_category.sql", 8)
    assert merged.coverage.diagnostics == local.coverage.diagnostics + full.coverage.diagnostics + 1


# -- a pull request in the application repository ---------------------------------------------


def test_a_renaming_migration_is_visible(tmp_path: Path, state_text: str) -> None:
    root = app_repo(tmp_path, state_text)
    migration = root / "db" / "migrations" / "V13__rename_users_email.sql"
    migration.write_text("ALTER TABLE users RENAME COLUMN email TO login_email;\n", "utf-8")
    project = build(root)
    users = project.relation("app:shop.users")
    assert users is not None
    assert users.column("email") is None
    renamed = users.column("login_email")
    assert renamed is not None
    assert renamed.location == Location("db/migrations/V13__rename_users_email.sql", 1)
    # nothing lands the new name in the source: no ingestion edge, and the drift is reported
    assert not [e for e in project.edges if e.source.relation == "app:shop.users"
                and e.source.column in ("email", "login_email")]  # fmt: skip
    assert who_uses(project, ColumnRef("app:shop.users", "login_email")).hops == ()
    drift = [
        d
        for d in project.diagnostics
        if d.code is DiagnosticCode.SCHEMA_DRIFT and "app.users.email" in d.message
    ]
    assert [d.location for d in drift] == [Location("models/staging/app/_app__sources.yml", 28)]
    # the rest of the state is still there
    stg = project.relation("model.shop.stg_app__users")
    assert stg is not None and stg.column("email") is not None


def test_a_table_dropped_locally_is_gone(tmp_path: Path, state_text: str) -> None:
    root = app_repo(tmp_path, state_text)
    (root / "db" / "migrations" / "V13__drop_payments.sql").write_text(
        "DROP TABLE payments;\n", "utf-8"
    )
    project = build(root)
    assert project.relation("app:shop.payments") is None
    assert not [e for e in project.edges if e.source.relation == "app:shop.payments"]
    assert project.relation("source.shop.app.payments") is not None
    missing = [d.message for d in project.diagnostics if "has no application table" in d.message]
    assert missing == [
        "source app.payments has no application table: no configured application defines it "
        "(a table dropped or renamed in the application?)"
    ]


# -- state files that cannot be read ----------------------------------------------------------


def test_a_missing_state_is_a_diagnostic_at_its_line(tmp_path: Path, state_text: str) -> None:
    config = APP_YML.replace("downstream: state.json\n", "downstream:\n  - gone.json\n")
    project = build(app_repo(tmp_path, state_text, config))
    [problem] = [d for d in project.diagnostics if d.code is DiagnosticCode.CONFIG_ERROR]
    assert problem.location == Location("lineage.yml", 7)
    assert problem.severity is Severity.ERROR
    assert "gone.json: not found" in problem.message
    assert "missing from this run" in problem.message
    # the run went on: the local project is there, its sources bind to nothing
    assert project.relation("app:shop.users") is not None
    assert project.relation("model.shop.stg_app__users") is None


def test_an_invalid_state_is_skipped_and_the_next_one_read(tmp_path: Path, state_text: str) -> None:
    config = APP_YML.replace(
        "downstream: state.json\n", "downstream:\n  - broken.json\n  - state.json\n"
    )
    root = app_repo(tmp_path, state_text, config)
    (root / "broken.json").write_text('{"schema_version": "2.0"}', encoding="utf-8")
    project = build(root)
    [problem] = [d for d in project.diagnostics if d.code is DiagnosticCode.CONFIG_ERROR]
    assert problem.location == Location("lineage.yml", 7)
    assert "schema_version 2.0 is not supported" in problem.message
    assert who_uses(project, EMAIL).hops  # state.json was merged


def test_a_state_of_another_dialect_is_reported(tmp_path: Path, state_text: str) -> None:
    root = app_repo(tmp_path, state_text, "dialect: snowflake\n" + APP_YML)
    project = build(root)
    [problem] = [d for d in project.diagnostics if d.code is DiagnosticCode.CONFIG_ERROR]
    assert problem.severity is Severity.WARNING
    assert problem.location == Location("lineage.yml", 7)
    assert "postgres dialect" in problem.message and "snowflake" in problem.message


def test_downstream_must_be_paths(tmp_path: Path) -> None:
    (tmp_path / "lineage.yml").write_text("downstream: {a: 1}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="'downstream' must be the path of a state file"):
        load_config(tmp_path)


def test_downstream_settings_and_their_lines(tmp_path: Path) -> None:
    (tmp_path / "lineage.yml").write_text(
        "dialect: postgres\ndownstream:\n  - a.json\n\n  - b/c.json\n", encoding="utf-8"
    )
    config = load_config(tmp_path)
    assert [(d.path, d.location) for d in config.downstream] == [
        ("a.json", Location("lineage.yml", 3)),
        ("b/c.json", Location("lineage.yml", 5)),
    ]
    (tmp_path / "lineage.yml").write_text("downstream: s.json\n", encoding="utf-8")
    assert load_config(tmp_path).downstream[0].location == Location("lineage.yml", 1)


# -- which side wins ----------------------------------------------------------------------------


def _relation(name: str, kind: RelationKind, *columns: str, path: str = "x.sql") -> Relation:
    return Relation(
        name, kind, tuple(Column(c, None, Location(path, 2)) for c in columns), Location(path, 1)
    )


def _edge(source: str, target: str, kind: EdgeKind = EdgeKind.IDENTITY) -> Edge:
    (s_rel, s_col), (t_rel, t_col) = (n.rsplit(".", 1) for n in (source, target))
    return Edge(ColumnRef(s_rel, s_col), ColumnRef(t_rel, t_col), kind, "x", Location("m.sql", 3))


def test_local_relations_win_and_take_their_incoming_edges(tmp_path: Path) -> None:
    state = Project(
        root=".",
        dialect="postgres",
        relations=(
            _relation("ext.feed", RelationKind.EXTERNAL, "x"),
            _relation("model.p.m", RelationKind.MODEL, "x"),
            _relation("raw.t", RelationKind.TABLE, "x", path="analytics.sql"),
        ),
        edges=(_edge("ext.feed.x", "raw.t.x"), _edge("raw.t.x", "model.p.m.x")),
        blind_spots=(),
        diagnostics=(),
        coverage=Coverage(1, 2, 2, 3, 3, 0, "statements"),
    )
    (tmp_path / "state.json").write_text(graph_json(state), encoding="utf-8")
    (tmp_path / "t.sql").write_text("create table raw.t (x int, y int);\n", encoding="utf-8")
    (tmp_path / "lineage.yml").write_text("downstream: state.json\n", encoding="utf-8")
    project = build(tmp_path)
    local = project.relation("raw.t")
    assert local is not None and [c.name for c in local.columns] == ["x", "y"]
    assert local.location == Location("t.sql", 1)
    # the state's definition of raw.t (fed by ext.feed) is replaced; what reads it is kept
    assert [(str(e.source), str(e.target)) for e in project.edges] == [("raw.t.x", "model.p.m.x")]
    assert project.relation("ext.feed") is not None
    assert replace(project.coverage, columns=0, columns_resolved=0, diagnostics=0) == Coverage(
        2, 3, 3, 0, 0, 0, "statements"
    )
