"""The rows and groups of the HTML report's tables, as plain view values.

`lineage.report.impact_html` puts them in the page's context: the changes by relation, the
affected entries worst first, the consumers by kind, the dbt tests and the blind spots. Every
project string is made visible (`impact_text.clean`); each row carries its anchor, the id and
permalink of its table row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import count
from typing import Any
from urllib.parse import quote, urlsplit

import networkx as nx

from lineage.changes import (
    Affected,
    AffectedConsumer,
    AffectedTest,
    Change,
    ChangeKind,
    DataTestOutcome,
    ImpactReport,
    ImpactSeverity,
)
from lineage.entities import ColumnRef, ConsumerKind, Location
from lineage.names import display_name, display_ref
from lineage.report.impact_text import (
    OWN_PRODUCT,
    clean,
    consumers_phrase,
    relation_noun,
    visible,
    where,
)

#: An old or new expression longer than this (or on several lines) is folded.
FOLD_EXPRESSION = 80
#: Consumer kinds in the order their groups are shown: the application's own product first.
CONSUMER_ORDER = sorted(ConsumerKind, key=lambda kind: kind not in OWN_PRODUCT)


@dataclass(frozen=True)
class AffectedRow:
    """A row of the affected table; `anchor` is its id and permalink."""

    anchor: str
    severity: str
    hops: int
    relation: str
    column: str
    how: str
    path: tuple[tuple[str, str], ...]  # each hop and how: ("stg.email", "identity at x.sql:3")
    owner: str
    tests: tuple[str, ...]
    consumers: int
    reason: str
    at: str
    fix: str
    skipped: bool  # it breaks only because something upstream of it does


@dataclass(frozen=True)
class ChangeRow:
    anchor: str
    subject: str
    kind: str
    before: str
    after: str
    detail: str
    reason: str
    at: str
    fold_before: bool  # long (or several lines): shown folded
    fold_after: bool


@dataclass(frozen=True)
class ConsumerRow:
    anchor: str
    name: str
    url: str | None  # http(s) only, percent-encoded
    severity: str
    via: tuple[str, ...]  # the affected columns it reads
    reads: tuple[str, ...]  # every column it reads
    hops: int
    owner: str
    at: str


@dataclass(frozen=True)
class Group:
    """A titled list of rows: changes of one relation, consumers of one kind, tests."""

    title: str
    note: str
    rows: tuple[Any, ...]


@dataclass(frozen=True)
class Row:
    """A row of a simple table (tests, blind spots): its anchor and its cells."""

    anchor: str
    cells: tuple[str, ...]


# -- who is affected -------------------------------------------------------------------------


def affected_rows(report: ImpactReport) -> list[AffectedRow]:
    """One row per affected entry, worst first, then most consumers reached, then nearest."""
    reach = consumers_reached(report)
    entries = sorted(
        report.affected,
        key=lambda a: (-a.severity, -len(reach[a.ref]), a.depth, a.ref.sort_key, a.cause.sort_key),
    )
    return [
        _affected_row(f"affected-{n}", entry, len(reach[entry.ref]), report.tests)
        for n, entry in enumerate(entries, 1)
    ]


def _affected_row(
    anchor: str, entry: Affected, reached: int, tests: tuple[AffectedTest, ...]
) -> AffectedRow:
    kinds = [k.value for k in entry.kinds]
    return AffectedRow(
        anchor,
        entry.severity.slug,
        entry.depth,
        clean(display_name(entry.ref.relation)),
        clean(entry.ref.column) if entry.ref.column is not None else "(rows)",
        " → ".join(kinds) or "changed",
        tuple(
            (
                clean(display_ref(s.ref)),
                f"{s.kind.value if s.kind else 'changed'} at {_at(s.location)}",
            )
            for s in entry.path
        ),
        clean(str(entry.owner)) if entry.owner is not None else "",
        tuple(_test_label(t, entry.ref) for t in tests if _checks(t, entry.ref)),
        reached,
        clean(entry.reason),
        _at(entry.location),
        clean(entry.fix or ""),
        not entry.direct,
    )


def _test_label(test: AffectedTest, ref: ColumnRef) -> str:
    """`not_null`, or on the rows of a relation `not_null (order_id)`."""
    column = f" ({test.column})" if ref.column is None and test.column is not None else ""
    return clean(test.name + column)


def _checks(test: AffectedTest, ref: ColumnRef) -> bool:
    """A test is on a column when it checks that column; on rows, when it is on the relation."""
    return test.relation == ref.relation and (ref.column is None or test.column == ref.column)


def consumers_reached(report: ImpactReport) -> dict[ColumnRef, set[str]]:
    """For each affected ref, the ids of the consumers downstream of it on the report's paths
    (a graph of refs, whose consumer nodes are their ids)."""
    graph = nx.DiGraph()
    for path in [a.path for a in report.affected] + [c.path for c in report.consumers]:
        nx.add_path(graph, [step.ref for step in path])
    for reach in report.consumers:
        nx.add_path(graph, [*[s.ref for s in reach.path[-1:]], reach.via, reach.consumer.id])
    graph.add_nodes_from(a.ref for a in report.affected)
    return {
        entry.ref: {node for node in nx.descendants(graph, entry.ref) if isinstance(node, str)}
        for entry in report.affected
    }


# -- what changed ----------------------------------------------------------------------------


def change_groups(changes: tuple[Change, ...]) -> list[Group]:
    """The changes by relation (consumer changes by consumer), in the report's order."""
    groups: dict[str, list[ChangeRow]] = {}
    nouns: dict[str, str] = {}
    for number, change in enumerate(changes, 1):
        title = clean(change.consumer or display_name(change.relation))
        nouns[title] = "consumer" if change.consumer else relation_noun(change.relation)
        groups.setdefault(title, []).append(_change_row(f"change-{number}", change))
    return [Group(title, nouns[title], tuple(rows)) for title, rows in groups.items()]


def _change_row(anchor: str, change: Change) -> ChangeRow:
    before, after = _before_after(change)
    subject = change.column if change.column is not None else "(rows)"
    return ChangeRow(
        anchor,
        clean(change.consumer if change.consumer else subject),
        change.kind.label,
        visible(before),
        visible(after),
        _type_detail(change),
        clean(change.reason),
        _at(change.location),
        _long(before),
        _long(after),
    )


def _long(text: str) -> bool:
    return len(text) > FOLD_EXPRESSION or "\n" in text.strip()


def _type_detail(change: Change) -> str:
    """`(narrowing)`, `(widening, values converted)`: what the types alone do not say."""
    if change.kind is not ChangeKind.COLUMN_TYPE_CHANGED:
        return ""
    parts = [change.compatibility.value.replace("_", " ")] if change.compatibility else []
    parts += ["values converted"] if change.values_converted else []
    return f"({', '.join(parts)})" if parts else ""


def _before_after(change: Change) -> tuple[str, str]:
    kind = change.kind
    name = change.consumer or change.column or display_name(change.relation)
    if kind in (ChangeKind.COLUMN_RENAMED, ChangeKind.RELATION_RENAMED):
        old = change.column if kind is ChangeKind.COLUMN_RENAMED else display_name(change.relation)
        new = change.new_name or "?"
        return old or "", new if kind is ChangeKind.COLUMN_RENAMED else display_name(new)
    if kind is ChangeKind.COLUMN_TYPE_CHANGED:
        return change.old_type or "?", change.new_type or "?"
    if kind is ChangeKind.COLUMN_NULLABILITY_CHANGED and change.nullable is not None:
        return ("NOT NULL", "nullable") if change.nullable else ("nullable", "NOT NULL")
    if kind.value.endswith("_removed"):
        return name, "(removed)"
    if kind.value.endswith("_added"):
        return "(none)", name
    return change.old_expression or "", change.new_expression or ""


# -- consumers -------------------------------------------------------------------------------


def consumer_groups(consumers: tuple[AffectedConsumer, ...]) -> list[Group]:
    """Consumers by kind, the application's own product first; one row per consumer."""
    by_id: dict[str, list[AffectedConsumer]] = defaultdict(list)
    for reach in consumers:
        by_id[reach.consumer.id].append(reach)
    groups = []
    number = count(1)
    for kind in CONSUMER_ORDER:
        chosen = [r for r in by_id.values() if r[0].consumer.kind is kind]
        chosen.sort(
            key=lambda r: (-max(x.severity for x in r), r[0].consumer.name, r[0].consumer.id)
        )
        rows = tuple(_consumer_row(f"consumer-{next(number)}", reaches) for reaches in chosen)
        if rows:
            title = consumers_phrase(r[0].consumer for r in chosen)
            groups.append(Group(title, "your own product" if kind in OWN_PRODUCT else "", rows))
    return groups


def _consumer_row(anchor: str, reaches: list[AffectedConsumer]) -> ConsumerRow:
    c = reaches[0].consumer
    via = sorted({r.via for r in reaches}, key=lambda r: r.sort_key)
    return ConsumerRow(
        anchor,
        clean(c.name),
        _link(c.url),
        max(r.severity for r in reaches).slug,
        tuple(clean(display_ref(v)) for v in via),
        tuple(clean(display_ref(r)) for r in c.reads),
        min(r.depth for r in reaches),
        clean(str(c.owner)),
        _at(c.location),
    )


def _link(url: str | None) -> str | None:
    """An http(s) address, percent-encoded; anything else (javascript:, data:) is no link."""
    if not url or urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return None
    return quote(url.strip(), safe=":/?#[]@!$&()*+,;=%~-._")


# -- tests and blind spots -------------------------------------------------------------------


def test_groups(tests: tuple[AffectedTest, ...]) -> list[Group]:
    """Tests that will fail, then tests worth re-running."""
    groups = []
    number = count(1)
    for outcome in (DataTestOutcome.WILL_FAIL, DataTestOutcome.RERUN):
        rows = tuple(
            Row(f"test-{next(number)}", (clean(t.name), _ref(t), _at(t.location), clean(t.reason)))
            for t in tests
            if t.outcome is outcome
        )
        if rows:
            title = f"{outcome.label.capitalize()} ({len(rows)})"
            groups.append(Group(title, outcome.value, rows))
    return groups


def _ref(test: AffectedTest) -> str:
    return clean(display_ref(ColumnRef(test.relation, test.column)))


def blind_spot_rows(report: ImpactReport) -> list[Row]:
    """Every hop not analysed: the report's blind spots, then affected entries of Unknown."""
    rows = [(display_ref(u.ref), _at(u.location), u.reason, u.meaning) for u in report.unknowns]
    rows += [
        (display_ref(a.ref), _at(a.location), a.reason, "its part of the impact is unknown")
        for a in report.affected
        if a.severity is ImpactSeverity.UNKNOWN
    ]
    return [
        Row(f"blind-spot-{n}", tuple(clean(cell) for cell in row)) for n, row in enumerate(rows, 1)
    ]


def _at(location: Location | None) -> str:
    return clean(where(location))
