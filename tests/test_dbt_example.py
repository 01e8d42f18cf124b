"""The bundled dbt example (fixtures/shop) against fixtures/shop/EXPECTED.md, whose answers were
derived by hand from the SQL as the warehouse runs it (ephemeral models inlined)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage import projects
from lineage.cli import main
from lineage.config import load_config
from lineage.entities import Project

SHOP = Path(__file__).parent.parent / "fixtures" / "shop"
M = "model.shop."
S = "models/"

#: Every edge into a column (or `None`: into the model's rows): (source, kind, file:line).
EXPECTED: dict[tuple[str, str | None], set[tuple[str, str, str]]] = {
    # 1. fct_orders.amount_usd, ephemeral int_payments_pivoted_to_orders inlined
    (M + "fct_orders", "amount_usd"): {
        (M + "int_orders_enriched.amount_usd", "identity", S + "marts/core/fct_orders.sql:12")
    },
    (M + "int_orders_enriched", "amount_usd"): {
        (
            M + "stg_app__payments.amount",
            "aggregation",
            S + "intermediate/orders/int_orders_enriched.sql:71",
        ),
        (
            "seed.shop.currency_rates.rate_to_usd",
            "transformation",
            S + "intermediate/orders/int_orders_enriched.sql:71",
        ),
    },
    (M + "stg_app__payments", "amount"): {
        (
            "source.shop.app.payments.amount",
            "transformation",
            S + "staging/app/stg_app__payments.sql:16",
        )
    },
    # 2. fct_daily_revenue
    (M + "fct_daily_revenue", "cumulative_revenue_usd"): {
        (M + "fct_orders.amount_usd", "aggregation", S + "marts/finance/fct_daily_revenue.sql:44"),
        (
            M + "dim_customers.v2.country_code",
            "window",
            S + "marts/finance/fct_daily_revenue.sql:45",
        ),
        (M + "fct_orders.ordered_at", "window", S + "marts/finance/fct_daily_revenue.sql:46"),
    },
    (M + "fct_daily_revenue", None): {
        (M + "fct_orders.user_id", "join", S + "marts/finance/fct_daily_revenue.sql:27"),
        (M + "dim_customers.v2.customer_id", "join", S + "marts/finance/fct_daily_revenue.sql:27"),
        (M + "fct_orders.is_paid", "filter", S + "marts/finance/fct_daily_revenue.sql:29"),
        (M + "fct_orders.ordered_at", "group_by", S + "marts/finance/fct_daily_revenue.sql:18"),
        (
            M + "dim_customers.v2.country_code",
            "group_by",
            S + "marts/finance/fct_daily_revenue.sql:19",
        ),
    },
    # 3. dim_customers.email (v2 is the latest version)
    (M + "dim_customers.v2", "email"): {
        (M + "stg_app__users.email", "identity", S + "marts/core/dim_customers_v2.sql:33")
    },
    (M + "stg_app__users", "email"): {
        ("source.shop.app.users.email", "transformation", S + "staging/app/stg_app__users.sql:13")
    },
    (M + "stg_app__users", None): {
        ("source.shop.app.users.is_deleted", "filter", S + "staging/app/stg_app__users.sql:23")
    },
    # 5. a CASE of literals: only conditions
    (M + "dim_customers.v2", "customer_status"): {
        (
            M + "int_customer_order_history.last_ordered_at",
            "conditional",
            S + "marts/core/dim_customers_v2.sql:46",
        ),
        (
            M + "int_customer_order_history.order_count",
            "conditional",
            S + "marts/core/dim_customers_v2.sql:49",
        ),
    },
    # 6-7. product_affinity, which the recommendation feature reads
    (M + "product_affinity", "times_bought_together"): {
        (M + "fct_order_items.order_id", "aggregation", S + "marts/product/product_affinity.sql:47")
    },
    (M + "product_affinity", "affinity_rank"): {
        (M + "fct_order_items.order_id", "window", S + "marts/product/product_affinity.sql:71"),
        (M + "fct_order_items.product_id", "window", S + "marts/product/product_affinity.sql:70"),
    },
    # 8. a macro writing a CASE
    (M + "int_sessions_attributed", "channel"): {
        (
            M + "stg_app__sessions.utm_source",
            "conditional",
            S + "intermediate/marketing/int_sessions_attributed.sql:17",
        ),
        (
            M + "stg_app__sessions.utm_medium",
            "conditional",
            S + "intermediate/marketing/int_sessions_attributed.sql:17",
        ),
    },
    # 9. a union of two select * arms
    (M + "int_touches_unioned", "user_id"): {
        (
            M + "int_touches__web.user_id",
            "identity",
            S + "intermediate/marketing/int_touches_unioned.sql:2",
        ),
        (
            M + "int_touches__email.user_id",
            "identity",
            S + "intermediate/marketing/int_touches_unioned.sql:6",
        ),
    },
    # 10. through the snapshot
    (M + "dim_customers_history", "email"): {
        (
            "snapshot.shop.snap_app__users.email",
            "transformation",
            S + "marts/core/dim_customers_history.sql:14",
        )
    },
    ("snapshot.shop.snap_app__users", "email"): {
        ("source.shop.app.users.email", "identity", "snapshots/snap_app__users.sql:18")
    },
}


@pytest.fixture(scope="module")
def shop() -> Project:
    return projects.build(SHOP, load_config(SHOP))


@pytest.mark.parametrize("target", sorted(EXPECTED, key=str), ids=str)
def test_edges_into_a_column_match_the_hand_derivation(
    shop: Project, target: tuple[str, str | None]
) -> None:
    relation, column = target
    actual = {
        (str(e.source), e.kind.value, str(e.location))
        for e in shop.edges
        if e.target.relation == relation and e.target.column == column
    }
    assert actual == EXPECTED[target]


def test_the_example_is_analysed_except_its_python_model(shop: Project) -> None:
    c = shop.coverage
    assert (c.unit, c.statements, c.statements_analysed) == ("models", 42, 41)
    assert [str(s.target) for s in shop.blind_spots] == [M + "churn_predictions"]
    [python] = [d for d in shop.diagnostics if d.code.value == "python-model"]
    assert python.location.path == S + "marts/ml/churn_predictions.py"
    # the application's intentional DO $$ backfill is reported, not replayed
    [do_block] = [d for d in shop.diagnostics if d.code.value == "app-schema"]
    assert (
        str(do_block.location) == "../shop_app/shop/db/migrations/V7__add_products_category.sql:8"
    )
    others = [d for d in shop.diagnostics if d.code.value not in ("python-model", "app-schema")]
    assert others == []


def test_ephemeral_models_are_folded_and_python_model_reads_are_named(shop: Project) -> None:
    names = {r.name for r in shop.relations}
    assert M + "int_payments_pivoted_to_orders" not in names  # ephemeral
    assert {
        M + "fct_orders",
        "source.shop.app.users",
        "seed.shop.currency_rates",
        "snapshot.shop.snap_app__users",
        M + "dim_customers.v1",
    } <= names
    [spot] = shop.blind_spots
    assert M + "customer_churn_features" in spot.upstream


def test_snapshot_gets_dbt_columns_and_seed_gets_its_csv_header(shop: Project) -> None:
    snapshot = shop.relation("snapshot.shop.snap_app__users")
    assert snapshot is not None
    assert {"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"} <= {
        c.name for c in snapshot.columns
    }
    seed = shop.relation("seed.shop.currency_rates")
    assert seed is not None and "rate_to_usd" in [c.name for c in seed.columns]


def test_who_uses_with_dbt_short_names() -> None:
    result = CliRunner().invoke(
        main,
        ["who-uses", "source:app.payments.amount", "--project-dir", str(SHOP), "--format", "json"],
    )
    assert "41 of 42 models rendered, parsed and analysed" in result.stderr
    reached = {
        (h["ref"]["relation"], h["ref"]["column"]) for h in json.loads(result.stdout)["hops"]
    }
    assert (M + "fct_orders", "amount_usd") in reached
    assert (M + "fct_daily_revenue", "revenue_usd") in reached
    short = CliRunner().invoke(main, ["trace", "fct_orders.amount_usd", "--project-dir", str(SHOP)])
    assert short.exit_code == 0, short.output
    assert "source.shop.app.payments.amount" in short.stdout


def test_graph_bytes_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"g{seed}.json"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "lineage",
                "graph",
                "--project-dir",
                str(SHOP),
                "-o",
                str(target),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
