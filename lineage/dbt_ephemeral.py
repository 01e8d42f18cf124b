"""Ephemeral models exist only as CTEs inlined into the models that read them, so the graph
folds them away: an edge into an ephemeral column followed by an edge out of it becomes one
edge, and what decides the ephemeral's rows decides the rows of each reader."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace

from lineage.entities import BlindSpot, ColumnRef, Edge, EdgeKind, Project
from lineage.sql.kinds import compose
from lineage.sql.recorder import sorted_unique_edges


def fold_ephemeral(project: Project, ephemeral: Collection[str]) -> Project:
    """`project` without the relations named in `ephemeral`, their lineage passed through.

    Only the edges into or out of ephemeral models are indexed, so folding costs what the
    folded models' edges cost (chains of ephemeral models fold one after another)."""
    folded = set(ephemeral)
    touching = [e for e in project.edges if _touches(e, folded)]
    others = [e for e in project.edges if not _touches(e, folded)] if touching else project.edges
    edges = _Edges(touching)
    spots = list(project.blind_spots)
    for relation in sorted(ephemeral):
        incoming, outgoing = edges.detach(relation)
        into: dict[str | None, list[Edge]] = defaultdict(list)
        for edge in sorted(incoming, key=lambda e: e.sort_key):
            into[edge.target.column].append(edge)
        out = sorted(outgoing, key=lambda e: e.sort_key)
        readers = sorted({e.target.relation for e in out})
        edges.add(_through(out, into) + _rows(into.get(None, []), readers))
        spots = _moved_spots(relation, spots, readers)
    return replace(
        project,
        relations=tuple(r for r in project.relations if r.name not in ephemeral),
        edges=sorted_unique_edges([*others, *edges.all]),
        blind_spots=tuple(
            sorted(set(spots), key=lambda b: (b.target.sort_key, b.location, b.reason))
        ),
    )


def _touches(edge: Edge, ephemeral: set[str]) -> bool:
    return edge.source.relation in ephemeral or edge.target.relation in ephemeral


class _Edges:
    """The edges, with indexes by source and by target relation."""

    def __init__(self, edges: Collection[Edge]) -> None:
        self.all: set[Edge] = set()
        self.by_source: dict[str, set[Edge]] = defaultdict(set)
        self.by_target: dict[str, set[Edge]] = defaultdict(set)
        self.add(list(edges))

    def add(self, edges: list[Edge]) -> None:
        for edge in edges:
            self.all.add(edge)
            self.by_source[edge.source.relation].add(edge)
            self.by_target[edge.target.relation].add(edge)

    def detach(self, relation: str) -> tuple[set[Edge], set[Edge]]:
        """Remove and return the edges into and out of `relation`."""
        incoming = self.by_target.pop(relation, set())
        outgoing = self.by_source.pop(relation, set())
        for edge in incoming | outgoing:
            self.all.discard(edge)
            self.by_source.get(edge.source.relation, set()).discard(edge)
            self.by_target.get(edge.target.relation, set()).discard(edge)
        return incoming - outgoing, outgoing - incoming


def _through(out: list[Edge], into: dict[str | None, list[Edge]]) -> list[Edge]:
    """Each path source -> ephemeral column -> reader becomes one edge source -> reader."""
    folded = []
    for second in out:
        for first in into.get(second.source.column, []):
            kind = compose(second.kind, first.kind)
            carried = second.kind is EdgeKind.IDENTITY
            expression = first.expression if carried else second.expression
            location = first.location if carried else second.location
            folded.append(Edge(first.source, second.target, kind, expression, location))
    return folded


def _rows(row_edges: list[Edge], readers: list[str]) -> list[Edge]:
    return [replace(e, target=ColumnRef(reader, None)) for e in row_edges for reader in readers]


def _moved_spots(relation: str, spots: list[BlindSpot], readers: list[str]) -> list[BlindSpot]:
    """A blind spot inside the ephemeral model is a blind spot of every reader's rows."""
    moved = []
    for spot in spots:
        if spot.target.relation != relation:
            moved.append(spot)
            continue
        reason = f"through ephemeral {relation}: {spot.reason}"
        moved.extend(
            BlindSpot(ColumnRef(reader, None), reason, spot.location, spot.upstream)
            for reader in readers
        )
    return moved
