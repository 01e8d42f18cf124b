"""Metabase serialization export (`metabase export`, or the serialization API's archive
extracted): `collections/.../cards/*.yaml`, `collections/.../dashboards/*.yaml` and
`databases/<db>/<db>.yaml` (with the data model under `databases/<db>/schemas/...`).

A card is a `ConsumerSpec` (kind CHART). A native card runs its SQL
(`dataset_query.native.query`, or `dataset_query.stages[0].native` in MBQL 5), in the dialect of
its database's engine. A structured (MBQL) card reads the columns of its serialized field
references (`["field", ["db", "schema", "table", "column"], ...]`), and all of its source table
when it neither aggregates, groups nor picks fields. A card built on another card reads what
that card reads. A dashboard reads the union of its cards and of its filters' target fields.
Files are loaded with YAML's safe loader; nothing is executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lineage.entities import ConsumerKind, Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.consumers.specs import ConsumerFiles, ConsumerSpec
from lineage.sources.consumers.superset import (
    ExportFile,
    Reads,
    dashboard_spec,
    empty_export,
    load_export,
    owner_from,
)
from lineage.sources.dbt.files import line_of
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES

ORIGIN = "metabase"
_ENGINE_DIALECTS = {
    "postgres": "postgres", "redshift": "redshift", "snowflake": "snowflake",
    "bigquery-cloud-sdk": "bigquery", "bigquery": "bigquery", "mysql": "mysql",
    "sqlserver": "tsql", "databricks": "databricks", "sparksql": "spark", "hive": "hive",
    "presto-jdbc": "presto", "presto": "presto", "starburst": "trino", "athena": "athena",
    "clickhouse": "clickhouse", "duckdb": "duckdb", "sqlite": "sqlite", "oracle": "oracle",
    "druid": "druid", "druid-jdbc": "druid", "vertica": None, "h2": None,
}  # fmt: skip
_FOLDERS = {"cards": "Card", "dashboards": "Dashboard", "databases": "Database"}
_SHAPING_KEYS = ("aggregation", "breakout", "fields")


@dataclass
class _Mbql:
    """What a structured query refers to: columns, whole tables and other cards."""

    fields: list[tuple[str, str, int]] = field(default_factory=list)  # relation, column, line
    tables: list[tuple[str, int]] = field(default_factory=list)  # read whole
    cards: list[tuple[str, int]] = field(default_factory=list)  # entity ids


@dataclass(frozen=True)
class _Card:
    spec: ConsumerSpec
    file: ExportFile
    cards: tuple[tuple[str, int], ...]  # the cards it is built on
    dashboard: str | None  # a dashboard question's dashboard entity id


def read_metabase(
    root: Path, base: Path | None = None, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> ConsumerFiles:
    """The cards and dashboards of the Metabase export under `root`.

    Locations are relative to `base` (default: `root`). One bad file never stops the read.
    """
    files, diagnostics = load_export(root, base or root, max_bytes, _folder_model)
    files = [replace(f, section=_model(f)) for f in files]
    if not any(f.section in ("Card", "Dashboard") for f in files) and not diagnostics:
        return ConsumerFiles((), (empty_export(root, base or root, "Metabase"),))
    engines = {
        str(f.data.get("name")): _ENGINE_DIALECTS.get(str(f.data.get("engine")))
        for f in files
        if f.section == "Database"
    }
    cards: dict[str, _Card] = {}
    for file in files:
        card = _card(file, engines, diagnostics) if file.section == "Card" else None
        if card is not None and file.unique(card.spec.id, cards, diagnostics):
            cards[card.spec.id] = card
    specs = _with_sources(cards, diagnostics)
    dashboards = [
        _dashboard(f, specs, cards, diagnostics) for f in files if f.section == "Dashboard"
    ]
    found = _with_parents(specs, [d for d in dashboards if d is not None])
    return ConsumerFiles(tuple(sorted(found, key=lambda s: s.id)), tuple(sorted(diagnostics)))


def _folder_model(relative: Path) -> str | None:
    for part in reversed(relative.parts[:-1]):
        if part in _FOLDERS:
            return _FOLDERS[part]
    return None


def _model(file: ExportFile) -> str | None:
    """The entity type from `serdes/meta` (its last entry), else from the folder."""
    meta = file.data.get("serdes/meta")
    last = meta[-1] if isinstance(meta, list) and meta else None
    if isinstance(last, dict) and isinstance(last.get("model"), str):
        return str(last["model"])
    return file.section if file.section != "Database" or "engine" in file.data else None


# ---------------------------------------------------------------------------------------------
# Cards


def _card(
    file: ExportFile, engines: dict[str, str | None], diagnostics: list[Diagnostic]
) -> _Card | None:
    entity_id = file.required("entity_id", diagnostics)
    if entity_id is None:
        return None
    data = file.data
    query = data.get("dataset_query")
    query = query if isinstance(query, dict) else {}
    database = query.get("database", data.get("database_id"))
    dialect = engines.get(str(database))
    name = data.get("name")
    spec = ConsumerSpec(
        id=f"metabase.card.{entity_id}",
        kind=ConsumerKind.CHART,
        name=name if isinstance(name, str) else entity_id,
        owner=owner_from(data.get("creator_id")),
        location=file.at(data.line),
        origin=ORIGIN,
    )
    reads = Reads()
    native = _native(query)
    if native is not None:
        reads.add_sql(native[0], file.at(native[1]), dialect)
        mbql = _Mbql()
    else:
        mbql = _structured(query, line_of(data, "dataset_query"))
        if not (mbql.fields or mbql.tables or mbql.cards):
            message = f"card {spec.name!r} has neither native SQL nor a source table"
            diagnostics.append(
                file.diagnostic("dataset_query", DiagnosticCode.PARSE_ERROR, message)
            )
    _add_mbql(reads, mbql, file)
    dashboard = data.get("dashboard_id")
    return _Card(
        reads.finish(spec),
        file,
        tuple(mbql.cards),
        dashboard if isinstance(dashboard, str) else None,
    )


def _native(query: dict[str, Any]) -> tuple[str, int] | None:
    """The SQL of a native query, and its line."""
    native = query.get("native")
    if isinstance(native, dict) and isinstance(native.get("query"), str):
        return native["query"], line_of(native, "query")
    stages = query.get("stages")
    first = stages[0] if isinstance(stages, list) and stages else None
    if isinstance(first, dict) and isinstance(first.get("native"), str):
        return first["native"], line_of(first, "native")
    return None


def _structured(query: dict[str, Any], line: int) -> _Mbql:
    mbql = _Mbql()
    for key in ("query", "stages"):
        if key in query:
            _walk(query[key], line_of(query, key, line), mbql)
    return mbql


def _walk(node: Any, line: int, mbql: _Mbql) -> None:
    """Collect the field references, source tables and source cards anywhere in `node`."""
    if isinstance(node, list):
        if node and node[0] == "field":
            for path in node[1:]:
                column = _field_path(path)
                if column is not None:
                    mbql.fields.append((*column, line))
        for index, item in enumerate(node):
            _walk(item, line_of(node, index, line), mbql)
    elif isinstance(node, dict):
        _sources(node, line, mbql)
        for key, value in node.items():
            _walk(value, line_of(node, key, line), mbql)


def _sources(node: dict[str, Any], line: int, mbql: _Mbql) -> None:
    table, card = node.get("source-table"), node.get("source-card")
    where = line_of(node, "source-table", line)
    if isinstance(table, list):
        relation = _relation(table[1:3]) if len(table) >= 3 else None
        shaped = any(key in node for key in _SHAPING_KEYS) and node.get("fields") != "all"
        if relation is not None and not shaped:
            mbql.tables.append((relation, where))
    elif isinstance(table, str):
        mbql.cards.append((table, where))
    if isinstance(card, str):
        mbql.cards.append((card, line_of(node, "source-card", line)))


def _field_path(path: Any) -> tuple[str, str] | None:
    """(relation, column) of a serialized field path `[db, schema, table, column, ...]`."""
    if not isinstance(path, list) or len(path) < 4 or not isinstance(path[3], str):
        return None
    relation = _relation(path[1:3])
    return (relation, path[3]) if relation is not None else None


def _relation(schema_table: list[Any]) -> str | None:
    schema, table = schema_table
    if not isinstance(table, str) or not table:
        return None
    return f"{schema}.{table}" if isinstance(schema, str) and schema else table


def _add_mbql(reads: Reads, mbql: _Mbql, file: ExportFile) -> None:
    for relation, column, line in mbql.fields:
        reads.add(relation, column, file.at(line))
    for relation, line in mbql.tables:
        reads.add(relation, None, file.at(line))


def _with_sources(
    cards: dict[str, _Card], diagnostics: list[Diagnostic]
) -> dict[str, ConsumerSpec]:
    """Each card's spec, with what the cards it is built on read (transitively)."""
    done: dict[str, ConsumerSpec] = {}

    def resolve(card_id: str, seen: frozenset[str]) -> ConsumerSpec:
        card = cards[card_id]
        if card_id in done or not card.cards:
            return done.setdefault(card_id, card.spec)
        reads = Reads()
        reads.merge(card.spec)
        for source, line in card.cards:
            source_id = f"metabase.card.{source}"
            if source_id in cards and source_id not in seen:
                reads.merge(resolve(source_id, seen | {source_id}))
            else:
                why = "is part of a cycle" if source_id in seen else "is not in the export"
                message = f"card {card.spec.name!r} is built on card {source!r}, which {why}"
                diagnostics.append(
                    _diagnostic(card.file.at(line), DiagnosticCode.UNKNOWN_RELATION, message)
                )
        return done.setdefault(card_id, reads.finish(card.spec))

    for card_id in cards:
        resolve(card_id, frozenset({card_id}))
    return done


def _diagnostic(where: Location, code: DiagnosticCode, message: str) -> Diagnostic:
    return Diagnostic(where, code, Severity.WARNING, message)


# ---------------------------------------------------------------------------------------------
# Dashboards


def _dashboard(
    file: ExportFile,
    specs: dict[str, ConsumerSpec],
    cards: dict[str, _Card],
    diagnostics: list[Diagnostic],
) -> tuple[ConsumerSpec, list[str]] | None:
    """The dashboard, and the ids of its cards."""
    entity_id = file.required("entity_id", diagnostics)
    if entity_id is None:
        return None
    members = [c.spec.id for c in cards.values() if c.dashboard == entity_id]
    reads, mbql = Reads(), _Mbql()
    dashcards = file.data.get("dashcards")
    for index, dashcard in enumerate(dashcards if isinstance(dashcards, list) else []):
        if not isinstance(dashcard, dict):
            continue
        _walk(dashcard.get("parameter_mappings"), line_of(dashcards, index), mbql)
        card = dashcard.get("card_id")
        if isinstance(card, str) and f"metabase.card.{card}" in specs:
            members.append(f"metabase.card.{card}")
        elif card is not None:
            message = f"dashboard card refers to card {card!r}, which is not in the export"
            where = file.at(line_of(dashcard, "card_id", line_of(dashcards, index)))
            diagnostics.append(_diagnostic(where, DiagnosticCode.UNKNOWN_RELATION, message))
    members = list(dict.fromkeys(members))
    for member in members:
        reads.merge(specs[member])
    _add_mbql(reads, replace(mbql, cards=[]), file)
    name = file.data.get("name")
    title = name if isinstance(name, str) else entity_id
    owner = owner_from(file.data.get("creator_id"))
    spec = dashboard_spec(
        f"metabase.dashboard.{entity_id}", title, owner, ORIGIN, file, reads, diagnostics
    )
    return spec, members


def _with_parents(
    specs: dict[str, ConsumerSpec], dashboards: list[tuple[ConsumerSpec, list[str]]]
) -> list[ConsumerSpec]:
    """Cards with their dashboard as parent when exactly one dashboard contains them."""
    containers: dict[str, list[str]] = {}
    for dashboard, members in dashboards:
        for member in members:
            containers.setdefault(member, []).append(dashboard.id)
    found = [d for d, _ in dashboards]
    for card_id, spec in specs.items():
        parents = containers.get(card_id, [])
        found.append(replace(spec, parent=parents[0] if len(parents) == 1 else None))
    return found
