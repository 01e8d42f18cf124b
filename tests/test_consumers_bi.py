"""Superset and Metabase export readers: fixture exports in tests/consumer_fixtures/."""

from __future__ import annotations

import shutil
from pathlib import Path

from lineage.entities import ConsumerKind, Diagnostic, DiagnosticCode, Location, Owner
from lineage.sources.consumers.metabase import read_metabase
from lineage.sources.consumers.specs import ConsumerFiles, ConsumerSpec, ReadSpec
from lineage.sources.consumers.superset import read_superset

FIXTURES = Path(__file__).parent / "consumer_fixtures"
SS = "superset"
CHART1 = "superset.chart.c1a00001-0000-4000-8000-000000000001"
CHART2 = "superset.chart.c1a00002-0000-4000-8000-000000000002"
CHART3 = "superset.chart.c1a00003-0000-4000-8000-000000000003"
CHART4 = "superset.chart.c1a00004-0000-4000-8000-000000000004"
SALES = "superset.dashboard.d0000001-0000-4000-8000-000000000001"
CUSTOMERS = "superset.dashboard.d0000002-0000-4000-8000-000000000002"
COLL = "collections/M-Q4pcV0qkiyJ0kiSWECl_sales"


def by_id(files: ConsumerFiles) -> dict[str, ConsumerSpec]:
    return {spec.id: spec for spec in files.consumers}


def reads(spec: ConsumerSpec) -> list[tuple[str, str | None, str]]:
    return [(r.relation, r.column, str(r.location)) for r in spec.reads]


def copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


# ---------------------------------------------------------------------------------------------
# Superset


def test_superset_reads_every_chart_and_dashboard() -> None:
    files = read_superset(FIXTURES / SS)
    assert files.diagnostics == ()
    assert [s.id for s in files.consumers] == [CHART1, CHART2, CHART3, CHART4, SALES, CUSTOMERS]
    kinds = {s.id: s.kind for s in files.consumers}
    assert kinds[CHART1] is ConsumerKind.CHART and kinds[SALES] is ConsumerKind.DASHBOARD
    assert {s.origin for s in files.consumers} == {"superset"}


def test_superset_chart_resolves_saved_metric_and_filters() -> None:
    chart = by_id(read_superset(FIXTURES / SS))[CHART1]
    assert chart == ConsumerSpec(
        id=CHART1,
        kind=ConsumerKind.CHART,
        name="Revenue by status",
        owner=Owner(),
        location=Location("charts/Revenue_by_status_1.yaml", 1),
        origin="superset",
        reads=(
            ReadSpec("marts.fct_orders", "amount", Location("charts/Revenue_by_status_1.yaml", 12)),
            ReadSpec(
                "marts.fct_orders", "ordered_at", Location("charts/Revenue_by_status_1.yaml", 9)
            ),
            ReadSpec("marts.fct_orders", "status", Location("charts/Revenue_by_status_1.yaml", 14)),
        ),
        parent=SALES,
    )


def test_superset_calculated_column_adhoc_metric_and_sql_filter() -> None:
    chart = by_id(read_superset(FIXTURES / SS))[CHART2]
    path = "charts/Large_orders_2.yaml"
    # is_large (a calculated column) reads amount and status; the adhoc SQL filter reads amount
    assert reads(chart) == [
        ("marts.fct_orders", "amount", f"{path}:10"),
        ("marts.fct_orders", "customer_id", f"{path}:12"),
        ("marts.fct_orders", "order_id", f"{path}:9"),
        ("marts.fct_orders", "status", f"{path}:10"),
    ]
    assert chart.sql == () and chart.dialect is None


def test_superset_count_only_chart_reads_its_table_and_has_no_single_parent() -> None:
    chart = by_id(read_superset(FIXTURES / SS))[CHART3]
    assert reads(chart) == [("marts.fct_orders", None, "charts/Orders_3.yaml:1")]
    assert chart.parent is None  # on two dashboards


def test_superset_virtual_dataset_gives_its_sql_and_dialect() -> None:
    chart = by_id(read_superset(FIXTURES / SS))[CHART4]
    assert chart.reads == ()
    assert len(chart.sql) == 1
    sql, where = chart.sql[0]
    assert sql.startswith("SELECT c.customer_id, c.country") and "GROUP BY 1, 2" in sql
    assert where == Location("datasets/analytics/active_customers.yaml", 7)
    assert chart.dialect == "postgres" and chart.parent == CUSTOMERS


def test_superset_dashboards_union_their_charts_and_filters() -> None:
    specs = by_id(read_superset(FIXTURES / SS))
    sales, customers = specs[SALES], specs[CUSTOMERS]
    assert sales.name == "Sales" and sales.location == Location("dashboards/Sales_1.yaml", 1)
    assert sales.owner == Owner("Ada Lovelace", "ada@example.com")
    assert [(r.relation, r.column) for r in sales.reads] == [
        ("marts.fct_orders", None),
        ("marts.fct_orders", "amount"),
        ("marts.fct_orders", "customer_id"),
        ("marts.fct_orders", "order_id"),
        ("marts.fct_orders", "ordered_at"),
        ("marts.fct_orders", "status"),
    ]
    assert sales.sql == () and sales.parent is None
    assert customers.owner == Owner()
    assert [(r.relation, r.column) for r in customers.reads] == [("marts.fct_orders", None)]
    assert customers.sql == specs[CHART4].sql and customers.dialect == "postgres"


def test_superset_malformed_yaml_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    root = copy(SS, tmp_path)
    (root / "charts" / "Broken_9.yaml").write_text("slice_name: Broken\nparams: [unclosed\n")
    files = read_superset(root)
    assert len(files.consumers) == 6
    [problem] = files.diagnostics
    assert problem.code is DiagnosticCode.PARSE_ERROR
    assert problem.location.path == "charts/Broken_9.yaml" and problem.location.line == 3


def test_superset_chart_on_missing_dataset(tmp_path: Path) -> None:
    root = copy(SS, tmp_path)
    text = (root / "charts" / "Orders_3.yaml").read_text()
    bad = text.replace("dataset_uuid: 5d1e7a1c-2b52-4d7e-8c1e-0f6a9f3b0a01", "dataset_uuid: gone")
    (root / "charts" / "Orders_3.yaml").write_text(bad)
    files = read_superset(root)
    [problem] = files.diagnostics
    assert problem.code is DiagnosticCode.UNKNOWN_RELATION
    assert problem.location == Location("charts/Orders_3.yaml", 14)
    assert by_id(files)[CHART3].reads == ()
    assert len(by_id(files)[CHART1].reads) == 3


def test_superset_chart_on_column_the_dataset_lacks(tmp_path: Path) -> None:
    root = copy(SS, tmp_path)
    path = root / "charts" / "Revenue_by_status_1.yaml"
    path.write_text(path.read_text().replace("  - status\n", "  - region\n"))
    files = read_superset(root)
    [problem] = files.diagnostics
    assert problem.code is DiagnosticCode.UNKNOWN_COLUMN
    assert problem.location == Location("charts/Revenue_by_status_1.yaml", 14)
    assert "region" in problem.message
    assert ("marts.fct_orders", "region") in [
        (r.relation, r.column) for r in by_id(files)[CHART1].reads
    ]


def test_superset_dashboard_on_chart_not_in_export(tmp_path: Path) -> None:
    root = copy(SS, tmp_path)
    (root / "charts" / "Orders_3.yaml").unlink()
    files = read_superset(root)
    assert sorted(d.location for d in files.diagnostics) == [
        Location("dashboards/Customers_2.yaml", 31),
        Location("dashboards/Sales_1.yaml", 61),
    ]
    assert {d.code for d in files.diagnostics} == {DiagnosticCode.UNKNOWN_RELATION}


def test_superset_empty_directory(tmp_path: Path) -> None:
    files = read_superset(tmp_path)
    assert files.consumers == ()
    [problem] = files.diagnostics
    assert problem.code is DiagnosticCode.CONFIG_ERROR and problem.location == Location(".", 1)


def test_superset_locations_relative_to_base() -> None:
    files = read_superset(FIXTURES / SS, base=FIXTURES.parent.parent)
    chart = by_id(files)[CHART3]
    assert chart.location == Location("tests/consumer_fixtures/superset/charts/Orders_3.yaml", 1)


# ---------------------------------------------------------------------------------------------
# Metabase

MB = "metabase"
REVENUE = "metabase.card.r9SlHdmtWjDyqGAoUrsTd"
NATIVE = "metabase.card.Ntv0RdErsQuery0000001"
ALL_CUSTOMERS = "metabase.card.AllCstmrs00000000000x"
MBQL5 = "metabase.card.Mbq5LrgOrdrs000000001"
FROM_CARD = "metabase.card.FrmCrd000000000000001"
OVERVIEW = "metabase.dashboard.DshSales0000000000001"
MB_CUSTOMERS = "metabase.dashboard.DshCust00000000000001"


def test_metabase_reads_every_card_and_dashboard() -> None:
    files = read_metabase(FIXTURES / MB)
    assert files.diagnostics == ()
    assert sorted(by_id(files)) == sorted(
        [REVENUE, NATIVE, ALL_CUSTOMERS, MBQL5, FROM_CARD, OVERVIEW, MB_CUSTOMERS]
    )
    kinds = {s.id: s.kind for s in files.consumers}
    assert kinds[NATIVE] is ConsumerKind.CHART and kinds[OVERVIEW] is ConsumerKind.DASHBOARD


def test_metabase_mbql_card_reads_its_field_references() -> None:
    card = by_id(read_metabase(FIXTURES / MB))[REVENUE]
    path = f"{COLL}/cards/r9SlHdmtWjDyqGAoUrsTd_revenue_by_month.yaml"
    assert card == ConsumerSpec(
        id=REVENUE,
        kind=ConsumerKind.CHART,
        name="Revenue by month",
        owner=Owner(email="grace@example.com"),
        location=Location(path, 1),
        origin="metabase",
        reads=(
            ReadSpec("marts.fct_orders", "amount", Location(path, 31)),
            ReadSpec("marts.fct_orders", "ordered_at", Location(path, 38)),
            ReadSpec("marts.fct_orders", "status", Location(path, 47)),
        ),
        parent=OVERVIEW,
    )


def test_metabase_native_card_runs_its_sql_in_the_engine_dialect() -> None:
    card = by_id(read_metabase(FIXTURES / MB))[NATIVE]
    [(sql, where)] = card.sql
    assert sql.startswith("SELECT c.customer_id, c.email") and sql.endswith("LIMIT 100")
    assert where == Location(f"{COLL}/cards/Ntv0RdErsQuery0000001_top_customers.yaml", 16)
    assert card.dialect == "postgres" and card.reads == ()
    assert card.parent is None  # on both dashboards


def test_metabase_source_table_only_reads_the_whole_table() -> None:
    card = by_id(read_metabase(FIXTURES / MB))[ALL_CUSTOMERS]
    assert [(r.relation, r.column) for r in card.reads] == [("marts.dim_customers", None)]
    assert card.owner == Owner() and card.parent == MB_CUSTOMERS


def test_metabase_mbql5_stages_with_a_join() -> None:
    card = by_id(read_metabase(FIXTURES / MB))[MBQL5]
    assert [(r.relation, r.column, r.location.line if r.location else 0) for r in card.reads] == [
        ("marts.dim_customers", "country", 52),
        ("marts.dim_customers", "customer_id", 41),
        ("marts.fct_orders", "amount", 62),
        ("marts.fct_orders", "customer_id", 35),
    ]
    assert card.owner == Owner(email="ada@example.com")


def test_metabase_card_built_on_a_card_reads_what_it_reads() -> None:
    specs = by_id(read_metabase(FIXTURES / MB))
    assert specs[FROM_CARD].sql == specs[NATIVE].sql
    assert specs[FROM_CARD].dialect == "postgres"


def test_metabase_dashboards_union_their_cards() -> None:
    specs = by_id(read_metabase(FIXTURES / MB))
    overview = specs[OVERVIEW]
    assert overview.name == "Sales overview"
    assert overview.owner == Owner(email="grace@example.com")
    assert overview.reads == specs[REVENUE].reads
    assert overview.sql == specs[NATIVE].sql and overview.dialect == "postgres"
    customers = specs[MB_CUSTOMERS]
    assert [(r.relation, r.column) for r in customers.reads] == [
        ("marts.dim_customers", None),
        ("marts.dim_customers", "country"),
        ("marts.dim_customers", "customer_id"),
        ("marts.fct_orders", "amount"),
        ("marts.fct_orders", "customer_id"),
    ]
    assert customers.sql == specs[NATIVE].sql


def test_metabase_malformed_yaml_and_missing_card(tmp_path: Path) -> None:
    root = copy(MB, tmp_path)
    cards = root / COLL / "cards"
    (cards / "Mbq5LrgOrdrs000000001_large_orders.yaml").write_text("name: [broken\n")
    files = read_metabase(root)
    assert sorted((d.code.value, d.location) for d in files.diagnostics) == [
        ("parse-error", Location(f"{COLL}/cards/Mbq5LrgOrdrs000000001_large_orders.yaml", 2)),
        (
            "unknown-relation",
            Location(f"{COLL}/dashboards/DshCust00000000000001_customers.yaml", 17),
        ),
    ]
    assert MBQL5 not in by_id(files) and REVENUE in by_id(files)


def test_metabase_card_on_missing_card(tmp_path: Path) -> None:
    root = copy(MB, tmp_path)
    (root / COLL / "cards" / "Ntv0RdErsQuery0000001_top_customers.yaml").unlink()
    files = read_metabase(root)
    locations = sorted(str(d.location) for d in files.diagnostics)
    assert locations == [
        f"{COLL}/cards/FrmCrd000000000000001_top_customer_count.yaml:14",
        f"{COLL}/dashboards/DshCust00000000000001_customers.yaml:31",
        f"{COLL}/dashboards/DshSales0000000000001_sales_overview.yaml:41",
    ]
    assert {d.code for d in files.diagnostics} == {DiagnosticCode.UNKNOWN_RELATION}


def test_metabase_empty_directory(tmp_path: Path) -> None:
    files = read_metabase(tmp_path)
    assert files.consumers == ()
    [problem] = files.diagnostics
    assert problem.code is DiagnosticCode.CONFIG_ERROR


def test_a_dashboard_whose_charts_query_two_dialects_says_so() -> None:
    from lineage.sources.consumers.superset import ExportFile, Reads, dashboard_spec
    from lineage.sources.dbt.files import parse_yaml

    data, problem = parse_yaml("dashboard_title: Mixed\nuuid: d1\n", "dashboards/Mixed.yaml")
    assert problem is None
    board = ExportFile("dashboards/Mixed.yaml", "dashboards", data)
    mixed, one = Reads(), Reads()
    mixed.add_sql("select a from t", None, "postgres")
    mixed.add_sql("select b from u", None, "snowflake")
    one.add_sql("select a from t", None, "postgres")
    said: list[Diagnostic] = []
    spec = dashboard_spec("superset.dashboard.d1", "Mixed", Owner(), "superset", board, mixed, said)
    # both queries are kept, but no single dialect can read them: said, at the dashboard
    assert spec.dialect is None and len(spec.sql) == 2
    assert [(d.code, str(d.location)) for d in said] == [
        (DiagnosticCode.CONFIG_ERROR, "dashboards/Mixed.yaml:1")
    ]
    quiet: list[Diagnostic] = []
    agreed = dashboard_spec(
        "superset.dashboard.d1", "Mixed", Owner(), "superset", board, one, quiet
    )
    assert agreed.dialect == "postgres" and quiet == []
