"""Manifest mode of a dbt build: dbt's own artifacts where they help.

With `target/manifest.json` (or a given manifest), each model or snapshot with compiled code
is analysed from that code (no rendering), named by the manifest's relation names and ordered
by its `depends_on`; `catalog.json` beside it gives column types. A node without compiled code,
or whose file changed since, is rendered from its file. See docs/dbt.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from lineage.entities import Location
from lineage.render.relations import adapter_type, quote_character, quote_policy
from lineage.render.renderer import ParseResult, RelationRef, RenderResult
from lineage.sources.dbt.manifest import (
    pre_injection_code,
    read_catalog,
    read_manifest,
)
from lineage.sources.dbt.nodes import DbtNode
from lineage.sql.recorder import Recorder

if TYPE_CHECKING:
    from lineage.dbt_build import _Index


def read_artifacts(root: Path, manifest: Path | None, index: _Index, recorder: Recorder) -> None:
    """Read the manifest (the one given, else target/manifest.json if there is one) and the
    catalog.json beside it into `index`; their problems become diagnostics."""
    path = manifest if manifest is not None else root / "target" / "manifest.json"
    if manifest is None and not path.is_file():
        return
    read, problems = read_manifest(path, _shown(root, path))
    recorder.diagnostics.extend(problems)
    if read is None:
        return
    index.manifest = read
    index.by_id = {n.unique_id: n for n in index.project.nodes}
    catalog = path.parent / "catalog.json"
    if catalog.is_file():
        index.catalog, problems = read_catalog(catalog, _shown(root, catalog))
        recorder.diagnostics.extend(problems)


def _shown(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def manifest_parse(index: _Index, node: DbtNode) -> ParseResult | None:
    """A node's refs (its depends_on) and config from the manifest, when the manifest holds
    its compiled code and its file has not changed since; else None (parse the file)."""
    entry = index.manifest.nodes.get(node.unique_id) if index.manifest else None
    if entry is None or entry.compiled_code is None or node.language != "sql":
        return None
    if entry.raw_code is not None and entry.raw_code.strip() != node.raw_code.strip():
        return None  # the file changed after dbt compiled it
    parents = [index.by_id[d] for d in entry.depends_on if d in index.by_id]
    tables = {s.unique_id: s for s in index.project.sources}
    index.compiled[node.unique_id] = entry
    return ParseResult(
        refs=tuple((p.package, p.name, p.version) for p in parents),
        sources=tuple(
            (tables[d].source_name, tables[d].name) for d in entry.depends_on if d in tables
        ),
        config={**node.config, **entry.config},
        diagnostics=(),
    )


def manifest_render(index: _Index, node: DbtNode) -> RenderResult | None:
    """The node's compiled code from the manifest (None: render it from its file)."""
    entry = index.compiled.get(node.unique_id)
    if entry is None:
        return None
    ephemeral = {u: str(index.relations[u]) for u, _ in entry.extra_ctes if u in index.relations}
    return RenderResult(pre_injection_code(entry, ephemeral), ())


def manifest_relation(
    index: _Index, unique_id: str, quoting: Mapping[str, Any], kind: str | None
) -> RelationRef | None:
    """The relation dbt named for a node or source: `relation_name` as dbt wrote it into
    compiled code, else database.schema.alias quoted as the project says."""
    if index.manifest is None:
        return None
    entry = index.manifest.nodes.get(unique_id) or index.manifest.sources.get(unique_id)
    if entry is None or entry.schema is None or entry.alias is None:
        return None
    adapter = adapter_type(index.dialect)
    relation = RelationRef(
        unique_id, entry.database, entry.schema, entry.alias,
        quote_policy(adapter, quoting), quote_character(adapter), kind,
    )  # fmt: skip
    return _as_written(relation, entry.relation_name, index.dialect)


def _as_written(relation: RelationRef, written: str | None, dialect: str) -> RelationRef:
    if not written:
        return relation
    try:
        table = sqlglot.parse_one(written, into=exp.Table, dialect=dialect)
    except SqlglotError:
        return relation
    database, schema, name = (table.args.get(part) for part in ("catalog", "db", "this"))
    if not isinstance(schema, exp.Identifier) or not isinstance(name, exp.Identifier):
        return relation
    if not isinstance(database, exp.Identifier):
        database = None
    return replace(
        relation,
        database=database.name if database else None,
        schema=schema.name,
        identifier=name.name,
        quote_policy=(bool(database and database.quoted), schema.quoted, name.quoted),
    )


Columns = list[tuple[str, str | None, Location | None]]


def catalog_columns(
    index: _Index, unique_id: str, columns: Columns, location: Location | None
) -> Columns:
    """A source's columns as the warehouse has them (catalog.json, in its order), spelt and
    located as the YAML declares them, then YAML columns the catalog does not list."""
    found = index.catalog.get(unique_id)
    if not found:
        return columns
    declared = {c[0].lower(): c for c in columns}
    result: Columns = []
    for name, data_type in found:
        spec = declared.pop(name.lower(), None)
        if spec is None:
            result.append((name, data_type, location))
        else:
            result.append((spec[0], data_type or spec[1], spec[2]))
    return result + list(declared.values())


def catalog_types(index: _Index, unique_id: str, columns: Columns) -> Columns:
    types = {name.lower(): t for name, t in index.catalog.get(unique_id, ()) if t}
    return [(n, types.get(n.lower(), t), where) for n, t, where in columns]


def set_catalog_types(recorder: Recorder, index: _Index, unique_id: str, name: str) -> None:
    """A built model's column types as the warehouse reports them (catalog.json)."""
    types = {column.lower(): t for column, t in index.catalog.get(unique_id, ()) if t}
    relation = recorder.catalog.get(name) if types else None
    for state in relation.live_columns() if relation is not None else ():
        state.data_type = types.get(state.name.lower(), state.data_type)
