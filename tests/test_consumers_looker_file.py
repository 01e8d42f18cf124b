"""Looker (LookML project) and consumers-file readers: exact consumers, and bad input."""

from __future__ import annotations

from pathlib import Path

from lineage.entities import ConsumerKind, DiagnosticCode, Location, Owner
from lineage.sources.consumers.consumers_file import read_consumers_file
from lineage.sources.consumers.looker import read_looker
from lineage.sources.consumers.specs import ConsumerFiles, ReadSpec

FIXTURES = Path(__file__).parent / "consumer_fixtures"
ORDERS = "views/orders.view.lkml"
USERS = "views/users.view.lkml"
DERIVED = (
    "SELECT lifetime_orders, user_id FROM (SELECT user_id, COUNT(*) AS lifetime_orders\n"
    "      FROM analytics.orders\n      GROUP BY user_id) AS user_facts",
    Location("views/user_facts.view.lkml", 2),
)


def _o(column: str, line: int) -> ReadSpec:
    return ReadSpec("analytics.orders", column, Location(ORDERS, line))


def _u(column: str, line: int) -> ReadSpec:
    return ReadSpec("public.users", column, Location(USERS, line))


def _looker() -> ConsumerFiles:
    return read_looker(FIXTURES / "looker")


def test_looker_project_reads_without_diagnostics() -> None:
    found = _looker()
    assert found.diagnostics == ()
    assert [c.id for c in found.consumers] == [
        "looker.dashboard.sales",
        "looker.element.sales.2",
        "looker.element.sales.loyal_customers",
        "looker.element.sales.orders_by_week",
        "looker.explore.shop.orders",
    ]


def test_looker_explore_reads_every_field_and_join_key() -> None:
    explore = _looker().consumers[-1]
    assert explore.kind is ConsumerKind.ANALYSIS
    assert explore.name == "shop/orders"
    assert explore.location == Location("shop.model.lkml", 6)
    assert explore.origin == "looker"
    assert explore.parent is None
    assert explore.owner == Owner()
    assert explore.reads == (
        _o("amount_cents", 26),
        _o("created_at", 20),
        _o("id", 4),
        _o("status", 16),
        _o("user_id", 10),
        _u("country", 13),
        _u("email", 9),
        _u("id", 4),
    )
    assert explore.sql == (DERIVED,)


def test_looker_dashboard_elements() -> None:
    by_id = {c.id: c for c in _looker().consumers}
    weekly = by_id["looker.element.sales.orders_by_week"]
    assert (weekly.kind, weekly.name, weekly.parent) == (
        ConsumerKind.CHART,
        "Orders by week",
        "looker.dashboard.sales",
    )
    assert weekly.location == Location("dashboards/sales.dashboard.lookml", 5)
    # created_week is dimension_group created; count reads no column; sql_always_where: status
    assert weekly.reads == (_o("created_at", 20), _o("status", 16))
    assert weekly.sql == ()
    revenue = by_id["looker.element.sales.2"]
    assert revenue.name == "Revenue by country"
    # total_paid: ${amount} and its filter on is_paid (-> status); the users join keys
    assert revenue.reads == (
        _o("amount_cents", 26),
        _o("created_at", 20),
        _o("status", 16),
        _o("user_id", 10),
        _u("country", 13),
        _u("id", 4),
    )
    loyal = by_id["looker.element.sales.loyal_customers"]
    assert loyal.reads == (_o("status", 16), _o("user_id", 10), _u("email", 9), _u("id", 4))
    assert loyal.sql == (DERIVED,)


def test_looker_dashboard_is_the_union_of_its_elements() -> None:
    by_id = {c.id: c for c in _looker().consumers}
    dashboard = by_id["looker.dashboard.sales"]
    assert dashboard.kind is ConsumerKind.DASHBOARD
    assert dashboard.name == "Sales overview"
    assert dashboard.location == Location("dashboards/sales.dashboard.lookml", 1)
    assert dashboard.reads == (
        _o("amount_cents", 26),
        _o("created_at", 20),
        _o("status", 16),
        _o("user_id", 10),
        _u("country", 13),
        _u("email", 9),
        _u("id", 4),
    )
    assert dashboard.sql == (DERIVED,)


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _codes(found: ConsumerFiles) -> list[tuple[DiagnosticCode, Location]]:
    return [(d.code, d.location) for d in found.diagnostics]


def test_looker_syntax_error_is_a_diagnostic_and_the_rest_is_read(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "bad.view.lkml": "view: bad {\n  dimension: x {\n    sql: ${TABLE}.x ;;\n",
            "a.view.lkml": "view: a {\n  sql_table_name: s.a ;;\n  dimension: x {}\n}\n",
            "m.model.lkml": "explore: a {}\n",
        },
    )
    found = read_looker(tmp_path)
    assert [(d.code, d.location.path) for d in found.diagnostics] == [
        (DiagnosticCode.PARSE_ERROR, "bad.view.lkml")
    ]
    assert [(c.id, c.reads) for c in found.consumers] == [
        ("looker.explore.m.a", (ReadSpec("s.a", "x", Location("a.view.lkml", 3)),))
    ]


def test_looker_unknown_references_and_cycles(tmp_path: Path) -> None:
    view = (
        "view: a {\n"
        "  sql_table_name: ${x.SQL_TABLE_NAME} ;;\n"
        "  dimension: p { sql: ${q} ;; }\n"
        "  dimension: q {\n    sql: ${p} ;;\n  }\n"
        "  dimension: r { sql: ${missing} ;; }\n"
        "}\n"
    )
    model = "explore: a {\n  join: ghost { sql_on: ${a.r} = ${ghost.id} ;; }\n}\n"
    dashboard = (
        "- dashboard: d\n  elements:\n  - name: e\n    explore: nowhere\n    fields: [a.p]\n"
    )
    _write(tmp_path, {"a.view.lkml": view, "m.model.lkml": model, "d.dashboard.lookml": dashboard})
    found = read_looker(tmp_path)
    assert sorted(_codes(found), key=str) == sorted(
        [
            (DiagnosticCode.UNKNOWN_RELATION, Location("a.view.lkml", 1)),  # sql_table_name
            (DiagnosticCode.ANALYSIS_ERROR, Location("a.view.lkml", 3)),  # p -> q -> p
            (DiagnosticCode.UNKNOWN_COLUMN, Location("a.view.lkml", 7)),  # ${missing}
            (DiagnosticCode.UNKNOWN_RELATION, Location("m.model.lkml", 2)),  # join ghost
            (DiagnosticCode.UNKNOWN_RELATION, Location("d.dashboard.lookml", 3)),  # explore
        ],
        key=str,
    )
    messages = " ".join(d.message for d in found.diagnostics)
    assert "cyclic field references" in messages
    assert {c.id for c in found.consumers} == {
        "looker.explore.m.a",
        "looker.dashboard.d",
        "looker.element.d.e",
    }


def test_looker_reading_is_deterministic() -> None:
    assert _looker() == _looker()


# ---------------------------------------------------------------------------------------------
# The consumers file

CONSUMERS = FIXTURES / "consumers_file"


def test_consumers_file_reads_every_entry() -> None:
    found = read_consumers_file(CONSUMERS / "consumers.yml", CONSUMERS)
    assert found.diagnostics == ()
    by_id = {c.id: c for c in found.consumers}
    assert list(by_id) == [
        "consumer.churn_model",
        "consumer.hubspot_sync",
        "consumer.recommendations",
        "consumer.weekly_kpis",
    ]
    where = "consumers.yml"
    churn = by_id["consumer.churn_model"]
    assert (churn.kind, churn.name, churn.origin) == (
        ConsumerKind.ML,
        "churn_model",
        "consumers file",
    )
    assert churn.owner == Owner("Data Science", "ds@example.com")
    assert churn.url == "https://mlflow.example.com/models/churn"
    assert churn.location == Location(where, 3)
    assert churn.reads == (
        ReadSpec("fct_orders", "amount", Location(where, 8)),
        ReadSpec("model.shop.dim_users", "email", Location(where, 9)),
    )
    reco = by_id["consumer.recommendations"]
    assert reco.kind is ConsumerKind.FEATURE
    assert reco.owner == Owner("Reco Team", "reco@example.com")
    assert reco.location == Location("services/reco/api.py", 42)
    assert reco.reads == (ReadSpec("dim_users", "country", Location(where, 15)),)
    sync = by_id["consumer.hubspot_sync"]
    assert sync.kind is ConsumerKind.REVERSE_ETL
    assert sync.owner == Owner(None, "growth@example.com")
    assert sync.reads == (
        ReadSpec("dim_users", None, Location(where, 20)),
        ReadSpec("analytics.marts.fct_orders", None, Location(where, 20)),
    )
    kpis = by_id["consumer.weekly_kpis"]
    assert (kpis.kind, kpis.owner, kpis.dialect) == (
        ConsumerKind.ANALYSIS,
        Owner("Finance"),
        "postgres",
    )
    assert kpis.reads == ()
    assert kpis.sql == (
        ("select count(*) from fct_orders where status = 'paid'", Location(where, 25)),
    )


def test_consumers_file_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "consumers.yml"
    path.write_text("consumers:\n  - name: a\n    type: [ml\n", encoding="utf-8")
    found = read_consumers_file(path, tmp_path)
    assert found.consumers == ()
    assert [d.code for d in found.diagnostics] == [DiagnosticCode.PARSE_ERROR]
    assert found.diagnostics[0].location.path == "consumers.yml"


def test_consumers_file_invalid_entries_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "consumers.yml"
    path.write_text(
        "consumers:\n"
        "  - name: ok\n    type: ml\n    models: [m]\n"  # 2
        "  - name: extra\n    type: ml\n    models: [m]\n    colour: red\n"  # 5, key at 8
        "  - name: kind\n    type: spreadsheet\n    models: [m]\n"  # 9, type at 10
        "  - name: typed\n    type: ml\n    columns: m.a\n"  # 12, columns at 14
        "  - name: nocol\n    type: ml\n    columns: [just_a_name]\n"  # 15, item at 17
        "  - name: ok\n    type: chart\n    models: [m]\n"  # 18: duplicate
        "  - name: empty\n    type: ml\n",  # 21: reads nothing
        encoding="utf-8",
    )
    found = read_consumers_file(path, tmp_path)
    assert [c.id for c in found.consumers] == ["consumer.ok"]
    assert found.consumers[0].kind is ConsumerKind.ML
    lines = [(d.code, d.location.line) for d in found.diagnostics]
    assert lines == [(DiagnosticCode.CONFIG_ERROR, n) for n in (2, 8, 10, 14, 17, 18, 21)]
    assert "unknown key `colour`" in found.diagnostics[1].message
    assert "unknown type `spreadsheet`" in found.diagnostics[2].message


def test_consumers_file_must_be_a_mapping_with_consumers(tmp_path: Path) -> None:
    path = tmp_path / "consumers.yml"
    path.write_text("- name: a\n", encoding="utf-8")
    found = read_consumers_file(path, tmp_path)
    assert found.consumers == ()
    assert _codes(found) == [(DiagnosticCode.CONFIG_ERROR, Location("consumers.yml", 1))]
