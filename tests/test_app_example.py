"""The bundled application schemas (fixtures/shop_app) as the roots of the dbt example's
lineage, against fixtures/shop_app/EXPECTED.md (derived by hand from the migrations and models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage import projects
from lineage.cli import main
from lineage.config import load_config
from lineage.entities import Project, RelationKind

SHOP = Path(__file__).parent.parent / "fixtures" / "shop"
MIGRATIONS = "../shop_app/shop/db/migrations/"
TRACKING = "../shop_app/tracking/"


@pytest.fixture(scope="module")
def shop() -> Project:
    return projects.build(SHOP, load_config(SHOP))


def _columns(project: Project, relation: str) -> dict[str, tuple[str | None, bool | None, str]]:
    found = project.relation(relation)
    assert found is not None, relation
    assert found.kind is RelationKind.APP_TABLE
    return {
        c.name: (c.data_type, c.nullable, str(c.location)) for c in found.columns if not c.dropped
    }


def test_users_after_twelve_flyway_migrations(shop: Project) -> None:
    assert _columns(shop, "app:shop.users") == {
        "id": ("bigint", False, MIGRATIONS + "V1__create_users.sql:5"),
        "email": ("text", False, MIGRATIONS + "V9__rename_users_email_address.sql:2"),
        "full_name": ("text", True, MIGRATIONS + "V1__create_users.sql:7"),
        "country_code": ("varchar(2)", True, MIGRATIONS + "V1__create_users.sql:8"),
        "created_at": ("timestamp", False, MIGRATIONS + "V1__create_users.sql:9"),
        "updated_at": ("timestamp", False, MIGRATIONS + "V1__create_users.sql:10"),
        "marketing_opt_in": ("boolean", True, MIGRATIONS + "V6__add_users_marketing_opt_in.sql:3"),
        "is_deleted": ("boolean", False, MIGRATIONS + "V10__add_users_soft_delete.sql:4"),
    }


def test_type_changes_are_replayed(shop: Project) -> None:
    orders = _columns(shop, "app:shop.orders")
    assert orders["status"][0] == "order_status"
    assert orders["status"][2] == MIGRATIONS + "V8__orders_status_enum.sql:14"
    items = _columns(shop, "app:shop.order_items")
    assert items["quantity"][:2] == ("int", False) or items["quantity"][:2] == ("integer", False)
    assert items["quantity"][2] == MIGRATIONS + "V12__widen_order_items_quantity.sql:2"


def test_django_service_tables_use_db_table_and_defaults(shop: Project) -> None:
    sessions = _columns(shop, "app:tracking.tracking_sessions")
    assert sessions["device_type"][2] == TRACKING + "events/models.py:30"  # db_column
    events = _columns(shop, "app:tracking.events_event")
    assert set(events) == {"id", "session_id", "user_id", "event_type", "product_id", "occurred_at"}
    assert events["session_id"][2] == TRACKING + "events/models.py:47"  # ForeignKey -> _id


def test_each_application_column_feeds_its_source_column(shop: Project) -> None:
    edges = {
        (str(e.source), str(e.target), e.kind.value)
        for e in shop.edges
        if e.source.relation.startswith("app:")
    }
    assert ("app:shop.users.email", "source.shop.app.users.email", "identity") in edges
    assert (
        "app:tracking.events_event.event_type",
        "source.shop.app.events.event_type",
        "identity",
    ) in edges
    # fivetran's own columns have no application column, and are not drift
    assert not any(target.endswith("_fivetran_synced") for _, target, _ in edges)
    assert not [d for d in shop.diagnostics if d.code.value == "schema-drift"]


def test_who_uses_an_application_column_reaches_the_marts() -> None:
    result = CliRunner().invoke(
        main, ["who-uses", "app:shop.users.email", "--project-dir", str(SHOP), "--format", "json"]
    )
    hops = json.loads(result.stdout)["hops"]
    reached = {(h["ref"]["relation"], h["ref"]["column"]): h for h in hops}
    assert reached["source.shop.app.users", "email"]["depth"] == 1
    assert ("model.shop.dim_customers.v2", "email") in reached
    assert ("snapshot.shop.snap_app__users", "email") in reached
    path = [p["relation"] for p in reached["model.shop.dim_customers.v2", "email"]["path"]]
    assert path == [
        "app:shop.users",
        "source.shop.app.users",
        "model.shop.stg_app__users",
        "model.shop.dim_customers.v2",
    ]


def test_drift_is_reported_both_ways(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    project_dir = tmp_path / "dbt"
    (project_dir / "models").mkdir(parents=True)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "V1__init.sql").write_text(
        "create table users (id bigint primary key, mail text not null);\n"
        "create table audit_log (id bigint);\n",
        encoding="utf-8",
    )
    (project_dir / "dbt_project.yml").write_text("name: shop\nversion: '1'\n", encoding="utf-8")
    (project_dir / "lineage.yml").write_text(
        "applications:\n  - {name: shop, path: ../app, source: app, ingestion: airbyte}\n",
        encoding="utf-8",
    )
    (project_dir / "models" / "_s.yml").write_text(
        "version: 2\nsources:\n  - name: app\n    tables:\n"
        "      - name: users\n        columns: [{name: id}, {name: email}, "
        "{name: _airbyte_extracted_at}]\n      - name: orders\n",
        encoding="utf-8",
    )
    project = projects.build(project_dir, load_config(project_dir))
    drift = sorted(d.message for d in project.diagnostics if d.code.value == "schema-drift")
    assert any("app.users.email is not defined by app:shop.users" in m for m in drift)
    assert any("app:shop.users.mail is not in the source YAML" in m for m in drift)
    assert any("source app.orders has no application table" in m for m in drift)
    assert any("app:shop.audit_log is not ingested" in m for m in drift)
    assert not any("_airbyte_extracted_at" in m for m in drift)


def test_plain_sql_projects_bind_applications_to_a_raw_schema(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "V1__init.sql").write_text(
        "create table users (\n  id bigint primary key,\n  email text not null\n);\n",
        encoding="utf-8",
    )
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "lineage.yml").write_text(
        "applications:\n  - {name: shop, path: ../app, schema: raw_app, ingestion: airbyte}\n",
        encoding="utf-8",
    )
    (tmp_path / "warehouse" / "marts.sql").write_text(
        "create view marts.contacts as select * from raw_app.users;\n", encoding="utf-8"
    )
    project = projects.build(tmp_path / "warehouse", load_config(tmp_path / "warehouse"))
    edges = {(str(e.source), str(e.target), e.kind.value) for e in project.edges}
    assert ("app:shop.users.email", "raw_app.users.email", "identity") in edges
    # the application gives the raw table its columns: the * expands, nothing is unknown
    assert ("raw_app.users.email", "marts.contacts.email", "identity") in edges
    assert not [
        d for d in project.diagnostics if d.code.value in ("unknown-relation", "unexpanded-star")
    ]
    users = _columns(project, "app:shop.users")
    assert users["email"] == ("text", False, "../app/V1__init.sql:3")
    result = CliRunner().invoke(
        main, ["who-uses", "app:shop.users.email", "--project-dir", str(tmp_path / "warehouse")]
    )
    assert result.exit_code == 0 and "marts.contacts.email" in result.stdout


def test_migrations_inside_a_plain_sql_project_are_not_read_as_warehouse_sql(
    tmp_path: Path,
) -> None:
    """An application repository: its migrations define application tables; replaying them
    as warehouse statements would make a second `users` and `orders` out of order."""
    (tmp_path / ".git").mkdir()
    migrations = tmp_path / "db" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "V1__users.sql").write_text(
        "create table users (id bigint, email text);\n", encoding="utf-8"
    )
    (migrations / "V2__rename.sql").write_text(
        "alter table users rename column email to login_email;\n", encoding="utf-8"
    )
    (tmp_path / "lineage.yml").write_text(
        "applications:\n  - {name: shop, path: db/migrations, schema: raw_app}\n",
        encoding="utf-8",
    )
    (tmp_path / "reports.sql").write_text(
        "create view contacts as select login_email from raw_app.users;\n", encoding="utf-8"
    )
    project = projects.build(tmp_path, load_config(tmp_path))
    assert sorted(r.name for r in project.relations) == [
        "app:shop.users",
        "contacts",
        "raw_app.users",
    ]
    assert project.coverage.statements == 1  # reports.sql only
