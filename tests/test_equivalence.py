"""Conservative expression equivalence: what is provably the same computation, and what is
not. Each pair is written the way sqlglot generates edge expressions, or the way an engineer
would rewrite them in a pull request."""

from __future__ import annotations

import pytest

from lineage.sql.equivalence import (
    canonical_expression,
    canonical_reading,
    equivalent,
    parse_edge_expression,
    qualified_columns,
)

SAME = [
    # formatting, comments, keyword and function-name case
    ("LOWER(TRIM(source.email))", "lower(\n  trim( source.email )\n)"),
    ("LOWER(TRIM(source.email))", "LOWER(/* cleaned */ TRIM(source.email)) -- as typed"),
    ("COALESCE(x.a, 0)", "coalesce(x.a,0)"),
    ("EXTRACT(EPOCH FROM s.ended_at)", "extract(epoch from s.ended_at)"),
    ("my_udf(s.a)", "MY_UDF(s.a)"),
    # identifier case as PostgreSQL folds it; a quoted lower-case name is the same name
    ("source.Email", "source.email"),
    ('orders."currency"', "orders.currency"),
    # redundant parentheses
    ("(a.x + a.y) * 2", "((a.x + a.y)) * (2)"),
    ("WHERE NOT c.is_internal_user", "WHERE NOT (c.is_internal_user)"),
    # one table alias, renamed
    ("LOWER(TRIM(source.email))", "LOWER(TRIM(s.email))"),
    ("a.x * a.y", "b.x * b.y"),
    # AND / OR operands, = and <> operands, IN-list items, mirrored comparisons, GROUP BY items
    ("WHERE a.x = 1 AND a.y = 2", "WHERE a.y = 2 AND a.x = 1"),
    ("WHERE a.x = 1 AND (a.y = 2 AND a.z = 3)", "WHERE (a.z = 3 AND a.x = 1) AND a.y = 2"),
    ("a.x = 1 OR a.y = 2", "a.y = 2 OR a.x = 1"),
    ("customers.user_id = orders.user_id", "orders.user_id = customers.user_id"),
    ("a.x <> b.y", "b.y <> a.x"),
    ("a.status IN ('paid', 'shipped')", "a.status IN ('shipped', 'paid')"),
    ("WHERE a.x > 1", "WHERE 1 < a.x"),
    ("a.x >= a.y", "a.y <= a.x"),
    ("GROUP BY a.country, a.day", "GROUP BY a.day, a.country"),
    # the same ordering spelled out: ASC and NULLS LAST are PostgreSQL's defaults
    ("ORDER BY a.x", "ORDER BY a.x ASC NULLS LAST"),
]

DIFFERENT = [
    # `+` concatenates strings in some dialects: never reordered
    ("a.x + a.y", "a.y + a.x"),
    ("a.x - a.y", "a.y - a.x"),
    ("a.x < a.y", "a.y < a.x"),
    # parentheses that change the tree
    ("(a.x + a.y) * 2", "a.x + a.y * 2"),
    ("a OR b AND c", "(a OR b) AND c"),
    # different computations
    ("LOWER(TRIM(source.email))", "TRIM(source.email)"),
    ("1.0", "1.00"),
    ("WHERE a.x > 1", "HAVING a.x > 1"),
    ("ORDER BY a.x, a.y", "ORDER BY a.y, a.x"),
    ("ORDER BY a.x", "ORDER BY a.x DESC"),
    ("GROUP BY ROLLUP (a.x, a.y)", "GROUP BY ROLLUP (a.y, a.x)"),
    # a quoted name keeps its case
    ('orders."Currency"', "orders.currency"),
    # two aliases: which relation each one is cannot be told from the text
    ("a.x = b.x", "c.x = d.x"),
    ("a.x + b.y", "b.x + a.y"),
    # a clause with more than the clause
    ("WHERE a.x = 1 LIMIT 3", "WHERE a.x = 1"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_equivalent(a: str, b: str) -> None:
    assert equivalent(a, b, "postgres")
    assert canonical_expression(a, "postgres") == canonical_expression(b, "postgres")


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_not_equivalent(a: str, b: str) -> None:
    assert not equivalent(a, b, "postgres")


def test_identifier_case_follows_the_dialect() -> None:
    # Snowflake folds unquoted names to upper case: "EMAIL" quoted is the same column
    assert equivalent('s."EMAIL"', "s.email", "snowflake")
    assert not equivalent('s."EMAIL"', "s.email", "postgres")


def test_unparsable_text_compares_with_whitespace_collapsed() -> None:
    text = "loaded by fivetran from app:shop.users"
    assert parse_edge_expression(text, "postgres") is None
    assert equivalent(text, "loaded  by fivetran\nfrom app:shop.users", "postgres")
    assert not equivalent(text, "loaded by stitch from app:shop.users", "postgres")


def test_row_clauses_keep_their_clause() -> None:
    tree = parse_edge_expression("WHERE NOT customers.is_internal_user", "postgres")
    assert tree is not None and tree.key == "where"
    group = parse_edge_expression("GROUP BY u.country, u.day", "postgres")
    assert group is not None and group.key == "group"


def test_qualified_columns_are_normalized_pairs() -> None:
    assert qualified_columns("A.X + b.y + z", "postgres") == (("", "z"), ("a", "x"), ("b", "y"))
    # aliases inside a subquery are scoped: not reported
    assert qualified_columns("EXISTS (SELECT 1 FROM t WHERE t.a = x.b)", "postgres") == ()


def test_canonical_reading_resolves_aliases_and_renamed_columns() -> None:
    names = {("s", "email"): ("raw.users", "email_address")}
    before = canonical_reading("LOWER(s.email)", "postgres", names)
    after = canonical_reading(
        "LOWER(src.email_address)",
        "postgres",
        {("src", "email_address"): ("raw.users", "email_address")},
    )
    assert before == after
    # with two aliases resolved, the operands may be swapped and the aliases renamed
    join = {("c", "id"): ("customers", "id"), ("o", "user_id"): ("orders", "user_id")}
    swapped = {("x", "id"): ("customers", "id"), ("y", "user_id"): ("orders", "user_id")}
    assert canonical_reading("c.id = o.user_id", "postgres", join) == canonical_reading(
        "y.user_id = x.id", "postgres", swapped
    )
    assert canonical_reading("c.id = o.user_id", "postgres", join) != canonical_reading(
        "x.id = y.user_id", "postgres", {}
    )


def test_canonical_forms_are_cached() -> None:
    canonical_expression.cache_clear()
    canonical_expression("LOWER(a.b)", "postgres")
    canonical_expression("LOWER(a.b)", "postgres")
    assert canonical_expression.cache_info().hits == 1
