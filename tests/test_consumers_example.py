"""Consumers of the bundled example read from files (Superset, LookML, the consumers file,
the application's own code), against fixtures/shop/bi/README.md (derived by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage import projects
from lineage.cli import main
from lineage.config import load_config
from lineage.entities import Consumer, Project, ReadLevel

SHOP = Path(__file__).parent.parent / "fixtures" / "shop"
M = "model.shop."


@pytest.fixture(scope="module")
def shop() -> Project:
    return projects.build(SHOP, load_config(SHOP))


def _consumer(project: Project, consumer_id: str) -> Consumer:
    return next(c for c in project.consumers if c.id == consumer_id)


def _reads(project: Project, consumer_id: str) -> set[str]:
    return {str(r) for r in _consumer(project, consumer_id).reads}


def test_a_superset_chart_reads_what_its_metrics_filters_and_axes_use(shop: Project) -> None:
    chart = "superset.chart.6e2f9a10-41c8-4b7d-9d35-7a0c1b2e0c03"
    assert _reads(shop, chart) == {
        M + "fct_orders." + c
        for c in (
            "amount",
            "amount_usd",
            "currency",
            "customer_type",
            "is_paid",
            "order_status",
            "ordered_at",
            "user_id",
        )
    }


def test_a_superset_dashboard_reads_its_charts_and_native_filters(shop: Project) -> None:
    dashboard = "superset.dashboard.2b7d4e90-5c1a-4f38-8e62-9d0f3a1b0d01"
    chart = "superset.chart.6e2f9a10-41c8-4b7d-9d35-7a0c1b2e0c03"
    assert _reads(shop, dashboard) == _reads(shop, chart) | {
        M + "fct_daily_revenue." + c
        for c in ("country_code", "order_count", "revenue_date", "revenue_usd")
    }


def test_a_looker_dashboard_reads_through_its_explore(shop: Project) -> None:
    assert _reads(shop, "looker.dashboard.customer_health") == {
        *(
            M + "dim_customers.v2." + c
            for c in (
                "country_name",
                "customer_id",
                "customer_status",
                "lifecycle_stage",
                "lifetime_value_usd",
                "region",
                "signed_up_at",
            )
        ),
        *(M + "fct_orders." + c for c in ("amount_usd", "is_paid", "user_id")),
    }
    assert _reads(shop, "looker.element.customer_health.churned_by_region") == {
        M + "dim_customers.v2." + c for c in ("customer_status", "lifecycle_stage", "region")
    }


def test_the_application_reads_the_mart_it_helped_produce(shop: Project) -> None:
    code = "code:../shop_app/shop/app/recommendations.py:46"
    assert _reads(shop, code) == {
        M + "product_affinity." + c
        for c in (
            "related_product_id",
            "related_product_name",
            "times_bought_together",
            "product_id",
            "affinity_rank",
        )
    }
    assert _consumer(shop, code).level is ReadLevel.COLUMN
    # its own OLTP query (orders, order_items) is not a warehouse consumer
    assert not [c for c in shop.consumers if c.id.endswith("recommendations.py:27")]
    declared = _consumer(shop, "consumer.customers_also_bought")
    assert str(declared.location) == "../shop_app/shop/app/recommendations.py:46"
    assert _consumer(shop, "consumer.census_salesforce_sync").level is ReadLevel.MODEL


def test_every_consumer_resolves_and_nothing_else_is_reported(shop: Project) -> None:
    assert len(shop.consumers) == 20 and all(c.reads for c in shop.consumers)
    assert {d.code.value for d in shop.diagnostics} == {"python-model", "app-schema"}


def test_the_loop_from_the_application_back_to_itself() -> None:
    """The application writes order_items and reads product_affinity, which is computed from
    them: who-uses on its own column reaches its own feature."""
    result = CliRunner().invoke(
        main,
        [
            "who-uses",
            "app:shop.order_items.product_id",
            "--project-dir",
            str(SHOP),
            "--format",
            "json",
        ],
    )
    ids = {c["id"] for c in json.loads(result.stdout)["consumers"]}
    assert "code:../shop_app/shop/app/recommendations.py:46" in ids
    assert "consumer.customers_also_bought" in ids
    email = CliRunner().invoke(
        main, ["who-uses", "app:shop.users.email", "--project-dir", str(SHOP), "--format", "json"]
    )
    email_ids = {c["id"] for c in json.loads(email.stdout)["consumers"]}
    assert "looker.dashboard.customer_health" in email_ids
