"""The who-uses and trace queries: walks over a project's column lineage.

A lineage edge goes from a source column to a target column, or to a target relation's rows
when it changes which rows the relation holds (a WHERE, a join key, a GROUP BY). Queries walk
the edges downstream (who uses) or upstream (where from), breadth first, over a
`LineageIndex`: the whole project's `EdgeIndex`, or the stored index a warm cache answers from
without loading the project (lineage/stored_state.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from lineage.edge_index import EdgeIndex
from lineage.entities import (
    BlindSpot,
    ColumnRef,
    Consumer,
    Diagnostic,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    Project,
    Severity,
)

_Step = Callable[["ColumnRef"], Iterator[tuple[Edge, ColumnRef]]]


class LineageIndex(Protocol):
    """What the walks need: a relation's columns and the edges out of and into a ref, each
    in a deterministic order (see lineage/edge_index.py)."""

    def relation_columns(self, relation: str) -> list[ColumnRef]: ...

    def out_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]: ...

    def in_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]: ...


@dataclass(frozen=True)
class Hop:
    """One column (or relation's rows) reached by a query, and how."""

    ref: ColumnRef
    depth: int
    kind: EdgeKind
    expression: str
    location: Location
    via: ColumnRef


@dataclass(frozen=True)
class ConsumerReach:
    """A consumer a downstream query reaches: through which column, after how many hops."""

    consumer: Consumer
    via: ColumnRef
    depth: int


@dataclass(frozen=True)
class Answer:
    """What a who-uses or trace query reached, and the blind spots on its paths."""

    start: tuple[ColumnRef, ...]
    hops: tuple[Hop, ...]
    blind_spots: tuple[BlindSpot, ...]
    unanalysed: tuple[Diagnostic, ...] = ()
    consumers: tuple[ConsumerReach, ...] = ()

    @property
    def complete(self) -> bool:
        """True when nothing on the answer's paths, or that could be on them, is unknown."""
        return not self.blind_spots and not self.unanalysed

    def path_to(self, ref: ColumnRef) -> tuple[ColumnRef, ...]:
        """The chain of refs from a start to `ref`, following the first way each was reached."""
        by_ref = {h.ref: h for h in self.hops}
        chain = [ref]
        while chain[-1] in by_ref and by_ref[chain[-1]].via not in chain:
            chain.append(by_ref[chain[-1]].via)
        return tuple(reversed(chain))


class LineageGraph:
    """The project's lineage plus its blind spots, with the queries the commands need.

    `project` gives the blind spots, diagnostics and consumers; `index` the edges (by default
    an `EdgeIndex` of `project`'s own edges)."""

    def __init__(self, project: Project, index: LineageIndex | None = None) -> None:
        self.project = project
        self.index: LineageIndex = index if index is not None else EdgeIndex(project)
        self._blind = _index_blind_spots(project.blind_spots)
        self._readers: dict[ColumnRef, list[Consumer]] = {}
        for consumer in project.consumers:
            for read in consumer.reads:
                self._readers.setdefault(read, []).append(consumer)

    def relation_columns(self, relation: str) -> list[ColumnRef]:
        return self.index.relation_columns(relation)

    def downstream(
        self, start: list[ColumnRef], depth: int | None = None, direct_only: bool = False
    ) -> Answer:
        """Everything that reads `start`, hop by hop (breadth first: each at its least depth).

        A statement that failed to parse or analyse might read `start`, so the answer lists
        those failures as well: it is complete only when there are none.
        """
        answer = self._walk(start, depth, direct_only, self.out_edges)
        failed = tuple(d for d in self.project.diagnostics if may_hide_readers(d))
        return replace(answer, unanalysed=failed, consumers=self._consumers(answer))

    def _consumers(self, answer: Answer) -> tuple[ConsumerReach, ...]:
        """Consumers reading the start or any column reached (all columns of a relation
        whose rows are reached), each at the least depth."""
        reached: dict[str, ConsumerReach] = {}
        steps = [(ref, 0) for ref in answer.start] + [(h.ref, h.depth) for h in answer.hops]
        for ref, level in sorted(steps, key=lambda s: (s[1], s[0].sort_key)):
            columns = self.relation_columns(ref.relation) if ref.column is None else [ref]
            for column in columns:
                for consumer in self._readers.get(column, ()):
                    reached.setdefault(consumer.id, ConsumerReach(consumer, column, level + 1))
        return tuple(sorted(reached.values(), key=lambda r: (r.depth, r.consumer.id)))

    def upstream(
        self, start: list[ColumnRef], depth: int | None = None, direct_only: bool = False
    ) -> Answer:
        """Everything `start` is computed from."""
        return self._walk(start, depth, direct_only, self._in_edges)

    def _walk(
        self, start: list[ColumnRef], depth: int | None, direct_only: bool, step: _Step
    ) -> Answer:
        downstream = step == self.out_edges
        seen = set(start)
        hops: list[Hop] = []
        blind: dict[tuple[object, ...], BlindSpot] = {}
        queue = deque((ref, 0) for ref in start)
        while queue:
            ref, level = queue.popleft()
            for spot in self._blind_on(ref, downstream):
                blind.setdefault((spot.target, spot.reason, spot.location), spot)
            if depth is not None and level >= depth:
                continue
            for edge, reached in step(ref):
                if direct_only and not edge.kind.is_direct:
                    continue
                if reached in seen:
                    continue
                seen.add(reached)
                hops.append(Hop(reached, level + 1, edge.kind, edge.expression, edge.location, ref))
                queue.append((reached, level + 1))
        ordered = sorted(hops, key=lambda h: (h.depth, h.ref.sort_key))
        return Answer(
            tuple(start),
            tuple(ordered),
            tuple(sorted(blind.values(), key=lambda b: (b.target.sort_key, b.location, b.reason))),
        )

    def out_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]:
        """Reads of `ref`. The rows of a relation are read by whatever reads any column."""
        return self.index.out_edges(ref)

    def _in_edges(self, ref: ColumnRef) -> Iterator[tuple[Edge, ColumnRef]]:
        """What `ref` is computed from: its own inputs and what decides its relation's rows."""
        return self.index.in_edges(ref)

    def _blind_on(self, ref: ColumnRef, downstream: bool) -> list[BlindSpot]:
        if downstream:
            return self._blind.downstream.get(ref.relation, [])
        spots = self._blind.by_target.get(ref, []) + self._blind.by_target.get(
            ColumnRef(ref.relation, None), []
        )
        return spots


def may_hide_readers(diagnostic: Diagnostic) -> bool:
    """A statement that was not analysed (unparsable, or a CALL / COPY lineage cannot see)
    may read any column: downstream answers must say so."""
    if diagnostic.severity is Severity.ERROR:
        return True
    return (
        diagnostic.code is DiagnosticCode.UNSUPPORTED_STATEMENT
        and diagnostic.severity is Severity.WARNING
    )


@dataclass(frozen=True)
class _BlindIndex:
    by_target: dict[ColumnRef, list[BlindSpot]]
    downstream: dict[str, list[BlindSpot]]


def _index_blind_spots(spots: tuple[BlindSpot, ...]) -> _BlindIndex:
    """Upstream queries meet a blind spot at its target; downstream ones at the relations
    whose columns might flow into it unseen (an unexpanded `*`)."""
    by_target: dict[ColumnRef, list[BlindSpot]] = {}
    downstream: dict[str, list[BlindSpot]] = {}
    for spot in spots:
        by_target.setdefault(spot.target, []).append(spot)
        for relation in spot.upstream:
            downstream.setdefault(relation, []).append(spot)
    return _BlindIndex(by_target, downstream)
