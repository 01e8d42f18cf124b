"""The impact report as one sticky pull-request comment (Markdown).

The comment answers the reviewer's questions in order: does it break, whose numbers change,
who must be told, what changed, which dbt tests, what could not be analysed, how to
reproduce. Every project string is escaped (`md_text`, `md_code` and the others of
`lineage.report.markdown_text`), so a name cannot break the comment. The comment stays under
`COMMENT_BUDGET` characters: when the full version is longer, it is rendered again with less
detail (`DETAIL_STEPS`: first without paths, then with fewer rows), never cut, and it says
what it left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lineage import __version__
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
)
from lineage.entities import ColumnRef, Location
from lineage.names import display_name, display_ref
from lineage.report.impact_text import (
    OWN_PRODUCT,
    and_list,
    by_severity,
    change_detail,
    change_subject,
    consumer_noun,
    consumers_phrase,
    how_reached,
    owner_groups,
    plural,
    relations_phrase,
    verdict_sentence,
)
from lineage.report.markdown_text import (
    ELSEWHERE,
    Block,
    limited,
    md_code,
    md_details,
    md_fence,
    md_link,
    md_more,
    md_names,
    md_prose,
    md_rows,
    md_text,
)

#: A hidden first line that lets the GitHub Action find its own comment and update it.
COMMENT_MARKER = "<!-- lineage:impact-report -->"

#: GitHub refuses comments over 65,536 characters; this leaves room for the Action's own text.
COMMENT_BUDGET = 60_000


@dataclass(frozen=True)
class Detail:
    """How much of the report the comment shows. `None` means all of it."""

    paths: bool  # the path from the change to each affected column and consumer
    expressions: bool  # the old and new SQL of expression and row-level changes
    rows: int | None  # affected columns shown per severity
    items: int | None  # consumers, changes, tests, blind spots and owners shown


#: Tried in order until the comment fits `COMMENT_BUDGET`.
DETAIL_STEPS = (
    Detail(paths=True, expressions=True, rows=None, items=None),
    Detail(paths=False, expressions=True, rows=None, items=None),
    Detail(paths=False, expressions=True, rows=100, items=100),
    Detail(paths=False, expressions=False, rows=25, items=25),
    Detail(paths=False, expressions=False, rows=5, items=10),
    Detail(paths=False, expressions=False, rows=0, items=3),
)


def impact_markdown(report: ImpactReport, budget: int = COMMENT_BUDGET) -> str:
    """The comment with as much detail as fits in `budget` characters."""
    text = ""
    for detail in DETAIL_STEPS:
        text = render_comment(report, detail)
        if len(text) <= budget:
            return text
    return text


def render_comment(report: ImpactReport, detail: Detail) -> str:
    """The comment at one level of detail: blocks (paragraphs, tables, folded blocks)
    separated by blank lines, so that a `</details>` never swallows the text after it."""
    sections = (
        _header(report, detail),
        _breaks(report, detail),
        _numbers(report, detail),
        _who(report, detail),
        _changes(report, detail),
        _tests(report, detail),
        _blind_spots(report, detail),
        [["### Reproduce"], md_fence(report.command, "sh", limit=4_000)],
    )
    return (
        "\n\n".join("\n".join(block) for section in sections for block in section if block) + "\n"
    )


# -- the report's own pieces ------------------------------------------------------------------


def _at(location: Location | None, table: bool = False) -> str:
    return md_code(str(location), table=table) if location is not None else "(no line known)"


def _ref(ref: ColumnRef, table: bool = False) -> str:
    return md_code(display_ref(ref), table=table)


def _owner(entry: Affected) -> str:
    return md_text(str(entry.owner)) if entry.owner is not None else ""


def _path(steps: Sequence[PathStep]) -> str:
    parts = []
    for step in steps:
        if step.kind is not None:
            where = f" at {_at(step.location)}" if step.location is not None else ""
            parts.append(f"→ _{step.kind.value}_{where} →")
        parts.append(_ref(step.ref))
    return " ".join(parts)


def _paths(title: str, entries: Sequence[Affected | AffectedConsumer], detail: Detail) -> Block:
    if not detail.paths or not entries:
        return []
    return md_details(f"{title} ({len(entries)})", [[f"- {_path(e.path)}" for e in entries]])


# -- the sections ----------------------------------------------------------------------------


def _header(report: ImpactReport, detail: Detail) -> list[Block]:
    dropped = [
        *(["the paths"] if not detail.paths else []),
        *(["the SQL before and after"] if not detail.expressions else []),
        *(["long lists"] if detail.rows is not None or detail.items is not None else []),
    ]
    shortened = f"_Shortened to fit a comment: {and_list(dropped)} are {ELSEWHERE}._"
    return [
        [COMMENT_MARKER, f"## lineage: {verdict_sentence(report)}"],
        [
            f"Comparing {md_code(report.base.label)} with {md_code(report.head.label)}: "
            f"{plural(len(report.changes), 'change')} · lineage {__version__}"
        ],
        [shortened] if dropped else [],
    ]


def _breaks(report: ImpactReport, detail: Detail) -> list[Block]:
    blocks: list[Block] = [["### Does it break?"]]
    entries = by_severity(report.affected, ImpactSeverity.BREAKS)
    direct = [a for a in entries if a.direct]
    skipped = sorted({a.ref.relation for a in entries if not a.direct})
    broken = [c for c in report.consumers if c.severity is ImpactSeverity.BREAKS]
    if not entries and not broken:
        tail = " on the paths that were analysed (see Blind spots)" if report.unknowns else ""
        return [
            *blocks,
            [f"**No.** Nothing still reads what this change removes or renames{tail}."],
        ]
    yes = "**Yes.** "
    if direct:
        where = relations_phrase(a.ref.relation for a in direct)
        blocks.append(
            [
                f"{yes}{plural(len(direct), 'column')} in {where} still read what this change "
                "removes, renames or retypes:"
            ]
        )
        header = ("Breaks", "Still read at", "Why", "Fix", "Owner")
        blocks += md_rows(direct, header, _break_row, detail.rows)
        yes = ""
    if skipped:
        names = md_names([display_name(r) for r in skipped], detail.items)
        blocks.append(
            [
                f"{yes}dbt then skips {relations_phrase(skipped)} downstream, because a model "
                f"upstream of them fails: {names}."
            ]
        )
        yes = ""
    if broken:
        phrase = consumers_phrase(c.consumer for c in broken)
        blocks.append([f"{yes}It breaks {phrase} (see Who must be told)."])
    return [*blocks, _paths("Paths of the breaks", entries, detail)]


def _break_row(entry: Affected) -> list[str]:
    return [
        _ref(entry.ref, table=True),
        _at(entry.location, table=True),
        md_prose(entry.reason, table=True),
        md_prose(entry.fix or "", table=True),
        _owner(entry),
    ]


def _numbers(report: ImpactReport, detail: Detail) -> list[Block]:
    blocks: list[Block] = [["### Whose numbers change?"]]
    for severity in (ImpactSeverity.ROWS, ImpactSeverity.VALUES):
        entries = by_severity(report.affected, severity)
        if entries:
            header = ("Column", "Hops", "Reached by", "Read at", "Why", "Owner")
            blocks.append([f"**{severity.label}**: {_radius(severity, entries)}."])
            blocks += md_rows(entries, header, _change_row, detail.rows)
            blocks.append(_paths(f"Paths: {severity.label.lower()}", entries, detail))
    additive = by_severity(report.affected, ImpactSeverity.ADDITIVE)
    if additive:
        names = md_names([display_ref(a.ref) for a in additive], detail.items)
        blocks.append([f"**{ImpactSeverity.ADDITIVE.label}**, nothing reads it yet: {names}."])
    if len(blocks) == 1:
        blocks.append(["None: no rows or values change downstream."])
    return blocks


def _radius(severity: ImpactSeverity, entries: Sequence[Affected]) -> str:
    relations = relations_phrase(a.ref.relation for a in entries)
    columns = [a for a in entries if a.ref.column is not None]
    if severity is ImpactSeverity.VALUES and columns:
        return f"{plural(len(columns), 'column')} across {relations}"
    return relations


def _change_row(entry: Affected) -> list[str]:
    return [
        _ref(entry.ref, table=True),
        str(entry.depth),
        how_reached(entry),
        _at(entry.location, table=True),
        md_prose(entry.reason, table=True),
        _owner(entry),
    ]


def _who(report: ImpactReport, detail: Detail) -> list[Block]:
    blocks: list[Block] = [["### Who must be told?"]]
    if not report.consumers:
        blocks.append(
            [
                "No consumer (dashboard, notebook, ML or product feature) reads anything this "
                "change affects."
            ]
        )
    left, listed = detail.items, 0
    for owner, group in owner_groups(report.consumers):
        shown, _ = limited(group, left)
        if shown:
            blocks.append([_owner_heading(owner, group), *(_consumer_line(r) for r in shown)])
        left = None if left is None else left - len(shown)
        listed += len(shown)
    blocks.append(md_more(len(report.consumers) - listed, "consumer"))
    blocks.append(_model_owners(report, detail))
    return [*blocks, _paths("Paths to the consumers", report.consumers, detail)]


def _owner_heading(owner: str, group: list[AffectedConsumer]) -> str:
    if group[0].consumer.kind in OWN_PRODUCT:
        return (
            "**Your own product**: the application itself reads this data, so this change "
            "reaches your users, not only the data team:"
        )
    return f"**{md_text(owner)}**:"


def _consumer_line(reach: AffectedConsumer) -> str:
    c = reach.consumer
    owner = f" · owner {md_text(str(c.owner))}" if c.kind in OWN_PRODUCT else ""
    return (
        f"- {md_link(c.name, c.url)} ({consumer_noun(c.kind)}) · **{reach.severity.label}** via "
        f"{_ref(reach.via)} ({plural(reach.depth, 'hop')}) · {_at(c.location)}{owner}"
    )


def _model_owners(report: ImpactReport, detail: Detail) -> Block:
    owned: dict[str, set[str]] = {}
    for entry in report.affected:
        if entry.owner is not None:
            owned.setdefault(str(entry.owner), set()).add(entry.ref.relation)
    shown, dropped = limited(sorted(owned), detail.items)
    if not shown:
        return []
    parts = [f"{md_text(o)} ({relations_phrase(owned[o])})" for o in shown]
    more = f" and {plural(dropped, 'more owner')}" if dropped else ""
    return [f"Owners of the affected models: {and_list(parts)}{more}."]


def _changes(report: ImpactReport, detail: Detail) -> list[Block]:
    blocks: list[Block] = [["### What changed"]]
    if not report.changes:
        base, head = md_code(report.base.label), md_code(report.head.label)
        return [*blocks, [f"No changes between {base} and {head}."]]
    shown, dropped = limited(report.changes, detail.items)
    blocks += [[_change_line(c) for c in shown], md_more(dropped, "change")]
    with_sql = [c for c in shown if c.old_expression or c.new_expression]
    if detail.expressions and with_sql:
        body = [block for c in with_sql for block in _expressions(c)]
        blocks.append(md_details(f"SQL before and after ({len(with_sql)})", body))
    return blocks


def _change_line(change: Change) -> str:
    subject = md_code(change_subject(change))
    if change.new_name and change.kind in (ChangeKind.COLUMN_RENAMED, ChangeKind.RELATION_RENAMED):
        new = change.new_name
        shown = new if change.kind is ChangeKind.COLUMN_RENAMED else display_name(new)
        subject += f" → {md_code(shown)}"
    if change.kind is ChangeKind.COLUMN_TYPE_CHANGED:
        subject += f" {md_code(change.old_type or '?')} → {md_code(change.new_type or '?')}"
        if change.compatibility is not None:
            subject += f" ({change.compatibility.value.replace('_', ' ')})"
        subject += ", values converted" if change.values_converted else ""
    if change.kind is ChangeKind.COLUMN_NULLABILITY_CHANGED:
        subject += " " + md_text(change_detail(change)) if change.nullable is not None else ""
    where = _at(change.location)
    return f"- **{change.kind.label}** {subject} at {where}: {md_prose(change.reason)}"


def _expressions(change: Change) -> list[Block]:
    blocks: list[Block] = [[f"{md_code(change_subject(change))}, {change.kind.label}:"]]
    for word, sql in (("Before", change.old_expression), ("After", change.new_expression)):
        blocks += [[f"{word}:"], md_fence(sql or "(none)", "sql", limit=2_000)]
    return blocks


def _tests(report: ImpactReport, detail: Detail) -> list[Block]:
    blocks: list[Block] = [["### dbt tests"]]
    if not report.tests:
        return [*blocks, ["No dbt test checks anything this change affects."]]
    for outcome in DataTestOutcome:
        tests = [t for t in report.tests if t.outcome is outcome]
        shown, dropped = limited(tests, detail.items)
        if tests:
            blocks.append([f"**{outcome.label.capitalize()}** ({len(tests)}):"])
            blocks += [[_test_line(t) for t in shown], md_more(dropped, "test")]
    return blocks


def _test_line(test: AffectedTest) -> str:
    subject = _ref(ColumnRef(test.relation, test.column))
    return f"- {md_code(test.name)} on {subject} at {_at(test.location)}: {md_prose(test.reason)}"


def _blind_spots(report: ImpactReport, detail: Detail) -> list[Block]:
    total = plural(report.downstream_relations, "downstream relation")
    analysed = f"{report.downstream_analysed} of {total} analysed"
    unknown = by_severity(report.affected, ImpactSeverity.UNKNOWN)
    if not report.unknowns and not unknown:
        return [["### Blind spots"], [f"none: every hop was analysed ({analysed})."]]
    count = plural(len(report.unknowns) + len(unknown), "hop")
    rows = [
        [
            _ref(u.ref, True),
            _at(u.location, True),
            md_prose(u.reason, True),
            md_prose(u.meaning, True),
        ]
        for u in report.unknowns
    ]
    rows += [
        [_ref(a.ref, True), _at(a.location, True), md_prose(a.reason, True), ""] for a in unknown
    ]
    return [
        ["### Blind spots"],
        [f"{count} could not be analysed ({analysed}): what lies beyond may be affected too."],
        *md_rows(
            rows, ("Not analysed", "At", "Why", "What it means"), list, detail.items, "blind spot"
        ),
    ]
