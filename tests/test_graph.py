"""Queries on the lineage graph: downstream through row-level edges, upstream through what
decides a relation's rows, depth, direct-only, paths."""

from __future__ import annotations

from lineage.build import analyse_files
from lineage.entities import ColumnRef, EdgeKind
from lineage.graph import LineageGraph
from lineage.sources.sql_scripts import SourceFile

SQL = """
create table raw.orders (id int, user_id int, status text, amount int);
create table raw.users (id int, country text);
create view paid as select id, user_id, amount from raw.orders where status = 'paid';
create view by_country as
  select u.country, sum(p.amount) as revenue
  from paid p join raw.users u on u.id = p.user_id
  group by u.country;
create view top as select country from by_country order by revenue desc limit 3;
"""


def graph() -> LineageGraph:
    return LineageGraph(analyse_files([SourceFile("a.sql", SQL)], "postgres"))


def refs(hops: object) -> set[str]:
    return {str(h.ref) + ("" if h.ref.column else " (rows)") for h in hops}  # type: ignore[attr-defined]


def test_a_filter_column_reaches_everything_below_the_filtered_relation() -> None:
    answer = graph().downstream([ColumnRef("raw.orders", "status")])
    assert refs(answer.hops) == {
        "paid (rows)",
        "by_country.revenue",
        "by_country (rows)",
        "top.country",
        "top (rows)",
    }
    first = next(h for h in answer.hops if h.ref == ColumnRef("paid", None))
    assert first.kind is EdgeKind.FILTER and first.depth == 1


def test_direct_only_does_not_cross_filters() -> None:
    answer = graph().downstream([ColumnRef("raw.orders", "status")], direct_only=True)
    assert answer.hops == ()
    amount = graph().downstream([ColumnRef("raw.orders", "amount")], direct_only=True)
    assert refs(amount.hops) == {"paid.amount", "by_country.revenue"}


def test_depth_limits_hops() -> None:
    answer = graph().downstream([ColumnRef("raw.orders", "amount")], depth=2)
    assert {h.depth for h in answer.hops} == {1, 2}
    assert "top.country" not in refs(answer.hops)


def test_upstream_includes_what_decides_the_rows() -> None:
    answer = graph().upstream([ColumnRef("top", "country")])
    reached = refs(answer.hops)
    assert {
        "by_country.country",
        "raw.users.country",
        "by_country.revenue",
        "paid.user_id",
        "raw.users.id",
        "raw.orders.status",
    } <= reached
    direct = graph().upstream([ColumnRef("top", "country")], direct_only=True)
    assert refs(direct.hops) == {"by_country.country", "raw.users.country"}


def test_path_to_follows_the_first_way_each_column_was_reached() -> None:
    answer = graph().downstream([ColumnRef("raw.orders", "amount")])
    assert answer.path_to(ColumnRef("by_country", "revenue")) == (
        ColumnRef("raw.orders", "amount"),
        ColumnRef("paid", "amount"),
        ColumnRef("by_country", "revenue"),
    )
    assert answer.complete
