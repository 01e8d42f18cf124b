"""dbt's cross-database macros (`dbt.dateadd`, `dbt.type_string`, ...), written from their
documented behaviour for each adapter. They are the `dbt` namespace's built-ins: a project or
package implementation found by `adapter.dispatch` always wins over these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol


class Adapted(Protocol):
    adapter_type: str


_TYPES: dict[str, dict[str, str]] = {
    "string": {"default": "text", "snowflake": "varchar", "redshift": "varchar",
               "bigquery": "string", "databricks": "string", "spark": "string",
               "trino": "varchar", "sqlserver": "varchar(8000)", "mysql": "char",
               "clickhouse": "String"},
    "int": {"default": "integer", "bigquery": "int64", "clickhouse": "Int32", "sqlserver": "int",
            "databricks": "int", "spark": "int"},
    "bigint": {"default": "bigint", "bigquery": "int64", "clickhouse": "Int64"},
    "float": {"default": "float", "bigquery": "float64", "clickhouse": "Float64",
              "trino": "double", "databricks": "double", "spark": "double"},
    "numeric": {"default": "numeric(28,6)", "bigquery": "numeric", "clickhouse": "Decimal(28,6)",
                "databricks": "decimal(28,6)", "spark": "decimal(28,6)", "trino": "decimal(28,6)",
                "mysql": "decimal(28,6)"},
    "timestamp": {"default": "timestamp", "sqlserver": "datetime2", "clickhouse": "DateTime",
                  "mysql": "datetime"},
    "boolean": {"default": "boolean", "bigquery": "bool", "sqlserver": "bit",
                "clickhouse": "Bool"},
}  # fmt: skip


def _pick(table: dict[str, Any], adapter: str) -> Any:
    return table.get(adapter, table["default"])


def type_name(adapter: str, kind: str) -> str:
    return str(_pick(_TYPES[kind], adapter))


def _type_macro(kind: str) -> Callable[[Adapted], str]:
    def macro(s: Adapted) -> str:
        return type_name(s.adapter_type, kind)

    macro.__name__ = f"type_{kind}"
    return macro


_POSTGRES_LIKE = ("postgres", "redshift", "duckdb")


def dateadd(s: Adapted, datepart: str, interval: Any, from_date_or_timestamp: Any) -> str:
    a, part, value, start = s.adapter_type, datepart, interval, from_date_or_timestamp
    if a in ("postgres", "duckdb"):
        return f"{start} + ((interval '1 {part}') * ({value}))"
    if a == "bigquery":
        return f"datetime_add(cast({start} as datetime), interval ({value}) {part})"
    if a == "trino":
        return f"date_add('{part}', {value}, {start})"
    if a == "mysql":
        return f"date_add({start}, interval ({value}) {part})"
    return f"dateadd({part}, {value}, {start})"


def datediff(s: Adapted, first_date: Any, second_date: Any, datepart: str) -> str:
    a, one, two, part = s.adapter_type, first_date, second_date, datepart
    if a == "postgres":
        return _postgres_datediff(one, two, part.lower())
    if a in ("duckdb", "trino"):
        return f"date_diff('{part}', {one}, {two})"
    if a == "bigquery":
        return f"datetime_diff(cast({two} as datetime), cast({one} as datetime), {part})"
    if a == "clickhouse":
        return f"dateDiff('{part}', {one}, {two})"
    if a == "mysql":
        return f"timestampdiff({part}, {one}, {two})"
    return f"datediff({part}, {one}, {two})"


def _postgres_datediff(one: Any, two: Any, part: str) -> str:
    days = f"(({two})::date - ({one})::date)"
    years = f"(date_part('year', ({two})::date) - date_part('year', ({one})::date))"
    months = (
        f"({years} * 12 + date_part('month', ({two})::date) - date_part('month', ({one})::date))"
    )
    seconds = f"date_part('epoch', ({two})::timestamp - ({one})::timestamp)"
    by_part = {
        "day": days, "week": f"({days} / 7)", "month": months, "quarter": f"({months} / 3)",
        "year": years, "hour": f"({seconds} / 3600)", "minute": f"({seconds} / 60)",
        "second": seconds,
    }  # fmt: skip
    return by_part.get(part, days)


def date_trunc(s: Adapted, datepart: str, date: Any) -> str:
    if s.adapter_type == "bigquery":
        return f"timestamp_trunc(cast({date} as timestamp), {datepart})"
    if s.adapter_type == "sqlserver":
        return f"datetrunc({datepart}, {date})"
    return f"date_trunc('{datepart}', {date})"


def last_day(s: Adapted, date: Any, datepart: str) -> str:
    start = date_trunc(s, datepart, date)
    return f"cast({dateadd(s, 'day', '-1', dateadd(s, datepart, '1', start))} as date)"


def concat(s: Adapted, fields: Sequence[Any]) -> str:
    if s.adapter_type == "redshift":
        return " || ".join(str(f) for f in fields)
    return f"concat({', '.join(str(f) for f in fields)})"


def safe_cast(s: Adapted, field: Any, type: str) -> str:
    a = s.adapter_type
    if a == "bigquery":
        return f"safe_cast({field} as {type})"
    if a in ("snowflake", "duckdb", "databricks", "spark", "trino", "sqlserver"):
        return f"try_cast({field} as {type})"
    return f"cast({field} as {type})"


def cast(s: Adapted, field: Any, type: str) -> str:
    return f"cast({field} as {type})"


def hash(s: Adapted, field: Any) -> str:
    text = f"cast({field} as {type_name(s.adapter_type, 'string')})"
    if s.adapter_type == "bigquery":
        return f"to_hex(md5({text}))"
    if s.adapter_type == "sqlserver":
        return f"lower(convert(varchar(32), hashbytes('md5', coalesce({text}, '')), 2))"
    return f"md5({text})"


def split_part(s: Adapted, string_text: Any, delimiter_text: Any, part_number: Any) -> str:
    if s.adapter_type == "bigquery":
        return f"split({string_text}, {delimiter_text})[safe_offset({part_number} - 1)]"
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def listagg(
    s: Adapted,
    measure: Any,
    delimiter_text: str = "','",
    order_by_clause: str | None = None,
    limit_num: int | None = None,
) -> str:
    a, order = s.adapter_type, f" {order_by_clause}" if order_by_clause else ""
    if a in ("postgres", "duckdb"):
        return f"string_agg({measure}, {delimiter_text}{order})"
    if a == "bigquery":
        limit = f" limit {limit_num}" if limit_num else ""
        return f"string_agg({measure}, {delimiter_text}{order}{limit})"
    if a in ("databricks", "spark"):
        return f"array_join(collect_list({measure}), {delimiter_text})"
    if a == "sqlserver":
        group = f" within group ({order_by_clause})" if order_by_clause else ""
        return f"string_agg({measure}, {delimiter_text}){group}"
    group = f" within group ({order_by_clause})" if order_by_clause else ""
    return f"listagg({measure}, {delimiter_text}){group}"


def any_value(s: Adapted, expression: Any) -> str:
    if s.adapter_type in ("postgres", "sqlserver"):
        return f"min({expression})"
    if s.adapter_type == "trino":
        return f"arbitrary({expression})"
    return f"any_value({expression})"


def bool_or(s: Adapted, expression: Any) -> str:
    if s.adapter_type == "snowflake":
        return f"boolor_agg({expression})"
    if s.adapter_type == "bigquery":
        return f"logical_or({expression})"
    if s.adapter_type == "sqlserver":
        return f"max(cast({expression} as int))"
    return f"bool_or({expression})"


def position(s: Adapted, substring_text: Any, string_text: Any) -> str:
    if s.adapter_type == "bigquery":
        return f"strpos({string_text}, {substring_text})"
    if s.adapter_type == "sqlserver":
        return f"charindex({substring_text}, {string_text})"
    if s.adapter_type in ("databricks", "spark"):
        return f"locate({substring_text}, {string_text})"
    return f"position({substring_text} in {string_text})"


def replace(s: Adapted, field: Any, old_chars: Any, new_chars: Any) -> str:
    return f"replace({field}, {old_chars}, {new_chars})"


def right(s: Adapted, string_text: Any, length_expression: Any) -> str:
    if s.adapter_type in ("bigquery", "trino"):
        return (
            f"case when {length_expression} = 0 then '' "
            f"else substr({string_text}, -1 * ({length_expression})) end"
        )
    return f"right({string_text}, {length_expression})"


def length(s: Adapted, expression: Any) -> str:
    return f"len({expression})" if s.adapter_type == "sqlserver" else f"length({expression})"


def escape_single_quotes(s: Adapted, expression: Any) -> str:
    if s.adapter_type in ("bigquery", "databricks", "spark"):
        return str(expression).replace("'", "\\'")
    return str(expression).replace("'", "''")


def string_literal(s: Adapted, value: Any) -> str:
    return f"'{escape_single_quotes(s, value)}'"


def cast_bool_to_text(s: Adapted, field: Any) -> str:
    return f"cast({field} as {type_name(s.adapter_type, 'string')})"


def current_timestamp(s: Adapted) -> str:
    if s.adapter_type in ("bigquery", "snowflake"):
        return "current_timestamp()"
    return "now()" if s.adapter_type == "postgres" else "current_timestamp"


def except_(s: Adapted) -> str:
    return "except distinct" if s.adapter_type == "bigquery" else "except"


def intersect(s: Adapted) -> str:
    return "intersect distinct" if s.adapter_type == "bigquery" else "intersect"


CROSS_DATABASE: dict[str, Callable[..., Any]] = {
    "dateadd": dateadd, "datediff": datediff, "date_trunc": date_trunc, "last_day": last_day,
    "concat": concat, "safe_cast": safe_cast, "cast": cast, "hash": hash,
    "split_part": split_part, "listagg": listagg, "any_value": any_value, "bool_or": bool_or,
    "position": position, "replace": replace, "right": right, "length": length,
    "escape_single_quotes": escape_single_quotes, "string_literal": string_literal,
    "cast_bool_to_text": cast_bool_to_text, "current_timestamp": current_timestamp,
    "except": except_, "intersect": intersect,
    **{f"type_{kind}": _type_macro(kind) for kind in _TYPES},
}  # fmt: skip

#: Cross-database macros dbt_utils offered before they moved to dbt (dbt_utils < 1.0).
DBT_UTILS_LEGACY = (
    "dateadd", "datediff", "date_trunc", "last_day", "concat", "safe_cast", "hash",
    "split_part", "listagg", "any_value", "bool_or", "position", "replace", "right", "length",
    "escape_single_quotes", "string_literal", "cast_bool_to_text", "current_timestamp",
    "except", "intersect", "type_string", "type_int", "type_bigint", "type_float",
    "type_numeric", "type_timestamp",
)  # fmt: skip
