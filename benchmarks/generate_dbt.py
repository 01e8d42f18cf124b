"""Generate a deterministic dbt project for benchmarks (no dbt needed to read it).

The project imitates ``fixtures/shop`` at scale: ``dbt_project.yml`` with folder configs
(``+materialized``, ``+schema``, ``+tags``), ``vars`` and a dispatch order; 10-20 source tables
in 2-4 source systems with 20-60 typed columns each (``_<system>__sources.yml``); one staging
model per source table (renames, casts, ``{{ cents_to_dollars() }}`` on integer cents,
``{{ source() }}``); then intermediate and marts models that ``{{ ref() }}`` one to three earlier
models through ``select *`` import CTEs and

* join 2-3 of them on ``account_id`` (passthrough, renames, arithmetic, ``CASE``, ``COALESCE``,
  ``{{ var('x', default) }}`` thresholds, the project macro ``safe_divide``),
* enrich one (the same, without joins),
* aggregate (``GROUP BY`` with ``count``/``sum``/``avg``/``min``/``max``),
* or select ``{{ dbt_utils.star(ref('x'), except=[...]) }}`` plus a few expressions,

window functions in a ``final`` CTE of about half of them, ``{{
dbt_utils.generate_surrogate_key([...]) }}`` keys in some (dbt_utils is listed in
``packages.yml`` but not installed, as in the shop), a few ephemeral and incremental models
(``{% if is_incremental() %}``), and model YAML with column descriptions for about 40% of the
models. Models have 20-60 columns, 5% have 100-200.

``bench_manifest.json`` at the root (not read by dbt or lineage) lists every model's expected
output columns, so a benchmark can check what the build made of them.

Example::

    python benchmarks/generate_dbt.py /tmp/dbt_project --models 1000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generate_sql import (
    SQL_TYPES,
    STEMS,
    Column,
    Item,
    Names,
    _case_expr,
    _filter,
    _final_item,
)

PROJECT = "bench"
KEY = "account_id"  # every relation carries it; joins and aggregates use it
SYSTEMS = ("app", "billing", "crm", "support")
TABLES = (
    "users", "accounts", "orders", "order_items", "payments", "invoices", "subscriptions",
    "plans", "products", "events", "sessions", "tickets", "contacts", "companies", "deals",
    "refunds", "coupons", "shipments", "addresses", "campaigns",
)  # fmt: skip
DOMAINS = ("core", "finance", "marketing", "product", "operations")
NOUNS = (
    "orders", "customers", "revenue", "sessions", "payments", "accounts", "subscriptions",
    "tickets", "usage", "pipeline", "churn", "cohorts", "invoices", "campaigns", "engagement",
)  # fmt: skip
#: Project-level vars (dbt_project.yml); models also use vars that only have a default.
PROJECT_VARS = {"start_date": "2020-01-01", "high_value_threshold": 500}
KIND_WORDS = {
    "integer": "A count",
    "numeric": "An amount in currency units",
    "text": "A label",
    "timestamp": "When it happened (UTC)",
    "date": "A calendar date",
    "boolean": "A flag",
}
MACROS = {
    "cents_to_dollars.sql": """\
{#- Money is stored as integer cents in the sources; analytics works in currency units. -#}
{% macro cents_to_dollars(column_name, scale=2) -%}
    {{ return(adapter.dispatch('cents_to_dollars', 'bench')(column_name, scale)) }}
{%- endmacro %}

{% macro default__cents_to_dollars(column_name, scale) -%}
    cast(({{ column_name }}) / 100.0 as numeric(16, {{ scale }}))
{%- endmacro %}

{% macro snowflake__cents_to_dollars(column_name, scale) -%}
    cast(({{ column_name }}) / 100 as number(16, {{ scale }}))
{%- endmacro %}

{% macro bigquery__cents_to_dollars(column_name, scale) -%}
    round(cast(({{ column_name }}) as numeric) / 100, {{ scale }})
{%- endmacro %}
""",
    "safe_divide.sql": """\
{#- A ratio that is null instead of an error when the denominator is zero. -#}
{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
""",
    "normalize_text.sql": """\
{#- Trimmed, lower-cased text; empty strings become null. -#}
{% macro normalize_text(column_name) -%}
    nullif(lower(trim({{ column_name }})), '')
{%- endmacro %}
""",
    "generate_schema_name.sql": """\
{#- Production builds into the configured schema; other targets prefix it. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set default_schema = target.schema -%}
    {%- if custom_schema_name is none -%}
        {{ default_schema }}
    {%- elif target.name == 'prod' -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ default_schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
""",
}


@dataclass(frozen=True)
class Settings:
    models: int = 1000
    seed: int = 1
    sources: int | None = None  # default: models // 50, clamped to 10-20


@dataclass(frozen=True)
class SourceTable:
    system: str
    name: str
    columns: tuple[Column, ...]  # raw columns; money as integer ``*_cents``


@dataclass
class Model:
    name: str
    folder: str  # under models/
    layer: str
    columns: tuple[Column, ...]
    key: str
    sql: str
    kind: str  # staging, join, enrich, aggregate, star
    materialized: str | None = None  # set in the model's config() block
    refs: tuple[str, ...] = ()
    description: str = ""


@dataclass
class Generated:
    settings: Settings
    sources: list[SourceTable] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)


# ---------------------------------------------------------------- sources and staging


def source_table(rng: random.Random, index: int) -> SourceTable:
    names = Names(rng, {"id", KEY, "_loaded_at"})
    cols = [Column("id", "integer"), Column(KEY, "integer")]
    for _ in range(rng.randrange(20, 61) - 3):
        kind = rng.choice(tuple(STEMS))
        if kind == "numeric" and rng.random() < 0.4:
            stem = names.take(rng.choice(STEMS["numeric"]), "numeric")
            cols.append(Column(f"{stem}_cents", "integer"))
        else:
            cols.append(Column(names.take(rng.choice(STEMS[kind]), kind), kind))
    cols.append(Column("_loaded_at", "timestamp"))
    return SourceTable(SYSTEMS[index % 4], TABLES[index % len(TABLES)], tuple(cols))


def staging_model(rng: random.Random, table: SourceTable) -> Model:
    name = f"stg_{table.system}__{table.name}"
    entity = table.name.removesuffix("s")
    key = f"{entity}_id"
    names = Names(rng, {key, KEY, "loaded_at"})
    items = [Item("id", Column(key, "integer"))]
    if key != KEY:  # the accounts table's own id is the account id
        items.append(Item(KEY, Column(KEY, "integer")))
    for col in table.columns[2:-1]:
        roll = rng.random()
        if col.name.endswith("_cents"):
            out = names.take(col.name.removesuffix("_cents"), "numeric")
            items.append(Item(f"{{{{ cents_to_dollars('{col.name}') }}}}", Column(out, "numeric")))
        elif col.kind == "text" and roll < 0.3:
            out = names.take(col.name, "text")
            items.append(Item(f"{{{{ normalize_text('{col.name}') }}}}", Column(out, "text")))
        elif col.kind == "text" and roll < 0.5:
            out = names.take(f"{entity}_{col.name}", "text")
            items.append(Item(col.name, Column(out, "text")))
        elif col.kind == "boolean" and roll < 0.5:
            out = names.take(col.name, "boolean")
            items.append(Item(f"coalesce({col.name}, false)", Column(out, "boolean")))
        elif col.kind in ("timestamp", "date", "numeric") and roll < 0.3:
            out = names.take(col.name, col.kind)
            items.append(Item(f"cast({col.name} as {SQL_TYPES[col.kind]})", Column(out, col.kind)))
        else:
            items.append(Item(col.name, Column(names.take(col.name, col.kind), col.kind)))
    items.append(Item("_loaded_at", Column("loaded_at", "timestamp")))
    incremental = rng.random() < 0.15
    head = (
        f"{{{{\n    config(\n        materialized='incremental',\n        unique_key='{key}',\n"
        "    )\n}}\n\n"
        if incremental
        else ""
    )
    newer = (
        "\n\n    {% if is_incremental() %}\n    -- Only rows loaded since the last run.\n"
        "    where _loaded_at > (select max(loaded_at) from {{ this }})\n    {% endif %}"
        if incremental
        else ""
    )
    where = (
        '\n\n    where _loaded_at >= cast(\'{{ var("start_date", "2019-01-01") }}\' as timestamp)'
        if rng.random() < 0.4
        else ""
    )
    select = ",\n        ".join(item.render() for item in items)
    sql = (
        f"{head}with\n\nsource as (\n\n"
        f"    select * from {{{{ source('{table.system}', '{table.name}') }}}}{newer}\n\n),\n\n"
        f"renamed as (\n\n    select\n        {select}\n\n    from source{where}\n\n)\n\n"
        "select * from renamed\n"
    )
    return Model(
        name, f"staging/{table.system}", "staging", tuple(i.column for i in items), key, sql,
        "staging", "incremental" if incremental else None, (),
        f"The {table.system} `{table.name}` table, renamed and cast, money in currency units.",
    )  # fmt: skip


# ---------------------------------------------------------------- intermediate and marts


def _width(rng: random.Random) -> int:
    return rng.randrange(100, 201) if rng.random() < 0.05 else rng.randrange(20, 61)


def _pick_refs(
    rng: random.Random, eligible: Sequence[Model], staging: int, count: int
) -> list[Model]:
    count = min(count, len(eligible))
    recent = eligible[max(staging, len(eligible) - 60) :] or eligible
    picked: list[Model] = []
    while len(picked) < count:
        pool = eligible[:staging] if rng.random() < 0.25 else recent
        candidate = rng.choice(pool)
        if candidate not in picked:
            picked.append(candidate)
    return picked


def _import_ctes(refs: Sequence[Model]) -> list[str]:
    return [f"{r.name} as (\n\n    select * from {{{{ ref('{r.name}') }}}}\n\n)" for r in refs]


def _model_item(rng: random.Random, names: Names, pool: list[tuple[str, Column]]) -> Item:
    """A select-list entry: usually ``generate_sql``'s mix, sometimes a var or a macro."""
    roll = rng.random()
    numeric = [(a, c) for a, c in pool if c.kind in ("numeric", "integer")]
    if roll < 0.06 and numeric:
        alias, col = rng.choice(numeric)
        var = rng.choice(("high_value_threshold", "large_quantity"))
        expr = (
            f"case when {alias}.{col.name} >= {{{{ var('{var}', {rng.randrange(10, 1000)}) }}}} "
            "then true else false end"
        )
        return Item(expr, Column(names.take(f"is_high_{col.name}", "boolean"), "boolean"))
    if roll < 0.11 and len(numeric) > 1:
        (a1, c1), (a2, c2) = rng.sample(numeric, 2)
        expr = f"{{{{ safe_divide('{a1}.{c1.name}', '{a2}.{c2.name}') }}}}"
        return Item(expr, Column(names.take(f"{c1.name}_per_{c2.name}", "numeric"), "numeric"))
    return _final_item(rng, names, pool)


def _timestamp_of(model: Model) -> Column | None:
    return next((c for c in model.columns if c.kind == "timestamp"), None)


def _window_items(rng: random.Random, names: Names, columns: Sequence[Column]) -> list[Item]:
    items = []
    stamps = [c for c in columns if c.kind in ("timestamp", "date")]
    numbers = [c for c in columns if c.kind in ("numeric", "integer") and c.name != KEY]
    for _ in range(rng.randrange(1, 4)):
        if stamps and (rng.random() < 0.5 or not numbers):
            order = rng.choice(stamps)
            expr = (
                f"row_number() over (\n            partition by {KEY}\n"
                f"            order by {order.name} desc\n        )"
            )
            items.append(Item(expr, Column(names.take(None, "integer"), "integer")))
        elif numbers:
            num = rng.choice(numbers)
            func = rng.choice(("sum", "avg", "max"))
            expr = f"{func}({num.name}) over (partition by {KEY})"
            items.append(
                Item(expr, Column(names.take(f"account_{func}_{num.name}", "numeric"), "numeric"))
            )
    return items


def _final_cte(
    rng: random.Random, names: Names, over: str, columns: Sequence[Column]
) -> tuple[str, list[Column]]:
    """``final as (select *, <window functions> from over)``."""
    items = _window_items(rng, names, columns)
    select = ",\n        ".join(["*"] + [i.render() for i in items])
    return f"final as (\n\n    select\n        {select}\n\n    from {over}\n\n)", [
        *columns,
        *(i.column for i in items),
    ]


def _config_block(materialized: str | None, key: str) -> str:
    if materialized == "ephemeral":
        return "{{ config(materialized='ephemeral') }}\n\n"
    if materialized == "incremental":
        return (
            "{{\n    config(\n        materialized='incremental',\n"
            f"        unique_key='{key}',\n        on_schema_change='append_new_columns',\n"
            "    )\n}}\n\n"
        )
    return ""


def joined_model(
    rng: random.Random, name: str, refs: Sequence[Model], materialized: str | None
) -> tuple[str, list[Column], str]:
    """Import CTEs, a ``joined`` CTE (or one enriched ref), optional window ``final``."""
    first = refs[0]
    key = first.key
    names = Names(rng, {KEY, key})
    items = [Item(f"{first.name}.{KEY}", Column(KEY, "integer"))]
    if key != KEY:
        items.append(Item(f"{first.name}.{key}", Column(key, "integer")))
    if rng.random() < 0.3:
        other = rng.choice([c for c in first.columns if c.name not in (KEY, key)])
        key = names.take(f"{name}_key", "text")
        fields = f"['{first.name}.{KEY}', '{first.name}.{other.name}']"
        items.append(
            Item(f"{{{{ dbt_utils.generate_surrogate_key({fields}) }}}}", Column(key, "text"))
        )
    stamp = _timestamp_of(first)
    stamp_out = ""
    if materialized == "incremental" and stamp is not None:
        stamp_out = names.take(stamp.name, "timestamp")
        items.append(Item(f"{first.name}.{stamp.name}", Column(stamp_out, "timestamp")))
    pool = [(r.name, c) for r in refs for c in r.columns if c.name != KEY]
    width = _width(rng)
    windows = rng.random() < 0.5
    while len(items) < width - (3 if windows else 0):
        items.append(_model_item(rng, names, pool))
    lines = [f"from {first.name}"]
    for other_ref in refs[1:]:
        lines.append(
            f"{rng.choice(('left join', 'inner join', 'left join'))} {other_ref.name}\n"
            f"        on {first.name}.{KEY} = {other_ref.name}.{KEY}"
        )
    filters = []
    if rng.random() < 0.5:
        alias, col = rng.choice(pool)
        filters.append(_filter(rng, f"{alias}.{col.name}", col.kind))
    if rng.random() < 0.15 and stamp is not None:
        filters.append(
            f"{first.name}.{stamp.name} >= current_date - interval "
            "'{{ var(\"lookback_days\", 365) }} days'"
        )
    where = ("\n\n    where " + "\n      and ".join(filters)) if filters else ""
    if materialized == "incremental" and stamp is not None:
        where += (
            f"\n\n    {{% if is_incremental() %}}\n    {'and' if filters else 'where'} "
            f"{first.name}.{stamp.name} > (select max({stamp_out}) from {{{{ this }}}})"
            "\n    {% endif %}"
        )
    select = ",\n        ".join(i.render() for i in items)
    ctes = _import_ctes(refs)
    step = "joined" if len(refs) > 1 else "enriched"
    ctes.append(
        f"{step} as (\n\n    select\n        {select}\n\n    "
        + "\n\n    ".join(lines)
        + f"{where}\n\n)"
    )
    columns = [i.column for i in items]
    last = step
    if windows:
        body, columns = _final_cte(rng, names, step, columns)
        ctes.append(body)
        last = "final"
    return "with\n\n" + ",\n\n".join(ctes) + f"\n\nselect * from {last}\n", columns, key


def _aggregate_item(rng: random.Random, names: Names, alias: str, col: Column) -> Item:
    ref = f"{alias}.{col.name}"
    if col.kind in ("numeric", "integer"):
        func = rng.choice(("sum", "avg", "max", "min"))
        kind = "numeric" if func == "avg" else col.kind
        return Item(f"{func}({ref})", Column(names.take(f"{func}_{col.name}", kind), kind))
    if col.kind in ("timestamp", "date"):
        func = rng.choice(("max", "min"))
        prefix = "last" if func == "max" else "first"
        return Item(
            f"{func}({ref})", Column(names.take(f"{prefix}_{col.name}", col.kind), col.kind)
        )
    if col.kind == "boolean":
        expr = f"sum(case when {ref} then 1 else 0 end)"
        return Item(expr, Column(names.take(f"{col.name}_count", "integer"), "integer"))
    return Item(
        f"count(distinct {ref})", Column(names.take(f"distinct_{col.name}", "integer"), "integer")
    )


def aggregate_model(
    rng: random.Random, name: str, refs: Sequence[Model], materialized: str | None
) -> tuple[str, list[Column], str]:
    """Aggregate the first ref by account (and sometimes a label); join the second, if any."""
    first = refs[0]
    names = Names(rng, {KEY})
    items = [Item(f"{first.name}.{KEY}", Column(KEY, "integer"))]
    group = [f"{first.name}.{KEY}"]
    key = KEY
    labels = [c for c in first.columns if c.kind == "text"]
    if labels and rng.random() < 0.4:
        label = rng.choice(labels)
        items.append(
            Item(f"{first.name}.{label.name}", Column(names.take(label.name, "text"), "text"))
        )
        group.append(f"{first.name}.{label.name}")
        key = names.take(f"{name}_key", "text")
        fields = f"['{first.name}.{KEY}', '{first.name}.{label.name}']"
        items.append(
            Item(f"{{{{ dbt_utils.generate_surrogate_key({fields}) }}}}", Column(key, "text"))
        )
    items.append(Item("count(*)", Column(names.take("row_count", "integer"), "integer")))
    width = _width(rng) if len(refs) == 1 else rng.randrange(10, 31)
    candidates = [c for c in first.columns if c.name != KEY]
    while len(items) < width:
        items.append(_aggregate_item(rng, names, first.name, rng.choice(candidates)))
    if rng.random() < 0.3:
        col = rng.choice([c for c in first.columns if c.kind not in ("boolean",)] or candidates)
        expr, kind = _case_expr(rng, f"max({first.name}.{col.name})", col.kind)
        items.append(Item(expr, Column(names.take(None, kind), kind)))
    select = ",\n        ".join(i.render() for i in items)
    having = "\n\n    having count(*) >= {{ var('min_rows', 1) }}" if rng.random() < 0.2 else ""
    ctes = _import_ctes(refs)
    ctes.append(
        f"aggregated as (\n\n    select\n        {select}\n\n    from {first.name}\n\n"
        f"    group by {', '.join(group)}{having}\n\n)"
    )
    columns = [i.column for i in items]
    last = "aggregated"
    if len(refs) > 1:
        second = refs[1]
        extra = [c for c in second.columns if c.name != KEY]
        joined = [Item(f"aggregated.{c.name}", c) for c in columns]
        for col in rng.sample(extra, min(len(extra), max(5, _width(rng) - len(joined)))):
            joined.append(
                Item(f"{second.name}.{col.name}", Column(names.take(col.name, col.kind), col.kind))
            )
        select = ",\n        ".join(i.render() for i in joined)
        ctes.append(
            f"joined as (\n\n    select\n        {select}\n\n    from aggregated\n\n"
            f"    left join {second.name}\n        on aggregated.{KEY} = {second.name}.{KEY}\n\n)"
        )
        columns = [i.column for i in joined]
        last = "joined"
    if rng.random() < 0.3:
        body, columns = _final_cte(rng, names, last, columns)
        ctes.append(body)
        last = "final"
    return "with\n\n" + ",\n\n".join(ctes) + f"\n\nselect * from {last}\n", columns, key


def star_model(
    rng: random.Random, name: str, refs: Sequence[Model], materialized: str | None
) -> tuple[str, list[Column], str]:
    """``select {{ dbt_utils.star(ref(x), except=[...]) }}, <a few expressions> from ref(x)``."""
    first = refs[0]
    droppable = [c for c in first.columns if c.name not in (KEY, first.key)]
    dropped = rng.sample(droppable, min(len(droppable), rng.randrange(1, 5)))
    kept = [c for c in first.columns if c not in dropped]
    names = Names(rng, {c.name for c in first.columns})
    alias = "src"
    extras: list[Item] = []
    key = first.key
    if rng.random() < 0.5:
        key = names.take(f"{name}_key", "text")
        fields = f"['{alias}.{KEY}', '{alias}.{first.key}']"
        extras.append(
            Item(f"{{{{ dbt_utils.generate_surrogate_key({fields}) }}}}", Column(key, "text"))
        )
    pool = [(alias, c) for c in kept if c.name != KEY]
    for _ in range(rng.randrange(2, 9)):
        extras.append(_model_item(rng, names, pool))
    except_list = ", ".join(f"'{c.name}'" for c in dropped)
    star = (
        f"{{{{ dbt_utils.star(ref('{first.name}'), except=[{except_list}], "
        f"relation_alias='{alias}') }}}}"
    )
    select = ",\n    ".join([star] + [i.render() for i in extras])
    where = ""
    if rng.random() < 0.4:
        col = rng.choice([c for _, c in pool])
        where = f"\n\nwhere {_filter(rng, f'{alias}.{col.name}', col.kind)}"
    sql = f"select\n    {select}\n\nfrom {{{{ ref('{first.name}') }}}} as {alias}{where}\n"
    return sql, [*kept, *(i.column for i in extras)], key


BUILDERS = {
    "join": joined_model,
    "enrich": joined_model,
    "aggregate": aggregate_model,
    "star": star_model,
}
REF_COUNTS = {"join": (2, 3), "enrich": (1, 1), "aggregate": (1, 2), "star": (1, 1)}


def downstream_model(
    rng: random.Random, index: int, layer: str, eligible: Sequence[Model], staging: int
) -> Model:
    kind = rng.choices(tuple(BUILDERS), weights=(40, 20, 25, 15))[0]
    low, high = REF_COUNTS[kind]
    refs = _pick_refs(rng, eligible, staging, rng.randint(low, high))
    if kind == "join" and len(refs) == 1:
        kind = "enrich"
    domain = rng.choice(DOMAINS)
    noun = rng.choice(NOUNS)
    if layer == "intermediate":
        name = f"int_{domain}__{noun}_{index:04d}"
        materialized = "ephemeral" if rng.random() < 0.1 else None
    else:
        name = f"{'fct' if rng.random() < 0.6 else 'dim'}_{domain}__{noun}_{index:04d}"
        materialized = "incremental" if rng.random() < 0.1 and kind != "star" else None
    body, columns, key = BUILDERS[kind](rng, name, refs, materialized)
    if materialized == "incremental" and "is_incremental()" not in body:
        materialized = None
    sql = _config_block(materialized, key) + body
    description = (
        f"{noun.capitalize()} by account for the {domain} team, from "
        + ", ".join(f"`{r.name}`" for r in refs)
        + "."
    )
    return Model(
        name, f"{layer}/{domain}", layer, tuple(columns), key, sql, kind, materialized,
        tuple(r.name for r in refs), description,
    )  # fmt: skip


def generate(settings: Settings) -> Generated:
    """Every source table and model, models in dependency order."""
    rng = random.Random(settings.seed)
    sources = settings.sources or min(20, max(10, settings.models // 50))
    sources = min(sources, settings.models, len(TABLES))
    out = Generated(settings)
    out.sources = [source_table(rng, i) for i in range(sources)]
    out.models = [staging_model(rng, t) for t in out.sources]
    rest = settings.models - sources
    for i in range(rest):
        layer = "intermediate" if i < rest * 0.45 else "marts"
        eligible = out.models if layer == "marts" else [m for m in out.models if m.layer != "marts"]
        out.models.append(downstream_model(rng, sources + i, layer, eligible, sources))
    return out


# ---------------------------------------------------------------- writing


def _yaml_scalar(value: object) -> str:
    return json.dumps(value)  # JSON strings and numbers are valid YAML


def dbt_project_yml() -> str:
    var_lines = "\n".join(f"  {k}: {_yaml_scalar(v)}" for k, v in PROJECT_VARS.items())
    domains = "\n".join(
        f'      {d}:\n        +schema: {d}\n        +tags: ["{d}"]' for d in DOMAINS
    )
    systems = "\n".join(f'      {s}:\n        +tags: ["{s}"]' for s in SYSTEMS)
    return f"""\
# Generated by benchmarks/generate_dbt.py: a large project in the shape of fixtures/shop.
name: {PROJECT}
version: "1.0.0"
config-version: 2
require-dbt-version: [">=1.8.0", "<2.0.0"]

profile: {PROJECT}

model-paths: ["models"]
macro-paths: ["macros"]

clean-targets:
  - target
  - dbt_packages

dispatch:
  - macro_namespace: dbt_utils
    search_order: ["{PROJECT}", "dbt_utils"]

vars:
{var_lines}

models:
  {PROJECT}:
    +materialized: view
    staging:
      +schema: staging
      +tags: ["staging"]
{systems}
    intermediate:
      +schema: intermediate
      +tags: ["intermediate"]
    marts:
      +materialized: table
      +tags: ["marts"]
{domains}
"""


def sources_yml(system: str, tables: Sequence[SourceTable], rng: random.Random) -> str:
    schema = (
        f"\"{{{{ env_var('BENCH_{system.upper()}_SCHEMA', 'raw_{system}') }}}}\""
        if system == "app"
        else f"raw_{system}"
    )
    lines = [
        "version: 2",
        "",
        "sources:",
        f"  - name: {system}",
        f"    description: The {system} system, replicated by the loader every hour.",
        f"    schema: {schema}",
        "    loader: fivetran",
        "    loaded_at_field: _loaded_at",
        "    freshness:",
        "      warn_after: {count: 6, period: hour}",
        "    tables:",
    ]
    for table in tables:
        lines += [
            f"      - name: {table.name}",
            f"        description: One row per {table.name.removesuffix('s')}.",
            "        columns:",
        ]
        for col in table.columns:
            sql_type = "bigint" if col.name.endswith("_cents") else SQL_TYPES[col.kind]
            lines += [
                f"          - name: {col.name}",
                f"            data_type: {_yaml_scalar(sql_type)}",
            ]
            if rng.random() < 0.5:
                lines.append(f"            description: {_yaml_scalar(KIND_WORDS[col.kind] + '.')}")
            if col.name == "id":
                lines.append("            data_tests: [unique, not_null]")
        lines.append("")
    return "\n".join(lines)


def models_yml(models: Sequence[Model], rng: random.Random) -> str | None:
    documented = [m for m in models if rng.random() < 0.4]
    if not documented:
        return None
    lines = ["version: 2", "", "models:"]
    for model in documented:
        lines += [f"  - name: {model.name}", f"    description: {_yaml_scalar(model.description)}"]
        lines.append("    columns:")
        for col in model.columns[:60]:
            lines.append(f"      - name: {col.name}")
            lines.append(f"        description: {_yaml_scalar(KIND_WORDS[col.kind] + '.')}")
            if col.name == model.key:
                lines.append("        data_tests: [unique, not_null]")
        lines.append("")
    return "\n".join(lines)


def write_project(generated: Generated, out_dir: Path) -> list[Path]:
    """Write the project; returns the model files."""
    rng = random.Random(generated.settings.seed + 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "dbt_project.yml").write_text(dbt_project_yml(), encoding="utf-8")
    (out_dir / "packages.yml").write_text(
        "# Installed by `dbt deps` (not here: lineage has built-in fallbacks).\npackages:\n"
        '  - package: dbt-labs/dbt_utils\n    version: [">=1.1.0", "<2.0.0"]\n',
        encoding="utf-8",
    )
    (out_dir / "lineage.yml").write_text("dialect: postgres\n", encoding="utf-8")
    macros = out_dir / "macros"
    macros.mkdir(exist_ok=True)
    for name, text in MACROS.items():
        (macros / name).write_text(text, encoding="utf-8")
    models_dir = out_dir / "models"
    for system in SYSTEMS:
        tables = [t for t in generated.sources if t.system == system]
        if tables:
            folder = models_dir / "staging" / system
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"_{system}__sources.yml").write_text(
                sources_yml(system, tables, rng), encoding="utf-8"
            )
    paths: list[Path] = []
    by_folder: dict[str, list[Model]] = {}
    for model in generated.models:
        folder = models_dir / model.folder
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{model.name}.sql"
        path.write_text(model.sql, encoding="utf-8")
        paths.append(path)
        by_folder.setdefault(model.folder, []).append(model)
    for folder, models in sorted(by_folder.items()):
        text = models_yml(models, rng)
        if text is not None:
            stem = folder.replace("/", "__")
            (models_dir / folder / f"_{stem}__models.yml").write_text(text, encoding="utf-8")
    manifest = {
        "project": PROJECT,
        "seed": generated.settings.seed,
        "sources": len(generated.sources),
        "models": {
            m.name: {
                "kind": m.kind,
                "layer": m.layer,
                "materialized": m.materialized,
                "refs": list(m.refs),
                "columns": [c.name for c in m.columns],
            }
            for m in generated.models
        },
    }
    (out_dir / "bench_manifest.json").write_text(
        json.dumps(manifest, indent=1) + "\n", encoding="utf-8"
    )
    return paths


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument(
        "--models", type=int, default=1000, help="including one staging model per source table"
    )
    parser.add_argument("--sources", type=int, default=None, help="source tables (default 10-20)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse_args(argv)
    generated = generate(Settings(args.models, args.seed, args.sources))
    paths = write_project(generated, args.out_dir)
    size = sum(p.stat().st_size for p in paths)
    widths = sorted(len(m.columns) for m in generated.models)
    kinds: dict[str, int] = {}
    for model in generated.models:
        kinds[model.kind] = kinds.get(model.kind, 0) + 1
    print(
        f"wrote {len(paths)} models ({len(generated.sources)} source tables) to {args.out_dir}: "
        f"{size / len(paths) / 1024:.1f} KB of Jinja SQL per model, columns per model "
        f"{widths[0]}-{widths[-1]} (median {widths[len(widths) // 2]}), "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )


if __name__ == "__main__":
    main()
