"""The explorer's data: a whole Project as one compact document for the page to decode.

The page must open on 20,000 models, so the document is built for size and decoding speed,
not for reading: every string is interned once (`strings`, index 0 is ""), nodes, columns and
edges are parallel arrays of integers, and column edges are delta-encoded (sorted by target,
the target as a step from the previous edge's, the source as an offset from the target: a
model's pass-throughs of its parent become long runs of one number, which gzip folds away).

Nodes are the overview map's boxes (`explorer_layout.overview_layout`), in its order. Each
relation node owns a run of columns: first its rows pseudo-column (the target of the edges
that decide which rows exist, and what a model-level consumer reads), then its columns in
definition order, then any column an edge or a read names that the relation does not declare.
The format is described in docs/explorer.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage import __version__
from lineage.changes import ImpactReport
from lineage.entities import (
    Consumer,
    ConsumerKind,
    Edge,
    EdgeKind,
    Location,
    Project,
    Relation,
    RelationKind,
    Severity,
)
from lineage.explorer_diff import diff_overlay
from lineage.explorer_encoding import expression_template, shared_names
from lineage.explorer_layout import OverviewGroup, OverviewLayout, overview_layout
from lineage.report.coverage import coverage_line
from lineage.report.impact_text import visible

FORMAT = 1
KINDS = [k.value for k in RelationKind] + [k.value for k in ConsumerKind]
EDGE_KINDS = list(EdgeKind)
_KIND_INDEX = {name: i for i, name in enumerate(KINDS)}
_GROUP_INDEX = {g.value: i for i, g in enumerate(OverviewGroup)}
_EDGE_KIND_INDEX = {kind: i for i, kind in enumerate(EDGE_KINDS)}

Key = tuple[str, str | None]  # (relation, column): None is the rows pseudo-column


@dataclass
class Strings:
    """The interned string table: index 0 is the empty string (none)."""

    values: list[str] = field(default_factory=lambda: [""])
    _index: dict[str, int] = field(default_factory=lambda: {"": 0})

    def __call__(self, text: str | None) -> int:
        if not text:
            return 0
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.values)
            # `visible` changes only characters `isprintable` rejects; most strings have none
            self.values.append(text if text.isprintable() else visible(text))
        return found

    def raw(self, text: str) -> int:
        """Intern `text` as it is (already made visible, as an expression template is)."""
        if not text:
            return 0
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.values)
            self.values.append(text)
        return found


@dataclass
class _Columns:
    """The columns table being built, and each (relation, column) key's index."""

    index: dict[Key, int] = field(default_factory=dict)
    node: list[int] = field(default_factory=list)  # the node each column belongs to
    text: list[str] = field(default_factory=list)  # each column's name ("" for rows)
    name: list[int] = field(default_factory=list)
    type: list[int] = field(default_factory=list)
    description: list[int] = field(default_factory=list)

    def add(self, node: int, key: Key, name: int, data_type: int = 0, description: int = 0) -> None:
        self.index[key] = len(self.name)
        self.node.append(node)
        self.text.append(key[1] or "")
        self.name.append(name)
        self.type.append(data_type)
        self.description.append(description)


def explorer_document(project: Project, report: ImpactReport | None = None) -> dict[str, Any]:
    """The explorer's document for `project`, with the diff overlay of `report` when given.

    >>> document = explorer_document(project)  # doctest: +SKIP
    >>> document["strings"][document["nodes"]["name"][0]]  # doctest: +SKIP
    'app:shop.order_items'
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of small acyclic objects: the collector would only slow this down
    try:
        return _document(project, report)
    finally:
        if collecting:
            gc.enable()


def _document(project: Project, report: ImpactReport | None) -> dict[str, Any]:
    layout = overview_layout(project)
    strings = Strings()
    relations = {r.name: r for r in reversed(project.relations)}  # the first of a name wins
    consumers = {c.id: c for c in project.consumers}
    columns, first, count = _columns(project, layout, relations, strings)
    nodes = _nodes(layout, relations, consumers, strings, first, count, columns.index)
    edges, definitions, first_direct = _edges(project.edges, columns, strings)
    blind_columns, blind_nodes = _blind(project, layout, columns.index)
    nodes["blind"] = [int(i in blind_nodes) for i in range(len(layout.nodes))]
    table: dict[str, Any] = {
        "name": shared_names(columns.name, first_direct),
        "type": columns.type,
        "description": columns.description,
        **definitions,
        "blind": [int(c in blind_columns) for c in range(len(columns.name))],
    }
    node_index = {
        (n.id, n.group == OverviewGroup.CONSUMER.value): i for i, n in enumerate(layout.nodes)
    }
    diff = None if report is None else diff_overlay(report, columns.index, node_index, strings)
    return {
        "format": FORMAT,
        "generator": f"lineage {__version__}",
        "title": visible(Path(project.root).name or project.root),
        "dialect": project.dialect,
        "coverage_line": visible(coverage_line(project)),
        "coverage": _coverage(project),
        "kinds": KINDS,
        "groups": [g.value for g in OverviewGroup],
        "edge_kinds": [k.value for k in EDGE_KINDS],
        "nodes": nodes,
        "columns": table,
        "edges": edges,
        "reads": _reads(project.consumers, columns.index, node_index),
        "layout": _layout(layout),
        "blind_spots": _blind_spots(project, columns.index, node_index, strings),
        "diagnostics": _diagnostics(project, layout, strings),
        "diff": diff,
        "strings": strings.values,
    }


# -- columns ---------------------------------------------------------------------------------


def _named_columns(project: Project) -> dict[str, set[str]]:
    """Columns each relation is named with by an edge or a consumer's read."""
    pairs = {(e.source.relation, e.source.column) for e in project.edges}
    pairs.update((e.target.relation, e.target.column) for e in project.edges)
    pairs.update((r.relation, r.column) for c in project.consumers for r in c.reads)
    named: dict[str, set[str]] = {}
    for relation, column in pairs:
        if column is not None:
            named.setdefault(relation, set()).add(column)
    return named


def _columns(
    project: Project,
    layout: OverviewLayout,
    relations: dict[str, Relation],
    strings: Strings,
) -> tuple[_Columns, list[int], list[int]]:
    """The columns table, grouped by node: rows first, declared columns, then named ones."""
    named = _named_columns(project)
    columns = _Columns()
    first: list[int] = []
    count: list[int] = []
    for number, node in enumerate(layout.nodes):
        first.append(len(columns.name))
        if node.group == OverviewGroup.CONSUMER.value:
            count.append(0)
            continue
        columns.add(number, (node.id, None), 0)
        relation = relations.get(node.id)
        declared = [c for c in relation.columns if not c.dropped] if relation else []
        for column in declared:
            if (node.id, column.name) not in columns.index:
                columns.add(
                    number,
                    (node.id, column.name),
                    strings(column.name),
                    strings(column.data_type),
                    strings(column.description),
                )
        for name in sorted(named.get(node.id, set()) - {c.name for c in declared}):
            columns.add(number, (node.id, name), strings(name))
        count.append(len(columns.name) - first[-1])
    return columns, first, count


# -- nodes -----------------------------------------------------------------------------------


def _nodes(
    layout: OverviewLayout,
    relations: dict[str, Relation],
    consumers: dict[str, Consumer],
    strings: Strings,
    first: list[int],
    count: list[int],
    index: dict[Key, int],
) -> dict[str, list[Any]]:
    keys = "id name kind group layer x y w path line description owner tags version contract"
    table: dict[str, list[Any]] = {key: [] for key in keys.split()}
    table.update({key: [] for key in ("tests", "url", "maturity", "origin", "level")})
    for node in layout.nodes:
        consumer = consumers.get(node.id) if node.group == OverviewGroup.CONSUMER.value else None
        relation = None if consumer else relations.get(node.id)
        location = consumer.location if consumer else relation.location if relation else None
        _put(table, "id", strings(node.id))
        _put(table, "name", strings(node.name))
        _put(table, "kind", _KIND_INDEX[node.kind])
        _put(table, "group", _GROUP_INDEX[node.group])
        _put(table, "layer", node.layer)
        _put(table, "x", node.x)
        _put(table, "y", node.y)
        _put(table, "w", node.w)
        _put(table, "path", strings(location.path) if location else 0)
        _put(table, "line", location.line if location else 0)
        _describe(table, relation, consumer, strings, index)
    table["first"], table["count"] = first, count
    return table


def _put(table: dict[str, list[Any]], key: str, value: Any) -> None:
    table[key].append(value)


def _describe(
    table: dict[str, list[Any]],
    relation: Relation | None,
    consumer: Consumer | None,
    strings: Strings,
    index: dict[Key, int],
) -> None:
    """The facts of a relation or a consumer node (zeros and empty lists where none apply)."""
    owner = consumer.owner if consumer else relation.owner if relation else None
    shown_owner = str(owner) if owner is not None and (owner.name or owner.email) else None
    _put(table, "owner", strings(shown_owner))
    _put(table, "description", strings(relation.description) if relation else 0)
    _put(table, "tags", [strings(t) for t in relation.tags] if relation else [])
    _put(table, "version", strings(relation.version) if relation else 0)
    _put(table, "contract", int(relation.contract) if relation else 0)
    _put(table, "tests", _tests(relation, index, strings) if relation else [])
    _put(table, "url", strings(consumer.url) if consumer else 0)
    _put(table, "maturity", strings(consumer.maturity) if consumer else 0)
    _put(table, "origin", strings(consumer.origin) if consumer else 0)
    _put(table, "level", strings(consumer.level.value) if consumer else 0)


def _tests(relation: Relation, index: dict[Key, int], strings: Strings) -> list[list[int]]:
    """Each data test: its name, the column it tests (-1: the relation) and its YAML line."""
    found = []
    for test in relation.tests:
        column = -1 if test.column is None else index.get((relation.name, test.column), -1)
        found.append([strings(test.name), column, test.location.line if test.location else 0])
    return found


# -- edges and definitions -------------------------------------------------------------------


def _edges(
    edges: Iterable[Edge], columns: _Columns, strings: Strings
) -> tuple[dict[str, list[int]], dict[str, list[Any]], list[int]]:
    """The delta-encoded edge table; each column's definition (the expression as a template
    with its aliases, place and CTE steps of its first direct incoming edge, else of its first
    incoming edge, in `Edge.sort_key` order); and each column's first direct input (-1: none).
    """
    index = columns.index
    incoming: dict[int, list[Edge]] = {}
    for edge in edges:
        target = index[edge.target.relation, edge.target.column]
        found = incoming.get(target)
        if found is None:
            incoming[target] = [edge]
        else:
            found.append(edge)
    size = len(index)
    path, line = [0] * size, [0] * size
    inner: list[list[int]] = [[] for _ in range(size)]
    defined: dict[int, str] = {}
    for target in sorted(incoming):
        bucket = incoming[target]
        edge = bucket[0]
        if len(bucket) > 1:
            bucket.sort(key=_source_order)
            edge = next((e for e in bucket if e.kind.is_direct), bucket[0])
        defined[target] = edge.expression
        path[target], line[target] = _place(edge.location, strings)
        inner[target] = [strings(step) for step in edge.inner]
    table, inputs, first_direct = _edge_table(incoming, index, defined, strings)
    expression, aliases = [0] * size, []
    for target, text in defined.items():  # in column order: the aliases are read in it
        names = [strings.values[columns.name[source]] for source in inputs[target]]
        template, used = expression_template(visible(text), names)
        expression[target] = strings.raw(template)
        aliases += [strings(alias) for alias in used]
    definitions: dict[str, list[Any]] = {
        "expression": expression,
        "aliases": aliases,
        "path": path,
        "line": line,
        "inner": inner,
    }
    return table, definitions, first_direct


def _edge_table(
    incoming: dict[int, list[Edge]],
    index: dict[Key, int],
    defined: dict[int, str],
    strings: Strings,
) -> tuple[dict[str, list[int]], dict[int, list[int]], list[int]]:
    """Edges sorted by (target, source, kind), one per triple, delta-encoded; each target's
    sources in that order; each column's first direct source."""
    table: dict[str, list[int]] = {"target": [], "source": [], "kind": [], "expression": []}
    inputs: dict[int, list[int]] = {}
    first_direct = [-1] * len(index)
    previous_target = previous_source = 0
    for target in sorted(incoming):
        chosen: dict[tuple[int, int], Edge] = {}
        for edge in incoming[target]:
            source = index[edge.source.relation, edge.source.column]
            chosen.setdefault((source, _EDGE_KIND_INDEX[edge.kind]), edge)
        ordered = sorted(chosen.items(), key=_first) if len(chosen) > 1 else chosen.items()
        sources = inputs[target] = []
        for (source, kind), edge in ordered:
            table["target"].append(target - previous_target)
            table["source"].append(source - previous_source)
            table["kind"].append(kind)
            own = edge.expression
            table["expression"].append(0 if own == defined[target] else strings(own))
            previous_target, previous_source = target, source
            sources.append(source)
            if first_direct[target] < 0 and EDGE_KINDS[kind].is_direct:
                first_direct[target] = source
    return table, inputs, first_direct


def _first(item: tuple[tuple[int, int], Edge]) -> tuple[int, int]:
    return item[0]


def _source_order(edge: Edge) -> tuple[str, str, str, Location, str, tuple[str, ...]]:
    """`Edge.sort_key` without its target (the same for the edges compared)."""
    source = edge.source
    kind: str = edge.kind.value
    return (source.relation, source.column or "", kind, edge.location, edge.expression, edge.inner)


def _place(location: Location | None, strings: Strings) -> tuple[int, int]:
    return (strings(location.path), location.line) if location else (0, 0)


def _reads(
    consumers: Iterable[Consumer], index: dict[Key, int], node_index: dict[tuple[str, bool], int]
) -> dict[str, list[int]]:
    pairs = sorted(
        {
            (node_index[c.id, True], index[r.relation, r.column])
            for c in consumers
            for r in c.reads
            if (r.relation, r.column) in index
        }
    )
    return {"column": [c for _, c in pairs], "consumer": [n for n, _ in pairs]}


# -- overview, blind spots, diagnostics ------------------------------------------------------


def _layout(layout: OverviewLayout) -> dict[str, Any]:
    from lineage.explorer_layout import ROW_HEIGHT

    return {
        "width": layout.width,
        "height": layout.height,
        "layers": layout.layers,
        "row_height": ROW_HEIGHT,
        "edges": list(layout.edges),
        "reversed": list(layout.reversed_edges),
    }


def _blind(
    project: Project, layout: OverviewLayout, index: dict[Key, int]
) -> tuple[set[int], set[int]]:
    """Columns with a blind spot, and nodes with a blind spot or a warning about them."""
    columns = {
        index[s.target.relation, s.target.column]
        for s in project.blind_spots
        if (s.target.relation, s.target.column) in index
    }
    names = {s.target.relation for s in project.blind_spots}
    names |= {
        d.relation
        for d in project.diagnostics
        if d.relation is not None and d.severity >= Severity.WARNING
    }
    nodes = {
        i for i, node in enumerate(layout.nodes) if node.id in names and node.group != "consumer"
    }
    return columns, nodes


def _blind_spots(
    project: Project,
    index: dict[Key, int],
    node_index: dict[tuple[str, bool], int],
    strings: Strings,
) -> list[list[Any]]:
    found = []
    for spot in project.blind_spots:
        column = index.get((spot.target.relation, spot.target.column))
        if column is None:
            column = index.get((spot.target.relation, None), -1)
        upstream = sorted(
            node_index[name, False] for name in spot.upstream if (name, False) in node_index
        )
        found.append([column, strings(spot.reason), *_place(spot.location, strings), upstream])
    return found


def _diagnostics(project: Project, layout: OverviewLayout, strings: Strings) -> list[list[Any]]:
    node_of = {n.id: i for i, n in enumerate(layout.nodes) if n.group != "consumer"}
    return [
        [
            *_place(d.location, strings),
            strings(d.severity.name.lower()),
            strings(d.code.value),
            strings(d.message),
            node_of.get(d.relation, -1) if d.relation else -1,
        ]
        for d in sorted(project.diagnostics)
    ]


def _coverage(project: Project) -> dict[str, Any]:
    c = project.coverage
    return {
        "files": c.files,
        "statements": c.statements,
        "statements_analysed": c.statements_analysed,
        "columns": c.columns,
        "columns_resolved": c.columns_resolved,
        "diagnostics": c.diagnostics,
        "unit": c.unit,
    }
