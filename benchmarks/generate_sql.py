"""Generate a deterministic plain-SQL project for benchmarks.

The project is a chain of statements spread over files whose sorted path order is the
dependency order. It starts with ``create table raw_k.tbl_i (...)`` source schemas; every
following statement is a dbt-style ``create table layer.model_i as with ... select ...`` that
reads one to three earlier relations through two to four CTEs (pass-through, renames,
arithmetic, CASE, COALESCE, aggregates with GROUP BY, window functions, WHERE filters).

Example::

    python benchmarks/generate_sql.py /tmp/project --statements 1000 --columns 50 --seed 1
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Column name stems per type; names are made unique with a numeric suffix.
STEMS: dict[str, tuple[str, ...]] = {
    "integer": ("quantity", "units", "visits", "sessions", "items", "seats", "tickets", "clicks"),
    "numeric": ("amount", "revenue", "price", "cost", "discount", "tax", "margin", "balance"),
    "text": ("status", "country", "channel", "region", "segment", "plan", "currency", "source"),
    "timestamp": ("created_at", "updated_at", "signup_at", "paid_at", "shipped_at", "seen_at"),
    "date": ("order_date", "invoice_date", "start_date", "end_date", "renewal_date"),
    "boolean": ("is_active", "is_deleted", "is_paid", "is_trial", "has_discount", "is_internal"),
}
SQL_TYPES: dict[str, str] = {
    "integer": "integer",
    "numeric": "numeric(18, 2)",
    "text": "varchar(255)",
    "timestamp": "timestamp",
    "date": "date",
    "boolean": "boolean",
}
TEXT_VALUES = ("active", "pending", "closed", "web", "mobile", "partner", "emea", "apac", "us")
LAYERS = ("staging", "intermediate", "marts")
KEY = "id"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # a key of STEMS


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    columns: tuple[Column, ...]

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Statement:
    relation: Relation
    sql: str


@dataclass(frozen=True)
class Settings:
    statements: int = 1000
    columns: int = 50
    sources: int = 10
    per_file: int = 20
    seed: int = 1


@dataclass
class Names:
    """Hands out column names unique within one select list."""

    rng: random.Random
    used: set[str] = field(default_factory=set)

    def take(self, preferred: str | None, kind: str) -> str:
        if preferred is not None and preferred not in self.used:
            self.used.add(preferred)
            return preferred
        while True:
            name = f"{self.rng.choice(STEMS[kind])}_{self.rng.randrange(1, 1000)}"
            if name not in self.used:
                self.used.add(name)
                return name


@dataclass(frozen=True)
class Item:
    """One select-list entry: the SQL expression, its output column."""

    sql: str
    column: Column

    def render(self) -> str:
        bare = self.sql.rsplit(".", 1)[-1]
        return self.sql if bare == self.column.name else f"{self.sql} as {self.column.name}"


# ---------------------------------------------------------------- expressions by type


def _numeric_expr(rng: random.Random, ref: str, other: str | None) -> tuple[str, str]:
    options = [
        (f"round({ref} * 1.{rng.randrange(1, 99):02d}, 2)", "numeric"),
        (f"coalesce({ref}, 0)", "numeric"),
        (f"{ref} - coalesce({other or ref}, 0)", "numeric"),
        (f"{ref} / nullif({other or ref}, 0)", "numeric"),
        (f"abs({ref})", "numeric"),
    ]
    return rng.choice(options)


def _integer_expr(rng: random.Random, ref: str, other: str | None) -> tuple[str, str]:
    options = [
        (f"{ref} + {rng.randrange(1, 10)}", "integer"),
        (f"coalesce({ref}, 0)", "integer"),
        (f"{ref} * coalesce({other or ref}, 1)", "integer"),
        (f"greatest({ref}, 0)", "integer"),
    ]
    return rng.choice(options)


def _text_expr(rng: random.Random, ref: str, other: str | None) -> tuple[str, str]:
    first, second = rng.sample(TEXT_VALUES, 2)
    options = [
        (f"upper(trim({ref}))", "text"),
        (f"coalesce({ref}, 'unknown')", "text"),
        (f"lower({ref}) || '-' || coalesce({other or ref}, 'none')", "text"),
        (f"case when {ref} in ('{first}', '{second}') then 'primary' else 'other' end", "text"),
        (f"nullif(trim({ref}), '')", "text"),
    ]
    return rng.choice(options)


def _timestamp_expr(rng: random.Random, ref: str, other: str | None) -> tuple[str, str]:
    options = [
        (f"date_trunc('day', {ref})", "timestamp"),
        (f"cast({ref} as date)", "date"),
        (f"coalesce({ref}, {other or ref})", "timestamp"),
        (f"extract(year from {ref})", "integer"),
    ]
    return rng.choice(options)


def _date_expr(rng: random.Random, ref: str, other: str | None) -> tuple[str, str]:
    options = [
        (f"date_trunc('month', {ref})", "timestamp"),
        (f"coalesce({ref}, {other or ref})", "date"),
        (f"extract(month from {ref})", "integer"),
        (f"{ref} + interval '{rng.randrange(1, 30)} days'", "timestamp"),
    ]
    return rng.choice(options)


def _boolean_expr(rng: random.Random, ref: str, other: str | None) -> tuple[str, str]:
    options = [
        (f"case when {ref} then 1 else 0 end", "integer"),
        (f"coalesce({ref}, false)", "boolean"),
        (f"not coalesce({ref}, false)", "boolean"),
    ]
    return rng.choice(options)


def _case_expr(rng: random.Random, ref: str, kind: str) -> tuple[str, str]:
    if kind in ("numeric", "integer"):
        high, low = rng.randrange(100, 1000), rng.randrange(1, 100)
        return (
            f"case when {ref} >= {high} then 'high' when {ref} >= {low} then 'medium' "
            "else 'low' end",
            "text",
        )
    if kind == "boolean":
        return f"case when {ref} then 'yes' when not {ref} then 'no' else 'unknown' end", "text"
    if kind == "text":
        value = rng.choice(TEXT_VALUES)
        return f"case when {ref} = '{value}' then true else false end", "boolean"
    return f"case when {ref} is null then 'missing' else 'present' end", "text"


TRANSFORMS: dict[str, Callable[[random.Random, str, str | None], tuple[str, str]]] = {
    "numeric": _numeric_expr,
    "integer": _integer_expr,
    "text": _text_expr,
    "timestamp": _timestamp_expr,
    "date": _date_expr,
    "boolean": _boolean_expr,
}


def _filter(rng: random.Random, ref: str, kind: str) -> str:
    if kind in ("numeric", "integer"):
        return f"{ref} >= {rng.randrange(0, 5)}"
    if kind == "text":
        return f"{ref} <> '{rng.choice(TEXT_VALUES)}'"
    if kind == "boolean":
        return f"not coalesce({ref}, false)"
    return f"{ref} >= '20{rng.randrange(10, 24)}-01-01'"


# ---------------------------------------------------------------- statements


def source_statement(rng: random.Random, index: int, columns: int) -> Statement:
    """``create table raw_k.tbl_i (...)`` with a key and ``columns - 1`` typed columns."""
    names = Names(rng, {KEY})
    cols = [Column(KEY, "integer")]
    for _ in range(columns - 1):
        kind = rng.choice(tuple(STEMS))
        cols.append(Column(names.take(None, kind), kind))
    relation = Relation(f"raw_{index % 3}", f"tbl_{index}", tuple(cols))
    body = ",\n".join(f"    {c.name} {SQL_TYPES[c.kind]}" for c in cols)
    return Statement(relation, f"create table {relation.qualified_name} (\n{body}\n)")


def _pick_upstreams(
    rng: random.Random, earlier: Sequence[Relation], sources: int
) -> list[Relation]:
    count = min(len(earlier), rng.choices((1, 2, 3), weights=(2, 5, 3))[0])
    recent = earlier[max(sources, len(earlier) - 40) :] or earlier
    picked: list[Relation] = []
    while len(picked) < count:
        pool = earlier[:sources] if rng.random() < 0.15 else recent
        candidate = rng.choice(pool)
        if candidate not in picked:
            picked.append(candidate)
    return picked


def _source_cte(rng: random.Random, name: str, upstream: Relation) -> tuple[str, list[Column]]:
    """``name as (select ... from upstream where ...)``; returns SQL and output columns."""
    filter_cols = rng.sample(upstream.columns[1:], rng.choice((1, 2)))
    where = "\n      and ".join(_filter(rng, c.name, c.kind) for c in filter_cols)
    if rng.random() < 0.2:
        sql = f"{name} as (\n    select *\n    from {upstream.qualified_name}\n    where {where}\n)"
        return sql, list(upstream.columns)
    names = Names(rng, {KEY})
    items = [Item(KEY, Column(KEY, "integer"))]
    width = rng.randrange(28, 43)
    for col in rng.sample(upstream.columns[1:], min(width, len(upstream.columns) - 1)):
        if rng.random() < 0.7:
            items.append(Item(col.name, Column(names.take(col.name, col.kind), col.kind)))
        else:
            same = [c.name for c in upstream.columns[1:] if c.kind == col.kind and c != col]
            other = rng.choice(same) if same else None
            expr, kind = TRANSFORMS[col.kind](rng, col.name, other)
            items.append(Item(expr, Column(names.take(None, kind), kind)))
    select = ",\n        ".join(item.render() for item in items)
    sql = (
        f"{name} as (\n    select\n        {select}\n"
        f"    from {upstream.qualified_name}\n    where {where}\n)"
    )
    return sql, [item.column for item in items]


def _aggregate_cte(
    rng: random.Random, name: str, over: str, columns: list[Column]
) -> tuple[str, list[Column]]:
    """``name as (select id, count(*), sum(...), ... from over group by id)``."""
    names = Names(rng, {KEY})
    items = [
        Item(KEY, Column(KEY, "integer")),
        Item("count(*)", Column(names.take(None, "integer"), "integer")),
    ]
    candidates = [c for c in columns[1:] if c.kind in ("numeric", "integer", "timestamp", "text")]
    for col in rng.sample(candidates, min(len(candidates), rng.randrange(2, 6))):
        if col.kind == "text":
            expr, kind = f"count(distinct {col.name})", "integer"
        elif col.kind == "timestamp":
            expr, kind = f"max({col.name})", "timestamp"
        else:
            expr, kind = f"{rng.choice(('sum', 'avg', 'max'))}({col.name})", col.kind
        items.append(Item(expr, Column(names.take(None, kind), kind)))
    select = ",\n        ".join(item.render() for item in items)
    sql = f"{name} as (\n    select\n        {select}\n    from {over}\n    group by {KEY}\n)"
    return sql, [item.column for item in items]


def _window_item(rng: random.Random, names: Names, pool: list[tuple[str, Column]]) -> Item:
    alias, part = rng.choice(pool)
    order_alias, order = rng.choice(pool)
    if rng.random() < 0.5:
        expr = (
            f"row_number() over (partition by {alias}.{part.name} "
            f"order by {order_alias}.{order.name} desc)"
        )
        return Item(expr, Column(names.take(None, "integer"), "integer"))
    numeric = [(a, c) for a, c in pool if c.kind in ("numeric", "integer")] or pool
    num_alias, num = rng.choice(numeric)
    expr = f"sum({num_alias}.{num.name}) over (partition by {alias}.{part.name})"
    return Item(expr, Column(names.take(None, "numeric"), "numeric"))


def _final_item(rng: random.Random, names: Names, pool: list[tuple[str, Column]]) -> Item:
    alias, col = rng.choice(pool)
    ref = f"{alias}.{col.name}"
    roll = rng.random()
    if roll < 0.35:
        return Item(ref, Column(names.take(col.name, col.kind), col.kind))
    if roll < 0.5:
        return Item(ref, Column(names.take(None, col.kind), col.kind))
    if roll < 0.65:
        expr, kind = _case_expr(rng, ref, col.kind)
        return Item(expr, Column(names.take(None, kind), kind))
    same = [f"{a}.{c.name}" for a, c in pool if c.kind == col.kind and c is not col]
    other = rng.choice(same) if same else None
    if roll < 0.75 and other is not None:
        return Item(f"coalesce({ref}, {other})", Column(names.take(None, col.kind), col.kind))
    expr, kind = TRANSFORMS[col.kind](rng, ref, other)
    return Item(expr, Column(names.take(None, kind), kind))


def _final_select(
    rng: random.Random, ctes: list[tuple[str, list[Column]]], width: int
) -> tuple[str, list[Column]]:
    aliases = "abcd"
    pool = [(aliases[i], c) for i, (_, cols) in enumerate(ctes) for c in cols if c.name != KEY]
    names = Names(rng, {KEY})
    items = [Item(f"a.{KEY}", Column(KEY, "integer"))]
    windows = rng.choice((0, 0, 1, 2))
    while len(items) < width:
        if windows and rng.random() < 0.1:
            windows -= 1
            items.append(_window_item(rng, names, pool))
        else:
            items.append(_final_item(rng, names, pool))
    joins = [f"from {ctes[0][0]} as a"]
    for i, (name, _) in enumerate(ctes[1:], start=1):
        kind = "join" if i == 1 else "left join"
        joins.append(f"{kind} {name} as {aliases[i]} on a.{KEY} = {aliases[i]}.{KEY}")
    sql = "select\n    " + ",\n    ".join(item.render() for item in items) + "\n" + "\n".join(joins)
    if rng.random() < 0.5:
        alias, col = rng.choice(pool)
        sql += f"\nwhere {_filter(rng, f'{alias}.{col.name}', col.kind)}"
    return sql, [item.column for item in items]


def model_statement(
    rng: random.Random, index: int, layer: str, upstreams: list[Relation], columns: int
) -> Statement:
    """``create table layer.model_i as with ... select ...`` reading ``upstreams``."""
    ctes: list[tuple[str, list[Column]]] = []
    bodies: list[str] = []
    for upstream in upstreams:
        name = f"{upstream.name}_rows"
        body, cols = _source_cte(rng, name, upstream)
        bodies.append(body)
        ctes.append((name, cols))
    if len(upstreams) == 1 or rng.random() < 0.4:
        over_name, over_cols = rng.choice(ctes)
        name = f"{over_name.removesuffix('_rows')}_totals"
        body, cols = _aggregate_cte(rng, name, over_name, over_cols)
        bodies.append(body)
        ctes.append((name, cols))
    select, cols = _final_select(rng, ctes, columns)
    relation = Relation(layer, f"model_{index}", tuple(cols))
    header = f"-- {relation.name} ({layer}): reads " + ", ".join(
        u.qualified_name for u in upstreams
    )
    sql = (
        f"{header}\ncreate table {relation.qualified_name} as\nwith "
        + ",\n".join(bodies)
        + "\n"
        + select
    )
    return Statement(relation, sql)


def generate(settings: Settings) -> list[Statement]:
    """All statements of the project, in dependency order."""
    rng = random.Random(settings.seed)
    sources = min(settings.sources, settings.statements)
    statements = [source_statement(rng, i, settings.columns) for i in range(sources)]
    relations = [s.relation for s in statements]
    models = settings.statements - sources
    for i in range(models):
        layer = LAYERS[min(len(LAYERS) - 1, i * len(LAYERS) // max(models, 1))]
        upstreams = _pick_upstreams(rng, relations, sources)
        statement = model_statement(rng, sources + i, layer, upstreams, settings.columns)
        statements.append(statement)
        relations.append(statement.relation)
    return statements


def _layer_of(chunk: Sequence[Statement]) -> str:
    schema = chunk[-1].relation.schema
    return "raw" if schema.startswith("raw_") else schema


def write_project(
    statements: Sequence[Statement], out_dir: Path, per_file: int, dialect: str = "postgres"
) -> list[Path]:
    """Write ``per_file`` statements per file; sorted path order is dependency order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for number, start in enumerate(range(0, len(statements), per_file)):
        chunk = statements[start : start + per_file]
        path = out_dir / f"{number:04d}_{_layer_of(chunk)}.sql"
        texts = [_in_dialect(s.sql, dialect) for s in chunk]
        path.write_text(";\n\n".join(texts) + ";\n", encoding="utf-8")
        paths.append(path)
    return paths


def _in_dialect(sql: str, dialect: str) -> str:
    if dialect == "postgres":
        return sql
    import sqlglot  # only needed to transpile out of the postgres the generator writes

    return sqlglot.transpile(sql, read="postgres", write=dialect, pretty=True)[0]


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--per-file", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dialect", default="postgres", help="transpiled with sqlglot if not postgres"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse_args(argv)
    settings = Settings(args.statements, args.columns, args.sources, args.per_file, args.seed)
    statements = generate(settings)
    paths = write_project(statements, args.out_dir, settings.per_file, args.dialect)
    size = sum(p.stat().st_size for p in paths)
    print(
        f"wrote {len(statements)} statements in {len(paths)} files to {args.out_dir} "
        f"({size / len(statements) / 1024:.1f} KB per statement)"
    )


if __name__ == "__main__":
    main()
