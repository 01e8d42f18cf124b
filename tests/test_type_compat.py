"""Type families, compatibility of a type change, how a reader uses a column, and the severity
a type change has for that reader. Expectations follow what the database does: PostgreSQL
unless the case names another dialect."""

from __future__ import annotations

import pytest

from lineage.changes import ImpactSeverity, TypeCompatibility
from lineage.sql.column_use import ColumnUse, column_use
from lineage.type_compat import (
    TypeFamily,
    compatibility,
    type_change_severity,
    type_family,
)

SAME = TypeCompatibility.SAME
WIDENING = TypeCompatibility.WIDENING
NARROWING = TypeCompatibility.NARROWING
FAMILY = TypeCompatibility.FAMILY_CHANGE
UNKNOWN = TypeCompatibility.UNKNOWN


@pytest.mark.parametrize(
    ("data_type", "dialect", "family"),
    [
        ("int4", "postgres", TypeFamily.INTEGER),
        ("int8", "postgres", TypeFamily.INTEGER),
        ("serial", "postgres", TypeFamily.INTEGER),
        ("numeric(12,2)", "postgres", TypeFamily.DECIMAL),
        ("NUMBER", "snowflake", TypeFamily.DECIMAL),
        ("double precision", "postgres", TypeFamily.FLOAT),
        ("varchar(20)", "postgres", TypeFamily.TEXT),
        ("STRING", "bigquery", TypeFamily.TEXT),
        ("bool", "postgres", TypeFamily.BOOLEAN),
        ("date", "postgres", TypeFamily.DATE),
        ("timestamp", "postgres", TypeFamily.TIMESTAMP),
        ("timestamptz", "postgres", TypeFamily.TIMESTAMP_TZ),
        ("TIMESTAMP", "bigquery", TypeFamily.TIMESTAMP_TZ),  # an instant in BigQuery
        ("DATETIME", "bigquery", TypeFamily.TIMESTAMP),
        ("time", "postgres", TypeFamily.TIME),
        ("interval", "postgres", TypeFamily.INTERVAL),
        ("jsonb", "postgres", TypeFamily.JSON),
        ("uuid", "postgres", TypeFamily.UUID),
        ("bytea", "postgres", TypeFamily.BINARY),
        ("int[]", "postgres", TypeFamily.ARRAY),
        ("STRUCT<a INT64>", "bigquery", TypeFamily.STRUCT),
        ("inet", "postgres", TypeFamily.OTHER),
        ("order_status", "postgres", TypeFamily.OTHER),  # a user-defined type: not parsed
        (None, "postgres", TypeFamily.OTHER),
    ],
)
def test_type_family(data_type: str | None, dialect: str, family: TypeFamily) -> None:
    assert type_family(data_type, dialect) is family


@pytest.mark.parametrize(
    ("old", "new", "dialect", "expected"),
    [
        # synonyms
        ("int4", "integer", "postgres", SAME),
        ("character varying", "varchar", "postgres", SAME),
        ("varchar", "text", "postgres", SAME),  # both hold any text in PostgreSQL
        ("timestamptz", "timestamp with time zone", "postgres", SAME),
        ("decimal(12,2)", "numeric(12, 2)", "postgres", SAME),
        ("int", "bigint", "bigquery", SAME),  # every integer is INT64
        ("integer", "number(38,0)", "snowflake", SAME),  # every integer is NUMBER(38,0)
        ("int8", "bigint", "mysql", SAME),
        ("timestamp", "timestamp(6)", "postgres", SAME),
        # widening: every old value fits
        ("smallint", "integer", "postgres", WIDENING),
        ("integer", "bigint", "postgres", WIDENING),
        ("integer", "numeric(12,2)", "postgres", WIDENING),  # 10 integer digits fit
        ("integer", "numeric", "postgres", WIDENING),
        ("numeric(12,2)", "numeric(14,4)", "postgres", WIDENING),
        ("varchar(50)", "varchar(100)", "postgres", WIDENING),
        ("varchar(50)", "text", "postgres", WIDENING),
        ("char(3)", "varchar(3)", "postgres", WIDENING),
        ("real", "double precision", "postgres", WIDENING),
        ("integer", "double precision", "postgres", WIDENING),  # 32 bits fit in 53
        ("date", "timestamp", "postgres", WIDENING),
        ("timestamp", "timestamptz", "postgres", WIDENING),
        ("timestamp(3)", "timestamp(6)", "postgres", WIDENING),
        ("int unsigned", "bigint", "mysql", WIDENING),
        ("int[]", "bigint[]", "postgres", WIDENING),
        # narrowing: some old values may not fit
        ("bigint", "integer", "postgres", NARROWING),
        ("integer", "numeric(10,2)", "postgres", NARROWING),  # only 8 integer digits
        ("numeric(12,2)", "numeric(12,4)", "postgres", NARROWING),  # p - s shrinks
        ("numeric(12,2)", "numeric(10,2)", "postgres", NARROWING),
        ("numeric", "numeric(12,2)", "postgres", NARROWING),
        ("numeric(12,2)", "integer", "postgres", NARROWING),  # cents are lost
        ("bigint", "double precision", "postgres", NARROWING),  # 64 bits do not fit in 53
        ("numeric(12,2)", "double precision", "postgres", NARROWING),
        ("double precision", "numeric(30,10)", "postgres", NARROWING),
        ("text", "varchar(50)", "postgres", NARROWING),
        ("varchar(3)", "char(3)", "postgres", NARROWING),  # values get blank-padded
        ("timestamptz", "timestamp", "postgres", NARROWING),
        ("timestamp", "date", "postgres", NARROWING),
        ("bigint", "bigint unsigned", "mysql", NARROWING),
        # another kind of value
        ("integer", "text", "postgres", FAMILY),
        ("text", "boolean", "postgres", FAMILY),
        ("uuid", "text", "postgres", FAMILY),
        ("date", "time", "postgres", FAMILY),
        ("text", "bytea", "postgres", FAMILY),
        ("int[]", "text[]", "postgres", FAMILY),
        ("integer", "int[]", "postgres", FAMILY),
        ("STRUCT<a INT64, b STRING>", "STRUCT<a INT64>", "bigquery", FAMILY),  # b is gone
        # not known
        (None, "text", "postgres", UNKNOWN),
        ("text", None, "postgres", UNKNOWN),
        ("order_status", "text", "postgres", UNKNOWN),  # a user-defined type
        ("json", "jsonb", "postgres", UNKNOWN),
    ],
)
def test_compatibility(old: str, new: str, dialect: str, expected: TypeCompatibility) -> None:
    assert compatibility(old, new, dialect) is expected


def test_a_struct_gaining_a_field_is_a_widening() -> None:
    old, new = "STRUCT<a INT64>", "STRUCT<a INT64, b STRING>"
    assert compatibility(old, new, "bigquery") is WIDENING


@pytest.mark.parametrize(
    ("expression", "column", "use"),
    [
        ("source.email", "email", ColumnUse.PASS_THROUGH),
        ("(source.email)", "email", ColumnUse.PASS_THROUGH),
        ("SUM(a.amount) / 100", "amount", ColumnUse.AGGREGATE),
        ("SUM(a.amount * 2)", "amount", ColumnUse.ARITHMETIC),
        ("ROUND(a.amount, 2)", "amount", ColumnUse.ARITHMETIC),
        ("EXTRACT(EPOCH FROM s.ended_at - s.started_at)", "ended_at", ColumnUse.ARITHMETIC),
        ("customers.user_id = orders.user_id", "user_id", ColumnUse.COMPARISON),
        ("WHERE o.status IN ('paid', 'shipped')", "status", ColumnUse.COMPARISON),
        ("WHERE NOT users.is_internal_user", "is_internal_user", ColumnUse.COMPARISON),
        ("CASE WHEN e.type = 'click' THEN 1 END", "type", ColumnUse.COMPARISON),
        ("CASE e.type WHEN 'click' THEN 1 END", "type", ColumnUse.COMPARISON),
        ("CAST(a.amount AS DECIMAL(12, 2))", "amount", ColumnUse.CAST),
        ("a.amount::numeric", "amount", ColumnUse.CAST),
        ("LOWER(TRIM(source.email))", "email", ColumnUse.STRING_FUNCTION),
        ("LOWER(source.email) LIKE '%@shop.example'", "email", ColumnUse.STRING_FUNCTION),
        ("MAX(p.created_at)", "created_at", ColumnUse.AGGREGATE),
        ("COUNT(DISTINCT o.order_id)", "order_id", ColumnUse.OTHER_FUNCTION),
        ("COALESCE(o.amount, 0)", "amount", ColumnUse.OTHER_FUNCTION),
        ("a.email || '@x'", "email", ColumnUse.OTHER_FUNCTION),  # converts any value
        ("GROUP BY u.country", "country", ColumnUse.OTHER_FUNCTION),
        (
            "ROW_NUMBER() OVER (PARTITION BY a.user_id ORDER BY a.day)",
            "day",
            ColumnUse.OTHER_FUNCTION,
        ),
        ("o.paid_at IS NULL", "paid_at", ColumnUse.OTHER_FUNCTION),
        # several uses: the most type-sensitive counts
        ("CASE WHEN a.x > 0 THEN a.x END", "x", ColumnUse.COMPARISON),
        ("COALESCE(a.x, 0) + a.x", "x", ColumnUse.ARITHMETIC),
        # not found, not parsed
        ("a.other", "x", ColumnUse.UNKNOWN),
        ("loaded by fivetran from app:shop.users", "email", ColumnUse.UNKNOWN),
    ],
)
def test_column_use(expression: str, column: str, use: ColumnUse) -> None:
    assert column_use(expression, column, "postgres") is use


def test_concatenation_is_a_string_function_where_it_only_takes_text() -> None:
    assert column_use("CONCAT(a.id, 'x')", "id", "bigquery") is ColumnUse.STRING_FUNCTION
    assert column_use("CONCAT(a.id, 'x')", "id", "postgres") is ColumnUse.OTHER_FUNCTION


BREAKS = ImpactSeverity.BREAKS
VALUES = ImpactSeverity.VALUES
A = ColumnUse


@pytest.mark.parametrize(
    ("old", "new", "use", "join_key", "reason"),
    [
        ("integer", "text", A.ARITHMETIC, False, "integer -> text is used in arithmetic"),
        ("integer", "text", A.COMPARISON, False, "integer -> text is compared"),
        ("integer", "text", A.PASS_THROUGH, True, "integer -> text is compared as a join key"),
        ("numeric", "text", A.AGGREGATE, False, "numeric -> text is aggregated"),
        ("text", "integer", A.STRING_FUNCTION, False, "text -> integer is passed to a string "
         "function"),
    ],
)  # fmt: skip
def test_a_family_change_breaks_type_sensitive_uses(
    old: str, new: str, use: ColumnUse, join_key: bool, reason: str
) -> None:
    assert type_change_severity(old, new, use, join_key, "postgres") == (BREAKS, reason)


@pytest.mark.parametrize(
    ("old", "new", "use", "join_key", "reason"),
    [
        # a string function on what becomes text keeps working
        ("integer", "text", A.STRING_FUNCTION, False, "integer -> text (family change) is "
         "passed to a string function"),
        ("integer", "text", A.PASS_THROUGH, False, "integer -> text (family change) passes "
         "through"),
        ("integer", "text", A.OTHER_FUNCTION, False, "integer -> text (family change) is "
         "passed to a function"),
        # not a family change: the values change, nothing fails
        ("integer", "bigint", A.ARITHMETIC, True, "integer -> bigint (widening) is compared "
         "as a join key"),
        ("bigint", "integer", A.COMPARISON, False, "bigint -> integer (narrowing) is compared"),
        ("integer", "numeric(12, 2)", A.ARITHMETIC, False, "integer -> numeric(12, 2) "
         "(widening) is used in arithmetic"),
        (None, "text", A.ARITHMETIC, False, "unknown type -> text (unknown) is used in "
         "arithmetic"),
    ],
)  # fmt: skip
def test_any_other_type_change_changes_values(
    old: str | None, new: str, use: ColumnUse, join_key: bool, reason: str
) -> None:
    assert type_change_severity(old, new, use, join_key, "postgres") == (VALUES, reason)


def test_a_family_change_behind_a_cast_is_unknown() -> None:
    severity, reason = type_change_severity("integer", "text", A.CAST, False, "postgres")
    assert severity is ImpactSeverity.UNKNOWN
    assert reason == "integer -> text is cast: the cast may not accept the new values"


def test_count_is_not_an_aggregate_that_breaks() -> None:
    use = column_use("COUNT(o.amount)", "amount", "postgres")
    assert type_change_severity("integer", "text", use, False, "postgres")[0] is VALUES
    use = column_use("SUM(o.amount)", "amount", "postgres")
    assert type_change_severity("integer", "text", use, False, "postgres")[0] is BREAKS
