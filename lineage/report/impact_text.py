"""The impact report for the terminal, and the wording every impact format shares.

Shared: the verdict sentence ("Breaks 2 models · changes values in 5 columns across 3 models ·
reaches 1 dashboard · 98% of downstream relations analysed"), counting phrases, consumer groups,
and `clean`, which makes an untrusted project string safe to print on one line. Names are shown
short by `lineage.names.display_name` (`model.shop.stg_app__users` -> `stg_app__users`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lineage.changes import (
    SEVERITY_ORDER,
    Affected,
    AffectedConsumer,
    Change,
    ChangeKind,
    DataTestOutcome,
    ImpactReport,
    ImpactSeverity,
)
from lineage.entities import ColumnRef, Consumer, ConsumerKind, Location
from lineage.names import display_name, display_ref

#: dbt resource types whose unique id is `<type>.<package>.<name>[.<version>]`.
_DBT_NODES = ("model", "seed", "snapshot")

#: Unicode controls that reorder text on screen (Trojan Source): shown, never obeyed.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_CONSUMER_NOUNS = {
    ConsumerKind.DASHBOARD: ("dashboard", "dashboards"),
    ConsumerKind.CHART: ("chart", "charts"),
    ConsumerKind.NOTEBOOK: ("notebook", "notebooks"),
    ConsumerKind.ANALYSIS: ("analysis", "analyses"),
    ConsumerKind.ML: ("ML model", "ML models"),
    ConsumerKind.APPLICATION: ("application", "applications"),
    ConsumerKind.FEATURE: ("product feature", "product features"),
    ConsumerKind.REVERSE_ETL: ("reverse-ETL sync", "reverse-ETL syncs"),
}

#: Consumers that are the application's own product: a change breaks the engineer's own code.
OWN_PRODUCT = frozenset({ConsumerKind.APPLICATION, ConsumerKind.FEATURE})


# -- names -----------------------------------------------------------------------------------


def relation_noun(name: str) -> str:
    """What a relation is, by its id: model, seed, snapshot, source, application table."""
    kind, _, rest = name.partition(".")
    if kind in (*_DBT_NODES, "source") and "." in rest:
        return kind
    return "application table" if name.startswith("app:") else "relation"


def clean(text: str, limit: int | None = None) -> str:
    """`text` on one line, control and bidi characters shown as escapes, cut to `limit`."""
    shown = visible(" ".join(text.split()))
    if limit is not None and len(shown) > limit:
        return shown[: limit - 1] + "…"
    return shown


def visible(text: str) -> str:
    """`text` with control characters (but newlines and tabs) and bidi controls shown as
    escapes (`\\x1b`, `\\u202e`), so a project string cannot drive the terminal or reorder
    what a reviewer reads."""
    return "".join(
        f"\\u{ord(c):04x}" if c in _BIDI else f"\\x{ord(c):02x}" if _is_control(c) else c
        for c in text
    )


def _is_control(char: str) -> bool:
    code = ord(char)
    return (code < 0x20 and char not in "\n\t") or 0x7F <= code < 0xA0


def where(location: Location | None) -> str:
    return str(location) if location is not None else "(no line known)"


# -- counting phrases ------------------------------------------------------------------------


def plural(count: int, singular: str, many: str | None = None) -> str:
    """`1 column`, `2 columns`, `3 analyses`."""
    return f"{count:,} {singular if count == 1 else many or singular + 's'}"


def and_list(parts: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def relations_phrase(names: Iterable[str]) -> str:
    """`3 models and 1 source`: distinct relations counted by what they are."""
    counts: dict[str, int] = {}
    for name in sorted(set(names)):
        noun = relation_noun(name)
        counts[noun] = counts.get(noun, 0) + 1
    order = ("model", "snapshot", "seed", "source", "application table", "relation")
    return and_list([plural(counts[noun], noun) for noun in order if noun in counts])


def consumers_phrase(consumers: Iterable[Consumer]) -> str:
    """`1 dashboard and 2 product features`: distinct consumers counted by kind."""
    unique = {c.id: c for c in consumers}.values()
    parts = []
    for kind, (one, many) in _CONSUMER_NOUNS.items():
        count = sum(1 for c in unique if c.kind is kind)
        if count:
            parts.append(plural(count, one, many))
    return and_list(parts)


def consumer_noun(kind: ConsumerKind) -> str:
    return _CONSUMER_NOUNS[kind][0]


# -- the verdict -----------------------------------------------------------------------------


def coverage_phrase(report: ImpactReport) -> str:
    """`98% of downstream relations analysed` (rounded down: 100% means all of them)."""
    total, done = report.downstream_relations, report.downstream_analysed
    if total <= 0:
        return "nothing downstream to analyse"
    return f"{done * 100 // total}% of downstream relations analysed"


def verdict_sentence(report: ImpactReport) -> str:
    """The one-line verdict: worst severity first, blast radius, blind spots, confidence."""
    if not report.changes:
        return "No changes: nothing to analyse"
    parts = blast_radius(report.affected, report.consumers, len(report.unknowns))
    worst = report.worst
    if worst is None:
        parts.insert(0, "No impact: nothing downstream reads what changed")
    parts.append(coverage_phrase(report))
    return " · ".join(parts)


def blast_radius(
    affected: Sequence[Affected], consumers: Sequence[AffectedConsumer], unknowns: int = 0
) -> list[str]:
    """`["Breaks 2 models", "changes values in 5 columns across 3 models", "reaches 1
    dashboard", "unknown at 1 hop"]`: the worst severity first, in its label's words.

    A severity no relation has but a consumer has (a dashboard reading a dropped column
    directly) names those consumers in its place (`Breaks 1 dashboard`); `reaches` names the
    other consumers."""
    parts = []
    named: set[str] = set()
    for severity in SEVERITY_ORDER:
        entries = [a for a in affected if a.severity is severity]
        if entries or severity is ImpactSeverity.UNKNOWN:
            parts.append(_severity_part(severity, entries, unknowns))
            continue
        only = [c.consumer for c in consumers if c.severity is severity]
        if only:
            joint = " " if severity is ImpactSeverity.BREAKS else " of "
            parts.append(severity.label + joint + consumers_phrase(only))
            named.update(c.id for c in only)
    parts = [p for p in parts if p]
    severities = [a.severity for a in affected] + [c.severity for c in consumers]
    worst = max(severities, default=ImpactSeverity.UNKNOWN if unknowns else None)
    if worst is not None and (not parts or not parts[0].startswith(worst.label)):
        parts.insert(0, worst.label)
    others = [c.consumer for c in consumers if c.consumer.id not in named]
    if others:
        parts.insert(_reach_index(parts), "reaches " + consumers_phrase(others))
    return parts[:1] + [_lower_first(p) for p in parts[1:]]


def _reach_index(parts: list[str]) -> int:
    """Consumers come after the severities, before the blind spots."""
    unknown = ImpactSeverity.UNKNOWN.label
    return next((i for i, p in enumerate(parts) if i and p.startswith(unknown)), len(parts))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _severity_part(severity: ImpactSeverity, entries: Sequence[Affected], unknowns: int) -> str:
    label = severity.label
    if severity is ImpactSeverity.UNKNOWN:
        places = len(entries) + unknowns
        return f"{label} at {plural(places, 'hop')}" if places else ""
    relations = relations_phrase(a.ref.relation for a in entries)
    columns = len({a.ref for a in entries if a.ref.column is not None})
    if severity is ImpactSeverity.BREAKS:
        direct = [a for a in entries if a.direct]
        skipped = {a.ref.relation for a in entries} - {a.ref.relation for a in direct}
        if not skipped:
            return f"{label} {relations}"
        first = relations_phrase(a.ref.relation for a in direct) if direct else "nothing itself"
        return f"{label} {first} (and {len(skipped)} more skipped downstream)"
    if severity is ImpactSeverity.ROWS:
        return f"{label} of {relations}"
    if severity is ImpactSeverity.VALUES and columns:
        return f"{label} in {plural(columns, 'column')} across {relations}"
    if severity is ImpactSeverity.ADDITIVE and columns:
        return f"{label}: {plural(columns, 'column')} nothing reads yet"
    return f"{label}: {relations}"


# -- changes ---------------------------------------------------------------------------------


def change_detail(change: Change) -> str:
    """What is special about a change, after its kind and name: `-> email_address`,
    `bigint -> integer (narrowing)`, `now NOT NULL`, or nothing."""
    if change.kind in (ChangeKind.COLUMN_RENAMED, ChangeKind.RELATION_RENAMED):
        new = change.new_name or "?"
        return "-> " + (new if change.kind is ChangeKind.COLUMN_RENAMED else display_name(new))
    if change.kind is ChangeKind.COLUMN_TYPE_CHANGED:
        detail = f"{change.old_type or '?'} -> {change.new_type or '?'}"
        if change.compatibility is not None:
            detail += f" ({change.compatibility.value.replace('_', ' ')})"
        return detail + (", values converted" if change.values_converted else "")
    if change.kind is ChangeKind.COLUMN_NULLABILITY_CHANGED and change.nullable is not None:
        return "now nullable" if change.nullable else "now NOT NULL"
    return ""


def change_subject(change: Change) -> str:
    """The thing a change is about: a column, a relation, or a consumer."""
    if change.consumer is not None:
        return change.consumer
    return display_name(change.relation) if change.column is None else display_ref(change.ref)


def affected_by(
    change: Change, report: ImpactReport
) -> tuple[list[Affected], list[AffectedConsumer]]:
    """The affected columns and consumers whose path starts at `change`."""
    return (
        [a for a in report.affected if a.cause == change.ref],
        [c for c in report.consumers if c.cause == change.ref],
    )


def by_severity(affected: Iterable[Affected], severity: ImpactSeverity) -> list[Affected]:
    """Entries of one severity, nearest first: direct reads, then by depth and name."""
    chosen = [a for a in affected if a.severity is severity]
    return sorted(chosen, key=lambda a: (not a.direct, a.depth, a.ref.sort_key))


def how_reached(entry: Affected | AffectedConsumer) -> str:
    """`identity`, `filter`...: the kind of the last hop, or `changed` for the change itself."""
    kinds = [s.kind.value for s in entry.path if s.kind is not None]
    return kinds[-1] if kinds else "changed"


# -- the text format -------------------------------------------------------------------------


def impact_text(report: ImpactReport) -> str:
    """The report for a terminal: plain text, no colour, one section per question."""
    lines = [
        f"lineage impact: {clean(report.base.label)} -> {clean(report.head.label)}"
        f" ({plural(len(report.changes), 'change')})",
        verdict_sentence(report),
    ]
    for severity in SEVERITY_ORDER:
        lines += _severity_lines(by_severity(report.affected, severity), severity)
    lines += _consumer_lines(report.consumers)
    lines += _change_lines(report.changes)
    lines += _test_lines(report)
    lines += _blind_spot_lines(report)
    lines += ["", f"Reproduce: {clean(report.command)}"]
    return "\n".join(lines) + "\n"


def _severity_lines(entries: list[Affected], severity: ImpactSeverity) -> list[str]:
    if not entries:
        return []
    lines = ["", f"{severity.label} ({len(entries)})"]
    for a in entries:
        lines.append(f"  {clean(display_ref(a.ref))}  at {where(a.location)}")
        notes = [clean(a.reason)]
        if not a.direct:
            notes.append("fails only because something upstream of it does")
        if a.fix:
            notes.append("fix: " + clean(a.fix))
        if a.owner is not None:
            notes.append("owner " + clean(str(a.owner)))
        lines.append(f"      {'; '.join(notes)} ({plural(a.depth, 'hop')}, {how_reached(a)})")
    return lines


def owner_groups(
    consumers: Iterable[AffectedConsumer],
) -> list[tuple[str, list[AffectedConsumer]]]:
    """Consumers by owner: the application's own product first, then owners by name, then
    consumers without an owner; worst severity first inside a group."""
    groups: dict[tuple[int, str], list[AffectedConsumer]] = {}
    for reach in consumers:
        c = reach.consumer
        if c.kind in OWN_PRODUCT:
            key = (0, "your own product")
        elif c.owner.name or c.owner.email:
            key = (1, str(c.owner))
        else:
            key = (2, "no owner")
        groups.setdefault(key, []).append(reach)
    return [
        (key[1], sorted(group, key=lambda r: (-r.severity, r.consumer.name, r.consumer.id)))
        for key, group in sorted(groups.items())
    ]


def _consumer_lines(consumers: Sequence[AffectedConsumer]) -> list[str]:
    if not consumers:
        return []
    lines = ["", f"Who must be told ({plural(len(consumers), 'consumer')})"]
    for owner, group in owner_groups(consumers):
        lines.append(f"  {clean(owner)}")
        for reach in group:
            c = reach.consumer
            lines.append(
                f"    {consumer_noun(c.kind)}  {clean(c.name)}  {reach.severity.label} via "
                f"{clean(display_ref(reach.via))} ({plural(reach.depth, 'hop')})"
                f"  {where(c.location)}"
            )
            if c.kind in OWN_PRODUCT:
                lines.append(f"      owner {clean(str(c.owner))}")
    return lines


def _change_lines(changes: Sequence[Change]) -> list[str]:
    if not changes:
        return []
    lines = ["", f"What changed ({plural(len(changes), 'change')})"]
    for change in changes:
        detail = change_detail(change)
        lines.append(
            f"  {change.kind.label}  {clean(change_subject(change))}"
            f"{' ' + clean(detail) if detail else ''}  at {where(change.location)}"
        )
        lines.append(f"      {clean(change.reason)}")
    return lines


def _test_lines(report: ImpactReport) -> list[str]:
    if not report.tests:
        return []
    lines = ["", f"dbt tests ({plural(len(report.tests), 'test')})"]
    for test in sorted(report.tests, key=lambda t: t.outcome is not DataTestOutcome.WILL_FAIL):
        subject = display_ref(ColumnRef(test.relation, test.column))
        lines.append(
            f"  {test.outcome.label:<16}  {clean(test.name)} on {clean(subject)}"
            f"  {where(test.location)}"
        )
        lines.append(f"      {clean(test.reason)}")
    return lines


def _blind_spot_lines(report: ImpactReport) -> list[str]:
    analysed = (
        f"{report.downstream_analysed} of {report.downstream_relations} downstream relations "
        "analysed"
    )
    if not report.unknowns:
        return ["", f"Blind spots: none: every hop was analysed ({analysed})"]
    lines = ["", f"Blind spots ({len(report.unknowns)}; {analysed})"]
    for unknown in report.unknowns:
        lines.append(f"  {clean(display_ref(unknown.ref))}  at {where(unknown.location)}")
        lines.append(f"      {clean(unknown.reason)}; {clean(unknown.meaning)}")
    return lines
