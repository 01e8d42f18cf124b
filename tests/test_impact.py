"""Impact propagation on a small warehouse: each expectation says what the database would do
after the change (which statements fail, which rows and values differ), hop by hop."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lineage import projects
from lineage.build import analyse_files
from lineage.change_specs import parse_change
from lineage.changes import Affected, DataTestOutcome, ImpactReport, ImpactSeverity
from lineage.config import load_config
from lineage.entities import (
    ColumnRef,
    Consumer,
    ConsumerKind,
    DataTest,
    EdgeKind,
    Owner,
    Project,
    ReadLevel,
)
from lineage.errors import UsageError
from lineage.impact_report import impact_report
from lineage.sources.sql_scripts import SourceFile

SQL = """\
create table raw.users (id int, email text, country text);
create table raw.orders (id int, user_id int, amount int, status text);
create view stg_users as select id as user_id, lower(email) as email, country from raw.users;
create view stg_orders as select id as order_id, user_id, amount from raw.orders
  where status <> 'test';
create view customer_revenue as
  select u.user_id, u.email, sum(o.amount) as revenue
  from stg_users u join stg_orders o on o.user_id = u.user_id
  group by u.user_id, u.email;
create view top_customers as select email, revenue from customer_revenue where revenue > 100;
create view country_counts as select country, count(*) as n from stg_users group by country;
"""

BREAKS, ROWS, VALUES = ImpactSeverity.BREAKS, ImpactSeverity.ROWS, ImpactSeverity.VALUES

DASHBOARD = Consumer(
    "dashboard.revenue",
    ConsumerKind.DASHBOARD,
    "Revenue",
    Owner("Finance", "finance@example.com"),
    ReadLevel.COLUMN,
    (ColumnRef("top_customers", "revenue"),),
    None,
)


def warehouse() -> Project:
    return analyse_files([SourceFile("w.sql", SQL)], "postgres")


def run(*specs: str, project: Project | None = None) -> ImpactReport:
    project = project or warehouse()
    changes = [parse_change(project, spec) for spec in specs]
    return impact_report(changes, project, project, ("base", "head"), "lineage impact")


def found(report: ImpactReport) -> dict[str, ImpactSeverity]:
    return {_name(a.ref): a.severity for a in report.affected}


def entry(report: ImpactReport, name: str) -> Affected:
    return next(a for a in report.affected if _name(a.ref) == name)


def _name(ref: ColumnRef) -> str:
    return f"{ref.relation} (rows)" if ref.column is None else str(ref)


def test_a_dropped_column_breaks_the_view_reading_it_and_everything_built_on_it() -> None:
    report = run("drop:raw.users.email")
    # stg_users selects lower(email): CREATE VIEW fails; the views on stg_users fail with it.
    assert found(report) == {
        "stg_users.email": BREAKS,
        "customer_revenue (rows)": BREAKS,
        "country_counts (rows)": BREAKS,
        "top_customers (rows)": BREAKS,
    }
    reading = entry(report, "stg_users.email")
    assert reading.direct and str(reading.location) == "w.sql:3"
    assert "still reads `email` (removed) at w.sql:3" in reading.reason
    assert not entry(report, "top_customers (rows)").direct
    assert [str(s.ref) for s in entry(report, "top_customers (rows)").path] == [
        "raw.users.email",
        "stg_users.email",
        "customer_revenue",
        "top_customers",
    ]


def test_a_rename_says_how_to_fix_each_reader() -> None:
    report = run("rename:raw.users.email=login_email")
    reading = entry(report, "stg_users.email")
    assert reading.severity is BREAKS
    assert reading.fix == "read `login_email` at w.sql:3"
    assert "renamed to `login_email`" in reading.reason


def test_changed_values_flow_through_pass_throughs_and_aggregates_and_change_filtered_rows() -> (
    None
):
    report = run("expr:raw.orders.amount")
    assert found(report) == {
        "raw.orders.amount": VALUES,  # the change itself
        "stg_orders.amount": VALUES,  # a pass-through is not safe
        "customer_revenue.revenue": VALUES,
        "top_customers.revenue": VALUES,
        "top_customers (rows)": ROWS,  # WHERE revenue > 100 keeps other rows
    }
    hop = entry(report, "stg_orders.amount")
    assert hop.kinds == (EdgeKind.IDENTITY,) and hop.depth == 1


def test_a_column_in_a_where_changes_the_rows_of_everything_below() -> None:
    report = run("expr:raw.orders.status")
    assert found(report) == {
        "raw.orders.status": VALUES,
        "stg_orders (rows)": ROWS,
        "customer_revenue (rows)": ROWS,
        "top_customers (rows)": ROWS,
    }


def test_a_grouping_column_changes_values_and_rows() -> None:
    report = run("expr:raw.users.country")
    assert found(report) == {
        "raw.users.country": VALUES,
        "stg_users.country": VALUES,
        "country_counts.country": VALUES,
        "country_counts (rows)": ROWS,
    }


def test_a_changed_filter_changes_the_rows_of_the_relation_and_its_readers_only() -> None:
    report = run("filter:stg_orders")
    assert found(report) == {
        "stg_orders (rows)": ROWS,
        "customer_revenue (rows)": ROWS,
        "top_customers (rows)": ROWS,
    }


def test_consumers_carry_the_severity_owner_and_path() -> None:
    project = replace(warehouse(), consumers=(DASHBOARD,))
    values = run("expr:raw.orders.amount", project=project)
    (reached,) = values.consumers
    assert reached.severity is ROWS  # it reads top_customers, whose rows change
    assert reached.consumer.owner.name == "Finance"
    broken = run("drop:raw.orders.amount", project=project).consumers[0]
    assert broken.severity is BREAKS
    assert broken.path[0].ref == ColumnRef("raw.orders", "amount")


def test_dbt_tests_on_broken_columns_will_fail_and_on_changed_ones_are_worth_rerunning() -> None:
    project = warehouse()
    relations = tuple(
        replace(r, tests=(DataTest("not_null", "email"), DataTest("unique", "user_id")))
        if r.name == "stg_users"
        else r
        for r in project.relations
    )
    project = replace(project, relations=relations)
    outcomes = {
        (t.column, t.name): t.outcome for t in run("drop:raw.users.email", project=project).tests
    }
    # the whole view fails to build: every test on it fails
    assert outcomes == {
        ("email", "not_null"): DataTestOutcome.WILL_FAIL,
        ("user_id", "unique"): DataTestOutcome.WILL_FAIL,
    }
    rerun = {
        (t.column, t.name): t.outcome for t in run("expr:raw.users.email", project=project).tests
    }
    assert rerun == {("email", "not_null"): DataTestOutcome.RERUN}


def test_a_type_family_change_breaks_arithmetic_and_a_widening_changes_values() -> None:
    narrowed = run("type:raw.orders.amount=text")
    assert found(narrowed)["stg_orders.amount"] is VALUES  # passed through, still a column
    assert found(narrowed)["customer_revenue.revenue"] is BREAKS  # sum() of text
    assert found(narrowed)["top_customers (rows)"] is BREAKS
    widened = run("type:raw.orders.amount=bigint")
    assert BREAKS not in found(widened).values()
    assert found(widened)["customer_revenue.revenue"] is VALUES


def test_an_enforced_contract_declaring_the_old_type_breaks() -> None:
    project = warehouse()

    def contracted(relation):  # type: ignore[no-untyped-def]
        if relation.name != "stg_orders":
            return relation
        columns = tuple(
            replace(c, data_type="integer") if c.name == "amount" else c for c in relation.columns
        )
        return replace(relation, contract=True, columns=columns)

    project = replace(project, relations=tuple(contracted(r) for r in project.relations))
    report = run("type:raw.orders.amount=bigint", project=project)
    reached = entry(report, "stg_orders.amount")
    assert reached.severity is BREAKS
    assert "contract declares integer" in reached.reason


def test_a_statement_that_was_not_analysed_is_an_unknown_of_every_report() -> None:
    broken = SQL + "create view later as select from where;\n"
    project = analyse_files([SourceFile("w.sql", broken)], "postgres")
    report = run("expr:raw.orders.amount", project=project)
    assert [u.location.line for u in report.unknowns if u.location] == [12]


def test_a_blind_spot_downstream_is_an_unknown_with_its_meaning() -> None:
    sql = SQL + "create view wide as select * from customer_revenue, external.things;\n"
    project = analyse_files([SourceFile("w.sql", sql)], "postgres")
    report = run("expr:raw.orders.amount", project=project)
    assert report.unknowns
    assert all("unknown" in u.meaning or "unseen" in u.meaning for u in report.unknowns)


def test_change_specs_are_checked() -> None:
    project = warehouse()
    for bad in (
        "drop",
        "move:raw.users.email",
        "rename:raw.users.email",
        "type:stg_users",
        "type:raw.users.email=not a type!!",
    ):
        with pytest.raises(UsageError):
            parse_change(project, bad)
    with pytest.raises(UsageError):
        parse_change(project, "drop:nothing.here")
    relation = parse_change(project, "drop:stg_orders")
    assert relation.column is None and relation.kind.value == "relation_removed"


def test_a_removed_relation_breaks_its_readers() -> None:
    report = run("drop:stg_orders")
    assert found(report) == {
        "customer_revenue.revenue": BREAKS,
        "customer_revenue (rows)": BREAKS,
        "top_customers (rows)": BREAKS,
    }


def test_reports_are_deterministic() -> None:
    assert run("drop:raw.users.email", "expr:raw.orders.amount") == run(
        "expr:raw.orders.amount", "drop:raw.users.email"
    )


@pytest.mark.parametrize(
    ("facts", "words"),
    [({"contract": True}, "has an enforced contract"), ({"version": "2"}, "is version 2")],
)
def test_removing_a_column_of_a_contracted_or_versioned_model_breaks_its_promise(
    facts: dict[str, object], words: str
) -> None:
    """Readers outside the project rely on a contract or a model version: even with no
    reader here, dropping one of its columns breaks them."""
    project = warehouse()
    relations = tuple(
        replace(r, **facts) if r.name == "top_customers" else r  # type: ignore[arg-type]
        for r in project.relations
    )
    project = replace(project, relations=relations)
    report = run("drop:top_customers.email", project=project)
    promise = entry(report, "top_customers.email")
    assert (promise.severity, promise.depth) == (BREAKS, 0)
    assert words in promise.reason
    assert run("drop:top_customers.email").affected == ()  # nothing reads it otherwise


def test_a_column_that_may_now_be_null_changes_values_and_its_not_null_tests_are_rerun() -> None:
    from lineage.changes import Change, ChangeKind

    project = warehouse()
    relations = tuple(
        replace(r, tests=(DataTest("not_null", "amount"),)) if r.name == "stg_orders" else r
        for r in project.relations
    )
    project = replace(project, relations=relations)
    loosened = Change(
        ChangeKind.COLUMN_NULLABILITY_CHANGED,
        "raw.orders",
        "amount",
        "amount: NOT NULL -> nullable",
        nullable=True,
    )
    report = impact_report([loosened], project, project, ("base", "head"), "lineage diff")
    assert found(report)["stg_orders.amount"] is VALUES
    assert [(t.column, t.name, t.outcome) for t in report.tests] == [
        ("amount", "not_null", DataTestOutcome.RERUN)
    ]
    tightened = replace(loosened, nullable=False, reason="amount: nullable -> NOT NULL")
    assert impact_report([tightened], project, project, ("b", "h"), "x").affected == ()


def test_a_removed_application_column_breaks_the_sql_reading_its_landed_copy(
    tmp_path: Path,
) -> None:
    """Plain SQL project: the application's `users` lands in raw_app.users; the load is the
    same column, so the break is at the view that selects it, not at the landed table."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "V1__users.sql").write_text(
        "create table users (id bigint, email text);\n", encoding="utf-8"
    )
    (tmp_path / "lineage.yml").write_text(
        "applications:\n  - {name: shop, path: db, schema: raw_app}\n", encoding="utf-8"
    )
    (tmp_path / "marts.sql").write_text(
        "create view contacts as\nselect id, email from raw_app.users;\n", encoding="utf-8"
    )
    project = projects.build(tmp_path, load_config(tmp_path))
    report = run("drop:app:shop.users.email", project=project)
    assert found(report) == {
        "raw_app.users.email": BREAKS,  # declared (landed) but no longer loaded
        "contacts.email": BREAKS,  # CREATE VIEW contacts fails here
    }
    reading = entry(report, "contacts.email")
    assert reading.direct and str(reading.location) == "marts.sql:2"
    assert "declared here but no longer loaded" in entry(report, "raw_app.users.email").reason
