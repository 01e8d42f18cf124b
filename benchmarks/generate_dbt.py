"""Generate a deterministic dbt project for benchmarks (no dbt needed to read it).

The project imitates ``fixtures/shop`` at scale, in the shape of a real layered project at every
size. ``dbt_project.yml`` has folder configs (``+materialized``, ``+schema``, ``+tags``),
``vars`` and a dispatch order. Sources: a quarter of the models (at least 10) are source tables,
in systems of 5-25 tables (``_<system>__sources.yml``; system names repeat with a suffix,
``app_2``, past the list), with 20-60 typed columns each; one staging model per source table
(renames, casts, ``{{ cents_to_dollars() }}`` on integer cents, ``{{ source() }}``). Each system
belongs to a domain (about one per 150 models); intermediate (45%) and marts models each
belong to a domain too, aim at a depth (staging is 1; intermediate 2-6, marts 3-12; three
quarters of them end at 2-5) and ``{{ ref() }}`` one to three models of the levels before
theirs through ``select *`` import CTEs: first one of their domain at the deepest level it has,
then mostly of their domain, sometimes (30%) of another, usually a staging model (a shared
source). Intermediate models read staging and intermediate models; marts read any. Staging and
intermediate models of a domain are picked as the less read of two (nearly all are read, each
by a few); marts, and any model read across domains, in proportion to one plus their readers
(a few hubs). So, whatever the size, the longest ref chain stays about 10-12 and a staging
model has tens of models downstream (about a hundred at most). A model's SQL will

* join 2-3 of them on ``account_id`` (passthrough, renames, arithmetic, ``CASE``, ``COALESCE``,
  ``{{ var('x', default) }}`` thresholds, the project macro ``safe_divide``),
* enrich one (the same, without joins),
* aggregate (``GROUP BY`` with ``count``/``sum``/``avg``/``min``/``max``),
* or select ``{{ dbt_utils.star(ref('x'), except=[...]) }}`` plus a few expressions,

window functions in a ``final`` CTE of about half of them, ``{{
dbt_utils.generate_surrogate_key([...]) }}`` keys in some (dbt_utils is listed in
``packages.yml`` but not installed, as in the shop), a few ephemeral and incremental models
(``{% if is_incremental() %}``), and model YAML with column descriptions for about 40% of the
models. Every model has 20-200 columns: most 20-60, 5% 100-200.

``bench_manifest.json`` at the root (not read by dbt or lineage) lists every model's expected
output columns, layer and refs, so a benchmark can check what the build made of them, and the
project's shape (``shape()``: depth, dependency waves, models downstream of a staging model,
columns per model), which the generator also prints. Without an output directory it only
prints the shape.

Example::

    python benchmarks/generate_dbt.py /tmp/dbt_project --models 1000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
#: Source system names; past the end of the list they repeat with a suffix (``app_2``).
SYSTEMS = (
    "app", "billing", "crm", "support", "erp", "ads", "web", "mobile", "payments", "email",
    "inventory", "logistics", "hr", "warehouse", "partners", "identity", "survey", "telephony",
    "analytics", "ledger",
)  # fmt: skip
#: Table names; a system's tables are a sample of these (at most 25, so they stay unique).
TABLES = (
    "users", "accounts", "orders", "order_items", "payments", "invoices", "subscriptions",
    "plans", "products", "events", "sessions", "tickets", "contacts", "companies", "deals",
    "refunds", "coupons", "shipments", "addresses", "campaigns", "leads", "opportunities",
    "employees", "departments", "vendors", "purchase_orders", "stock_levels", "warehouses",
    "carts", "reviews", "messages", "emails", "clicks", "impressions", "ad_groups", "keywords",
    "transactions", "ledger_entries", "budgets", "forecasts",
)  # fmt: skip
#: Domain names (the folders of intermediate and marts); repeated with a suffix past the end.
DOMAINS = (
    "core", "finance", "marketing", "product", "operations", "sales", "support", "growth",
    "supply_chain", "people", "risk", "partnerships", "security", "logistics", "success",
    "revenue", "platform", "compliance", "pricing", "research",
)  # fmt: skip
NOUNS = (
    "orders", "customers", "revenue", "sessions", "payments", "accounts", "subscriptions",
    "tickets", "usage", "pipeline", "churn", "cohorts", "invoices", "campaigns", "engagement",
)  # fmt: skip
#: The share of models that are staging models (one per source table), at every size.
STAGING_SHARE = 0.25
#: Tables per source system (the last system of a project may have fewer).
TABLES_PER_SYSTEM = (5, 25)
#: About this many models per domain (staging included): what a staging column reaches.
MODELS_PER_DOMAIN = 150
#: Intermediate models among the models after staging (the rest are marts).
INTERMEDIATE_SHARE = 0.45
#: The depth a model aims at (staging models are depth 1), by weight: its first ref is a model
#: of its domain one level up, or the deepest there is. Chains stay short at every size.
DEPTHS = {
    "intermediate": {2: 45, 3: 30, 4: 15, 5: 7, 6: 3},
    "marts": {3: 14, 4: 20, 5: 20, 6: 15, 7: 11, 8: 8, 9: 5, 10: 4, 11: 2, 12: 1},
}
#: The layers a model of each layer may ref.
READS = {"intermediate": ("staging", "intermediate"), "marts": ("staging", "intermediate", "marts")}
#: Of a model's refs after the first: the share from another domain, and of those the share
#: of staging models (shared sources); the rest of them are intermediate models or marts.
CROSS_DOMAIN = 0.3
CROSS_STAGING = 0.6
#: Of a model's refs after the first from its own domain: the share of staging models.
LOCAL_STAGING = {"intermediate": 0.6, "marts": 0.2}
#: Within a domain, these layers are picked as the less read of two models (nearly all are
#: read, each by a few); the others, and every layer across domains, in proportion to one plus
#: their readers (a few read by many, like a `stg_app__users` or a `dim_customers`).
BALANCED = ("staging", "intermediate")
MIN_COLUMNS, MAX_COLUMNS = 20, 200
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
    sources: int | None = None  # default: a quarter of the models, at least 10


@dataclass(frozen=True)
class SourceTable:
    system: str
    name: str
    columns: tuple[Column, ...]  # raw columns; money as integer ``*_cents``
    domain: str  # the domain its system belongs to


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
    domain: str = ""
    depth: int = 1  # the longest ref chain ending here, in models (staging: 1)


@dataclass
class Generated:
    settings: Settings
    sources: list[SourceTable] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- sources and staging


def unique_names(stems: Sequence[str], count: int) -> list[str]:
    """`count` names: the stems in order, then again with a suffix (``app_2``, ``app_3``...)."""
    return [
        stems[i % len(stems)] + (f"_{i // len(stems) + 1}" if i >= len(stems) else "")
        for i in range(count)
    ]


def source_count(settings: Settings) -> int:
    """Source tables (one staging model each): `settings.sources`, else a quarter of the
    models and at least 10 (never more than the models)."""
    wanted = settings.sources or max(10, round(settings.models * STAGING_SHARE))
    return max(1, min(wanted, settings.models))


def system_sizes(rng: random.Random, tables: int) -> list[int]:
    """Tables per source system: 5 to 25 each, `tables` in all (a last remainder below 5 is
    folded into the system before it)."""
    low, high = TABLES_PER_SYSTEM
    sizes: list[int] = []
    left = tables
    while left > 0:
        size = min(left, rng.randint(low, high))
        if 0 < left - size < low:
            size = left if left <= high else left - low
        sizes.append(size)
        left -= size
    return sizes


def _singular(table: str) -> str:
    if table.endswith("ies"):
        return table.removesuffix("ies") + "y"
    if table.endswith(("sses", "shes", "xes")):
        return table.removesuffix("es")
    return table.removesuffix("s")


def source_tables(
    rng: random.Random, tables: int, models: int
) -> tuple[list[SourceTable], list[str], list[str]]:
    """The source tables, grouped in systems of 5-25 tables, each system in one domain; the
    systems and the domains (about one per `MODELS_PER_DOMAIN` models, at most one per
    system, so that every domain has staging models of its own)."""
    sizes = system_sizes(rng, tables)
    systems = unique_names(SYSTEMS, len(sizes))
    domains = unique_names(DOMAINS, min(len(systems), max(3, round(models / MODELS_PER_DOMAIN))))
    order = list(range(len(systems)))
    rng.shuffle(order)
    home = {systems[s]: domains[i % len(domains)] for i, s in enumerate(order)}
    sources = [
        source_table(rng, system, name, home[system])
        for system, size in zip(systems, sizes, strict=True)
        for name in rng.sample(TABLES, size)
    ]
    return sources, systems, domains


def source_table(rng: random.Random, system: str, name: str, domain: str) -> SourceTable:
    names = Names(rng, {"id", KEY, "_loaded_at"})
    cols = [Column("id", "integer"), Column(KEY, "integer")]
    # the accounts table's own id is the account id: one more column keeps its model at 20
    extra = 1 if f"{_singular(name)}_id" == KEY else 0
    for _ in range(rng.randrange(MIN_COLUMNS, 61) - 3 + extra):
        kind = rng.choice(tuple(STEMS))
        if kind == "numeric" and rng.random() < 0.4:
            stem = names.take(rng.choice(STEMS["numeric"]), "numeric")
            cols.append(Column(f"{stem}_cents", "integer"))
        else:
            cols.append(Column(names.take(rng.choice(STEMS[kind]), kind), kind))
    cols.append(Column("_loaded_at", "timestamp"))
    return SourceTable(system, name, tuple(cols), domain)


def staging_model(rng: random.Random, table: SourceTable) -> Model:
    name = f"stg_{table.system}__{table.name}"
    entity = _singular(table.name)
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
        table.domain,
    )  # fmt: skip


# ---------------------------------------------------------------- intermediate and marts


def _width(rng: random.Random) -> int:
    return rng.randrange(100, MAX_COLUMNS + 1) if rng.random() < 0.05 else rng.randrange(20, 61)


@dataclass
class Pools:
    """The models a new model may ref: those of the depth levels generated before its own
    (so none deeper than its aim less one), picked as `BALANCED` says."""

    local: dict[tuple[str, str], list[Model]] = field(default_factory=dict)  # domain, layer
    level: dict[tuple[str, str, int], list[Model]] = field(default_factory=dict)  # and depth
    shared: dict[str, list[Model]] = field(default_factory=dict)  # by layer
    deepest: dict[tuple[str, str], int] = field(default_factory=dict)  # domain, layer
    readers: Counter[str] = field(default_factory=Counter)

    def add(self, models: Sequence[Model]) -> None:
        for model in models:
            self._list(model)
            place = (model.domain, model.layer)
            self.deepest[place] = max(self.deepest.get(place, 0), model.depth)

    def read(self, model: Model) -> None:
        """`model` gained a reader."""
        self.readers[model.name] += 1
        self._list(model, model.layer not in BALANCED)

    def _list(self, model: Model, local: bool = True) -> None:
        if local:
            self.local.setdefault((model.domain, model.layer), []).append(model)
            self.level.setdefault((model.domain, model.layer, model.depth), []).append(model)
        self.shared.setdefault(model.layer, []).append(model)

    def pick(
        self, rng: random.Random, lists: Sequence[Sequence[Model]], cross: bool = False
    ) -> Model | None:
        """A pick from the lists taken as one (None if they are all empty)."""
        first = _uniform(rng, lists)
        if first is None or cross or first.layer not in BALANCED:
            return first
        second = _uniform(rng, lists)
        assert second is not None
        return second if self.readers[second.name] < self.readers[first.name] else first


def _uniform(rng: random.Random, lists: Sequence[Sequence[Model]]) -> Model | None:
    total = sum(len(found) for found in lists)
    if not total:
        return None
    at = rng.randrange(total)
    for found in lists:
        if at < len(found):
            return found[at]
        at -= len(found)
    raise AssertionError("unreachable")


def pick_refs(rng: random.Random, pools: Pools, layer: str, domain: str, count: int) -> list[Model]:
    """`count` refs (fewer if there are not so many models): first a model of `domain` at
    the deepest level it has, then mostly models of `domain` (staging ones `LOCAL_STAGING` of
    the time), sometimes of another domain (usually a staging model: a shared source); only
    layers `layer` may read."""
    reads = READS[layer]
    deepest = max((pools.deepest.get((domain, r), 0) for r in reads), default=0)
    first = pools.pick(rng, [pools.level.get((domain, r, deepest), []) for r in reads])
    if first is None:  # a domain with no models of its own yet: any staging model
        first = rng.choice(pools.shared["staging"])
    picked = [first]
    for _ in range(20 * count):  # enough tries to find distinct models, if there are any
        if len(picked) >= count:
            break
        cross = rng.random() < CROSS_DOMAIN
        staging = rng.random() < (CROSS_STAGING if cross else LOCAL_STAGING[layer])
        layers = ("staging",) if staging else reads[1:]
        if cross:
            candidate = pools.pick(rng, [pools.shared.get(r, []) for r in layers], cross)
        else:
            candidate = pools.pick(rng, [pools.local.get((domain, r), []) for r in layers])
        if candidate is not None and candidate not in picked:
            picked.append(candidate)
    for model in picked:
        pools.read(model)
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
    """One to three window functions (fewer where the model would pass `MAX_COLUMNS`)."""
    items = []
    stamps = [c for c in columns if c.kind in ("timestamp", "date")]
    numbers = [c for c in columns if c.kind in ("numeric", "integer") and c.name != KEY]
    for _ in range(min(rng.randrange(1, 4), MAX_COLUMNS - len(columns))):
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
    # the final CTE adds one to three window functions
    while len(items) < (max(MIN_COLUMNS, width - 3) if windows else width):
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
    while len(items) < min(width, MAX_COLUMNS - 1):  # room for the CASE below
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
    wanted = rng.randrange(2, 9) + len(extras) + len(kept)
    while len(kept) + len(extras) < min(max(wanted, MIN_COLUMNS), MAX_COLUMNS):
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


@dataclass(frozen=True)
class Slot:
    """A model to come: its layer, domain and the depth it aims at."""

    layer: str
    domain: str
    depth: int


def downstream_model(rng: random.Random, index: int, slot: Slot, pools: Pools) -> Model:
    kind = rng.choices(tuple(BUILDERS), weights=(40, 20, 25, 15))[0]
    low, high = REF_COUNTS[kind]
    refs = pick_refs(rng, pools, slot.layer, slot.domain, rng.randint(low, high))
    if kind == "join" and len(refs) == 1:
        kind = "enrich"
    layer, domain = slot.layer, slot.domain
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
        tuple(r.name for r in refs), description, domain, 1 + max(r.depth for r in refs),
    )  # fmt: skip


def slots(rng: random.Random, count: int, domains: Sequence[str]) -> list[Slot]:
    """`count` models after staging (`INTERMEDIATE_SHARE` of them intermediate), each in a
    domain and aiming at a depth, sorted by that depth (so that every model's refs come from
    the levels before its own)."""
    planned = []
    for i in range(count):
        layer = "intermediate" if i < count * INTERMEDIATE_SHARE else "marts"
        depths = DEPTHS[layer]
        depth = rng.choices(tuple(depths), weights=tuple(depths.values()))[0]
        planned.append(Slot(layer, rng.choice(domains), depth))
    return sorted(planned, key=lambda slot: slot.depth)


def generate(settings: Settings) -> Generated:
    """Every source table and model, models in dependency order (level by level)."""
    rng = random.Random(settings.seed)
    out = Generated(settings)
    tables = source_count(settings)
    out.sources, out.systems, out.domains = source_tables(rng, tables, settings.models)
    out.models = [staging_model(rng, t) for t in out.sources]
    pools = Pools()
    pools.add(out.models)
    level: list[Model] = []
    aim = 1
    for slot in slots(rng, settings.models - tables, out.domains):
        if slot.depth > aim:  # a new level: the models of the last one may be read now
            pools.add(level)
            level, aim = [], slot.depth
        model = downstream_model(rng, len(out.models), slot, pools)
        out.models.append(model)
        level.append(model)
    wrong = [m.name for m in out.models if not MIN_COLUMNS <= len(m.columns) <= MAX_COLUMNS]
    if wrong:
        raise AssertionError(f"{len(wrong)} models outside {MIN_COLUMNS}-{MAX_COLUMNS} columns")
    return out


def shape(generated: Generated) -> dict[str, Any]:
    """The project's shape: sizes, depth (the longest ref chain, in models), dependency waves
    (models whose parents are all in earlier waves: one wave per depth), the widest wave, how
    many models are downstream of each staging model, and the columns per model."""
    models = generated.models
    readers: dict[str, list[str]] = {m.name: [] for m in models}
    for model in models:
        for parent in model.refs:
            readers[parent].append(model.name)
    waves = Counter(m.depth for m in models)
    reach = sorted(_downstream_count(readers, m.name) for m in models if m.layer == "staging")
    widths = sorted(len(m.columns) for m in models)
    layers = Counter(m.layer for m in models)
    return {
        "models": len(models),
        "sources": len(generated.sources),
        "systems": len(generated.systems),
        "domains": len(generated.domains),
        "layers": dict(sorted(layers.items())),
        "staging_share": round(layers["staging"] / len(models), 3),
        "depth": max(waves),
        "waves": len(waves),
        "widest_wave": max(waves.values()),
        "downstream_of_staging": {
            "median": reach[len(reach) // 2],
            "p90": reach[len(reach) * 9 // 10],
            "max": reach[-1],
            "none": sum(1 for r in reach if r == 0),
        },
        "columns": {"min": widths[0], "median": widths[len(widths) // 2], "max": widths[-1]},
    }


def _downstream_count(readers: dict[str, list[str]], start: str) -> int:
    found: set[str] = set()
    todo = [start]
    while todo:
        for other in readers[todo.pop()]:
            if other not in found:
                found.add(other)
                todo.append(other)
    return len(found)


# ---------------------------------------------------------------- writing


def _yaml_scalar(value: object) -> str:
    return json.dumps(value)  # JSON strings and numbers are valid YAML


def dbt_project_yml(systems: Sequence[str], domains: Sequence[str]) -> str:
    var_lines = "\n".join(f"  {k}: {_yaml_scalar(v)}" for k, v in PROJECT_VARS.items())
    marts = "\n".join(f'      {d}:\n        +schema: {d}\n        +tags: ["{d}"]' for d in domains)
    staging = "\n".join(f'      {s}:\n        +tags: ["{s}"]' for s in systems)
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
{staging}
    intermediate:
      +schema: intermediate
      +tags: ["intermediate"]
    marts:
      +materialized: table
      +tags: ["marts"]
{marts}
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
    (out_dir / "dbt_project.yml").write_text(
        dbt_project_yml(generated.systems, generated.domains), encoding="utf-8"
    )
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
    for system in generated.systems:
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
        "shape": shape(generated),
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
    parser.add_argument(
        "out_dir", type=Path, nargs="?", help="where to write it (without: only print its shape)"
    )
    parser.add_argument(
        "--models", type=int, default=1000, help="including one staging model per source table"
    )
    parser.add_argument(
        "--sources", type=int, default=None, help="source tables (default: a quarter of the models)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.models < 1:
        parser.error("--models must be at least 1")
    return args


def shape_line(figures: dict[str, Any]) -> str:
    """`shape()`'s figures in one line."""
    reach, columns = figures["downstream_of_staging"], figures["columns"]
    return (
        f"{figures['models']:,} models: {figures['sources']:,} source tables in "
        f"{figures['systems']:,} systems ({figures['staging_share']:.0%} staging), "
        f"{figures['domains']:,} domains; depth {figures['depth']}, {figures['waves']} waves, "
        f"widest {figures['widest_wave']:,}; models downstream of a staging model: median "
        f"{reach['median']:,}, 90th percentile {reach['p90']:,}, max {reach['max']:,} "
        f"({reach['none']:,} read by none); columns {columns['min']}-{columns['max']} "
        f"(median {columns['median']})"
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse_args(argv)
    generated = generate(Settings(args.models, args.seed, args.sources))
    print(shape_line(shape(generated)))
    if args.out_dir is None:
        return
    paths = write_project(generated, args.out_dir)
    size = sum(p.stat().st_size for p in paths)
    kinds = Counter(m.kind for m in generated.models)
    print(
        f"wrote {len(paths)} models to {args.out_dir}: {size / len(paths) / 1024:.1f} KB of "
        "Jinja SQL per model, " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )


if __name__ == "__main__":
    main()
