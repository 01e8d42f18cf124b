"""The column walk: column lineage as `LineageGraph` walks it, over plain tuples, for selectors.

A column is a `ColumnKey` `(relation, column)`, `column is None` standing for the relation's
rows. Downstream of a real column are its out-edges' targets; downstream of a relation's rows
are the out-edges of every column of that relation (whatever reads any of its columns reads
its rows). Upstream of a real column are its in-edges and those of its relation's rows (what
decides which rows exist); upstream of a relation's rows, its in-edges.

    graph = ColumnGraph({r.name: r for r in project.relations}, project.edges, {})
    graph.walk([("model.shop.stg_app__users", "email")], 1, downstream=True)
    # {("model.shop.stg_app__users", "email"): 0, ("model.shop.dim_customers.v2", "email"): 1,
    #  ("model.shop.int_customers_crm_joined", None): 1, ...}  (a join: its rows)
"""

from __future__ import annotations

from collections.abc import Iterable

from lineage.entities import ColumnRef, Edge, Relation

ColumnKey = tuple[str, str | None]  # (relation, column): tuples hash in C, ColumnRefs in Python
_ByColumn = dict[str | None, list[ColumnKey]]


class ColumnGraph:
    """Column lineage as LineageGraph walks it: the rows of a relation are read by whatever
    reads any of its columns, and a column is computed from its own inputs plus whatever
    decides its relation's rows. Edges are grouped by relation once, and indexed by column
    only for the relations a walk visits."""

    def __init__(
        self,
        relations: dict[str, Relation],
        edges: Iterable[Edge],
        reads: dict[str, tuple[ColumnRef, ...]],
    ) -> None:
        self._columns = {n: [c.name for c in r.columns] for n, r in relations.items()}
        self._edges: tuple[dict[str, list[Edge]], dict[str, list[Edge]]] = ({}, {})
        for edge in edges:
            self._edges[0].setdefault(edge.source.relation, []).append(edge)
            self._edges[1].setdefault(edge.target.relation, []).append(edge)
        self._indexed: tuple[dict[str, _ByColumn], dict[str, _ByColumn]] = ({}, {})
        self._readers: dict[ColumnKey, set[str]] = {}
        for consumer, refs in reads.items():
            for ref in refs:
                self._readers.setdefault((ref.relation, ref.column), set()).add(consumer)

    def _by_column(self, relation: str, downstream: bool) -> _ByColumn:
        """The edges out of (downstream) or into `relation`, by that relation's column."""
        side = 0 if downstream else 1
        found = self._indexed[side].get(relation)
        if found is None:
            found = {}
            for edge in self._edges[side].get(relation, ()):
                near, far = (edge.source, edge.target) if downstream else (edge.target, edge.source)
                found.setdefault(near.column, []).append((far.relation, far.column))
            self._indexed[side][relation] = found
        return found

    def _step(self, key: ColumnKey, downstream: bool) -> Iterable[ColumnKey]:
        relation, column = key
        edges = self._by_column(relation, downstream)
        if downstream:
            columns: list[str | None] = (
                [column] if column is not None else [*self._columns.get(relation, [])]
            )
        else:
            columns = [column] if column is None else [column, None]
        return [far for c in columns for far in edges.get(c, ())]

    def walk(
        self, start: Iterable[ColumnKey], depth: int, downstream: bool
    ) -> dict[ColumnKey, int]:
        """Every column reached from `start` within `depth` hops, at its least depth."""
        reached = dict.fromkeys(start, 0)
        frontier = list(reached)
        for level in range(1, depth + 1):
            following = []
            for key in frontier:
                for other in self._step(key, downstream):
                    if other not in reached:
                        reached[other] = level
                        following.append(other)
            if not following:
                break
            frontier = following
        return reached

    def readers(self, keys: Iterable[ColumnKey]) -> set[str]:
        """Consumers reading any of `keys` (every column of a relation whose rows are in it)."""
        found: set[str] = set()
        for key in keys:
            relation, column = key
            for name in [column] if column is not None else self._columns.get(relation, []):
                found |= self._readers.get((relation, name), set())
        return found
