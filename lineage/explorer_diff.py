"""The explorer's diff overlay (`lineage explore --base REF`): the impact report's statuses on
the head state's columns and nodes, with the same words, colours and glyphs as the report.

A column's status is the worst severity of the report's entries for it, else `changed` when a
change names it (a renamed column's new name included), else `none`. A node's status is the
worst of its columns', a consumer's the worst severity it is reached with. A column the head no
longer has (removed, or renamed away) cannot be a column of the head's graph: it is listed in
`removed`, with its node, so the focus view can draw it as a ghost row.
"""

from __future__ import annotations

from typing import Any, Protocol

from lineage.changes import Change, ChangeKind, ImpactReport, ImpactSeverity
from lineage.names import display_ref
from lineage.report.impact_layout import GLYPHS, STATUS_ORDER
from lineage.report.impact_text import verdict_sentence

_STATUS = {name: i for i, name in enumerate(STATUS_ORDER)}
NONE = _STATUS["none"]
CHANGED = _STATUS["changed"]
_LABELS = {s.slug: s.label for s in ImpactSeverity} | {"changed": "Changed", "none": ""}

Key = tuple[str, str | None]


class Interner(Protocol):
    def __call__(self, text: str | None) -> int: ...


def diff_overlay(
    report: ImpactReport,
    columns: dict[Key, int],
    nodes: dict[tuple[str, bool], int],
    strings: Interner,
) -> dict[str, Any]:
    """The `diff` member of the explorer document (format in docs/explorer.md)."""
    status: dict[Key, int] = {}
    for change in report.changes:
        if change.consumer is None:
            for key in _changed_keys(change):
                status.setdefault(key, CHANGED)
    entries = []
    reasons: dict[Key, int] = {}
    for entry in report.affected:
        key = (entry.ref.relation, entry.ref.column)
        worst = _STATUS[entry.severity.slug]
        if worst < status.get(key, NONE):
            reasons[key] = strings(entry.reason)
        status[key] = min(status.get(key, NONE), worst)
        column = columns.get(key)
        if column is not None:
            where = entry.location
            entries.append(
                [
                    column,
                    worst,
                    int(entry.direct),
                    strings(entry.reason),
                    strings(entry.fix),
                    entry.depth,
                    strings(where.path) if where else 0,
                    where.line if where else 0,
                ]
            )
    return {
        "base": report.base.label,
        "head": report.head.label,
        "verdict": verdict_sentence(report),
        "statuses": list(STATUS_ORDER),
        "glyphs": [GLYPHS[s] for s in STATUS_ORDER],
        "labels": [_LABELS[s] for s in STATUS_ORDER],
        "columns": _flat_pairs((columns[k], s) for k, s in status.items() if k in columns),
        "nodes": _node_statuses(report, status, columns, nodes),
        "entries": sorted(entries),
        "changes": [_change(change, strings) for change in report.changes],
        "removed": _removed(status, reasons, columns, nodes, strings),
        "gone": _gone(report.changes, columns),
    }


def _changed_keys(change: Change) -> list[Key]:
    keys: list[Key] = [(change.relation, change.column)]
    if change.new_name is not None and change.column is not None:
        keys.append((change.relation, change.new_name))
    return keys


def _node_statuses(
    report: ImpactReport,
    status: dict[Key, int],
    columns: dict[Key, int],
    nodes: dict[tuple[str, bool], int],
) -> list[int]:
    worst: dict[int, int] = {}
    for (relation, _), value in status.items():
        node = nodes.get((relation, False))
        if node is not None:
            worst[node] = min(worst.get(node, NONE), value)
    for reached in report.consumers:
        node = nodes.get((reached.consumer.id, True))
        if node is not None:
            worst[node] = min(worst.get(node, NONE), _STATUS[reached.severity.slug])
    return _flat_pairs(worst.items())


def _removed(
    status: dict[Key, int],
    reasons: dict[Key, int],
    columns: dict[Key, int],
    nodes: dict[tuple[str, bool], int],
    strings: Interner,
) -> list[list[int]]:
    found = []
    for (relation, column), value in status.items():
        node = nodes.get((relation, False))
        if column is not None and (relation, column) not in columns and node is not None:
            reason = reasons.get((relation, column), 0)
            found.append([node, strings(column), value, reason])
    return sorted(found)


def _gone(changes: tuple[Change, ...], columns: dict[Key, int]) -> list[int]:
    """Head columns that a change removed or renamed away but the head still names (a YAML
    contract still declares it, or a reader still reads it): shown as ghosts too."""
    kinds = (ChangeKind.COLUMN_REMOVED, ChangeKind.COLUMN_RENAMED)
    found = {
        columns[change.relation, change.column]
        for change in changes
        if change.kind in kinds and (change.relation, change.column) in columns
    }
    return sorted(found)


def _change(change: Change, strings: Interner) -> list[int]:
    where = change.location
    subject = change.consumer if change.consumer else display_ref(change.ref)
    return [
        strings(change.kind.label),
        strings(subject),
        strings(change.reason),
        strings(where.path) if where else 0,
        where.line if where else 0,
    ]


def _flat_pairs(pairs: Any) -> list[int]:
    return [number for pair in sorted(pairs) for number in pair]
