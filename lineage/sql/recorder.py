"""Collects what statements produce while a project is replayed: edges between stable column
ids (so later renames move them), blind spots and diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import itemgetter
from typing import NamedTuple

from sqlglot import exp

from lineage.catalog import Catalog, RelationState
from lineage.entities import (
    BlindSpot,
    ColumnRef,
    Diagnostic,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    RelationKind,
    Severity,
)
from lineage.sql.columns import query_lineage
from lineage.sql.prepare import prepare
from lineage.sql.reads import QueryLineage, Read

_ERRORS = frozenset(
    {
        DiagnosticCode.PARSE_ERROR,
        DiagnosticCode.ANALYSIS_ERROR,
        DiagnosticCode.UNREADABLE_FILE,
        DiagnosticCode.FILE_TOO_LARGE,
    }
)


class _IdEdge(NamedTuple):
    """An edge between column ids (a tuple: a build records hundreds of thousands)."""

    source: tuple[int, int]
    target: tuple[int, int | None]
    kind: EdgeKind
    expression: str
    location: Location
    inner: tuple[str, ...] = ()


class _IdBlind(NamedTuple):
    target: tuple[int, int | None]
    reason: str
    location: Location
    upstream: tuple[str, ...]


@dataclass
class Recorder:
    """State of one build: the catalog plus everything recorded against it."""

    dialect: str
    catalog: Catalog = field(default_factory=Catalog)
    edges: list[_IdEdge] = field(default_factory=list)
    blind: list[_IdBlind] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _unknown_reported: set[str] = field(default_factory=set)
    path: str = ""
    #: For SQL rendered from a template: the template line of each rendered line (index 0 is
    #: rendered line 1). None: lines are the file's own.
    line_map: Sequence[int] | None = None
    #: Each place made once (edges share them).
    _locations: dict[tuple[str, int], Location] = field(default_factory=dict, repr=False)

    def location(self, line: int) -> Location:
        """Where `line` of the SQL being analysed is, in the project's own file."""
        if self.line_map and 1 <= line <= len(self.line_map):
            line = self.line_map[line - 1]
        key = (self.path, line)
        found = self._locations.get(key)
        if found is None:
            found = self._locations[key] = Location(self.path, line)
        return found

    def diagnose(
        self,
        line: int,
        code: DiagnosticCode,
        message: str,
        relation: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        """Record a diagnostic at `line` of the current file; failures to read or analyse a
        statement are errors, the rest warnings, unless `severity` says otherwise."""
        if severity is None:
            severity = Severity.ERROR if code in _ERRORS else Severity.WARNING
        self.diagnostics.append(Diagnostic(self.location(line), code, severity, message, relation))

    # -- relations ------------------------------------------------------------------------

    def relation_for_read(self, name: str, line: int) -> RelationState:
        """The live relation `name`; one nobody defined is registered as external, once."""
        relation = self.catalog.get(name)
        if relation is None:
            relation = self.catalog.external(name, self.location(line))
            if name not in self._unknown_reported:
                self._unknown_reported.add(name)
                self.diagnose(
                    line,
                    DiagnosticCode.UNKNOWN_RELATION,
                    f"{name} is read but not defined by any statement of the project; "
                    "its columns are learnt from how it is used",
                    name,
                )
        return relation

    def define(
        self,
        name: str,
        kind: RelationKind,
        line: int,
        columns: Sequence[tuple[str, str | None, Location | None]],
        columns_known: bool = True,
    ) -> RelationState:
        """Create relation `name`. Creating it again replaces it (CREATE OR REPLACE), and
        what was recorded into its old definition is forgotten."""
        relation, replaced = self.catalog.define(
            name, kind, self.location(line), columns, columns_known
        )
        if replaced:
            self.edges = [e for e in self.edges if e.target[0] != relation.id]
            self.blind = [b for b in self.blind if b.target[0] != relation.id]
        return relation

    # -- queries --------------------------------------------------------------------------

    def analyse(self, query: exp.Expr, line: int) -> QueryLineage | None:
        """Column lineage of a query read at `line`; None (and a diagnostic) if impossible."""

        def columns_of(name: str) -> list[str] | None:
            self.relation_for_read(name, line)
            return self.catalog.columns_of(name)

        prepared = prepare(query, self.dialect, columns_of)
        if prepared.error:
            self.diagnose(line, DiagnosticCode.ANALYSIS_ERROR, prepared.error)
            return None
        result = query_lineage(prepared.query, prepared.tables.get, self.dialect, line)
        for problem in result.problems:
            self.diagnose(problem.line, problem.code, problem.message)
        return result

    def column(self, relation: RelationState, name: str, line: int) -> tuple[int, int]:
        known = relation.column(name)
        if known is not None:
            return relation.id, known.id
        return relation.id, self.catalog.column_id(relation, name, self.location(line))

    def edge(
        self,
        read: Read,
        target: tuple[int, int | None],
        kind: Callable[[EdgeKind], EdgeKind] = lambda k: k,
    ) -> None:
        source = self.column(
            self.relation_for_read(read.relation, read.line), read.column, read.line
        )
        self.edges.append(
            _IdEdge(
                source,
                target,
                kind(read.kind),
                read.expression,
                self.location(read.line),
                read.inner,
            )
        )

    def blind_spot(
        self, target: tuple[int, int | None], reason: str, line: int, upstream: tuple[str, ...] = ()
    ) -> None:
        self.blind.append(_IdBlind(target, reason, self.location(line), upstream))

    # -- final values ---------------------------------------------------------------------

    def final_edges(
        self, rename: Mapping[str, str] | None = None, inner: bool = True
    ) -> tuple[Edge, ...]:
        """Edges under the final names of their columns (relations named again by `rename`,
        when given), deduplicated and sorted; without `inner`, edges keep no inner
        expressions."""
        refs = _Refs(self._names(rename))
        unique = {
            (e.source, e.target, e.kind, e.location.path, e.location.line, e.expression,
             e.inner if inner else ()): e
            for e in self.edges
        }  # fmt: skip
        edges = [
            Edge(refs[e.source], refs[e.target], e.kind, e.expression, e.location, e.inner)
            if inner
            else Edge(refs[e.source], refs[e.target], e.kind, e.expression, e.location)
            for e in unique.values()
        ]
        return tuple(sorted(edges, key=edge_order))

    def final_blind_spots(self, rename: Mapping[str, str] | None = None) -> tuple[BlindSpot, ...]:
        """Blind spots under final names (relations named again by `rename`), sorted."""
        names = self._names(rename)
        upstream = (lambda u: u) if rename is None else (lambda u: rename.get(u, u))
        spots = {
            BlindSpot(
                _ref(names, b.target), b.reason, b.location, tuple(upstream(u) for u in b.upstream)
            )
            for b in self.blind
        }
        return tuple(sorted(spots, key=lambda b: (b.target.sort_key, b.location, b.reason)))

    def _names(self, rename: Mapping[str, str] | None) -> dict[int, tuple[str, dict[int, str]]]:
        names = self.catalog.names()
        if rename:
            names = {rid: (rename.get(name, name), cols) for rid, (name, cols) in names.items()}
        return names


_KIND_VALUES = {kind: kind.value for kind in EdgeKind}


def edge_order(edge: Edge) -> tuple[object, ...]:
    """`Edge.sort_key` flattened into one tuple: the same order, cheaper to build and compare
    (the final graph sorts hundreds of thousands of edges)."""
    target, source, location = edge.target, edge.source, edge.location
    return (
        target.relation, target.column or "", source.relation, source.column or "",
        _KIND_VALUES[edge.kind], location.path, location.line, edge.expression, edge.inner,
    )  # fmt: skip


def sorted_unique_edges(edges: Sequence[Edge]) -> tuple[Edge, ...]:
    """`edges` without duplicates, sorted by `Edge.sort_key` (as they are, if they already
    are: the keys are compared, not sorted)."""
    keys = [edge_order(e) for e in edges]
    if all(a < b for a, b in pairwise(keys)):
        return tuple(edges)
    unique: list[Edge] = []
    run: list[Edge] = []  # the distinct edges of the current key (two only if a column is "")
    last: tuple[object, ...] | None = None
    for key, edge in sorted(zip(keys, edges, strict=True), key=itemgetter(0)):
        if key != last:
            last, run = key, []
        if edge not in run:
            run.append(edge)
            unique.append(edge)
    return tuple(unique)


class _Refs(dict[tuple[int, int | None], ColumnRef]):
    """Final `ColumnRef`s by (relation id, column id), each made once."""

    def __init__(self, names: dict[int, tuple[str, dict[int, str]]]) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, key: tuple[int, int | None]) -> ColumnRef:
        self[key] = ref = _ref(self.names, key)
        return ref


def _ref(names: dict[int, tuple[str, dict[int, str]]], target: tuple[int, int | None]) -> ColumnRef:
    relation, columns = names[target[0]]
    return ColumnRef(relation, None if target[1] is None else columns[target[1]])
