"""Edges remember the expressions a value went through in CTEs and derived tables, so a
change inside a CTE is a change of every column computed from it (lineage.diff)."""

from __future__ import annotations

from lineage.build import analyse_files
from lineage.entities import ColumnRef, Edge
from lineage.sources.sql_scripts import SourceFile


def edges(sql: str) -> dict[tuple[str, str], Edge]:
    project = analyse_files([SourceFile("a.sql", sql)], "postgres")
    return {(str(e.source), str(e.target)): e for e in project.edges}


def test_a_cte_computation_is_kept_under_the_outer_expression() -> None:
    found = edges(
        "create table t (x int, k int);\n"
        "create table u as with a as (select x + 1 as y, k from t where k > 0)\n"
        "select y * 2 as z from a where y > 3;"
    )
    assert found[("t.x", "u.z")].expression == "a.y * 2"
    assert found[("t.x", "u.z")].inner == ("t.x + 1",)
    assert found[("t.x", "u")].inner == ("t.x + 1",)  # the outer WHERE filters on x + 1
    assert found[("t.k", "u")].inner == ()


def test_pass_throughs_add_nothing_and_chains_are_innermost_first() -> None:
    found = edges(
        "create table t (x int);\n"
        "create table u as with a as (select x * 3 as y from t), b as (select y from a),\n"
        "c as (select y - 1 as w from b) select w as out from c;"
    )
    edge = found[("t.x", "u.out")]
    assert edge.expression == "b.y - 1"
    assert edge.inner == ("t.x * 3",)


def test_a_plain_projection_has_no_inner_expressions() -> None:
    edge = edges("create table t (x int);\ncreate table u as select lower(x) as v from t;")[
        ("t.x", "u.v")
    ]
    assert (edge.expression, edge.inner) == ("LOWER(t.x)", ())
    assert ColumnRef("u", "v") == edge.target
