"""dbt exposures as consumers: model-level by default, column-level when declared, and the
owners reached from an application column."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lineage import projects
from lineage.cli import main
from lineage.config import load_config
from lineage.entities import ColumnRef, ReadLevel
from lineage.graph import LineageGraph

SHOP = Path(__file__).parent.parent / "fixtures" / "shop"

PROJECT = "name: shop\nversion: '1.0'\nprofile: shop\n"
SOURCES = """version: 2
sources:
  - name: app
    tables:
      - name: users
        columns: [{name: id}, {name: email}, {name: country}]
exposures:
  - name: emails_dashboard
    type: dashboard
    owner: {name: Ana, email: ana@example.com}
    depends_on: ["ref('customers')"]
    meta: {lineage: {columns: [customers.email, customers.nickname]}}
  - name: whole_model
    type: notebook
    owner: {name: Bo}
    depends_on: ["ref('customers')", "ref('nowhere')"]
"""


def test_model_level_and_column_level_exposures(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "models" / "_s.yml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "models" / "customers.sql").write_text(
        "select id, email, country from {{ source('app', 'users') }}", encoding="utf-8"
    )
    project = projects.build(tmp_path, load_config(tmp_path))
    by_id = {c.id: c for c in project.consumers}
    declared = by_id["exposure.shop.emails_dashboard"]
    assert declared.level is ReadLevel.COLUMN
    assert declared.reads == (ColumnRef("model.shop.customers", "email"),)
    assert str(declared.owner) == "Ana <ana@example.com>"
    whole = by_id["exposure.shop.whole_model"]
    assert whole.level is ReadLevel.MODEL
    assert {r.column for r in whole.reads} == {"id", "email", "country"}
    messages = [d.message for d in project.diagnostics]
    assert any("customers.nickname" in m for m in messages)  # a stale declaration is said
    assert any("ref('nowhere')" in m for m in messages)
    # a column-level consumer is reached only through the columns it reads
    graph = LineageGraph(project)
    country = graph.downstream([ColumnRef("source.shop.app.users", "country")])
    assert [r.consumer.id for r in country.consumers] == ["exposure.shop.whole_model"]
    email = graph.downstream([ColumnRef("source.shop.app.users", "email")])
    assert {r.consumer.id for r in email.consumers} == {
        "exposure.shop.emails_dashboard",
        "exposure.shop.whole_model",
    }


def test_an_application_column_reaches_every_exposure_with_its_owner() -> None:
    result = CliRunner().invoke(
        main, ["who-uses", "app:shop.users.email", "--project-dir", str(SHOP), "--format", "json"]
    )
    consumers = json.loads(result.stdout)["consumers"]
    # fixtures/shop_app/EXPECTED.md: all eight exposures are reached
    assert {c["id"] for c in consumers if c["origin"] == "dbt exposure"} == {
        "exposure.shop.churn_dashboard",
        "exposure.shop.churn_model",
        "exposure.shop.cohort_retention_analysis",
        "exposure.shop.customer_ltv_notebook",
        "exposure.shop.hubspot_churn_sync",
        "exposure.shop.marketing_attribution_dashboard",
        "exposure.shop.revenue_dashboard",
        "exposure.shop.product_recommendations",
    }
    feature = next(c for c in consumers if c["id"] == "exposure.shop.product_recommendations")
    # the example declares the columns the recommendation service reads
    assert feature["kind"] == "application" and feature["level"] == "column"
    assert {r["column"] for r in feature["reads"]} == {
        "product_id",
        "related_product_id",
        "related_product_name",
        "affinity_rank",
    }
    assert feature["owner"] == {"name": "Shop App Team", "email": "app-team@shop.example"}
    text = (
        CliRunner()
        .invoke(main, ["who-uses", "app:shop.users.email", "--project-dir", str(SHOP)])
        .stdout
    )
    assert "Shop App Team" in text and "exposure.shop.product_recommendations" in text


def test_consumers_command_lists_owners_and_resolution() -> None:
    text = CliRunner().invoke(main, ["consumers", "--project-dir", str(SHOP)])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("20 consumers: 12 column-level, 8 model-level, 0 unresolved")
    assert "exposure.shop.product_recommendations" in text.stdout
    assert "Shop App Team <app-team@shop.example>" in text.stdout
    document = json.loads(
        CliRunner()
        .invoke(main, ["consumers", "--project-dir", str(SHOP), "--format", "json"])
        .stdout
    )
    assert document["coverage"] == {
        "consumers": 20,
        "column_level": 12,
        "model_level": 8,
        "unresolved": 0,
    }
    assert [c["id"] for c in document["consumers"]] == sorted(
        c["id"] for c in document["consumers"]
    )


def test_an_exposure_query_is_read_column_by_column(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "models" / "_s.yml").write_text(
        SOURCES.split("exposures:")[0]
        + """exposures:
  - name: country_chart
    type: dashboard
    owner: {name: Ana}
    depends_on: ["ref('customers')"]
    meta:
      lineage:
        sql: select country, count(*) as n from analytics.dbt.customers where id > 0 group by 1
""",
        encoding="utf-8",
    )
    (tmp_path / "models" / "customers.sql").write_text(
        "select id, email, country from {{ source('app', 'users') }}", encoding="utf-8"
    )
    project = projects.build(tmp_path, load_config(tmp_path))
    [chart] = project.consumers
    assert chart.level is ReadLevel.COLUMN
    # the query reads country (selected and grouped) and id (filtered), never email
    assert {r.column for r in chart.reads} == {"country", "id"}


def test_unresolved_consumers_say_why(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "models" / "_s.yml").write_text(
        SOURCES.split("exposures:")[0]
        + """exposures:
  - name: orphan
    type: dashboard
    owner: {name: Ana}
    depends_on: ["ref('gone')"]
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["consumers", "--project-dir", str(tmp_path)])
    assert result.stdout.startswith("1 consumer: 0 column-level, 0 model-level, 1 unresolved")
    assert "why:" in result.stdout and "ref('gone')" in result.stdout
