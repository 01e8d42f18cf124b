"""A light index of a project's lineage for walks: the edges out of and into each column, the
columns of each relation, relations by name.

`LineageGraph` (who-uses, trace) and impact propagation walk it. Each column's edges are
sorted on first use, in one deterministic order: by the column at the other end, a direct edge
before an indirect one between the same two columns (so a column reached both by value and by
a condition is reported by value), then by the edge's own sort key.
"""

from __future__ import annotations

from collections.abc import Iterator

from lineage.entities import ColumnRef, Edge, Project, Relation

Node = tuple[str, ...]
Reads = list[tuple[Edge, ColumnRef]]


def relation_node(name: str) -> Node:
    return ("relation", name)


def column_node(relation: str, column: str) -> Node:
    return ("column", relation, column)


def node_of(ref: ColumnRef) -> Node:
    """A sort key for a ref: relation rows and columns each in their own group."""
    if ref.column is None:
        return relation_node(ref.relation)
    return column_node(ref.relation, ref.column)


class EdgeIndex:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._relations = {r.name: r for r in project.relations}
        self._out: dict[ColumnRef, Reads] = {}
        self._in: dict[ColumnRef, Reads] = {}
        for edge in project.edges:
            self._out.setdefault(edge.source, []).append((edge, edge.target))
            self._in.setdefault(edge.target, []).append((edge, edge.source))
        self._sorted: set[tuple[bool, ColumnRef]] = set()

    def relation(self, name: str) -> Relation | None:
        return self._relations.get(name)

    def relation_columns(self, relation: str) -> list[ColumnRef]:
        """Every column of `relation` in definition order (dropped ones too)."""
        found = self._relations.get(relation)
        return [ColumnRef(relation, c.name) for c in found.columns] if found else []

    def out_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]:
        """Reads of `ref`; the rows of a relation are read by whatever reads any column."""
        sources = self.relation_columns(ref.relation) if ref.column is None else [ref]
        for source in sources:
            yield from self.edges_from(source)

    def in_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]:
        """What `ref` is computed from: its own inputs and what decides its relation's rows."""
        targets = [ref] if ref.column is None else [ref, ColumnRef(ref.relation, None)]
        for target in targets:
            yield from self.edges_into(target)

    def sources(self) -> list[ColumnRef]:
        """Every ref some edge comes out of."""
        return list(self._out)

    def targets(self) -> list[ColumnRef]:
        """Every ref some edge goes into."""
        return list(self._in)

    def edges_from(self, source: ColumnRef) -> Reads:
        """The edges out of exactly `source`, each with its target, in walk order."""
        return self._ordered(self._out, True, source)

    def edges_into(self, target: ColumnRef) -> Reads:
        """The edges into exactly `target`, each with its source, in walk order."""
        return self._ordered(self._in, False, target)

    def _ordered(self, table: dict[ColumnRef, Reads], outward: bool, ref: ColumnRef) -> Reads:
        found = table.get(ref)
        if not found:
            return []
        if (outward, ref) not in self._sorted:
            found.sort(key=walk_order)
            self._sorted.add((outward, ref))
        return found


def walk_order(read: tuple[Edge, ColumnRef]) -> tuple[Node, bool, str]:
    """By the ref at the other end, a direct edge before an indirect one, then by the edge's
    own sort key."""
    edge, other = read
    return node_of(other), not edge.kind.is_direct, str(edge.sort_key)


def relation_links(project: Project) -> set[tuple[str, str]]:
    """(parent, child) relation pairs: an edge goes from a column of the parent into the child,
    or a blind spot of the child names the parent as a relation that may flow in unseen (a
    Python model, an unexpanded `*`). Self-links are left out."""
    links = {(e.source.relation, e.target.relation) for e in project.edges}
    links |= {(up, b.target.relation) for b in project.blind_spots for up in b.upstream}
    return {(parent, child) for parent, child in links if parent != child}
