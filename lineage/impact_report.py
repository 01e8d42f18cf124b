"""The impact report: propagated changes as affected columns, consumers, dbt tests and
unknowns, sorted for deterministic output."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from lineage.changes import (
    Affected,
    AffectedConsumer,
    AffectedTest,
    Change,
    ChangeKind,
    DataTestOutcome,
    ImpactReport,
    ImpactSeverity,
    PathStep,
    StateInfo,
    Unknown,
)
from lineage.edge_index import EdgeIndex
from lineage.entities import ColumnRef, Consumer, DataTest, Project
from lineage.graph import may_hide_readers
from lineage.impact import Effect, Propagation, Reach, affected_entries
from lineage.names import display_name, display_ref

_BREAKING_KINDS = frozenset(
    {
        ChangeKind.COLUMN_REMOVED,
        ChangeKind.COLUMN_RENAMED,
        ChangeKind.COLUMN_TYPE_CHANGED,
        ChangeKind.RELATION_REMOVED,
        ChangeKind.RELATION_RENAMED,
    }
)


def impact_report(
    changes: Iterable[Change],
    base: Project,
    head: Project,
    labels: tuple[str, str],
    command: str,
) -> ImpactReport:
    """Propagate `changes` (found between `base` and `head`, or given by hand with
    base == head) and collect everything they affect."""
    ordered = tuple(sorted(changes, key=lambda c: c.sort_key))
    runs = _propagate(ordered, base, head)
    affected = [entry for run in runs for entry in affected_entries(run)]
    affected += list(_promises(ordered, base)) + list(_additions(ordered, head))
    affected = _strongest(affected)
    unknowns = _unknowns(runs, head)
    reached = {a.ref.relation for a in affected if a.depth > 0}
    blind = {u.ref.relation for u in unknowns}
    return ImpactReport(
        changes=ordered,
        affected=tuple(sorted(affected, key=_affected_order)),
        consumers=tuple(_consumers(runs, head, base)),
        tests=tuple(_tests(runs, ordered, head)),
        unknowns=unknowns,
        base=_state(labels[0], base),
        head=_state(labels[1], head),
        command=command,
        downstream_relations=len(reached | blind),
        downstream_analysed=len(reached - blind),
    )


def _propagate(changes: tuple[Change, ...], base: Project, head: Project) -> list[Propagation]:
    """One propagation per change, so that each change's own effect stays visible: a filter
    change still changes rows after the break another change causes there is fixed."""
    base_graph = EdgeIndex(base)
    head_graph = EdgeIndex(head) if head is not base else base_graph
    runs = []
    for change in changes:
        run = Propagation(base_graph, head_graph)
        run.run((change,))
        runs.append(run)
    return runs


def _state(label: str, project: Project) -> StateInfo:
    coverage = project.coverage
    return StateInfo(label, coverage.statements, coverage.statements_analysed, coverage.unit)


def _affected_order(entry: Affected) -> tuple[int, int, tuple[str, str], tuple[str, str]]:
    return (-entry.severity, entry.depth, entry.ref.sort_key, entry.cause.sort_key)


def _strongest(entries: list[Affected]) -> list[Affected]:
    """One entry per column (or relation) and cause: the worst, then the nearest."""
    best: dict[tuple[ColumnRef, ColumnRef], Affected] = {}
    for entry in entries:
        key = (entry.ref, entry.cause)
        known = best.get(key)
        if known is None or (entry.severity, -entry.depth) > (known.severity, -known.depth):
            best[key] = entry
    return list(best.values())


# -- changes that are affected entries themselves ----------------------------------------------


def _promises(changes: tuple[Change, ...], base: Project) -> Iterator[Affected]:
    """Removing, renaming or retyping a column of a model with an enforced contract, or of
    a version of a versioned model, breaks a promise made to readers outside the project."""
    for change in changes:
        relation = base.relation(change.relation)
        if change.kind not in _BREAKING_KINDS or relation is None:
            continue
        name = display_name(relation.name)
        if relation.contract:
            why = f"{name} has an enforced contract: readers rely on its columns and types"
        elif relation.version is not None:
            why = f"{name} is version {relation.version} of a versioned model: add a version"
        else:
            continue
        start = (PathStep(change.ref, None, change.location),)
        reason = f"{change.reason}; {why}"
        yield Affected(
            change.ref,
            ImpactSeverity.BREAKS,
            reason,
            0,
            start,
            change.ref,
            change.location,
            owner=relation.owner,
        )


def _additions(changes: tuple[Change, ...], head: Project) -> Iterator[Affected]:
    for change in changes:
        if change.kind not in (ChangeKind.COLUMN_ADDED, ChangeKind.RELATION_ADDED):
            continue
        relation = head.relation(change.relation)
        start = (PathStep(change.ref, None, change.location),)
        yield Affected(
            change.ref,
            ImpactSeverity.ADDITIVE,
            change.reason,
            0,
            start,
            change.ref,
            change.location,
            owner=relation.owner if relation is not None else None,
        )


# -- consumers ----------------------------------------------------------------------------


def _consumers(runs: list[Propagation], head: Project, base: Project) -> list[AffectedConsumer]:
    """Consumers of the head reading anything reached. A consumer also keeps the reads it had
    in the base: a column the head no longer has is still read by it (that is the break)."""
    before = {c.id: c for c in base.consumers}
    found = []
    for consumer in head.consumers:
        old = before.get(consumer.id)
        if old is not None and old.reads != consumer.reads:
            reads = tuple(sorted(set(consumer.reads) | set(old.reads)))
            consumer = replace(consumer, reads=reads)
        hits = [h for h in (_strongest_read(run, consumer) for run in runs) if h is not None]
        if hits:
            found.append(max(hits, key=lambda h: (h.severity, -h.depth)))
    return sorted(found, key=lambda c: (-c.severity, c.depth, c.consumer.id))


def _strongest_read(propagation: Propagation, consumer: Consumer) -> AffectedConsumer | None:
    best: tuple[Reach, ColumnRef] | None = None
    for read in consumer.reads:
        for ref in (read, ColumnRef(read.relation, None)):
            reach = propagation.reached.get(ref)
            if reach is None or (ref.column is None and reach.effect < Effect.ROWS):
                continue
            if best is None or (reach.severity, -reach.depth) > (
                best[0].severity,
                -best[0].depth,
            ):
                best = (reach, read)
    if best is None:
        return None
    reach, via = best
    how = {
        Effect.BREAKS: "reads a column that breaks",
        Effect.GONE: "reads a column that no longer exists",
        Effect.ROWS: "reads a relation whose rows change",
    }.get(reach.effect, "reads a column whose values change")
    return AffectedConsumer(
        consumer,
        reach.severity,
        via,
        reach.depth + 1,
        reach.path,
        reach.cause.ref,
        f"{how}: {display_ref(via)}",
    )


# -- dbt tests ----------------------------------------------------------------------------


def _tests(
    runs: list[Propagation], changes: tuple[Change, ...], head: Project
) -> list[AffectedTest]:
    found: dict[tuple[str, str, str], AffectedTest] = {}
    reached = [(ref, reach) for run in runs for ref, reach in run.reached.items()]
    index = runs[0].head if runs else EdgeIndex(head)
    for ref, reach in sorted(reached, key=lambda item: (item[0].sort_key, -item[1].effect)):
        if reach.effect is Effect.GONE and reach.depth == 0:
            continue  # the removed column itself: handled below, from the head's YAML
        broken = reach.effect is Effect.BREAKS  # the relation fails: all its tests do
        for test in _tests_on(index, ColumnRef(ref.relation, None) if broken else ref):
            outcome, why = _test_outcome(reach)
            reason = f"{display_ref(ref)}: {why}"
            test_impact = AffectedTest(
                ref.relation, test.column, test.name, outcome, reason, test.location
            )
            _keep(found, test_impact)
    for change in changes:
        if change.kind not in (ChangeKind.COLUMN_REMOVED, ChangeKind.COLUMN_RENAMED):
            continue
        relation = head.relation(change.relation)
        for test in relation.tests if relation is not None else ():
            if test.column == change.column:
                reason = f"it tests {display_ref(change.ref)}, which no longer exists"
                _keep(
                    found,
                    AffectedTest(
                        change.relation,
                        test.column,
                        test.name,
                        DataTestOutcome.WILL_FAIL,
                        reason,
                        test.location,
                    ),
                )
    return sorted(
        found.values(),
        key=lambda t: (t.outcome.value != "will_fail", t.relation, t.column or "", t.name),
    )


def _test_outcome(reach: Reach) -> tuple[DataTestOutcome, str]:
    """A test on a relation that breaks fails; one on a relation dbt skips because something
    upstream breaks does not run: re-run it once that is fixed."""
    if reach.effect is Effect.GONE:
        return DataTestOutcome.WILL_FAIL, f"the column is no longer loaded ({reach.cause.reason})"
    if reach.effect is Effect.BREAKS and reach.direct:
        return DataTestOutcome.WILL_FAIL, reach.reason
    if reach.effect is Effect.BREAKS:
        return DataTestOutcome.RERUN, f"skipped: {reach.reason}"
    return DataTestOutcome.RERUN, reach.reason


def _tests_on(project: EdgeIndex, ref: ColumnRef) -> list[DataTest]:
    relation = project.relation(ref.relation)
    if relation is None:
        return []
    return [t for t in relation.tests if ref.column is None or t.column == ref.column]


def _keep(found: dict[tuple[str, str, str], AffectedTest], test: AffectedTest) -> None:
    key = (test.relation, test.column or "", test.name)
    known = found.get(key)
    if known is None or (
        known.outcome is DataTestOutcome.RERUN and test.outcome is DataTestOutcome.WILL_FAIL
    ):
        found[key] = test


# -- what could not be followed ---------------------------------------------------------------


def _unknowns(runs: list[Propagation], head: Project) -> tuple[Unknown, ...]:
    reached: dict[str, Reach] = {}
    for run in runs:
        for ref, reach in run.reached.items():
            reached.setdefault(ref.relation, reach)
    found: dict[tuple[str, str, str], Unknown] = {}
    for spot in head.blind_spots:
        touching = [r for r in (*spot.upstream, spot.target.relation) if r in reached]
        if not touching:
            continue
        meaning = (
            f"columns of {display_name(touching[0])} may reach {display_ref(spot.target)} "
            "unseen: its part of the impact is unknown"
        )
        unknown = Unknown(
            spot.target, spot.reason, meaning, spot.location, reached[touching[0]].cause.ref
        )
        found.setdefault((str(spot.target), spot.reason, str(spot.location)), unknown)
    for diagnostic in head.diagnostics:
        if not may_hide_readers(diagnostic):
            continue
        ref = ColumnRef(diagnostic.relation or diagnostic.location.path, None)
        meaning = "it was not analysed: it may read what changed"
        unknown = Unknown(ref, diagnostic.message, meaning, diagnostic.location)
        found.setdefault((str(ref), diagnostic.message, str(diagnostic.location)), unknown)
    for notice in (n for run in runs for n in run.notices):
        meaning = "whether it still works with the new type is unknown"
        unknown = Unknown(notice.ref, notice.reason, meaning, notice.location, notice.cause.ref)
        found.setdefault((str(notice.ref), notice.reason, str(notice.location)), unknown)
    return tuple(found[key] for key in sorted(found))
