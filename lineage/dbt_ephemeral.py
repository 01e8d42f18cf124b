"""Ephemeral models exist only as CTEs inlined into the models that read them, so the graph
folds them away: an edge into an ephemeral column followed by an edge out of it becomes one
edge, and what decides the ephemeral's rows decides the rows of each reader."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace

from lineage.entities import BlindSpot, ColumnRef, Edge, EdgeKind, Project
from lineage.sql.kinds import compose


def fold_ephemeral(project: Project, ephemeral: Collection[str]) -> Project:
    """`project` without the relations named in `ephemeral`, their lineage passed through."""
    edges = list(project.edges)
    spots = list(project.blind_spots)
    for relation in sorted(ephemeral):
        edges, spots = _fold(relation, edges, spots)
    return replace(
        project,
        relations=tuple(r for r in project.relations if r.name not in ephemeral),
        edges=tuple(sorted(set(edges), key=lambda e: e.sort_key)),
        blind_spots=tuple(
            sorted(set(spots), key=lambda b: (b.target.sort_key, b.location, b.reason))
        ),
    )


def _fold(
    relation: str, edges: list[Edge], spots: list[BlindSpot]
) -> tuple[list[Edge], list[BlindSpot]]:
    into: dict[str | None, list[Edge]] = defaultdict(list)
    out: list[Edge] = []
    kept: list[Edge] = []
    for edge in edges:
        if edge.target.relation == relation:
            into[edge.target.column].append(edge)
        elif edge.source.relation == relation:
            out.append(edge)
        else:
            kept.append(edge)
    readers = sorted({e.target.relation for e in out})
    kept.extend(_through(out, into))
    kept.extend(_rows(into.get(None, []), readers))
    return kept, _moved_spots(relation, spots, readers)


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
