"""dbt_utils macros for projects that call them without the package installed, written from
the package's documented behaviour. An installed dbt_utils always wins over these.

When the columns of a relation are unknown, macros that need them (`star`, `union_relations`,
`unpivot`) say so in a diagnostic and render `*` (or typed nulls), so that the SQL stage
reports an unexpanded star instead of inventing columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from lineage.render import crossdb
from lineage.render.relations import Column


class Session(Protocol):
    adapter_type: str
    execute: bool

    def columns_of(self, relation: Any, macro: str) -> list[Column] | None: ...

    def warn(self, message: str) -> None: ...

    def quote(self, name: str) -> str: ...


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def star(
    s: Session,
    from_: Any = None,
    relation_alias: Any = False,
    except_: Sequence[str] = (),
    prefix: str = "",
    suffix: str = "",
    quote_identifiers: bool = True,
    **kwargs: Any,
) -> str:
    relation = kwargs.pop("from", from_)
    excluded = {str(e).lower() for e in _as_list(kwargs.pop("except", except_))}
    if not s.execute:
        return "*"
    columns = s.columns_of(relation, "dbt_utils.star")
    if columns is None:
        return f"{relation_alias}.*" if relation_alias else "*"
    return ",\n  ".join(
        _star_column(s, c.column, relation_alias, prefix, suffix, quote_identifiers)
        for c in columns
        if c.column.lower() not in excluded
    )


def _star_column(s: Session, name: str, alias: Any, prefix: str, suffix: str, quoted: bool) -> str:
    qualifier = f"{alias}." if alias else ""
    text = f"{qualifier}{s.quote(name) if quoted else name}"
    if prefix or suffix:
        new_name = f"{prefix}{name}{suffix}"
        text += f" as {s.quote(new_name) if quoted else new_name}"
    return text


def generate_surrogate_key(s: Session, field_list: Sequence[Any]) -> str:
    string = crossdb.type_name(s.adapter_type, "string")
    parts: list[str] = []
    for field in _as_list(field_list):
        if parts:
            parts.append("'-'")
        parts.append(f"coalesce(cast({field} as {string}), '_dbt_utils_surrogate_key_null_')")
    return crossdb.hash(s, crossdb.concat(s, parts))


def surrogate_key(s: Session, *fields: Any) -> str:
    """The pre-1.0 surrogate key: nulls become empty strings."""
    field_list = list(fields[0]) if len(fields) == 1 and not isinstance(fields[0], str) else fields
    string = crossdb.type_name(s.adapter_type, "string")
    parts: list[str] = []
    for field in field_list:
        if parts:
            parts.append("'-'")
        parts.append(f"coalesce(cast({field} as {string}), '')")
    return crossdb.hash(s, crossdb.concat(s, parts))


def safe_add(s: Session, field_list: Any, *more: Any) -> str:
    fields = _as_list(field_list) + list(more)
    return " +\n".join(f"coalesce({f}, 0)" for f in fields)


def safe_subtract(s: Session, field_list: Any) -> str:
    return " -\n".join(f"coalesce({f}, 0)" for f in _as_list(field_list))


def safe_divide(s: Session, numerator: Any, denominator: Any) -> str:
    return f"( {numerator} ) / nullif( ( {denominator} ), 0)"


def group_by(s: Session, n: int) -> str:
    return "group by " + ",".join(str(i) for i in range(1, int(n) + 1))


def get_column_values(s: Session, table: Any, column: Any, *args: Any, **kwargs: Any) -> Any:
    default = kwargs.get("default", args[3] if len(args) > 3 else None)
    if s.execute:
        s.warn(
            f"dbt_utils.get_column_values({column}) queries the warehouse; "
            "its values are empty here"
        )
    return [] if default is None else default


def get_filtered_columns_in_relation(
    s: Session, from_: Any = None, except_: Any = (), **kw: Any
) -> Any:
    relation = kw.get("from", from_)
    excluded = {str(e).lower() for e in _as_list(kw.get("except", except_))}
    columns = s.columns_of(relation, "dbt_utils.get_filtered_columns_in_relation") or []
    return [c.column for c in columns if c.column.lower() not in excluded]


def union_relations(
    s: Session,
    relations: Sequence[Any],
    column_override: dict[str, str] | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    source_column_name: str = "_dbt_source_relation",
    where: str | None = None,
) -> str:
    known = {str(r): s.columns_of(r, "dbt_utils.union_relations") for r in relations}
    string = crossdb.type_name(s.adapter_type, "string")
    if any(cols is None for cols in known.values()):
        selects = [
            f"select\n  cast('{r}' as {string}) as {s.quote(source_column_name)},\n  *\nfrom {r}"
            for r in relations
        ]
        return _union(selects, where)
    superset = _column_superset(known, include, exclude)
    override = column_override or {}
    selects = [
        _union_select(s, r, known[str(r)] or [], superset, override, source_column_name, string)
        for r in relations
    ]
    return _union(selects, where)


def _union(selects: list[str], where: str | None) -> str:
    suffix = f"\nwhere {where}" if where else ""
    return "\n\nunion all\n\n".join(f"({select}{suffix})" for select in selects)


def _column_superset(
    known: dict[str, list[Column] | None], include: Sequence[str], exclude: Sequence[str]
) -> dict[str, Column]:
    included = {i.lower() for i in include}
    excluded = {e.lower() for e in exclude}
    superset: dict[str, Column] = {}
    for columns in known.values():
        for column in columns or []:
            key = column.column.lower()
            if (included and key not in included) or key in excluded:
                continue
            superset.setdefault(key, column)
    return superset


def _union_select(
    s: Session,
    relation: Any,
    columns: list[Column],
    superset: dict[str, Column],
    override: dict[str, str],
    source_column_name: str,
    string: str,
) -> str:
    present = {c.column.lower() for c in columns}
    lines = [f"cast('{relation}' as {string}) as {s.quote(source_column_name)}"]
    for key, column in superset.items():
        value = s.quote(column.column) if key in present else "null"
        data_type = override.get(column.column, column.data_type)
        lines.append(f"cast({value} as {data_type}) as {s.quote(column.column)}")
    return "select\n  " + ",\n  ".join(lines) + f"\nfrom {relation}"


def date_spine(s: Session, datepart: str, start_date: Any, end_date: Any) -> str:
    bits = 12  # up to 4096 periods: the rows do not matter for lineage, the column does
    series = " cross join ".join(f"(select 0 as b union all select 1) as p{i}" for i in range(bits))
    number = " + ".join(f"p{i}.b * {2**i}" for i in range(bits))
    column = f"date_{datepart}"
    period = crossdb.dateadd(s, datepart, "generated_number", start_date)
    return (
        f"with rawdata as (\n  select {number} as generated_number\n  from {series}\n),\n"
        f"all_periods as (\n  select ({period}) as {column}\n  from rawdata\n),\n"
        f"filtered as (\n  select *\n  from all_periods\n  where {column} <= {end_date}\n)\n"
        f"select {column} from filtered"
    )


def pivot(
    s: Session,
    column: Any,
    values: Sequence[Any],
    alias: bool = True,
    agg: str = "sum",
    cmp: str = "=",
    prefix: str = "",
    suffix: str = "",
    then_value: Any = 1,
    else_value: Any = 0,
    quote_identifiers: bool = True,
    distinct: bool = False,
) -> str:
    parts = []
    for value in values:
        literal = crossdb.escape_single_quotes(s, value)
        case = f"case when {column} {cmp} '{literal}' then {then_value} else {else_value} end"
        text = f"{agg}({'distinct ' if distinct else ''}{case})"
        if alias:
            name = f"{prefix}{value}{suffix}"
            text += f" as {s.quote(name) if quote_identifiers else name}"
        parts.append(text)
    return ",\n  ".join(parts)


def unpivot(
    s: Session,
    relation: Any = None,
    cast_to: str = "varchar",
    exclude: Sequence[str] | None = None,
    remove: Sequence[str] | None = None,
    field_name: str = "field_name",
    value_name: str = "value",
    quote_identifiers: bool = False,
    **kwargs: Any,
) -> str:
    relation = kwargs.get("table", relation)
    kept = list(exclude or [])
    dropped = {c.lower() for c in [*kept, *(remove or [])]}
    string = crossdb.type_name(s.adapter_type, "string")
    kept_sql = "".join(f"{c},\n  " for c in kept)
    columns = s.columns_of(relation, "dbt_utils.unpivot")
    if not columns:
        return (
            f"select\n  {kept_sql}cast(null as {string}) as {field_name},\n"
            f"  cast(null as {cast_to}) as {value_name}\nfrom {relation}"
        )
    selects = []
    for column in columns:
        if column.column.lower() in dropped:
            continue
        name = s.quote(column.column) if quote_identifiers else column.column
        selects.append(
            f"select\n  {kept_sql}cast('{column.column}' as {string}) as {field_name},\n"
            f"  cast({name} as {cast_to}) as {value_name}\nfrom {relation}"
        )
    return "\n\nunion all\n\n".join(selects)


def deduplicate(s: Session, relation: Any, partition_by: str, order_by: str) -> str:
    window = f"row_number() over (partition by {partition_by} order by {order_by})"
    if s.adapter_type in ("snowflake", "bigquery", "duckdb", "databricks", "spark"):
        return f"select *\nfrom {relation}\nwhere true\nqualify {window} = 1"
    if s.adapter_type == "postgres":
        return (
            f"select distinct on ({partition_by}) *\nfrom {relation}\n"
            f"order by {partition_by}, {order_by}"
        )
    return (
        f"with row_numbered as (\n  select _inner.*, {window} as rn\n"
        f"  from {relation} as _inner\n)\n"
        f"select distinct data.*\nfrom {relation} as data\nnatural join row_numbered\n"
        f"where row_numbered.rn = 1"
    )


def _star_entry(s: Session, *args: Any, **kwargs: Any) -> str:
    if args:
        kwargs["from"] = args[0]
        names = ("relation_alias", "except", "prefix", "suffix", "quote_identifiers")
        kwargs.update(zip(names, args[1:], strict=False))
    return star(s, **kwargs)


DBT_UTILS: dict[str, Callable[..., Any]] = {
    "star": _star_entry,
    "generate_surrogate_key": generate_surrogate_key,
    "surrogate_key": surrogate_key,
    "safe_add": safe_add,
    "safe_subtract": safe_subtract,
    "safe_divide": safe_divide,
    "group_by": group_by,
    "get_column_values": get_column_values,
    "get_filtered_columns_in_relation": get_filtered_columns_in_relation,
    "union_relations": union_relations,
    "date_spine": date_spine,
    "pivot": pivot,
    "unpivot": unpivot,
    "deduplicate": deduplicate,
}
