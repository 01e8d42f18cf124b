"""Change impact: each change propagated along the lineage graph, with a severity per hop.

Propagation works on the head state (what runs after the merge), except where a change
removed something: a removed column is followed through the base state's load edges (an
ingestion tool loading an application column into a dbt source is the same column in the
warehouse) and then to whatever the head state still reads it with.

Effects, from strongest to weakest, and how each moves across one edge:

- BREAKS: the relation of the reached column fails to build (a removed column is still
  read, an incompatible type meets an operator). Every relation built from it fails too
  (dbt skips them): they are reached as a whole, not column by column.
- GONE: the column no longer exists. Through a load edge the landed column is gone too; any
  SQL still reading it breaks at that hop, with the reading file:line.
- ROWS: the rows of a relation change (a changed column in a filter, join key or grouping,
  or a changed WHERE). Everything built from that relation changes rows.
- TYPE: the values and the type of a column change; a pass-through carries the new type,
  a use (arithmetic, comparison, join key...) is judged by `lineage.type_compat`.
- VALUES: the values change. Direct edges and window / conditional edges carry it; a
  row-level edge turns it into ROWS of the reading relation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum

from lineage.changes import (
    Affected,
    Change,
    ChangeKind,
    ImpactSeverity,
    PathStep,
)
from lineage.edge_index import EdgeIndex
from lineage.entities import ColumnRef, Edge, EdgeKind, Location, RelationKind
from lineage.names import display_name


class Effect(IntEnum):
    VALUES = 1
    TYPE = 2
    ROWS = 3
    GONE = 4
    BREAKS = 5


_SEVERITY = {
    Effect.VALUES: ImpactSeverity.VALUES,
    Effect.TYPE: ImpactSeverity.VALUES,
    Effect.ROWS: ImpactSeverity.ROWS,
    Effect.GONE: ImpactSeverity.BREAKS,
    Effect.BREAKS: ImpactSeverity.BREAKS,
}

_GONE_KINDS = frozenset(
    {
        ChangeKind.COLUMN_REMOVED,
        ChangeKind.COLUMN_RENAMED,
        ChangeKind.RELATION_REMOVED,
        ChangeKind.RELATION_RENAMED,
    }
)
_ROW_KINDS = frozenset(
    {
        ChangeKind.FILTER_CHANGED,
        ChangeKind.JOIN_CHANGED,
        ChangeKind.GRAIN_CHANGED,
        ChangeKind.ORDER_CHANGED,
    }
)


@dataclass(frozen=True)
class Reach:
    """How a column (or a relation, `column is None`) is reached by one change."""

    effect: Effect
    depth: int
    path: tuple[PathStep, ...]
    cause: Change
    reason: str
    location: Location | None = None
    fix: str | None = None
    direct: bool = True
    type_from: str | None = None  # TYPE: the type the column had
    type_to: str | None = None

    def beats(self, other: Reach) -> bool:
        return (self.effect, -self.depth) > (other.effect, -other.depth)

    @property
    def severity(self) -> ImpactSeverity:
        return _SEVERITY[self.effect]


@dataclass(frozen=True)
class Notice:
    """A hop whose effect could not be judged (e.g. a CAST meeting a new type)."""

    ref: ColumnRef
    reason: str
    location: Location | None
    cause: Change


class Propagation:
    """Every column and relation the changes reach, each with its strongest effect."""

    def __init__(self, base: EdgeIndex, head: EdgeIndex) -> None:
        self.base = base
        self.head = head
        self.dialect = head.project.dialect
        self.reached: dict[ColumnRef, Reach] = {}
        self.notices: list[Notice] = []
        self._queue: deque[ColumnRef] = deque()

    def run(self, changes: tuple[Change, ...]) -> None:
        for change in changes:
            for ref, reach in self._starts(change):
                self._offer(ref, reach)
        while self._queue:
            ref = self._queue.popleft()
            self._expand(ref, self.reached[ref])

    # -- starting points ------------------------------------------------------------------

    def _starts(self, change: Change) -> Iterator[tuple[ColumnRef, Reach]]:
        start = PathStep(change.ref, None, change.location)
        where = change.location
        if change.kind in _GONE_KINDS:
            yield change.ref, Reach(Effect.GONE, 0, (start,), change, change.reason, where)
        elif change.kind in _ROW_KINDS:
            yield change.ref, Reach(Effect.ROWS, 0, (start,), change, change.reason, where)
        elif change.kind is ChangeKind.COLUMN_TYPE_CHANGED:
            yield (
                change.ref,
                Reach(
                    Effect.TYPE,
                    0,
                    (start,),
                    change,
                    change.reason,
                    where,
                    type_from=change.old_type,
                    type_to=change.new_type,
                ),
            )
        elif change.kind is ChangeKind.COLUMN_EXPRESSION_CHANGED or _now_nullable(change):
            yield change.ref, Reach(Effect.VALUES, 0, (start,), change, change.reason, where)

    def _offer(self, ref: ColumnRef, reach: Reach) -> None:
        known = self.reached.get(ref)
        if known is not None and not reach.beats(known):
            return
        self.reached[ref] = reach
        self._queue.append(ref)

    # -- one step -------------------------------------------------------------------------

    def _expand(self, ref: ColumnRef, reach: Reach) -> None:
        if reach.effect is Effect.GONE:
            self._expand_gone(ref, reach)
        elif reach.effect in (Effect.BREAKS, Effect.ROWS):
            self._expand_relation(ref, reach)
        else:
            self._expand_values(ref, reach)

    def _expand_gone(self, ref: ColumnRef, reach: Reach) -> None:
        for column in self._columns(ref, self.base) or [ref]:
            for edge, target in self.base.out_edges(column):
                if _is_load(edge, self.base):
                    self._offer(target, self._step(reach, edge, target, Effect.GONE, ""))
            for edge, target in self.head.out_edges(column):
                if _is_load(edge, self.head):
                    self._offer(target, self._step(reach, edge, target, Effect.GONE, ""))
                else:
                    self._offer(target, self._break(reach, column, edge, target))

    def _break(self, reach: Reach, column: ColumnRef, edge: Edge, target: ColumnRef) -> Reach:
        change = reach.cause
        name = f"`{column.column}`" if column.column else f"`{display_name(column.relation)}`"
        if change.kind in (ChangeKind.COLUMN_RENAMED, ChangeKind.RELATION_RENAMED):
            gone = f"renamed to `{change.new_name}`"
            fix = f"read `{change.new_name}` at {edge.location}"
        else:
            gone = "removed"
            fix = f"stop reading {name} at {edge.location}, or keep it"
        reason = f"still reads {name} ({gone}) at {edge.location}"
        return self._step(reach, edge, target, Effect.BREAKS, reason, fix=fix)

    def _expand_relation(self, ref: ColumnRef, reach: Reach) -> None:
        relation = display_name(ref.relation)
        for column in self._columns(ColumnRef(ref.relation, None), self.head):
            for edge, target in self.head.out_edges(column):
                if target.relation == ref.relation:
                    continue
                whole = ColumnRef(target.relation, None)
                if reach.effect is Effect.BREAKS:
                    reason = f"built from {relation}, which breaks: dbt skips it, it goes stale"
                    step = self._step(reach, edge, whole, Effect.BREAKS, reason, direct=False)
                else:
                    reason = f"reads {relation}, whose rows change"
                    step = self._step(reach, edge, whole, Effect.ROWS, reason)
                self._offer(whole, step)

    def _expand_values(self, ref: ColumnRef, reach: Reach) -> None:
        if ref.column is None:
            return
        for edge, target in self.head.out_edges(ref):
            self._offer(target, self._value_step(ref, reach, edge, target))

    def _value_step(self, ref: ColumnRef, reach: Reach, edge: Edge, target: ColumnRef) -> Reach:
        source = display_name(ref.relation) + "." + str(ref.column)
        if reach.effect is Effect.TYPE:
            judged = self._judge_type(ref, reach, edge, target)
            if judged is not None:
                return judged
        if target.column is None:
            reason = f"{source} decides its rows ({edge.kind.value} at {edge.location})"
            return self._step(reach, edge, ColumnRef(target.relation, None), Effect.ROWS, reason)
        carries_type = reach.effect is Effect.TYPE and edge.kind is EdgeKind.IDENTITY
        effect = Effect.TYPE if carries_type else Effect.VALUES
        how = "passes through" if edge.kind is EdgeKind.IDENTITY else f"by {edge.kind.value}"
        reason = f"computed from {source} ({how} at {edge.location})"
        return self._step(reach, edge, target, effect, reason)

    def _judge_type(
        self, ref: ColumnRef, reach: Reach, edge: Edge, target: ColumnRef
    ) -> Reach | None:
        """A type change meeting a use: a break, or None to carry on as values / rows."""
        from lineage.sql.column_use import column_use
        from lineage.type_compat import compatibility, type_change_severity

        new_type = reach.type_to
        if edge.kind is EdgeKind.IDENTITY and target.column is not None:
            declared = _contract_type(self.head, target)
            if declared is None or new_type is None:
                return None
            if compatibility(declared, new_type, self.dialect).value == "same":
                return None
            reason = (
                f"its enforced contract declares {declared}, it now gets {new_type} "
                f"(from {display_name(ref.relation)}.{ref.column})"
            )
            return self._step(reach, edge, target, Effect.BREAKS, reason)
        # the source column is read in the innermost expression the value went through
        reading = edge.inner[0] if edge.inner else edge.expression
        use = column_use(reading, str(ref.column), self.dialect)
        severity, why = type_change_severity(
            reach.type_from, new_type, use, edge.kind is EdgeKind.JOIN, self.dialect
        )
        if severity is ImpactSeverity.BREAKS:
            reason = f"{why} at {edge.location}"
            landing = target if target.column is not None else ColumnRef(target.relation, None)
            return self._step(reach, edge, landing, Effect.BREAKS, reason)
        if severity is ImpactSeverity.UNKNOWN:
            self.notices.append(
                Notice(target, f"{why} at {edge.location}", edge.location, reach.cause)
            )
        return None

    # -- helpers --------------------------------------------------------------------------

    def _step(
        self,
        reach: Reach,
        edge: Edge,
        target: ColumnRef,
        effect: Effect,
        reason: str,
        fix: str | None = None,
        direct: bool = True,
    ) -> Reach:
        step = PathStep(target, edge.kind, edge.location, edge.expression)
        return Reach(
            effect,
            reach.depth + 1,
            (*reach.path, step),
            reach.cause,
            reason,
            edge.location,
            fix,
            direct,
            reach.type_from,
            reach.type_to,
        )

    def _columns(self, ref: ColumnRef, graph: EdgeIndex) -> list[ColumnRef]:
        if ref.column is not None:
            return [ref]
        return graph.relation_columns(ref.relation)


def _is_load(edge: Edge, project: EdgeIndex) -> bool:
    """An ingestion tool loading an application column into the warehouse (a dbt source, or
    the landed table of a plain SQL project): the same column, not a reader of it."""
    source = project.relation(edge.source.relation)
    target = project.relation(edge.target.relation)
    if source is not None and source.kind is RelationKind.APP_TABLE:
        return True
    return target is not None and target.kind is RelationKind.SOURCE


def _contract_type(project: EdgeIndex, ref: ColumnRef) -> str | None:
    relation = project.relation(ref.relation)
    if relation is None or not relation.contract or ref.column is None:
        return None
    column = relation.column(ref.column)
    return column.data_type if column is not None else None


def _now_nullable(change: Change) -> bool:
    return change.kind is ChangeKind.COLUMN_NULLABILITY_CHANGED and change.nullable is True


def affected_entries(propagation: Propagation) -> list[Affected]:
    """The reached columns and relations as report entries (a removed column that nothing
    declares any more is the change itself, not an entry)."""
    entries = []
    for ref, reach in propagation.reached.items():
        head, base = propagation.head, propagation.base
        if reach.effect is Effect.GONE and (reach.depth == 0 or not _declared(head, ref)):
            continue  # the removal itself, or a column nothing declares any more
        reason = reach.reason
        if reach.effect is Effect.GONE:
            reason = f"declared here but no longer loaded: {reach.cause.reason}"
        relation = head.relation(ref.relation) or base.relation(ref.relation)
        entries.append(
            Affected(
                ref,
                reach.severity,
                reason,
                reach.depth,
                reach.path,
                reach.cause.ref,
                reach.location,
                reach.direct,
                reach.fix,
                relation.owner if relation is not None else None,
            )
        )
    return entries


def _declared(project: EdgeIndex, ref: ColumnRef) -> bool:
    relation = project.relation(ref.relation)
    if relation is None or relation.dropped:
        return False
    return ref.column is None or relation.column(ref.column) is not None
