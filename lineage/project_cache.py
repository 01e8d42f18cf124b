"""The project cache: a build's whole result, stored under the fingerprint of everything the
build read (lineage/project_inputs.py), in the same SQLite file as the model cache.

A command on an unchanged project reads its result instead of building it: the whole
`Project` (every command), or only what `who-uses` and `trace` walk (`StoredState`: the names
of relations and columns, the consumers, blind spots and diagnostics, and each relation's
edges fetched when the walk reaches it), which answers in a fraction of a second where loading
the whole project takes seconds on a large one.

Each state is stored as the graph document (docs/graph-schema.md), compressed JSON read back
with the same checks as a state file: the cache file sits in the project directory, so it is
untrusted input. A value that does not read back is a miss; a cache file tracked by git is
not used (a commit could plant answers); any problem with the file leaves the cache off and
is reported once (`problems`), never as a diagnostic, because it changes no answer. The
`STATES_KEPT` most recently used states are kept.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lineage.analysis_cache import CacheProblem, _open, inflate, tracked_by_git
from lineage.edge_index import EdgeIndex
from lineage.entities import ColumnRef, Edge, EdgeKind, Location, Project
from lineage.errors import UsageError
from lineage.names import NameTable, name_table
from lineage.report.graph_formats import graph_document, graph_document_text
from lineage.state import project_from_document

#: Project states kept in the file; the least recently used beyond these are deleted.
STATES_KEPT = 12

#: A stored value larger than this once decompressed is refused (a compression bomb).
MAX_VALUE_BYTES = 1024 * 1024 * 1024

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS project_state (key TEXT PRIMARY KEY, skeleton BLOB NOT NULL, "
    "document BLOB NOT NULL, used REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS project_walk (key TEXT NOT NULL, relation TEXT NOT NULL, "
    "edges BLOB NOT NULL, PRIMARY KEY (key, relation)) WITHOUT ROWID",
)
_LEVEL = 1  # zlib: most of the size gain of level 6 in a fifth of the time


class StoredMiss(Exception):
    """A stored value that does not read back (treated as not stored)."""


@dataclass(frozen=True)
class StoredState:
    """What `who-uses` and `trace` need of a stored project: `project` has no relations and
    no edges (its coverage, diagnostics, blind spots and consumers are whole), `names` has
    every relation's columns, and `index` fetches edges relation by relation."""

    project: Project
    names: NameTable
    index: StoredIndex


class ProjectCache:
    """A session on the cache file's project tables."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection
        self.problems: list[str] = []

    @property
    def active(self) -> bool:
        return self._connection is not None

    def project(self, key: str, root: Path) -> Project | None:
        """The stored project of `key`, or None."""
        row = self._fetch("SELECT document FROM project_state WHERE key = ?", (key,))
        if row is None:
            return None
        try:
            project = project_from_document(_json(row[0]), "the project cache", str(root))
        except (StoredMiss, UsageError):
            self.forget(key)
            return None
        self._touch(key)
        return project

    def stored(self, key: str, root: Path) -> StoredState | None:
        """What `who-uses` and `trace` need of the stored project of `key`, or None."""
        row = self._fetch("SELECT skeleton FROM project_state WHERE key = ?", (key,))
        if row is None:
            return None
        try:
            data = _json(row[0])
            if not isinstance(data, dict):
                raise StoredMiss("not an object")
            project = project_from_document(data.get("document"), "the project cache", str(root))
            names = _names(data.get("names"))
        except (StoredMiss, UsageError):
            self.forget(key)
            return None
        self._touch(key)
        return StoredState(project, names, StoredIndex(self, key, names))

    def walk_edges(self, key: str, relation: str) -> dict[str, Any]:
        """One relation's stored edges (see `_walk_payload`); {} if none are stored."""
        row = self._fetch(
            "SELECT edges FROM project_walk WHERE key = ? AND relation = ?", (key, relation)
        )
        if row is None:
            return {}
        data = _json(row[0])
        if not isinstance(data, dict):
            raise StoredMiss("not an object")
        return data

    def save(self, key: str, project: Project) -> None:
        """Store `project` under `key` and forget the least recently used states."""
        connection = self._connection
        if connection is None:
            return
        skeleton = {
            "document": graph_document(replace(project, relations=(), edges=())),
            "names": name_table(project),
        }
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT OR REPLACE INTO project_state VALUES (?, ?, ?, ?)",
                (key, _pack(skeleton), _pack_document(project), time.time()),
            )
            connection.execute("DELETE FROM project_walk WHERE key = ?", (key,))
            connection.executemany(
                "INSERT INTO project_walk VALUES (?, ?, ?)",
                ((key, relation, _pack(payload)) for relation, payload in _walk_payloads(project)),
            )
            _forget_old(connection)
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            self._disable(f"cannot write it ({error})")

    def forget(self, key: str) -> None:
        """Delete the state of `key` (a value of it did not read back): the next build
        stores it again."""
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.execute("DELETE FROM project_state WHERE key = ?", (key,))
                self._connection.execute("DELETE FROM project_walk WHERE key = ?", (key,))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _fetch(self, sql: str, arguments: tuple[str, ...]) -> tuple[Any, ...] | None:
        if self._connection is None:
            return None
        try:
            row: tuple[Any, ...] | None = self._connection.execute(sql, arguments).fetchone()
        except sqlite3.Error as error:
            self._disable(f"cannot read it ({error})")
            return None
        return row

    def _touch(self, key: str) -> None:
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):  # a read-only file still answers
                self._connection.execute(
                    "UPDATE project_state SET used = ? WHERE key = ?", (time.time(), key)
                )

    def _disable(self, reason: str) -> None:
        self.close()
        self.problems.append(f"the project cache is not used: {reason}")


def open_project_cache(path: Path) -> ProjectCache | str:
    """A session on the cache file `path`, or why it cannot be used."""
    if tracked_by_git(path):
        return "the cache file is tracked by git, so a commit could plant wrong answers in it"
    try:
        connection = _open(path)
    except CacheProblem as problem:
        return str(problem)
    try:
        for statement in _SCHEMA:
            connection.execute(statement)
    except sqlite3.Error as error:
        connection.close()
        return f"cannot add its project tables ({error})"
    return ProjectCache(connection)


class StoredIndex:
    """The `LineageIndex` of a stored project: each relation's edges read when the walk first
    reaches it, each column's edges decoded when first asked for."""

    def __init__(self, cache: ProjectCache, key: str, names: NameTable) -> None:
        self._cache = cache
        self._key = key
        self._columns = {relation: [c for c, _ in columns] for relation, columns in names}
        self._rows: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, ColumnRef], list[tuple[Edge, ColumnRef]]] = {}

    def relation_columns(self, relation: str) -> list[ColumnRef]:
        return [ColumnRef(relation, c) for c in self._columns.get(relation, ())]

    def out_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]:
        sources = self.relation_columns(ref.relation) if ref.column is None else [ref]
        for source in sources:
            yield from self._reads("out", source)

    def in_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]:
        targets = [ref] if ref.column is None else [ref, ColumnRef(ref.relation, None)]
        for target in targets:
            yield from self._reads("in", target)

    def _reads(self, way: str, ref: ColumnRef) -> list[tuple[Edge, ColumnRef]]:
        found = self._edges.get((way, ref))
        if found is None:
            row = self._rows.get(ref.relation)
            if row is None:
                row = self._rows[ref.relation] = self._cache.walk_edges(self._key, ref.relation)
            found = _decode_reads(row, way, ref)
            self._edges[(way, ref)] = found
        return found


def _walk_payloads(project: Project) -> Iterator[tuple[str, dict[str, Any]]]:
    """Per relation, in name order: the edges out of each of its columns, and into each of its
    columns and its rows, in walk order (lineage/edge_index.py). Keys: "out" and "in", each
    mapping a column name ("" for the rows) to its edges as [other relation, other column
    (null for rows), kind, expression, path, line, inner expressions]. One relation at a time,
    so a large project's payloads are never all in memory."""
    index = EdgeIndex(project)
    by_relation: dict[str, dict[str, list[ColumnRef]]] = {}
    for way, refs in (("out", index.sources()), ("in", index.targets())):
        for ref in refs:
            by_relation.setdefault(ref.relation, {}).setdefault(way, []).append(ref)
    ways = (("out", index.edges_from), ("in", index.edges_into))
    for relation in sorted(by_relation):
        payload: dict[str, dict[str, list[Any]]] = {}
        for way, edges in ways:
            for ref in sorted(by_relation[relation].get(way, ()), key=lambda r: r.sort_key):
                payload.setdefault(way, {})[ref.column or ""] = [
                    [other.relation, other.column, e.kind.value, e.expression, e.location.path,
                     e.location.line, list(e.inner)]
                    for e, other in edges(ref)
                ]  # fmt: skip
        yield relation, payload


def _decode_reads(row: dict[str, Any], way: str, ref: ColumnRef) -> list[tuple[Edge, ColumnRef]]:
    """The stored edges of `ref` in direction `way`, checked."""
    table = row.get(way, {})
    values = table.get(ref.column or "", []) if isinstance(table, dict) else None
    if not isinstance(values, list):
        raise StoredMiss(f"{ref}: {way} edges are not a list")
    found = []
    for value in values:
        if not (isinstance(value, list) and len(value) == 7):
            raise StoredMiss(f"{ref}: an edge is not a list of 7")
        relation, column, kind, expression, path, line, inner = value
        texts = (relation, kind, expression, path)
        if not all(isinstance(t, str) for t in texts) or not isinstance(inner, list):
            raise StoredMiss(f"{ref}: an edge has a value of the wrong type")
        if not (column is None or isinstance(column, str)) or type(line) is not int or line < 1:
            raise StoredMiss(f"{ref}: an edge has a value of the wrong type")
        if not all(isinstance(t, str) for t in inner):
            raise StoredMiss(f"{ref}: an edge's inner expressions are not strings")
        other = ColumnRef(relation, column)
        try:
            edge_kind = EdgeKind(kind)
        except ValueError:
            raise StoredMiss(f"{ref}: unknown edge kind {kind!r}") from None
        source, target = (ref, other) if way == "out" else (other, ref)
        if source.column is None:
            raise StoredMiss(f"{ref}: an edge comes out of a relation's rows")
        edge = Edge(source, target, edge_kind, expression, Location(path, line), tuple(inner))
        found.append((edge, other))
    return found


def _names(value: Any) -> NameTable:
    if not isinstance(value, list):
        raise StoredMiss("names is not a list")
    table = []
    for entry in value:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
            raise StoredMiss("a relation name is not [name, columns]")
        relation, columns = entry
        if not isinstance(columns, list) or not all(
            isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) and c[1] in (True, False)
            for c in columns
        ):
            raise StoredMiss(f"{relation}: columns are not [name, dropped] pairs")
        table.append((relation, [(name, dropped) for name, dropped in columns]))
    return table


def _pack_document(project: Project) -> bytes:
    """`_pack(graph_document(project))`, written relation by relation and edge by edge: the
    whole document of a large project as Python objects would take gigabytes."""
    compressor = zlib.compressobj(_LEVEL)
    chunks = [compressor.compress(text.encode("utf-8"))
              for text in graph_document_text(project, pretty=False)]  # fmt: skip
    chunks.append(compressor.flush())
    return b"".join(chunks)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _pack(value: Any) -> bytes:
    return zlib.compress(_dumps(value).encode("utf-8"), _LEVEL)


def _json(value: Any) -> Any:
    data = inflate(value, MAX_VALUE_BYTES)
    if not data:
        raise StoredMiss("not zlib data, or too large")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise StoredMiss(type(error).__name__) from None


def _forget_old(connection: sqlite3.Connection) -> None:
    old = [
        row[0]
        for row in connection.execute(
            "SELECT key FROM project_state ORDER BY used DESC LIMIT -1 OFFSET ?", (STATES_KEPT,)
        )
    ]
    connection.executemany("DELETE FROM project_state WHERE key = ?", ((k,) for k in old))
    connection.executemany("DELETE FROM project_walk WHERE key = ?", ((k,) for k in old))
