"""A light index of a project's lineage for walks that need no networkx graph: the edges out
of each column, the columns of each relation, relations by name.

It yields what `LineageGraph.out_edges` and `LineageGraph.relation_columns` yield, in the same
order, at a fraction of the cost of building the graph (impact propagation walks two states).
"""

from __future__ import annotations

from collections.abc import Iterator

from lineage.entities import ColumnRef, Edge, Project, Relation
from lineage.graph import node_of


class EdgeIndex:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._relations = {r.name: r for r in project.relations}
        self._out: dict[ColumnRef, list[tuple[Edge, ColumnRef]]] = {}
        for edge in project.edges:
            self._out.setdefault(edge.source, []).append((edge, edge.target))
        for reads in self._out.values():
            reads.sort(key=_order)

    def relation(self, name: str) -> Relation | None:
        return self._relations.get(name)

    def relation_columns(self, relation: str) -> list[ColumnRef]:
        found = self._relations.get(relation)
        return [ColumnRef(relation, c.name) for c in found.columns] if found else []

    def out_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]:
        """Reads of `ref`; the rows of a relation are read by whatever reads any column."""
        sources = self.relation_columns(ref.relation) if ref.column is None else [ref]
        for source in sources:
            yield from self._out.get(source, ())


def relation_links(project: Project) -> set[tuple[str, str]]:
    """(parent, child) relation pairs: an edge goes from a column of the parent into the child,
    or a blind spot of the child names the parent as a relation that may flow in unseen (a
    Python model, an unexpanded `*`). Self-links are left out."""
    links = {(e.source.relation, e.target.relation) for e in project.edges}
    links |= {(up, b.target.relation) for b in project.blind_spots for up in b.upstream}
    return {(parent, child) for parent, child in links if parent != child}


def _order(read: tuple[Edge, ColumnRef]) -> tuple[tuple[str, ...], bool, str]:
    """As the graph orders them: by target, a direct edge before an indirect one, then by
    the edge's own sort key."""
    edge, target = read
    return node_of(target), not edge.kind.is_direct, str(edge.sort_key)
