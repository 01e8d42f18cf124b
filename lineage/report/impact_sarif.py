"""The impact report as SARIF 2.1.0: annotations on the lines of a pull request.

One rule per impact severity, not per change kind: the level of an annotation (error,
warning, note) and what the reviewer must do follow from the severity, and the same change
kind can be harmless or breaking (a widening or a narrowing type change). Code scanning
filters alerts by rule, so a team can keep `breaks` and hide the rest. Additive has no rule:
nothing reads an additive change, so there is no line to annotate.

Results:
- `breaks` (error) on the migration or model line of each change that breaks something
  (role `cause`), on every line that still reads what it removed or renamed (role `reader`,
  the affected columns read directly), and on the definition of each consumer it breaks
  (role `consumer`);
- `changes-rows` (warning) and `changes-values` (note) on the line of each change whose worst
  effect is that;
- `unknown` (note) on each blind spot with a line.
A change without a line is in every other format but cannot be annotated here.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from lineage import __version__
from lineage.changes import (
    Affected,
    AffectedConsumer,
    Change,
    ImpactReport,
    ImpactSeverity,
    Unknown,
)
from lineage.entities import Location
from lineage.names import display_ref
from lineage.report.impact_text import (
    affected_by,
    blast_radius,
    change_detail,
    change_subject,
    clean,
    consumer_noun,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
#: Readers of a breaking change named in its annotation; the rest are counted.
_READERS_NAMED = 5


@dataclass(frozen=True)
class SarifRule:
    id: str
    name: str
    severity: ImpactSeverity
    level: str  # SARIF's: error, warning, note
    description: str


RULES = (
    SarifRule(
        "breaks",
        "Breaks",
        ImpactSeverity.BREAKS,
        "error",
        "A removed, renamed or incompatibly retyped column (or relation) is still read "
        "downstream: the models, tests or consumers reading it will fail.",
    ),
    SarifRule(
        "changes-rows",
        "ChangesRows",
        ImpactSeverity.ROWS,
        "warning",
        "The change feeds a filter, join key or grouping downstream: which rows the "
        "downstream relations hold changes.",
    ),
    SarifRule(
        "changes-values",
        "ChangesValues",
        ImpactSeverity.VALUES,
        "note",
        "The change flows into downstream columns by pass-through, transformation or "
        "aggregation: their values change.",
    ),
    SarifRule(
        "unknown",
        "Unknown",
        ImpactSeverity.UNKNOWN,
        "note",
        "A hop on the change's paths could not be analysed: what lies beyond it is not known.",
    ),
)
_RULE_INDEX = {rule.severity: index for index, rule in enumerate(RULES)}
#: A change is annotated on its own line when its worst effect is one of these.
_ANNOTATED_CHANGES = (ImpactSeverity.BREAKS, ImpactSeverity.ROWS, ImpactSeverity.VALUES)


def impact_sarif(report: ImpactReport, source_root: str = "") -> str:
    """The SARIF log as JSON text. `source_root` is the project directory relative to the
    repository root (`%SRCROOT%`), joined in front of every path when set."""
    document = impact_sarif_document(report, source_root)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def impact_sarif_document(report: ImpactReport, source_root: str = "") -> dict[str, Any]:
    """One run of the `lineage` driver with its rules and the results, sorted."""
    results = [
        *(r for c in report.changes for r in _cause_results(c, report)),
        *(_reader_result(a) for a in report.affected if _is_broken_read(a)),
        *(_consumer_result(c) for c in report.consumers if _is_broken_consumer(c)),
        *(_unknown_result(u) for u in report.unknowns if u.location is not None),
    ]
    rendered = [
        _result(severity, text, role, loc, source_root) for severity, text, role, loc in results
    ]
    rendered.sort(key=_result_order)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": _driver()},
                "invocations": [{"executionSuccessful": True, "commandLine": report.command}],
                "results": rendered,
            }
        ],
    }


def _driver() -> dict[str, Any]:
    return {
        "name": "lineage",
        "version": __version__,
        "rules": [
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.severity.label},
                "fullDescription": {"text": rule.description},
                "defaultConfiguration": {"level": rule.level},
                "properties": {"severity": rule.severity.slug},
            }
            for rule in RULES
        ],
    }


_Finding = tuple[ImpactSeverity, str, str, Location]


def _cause_results(change: Change, report: ImpactReport) -> list[_Finding]:
    affected, consumers = affected_by(change, report)
    unknowns = sum(1 for u in report.unknowns if u.cause == change.ref)
    severities = [a.severity for a in affected] + [c.severity for c in consumers]
    worst = max(severities, default=None)
    if change.location is None or worst not in _ANNOTATED_CHANGES:
        return []
    detail = change_detail(change)
    text = " ".join(
        [
            _sentence(
                f"{change.kind.label.capitalize()} {change_subject(change)}"
                f"{' ' + detail if detail else ''}: "
                + " · ".join(blast_radius(affected, consumers, unknowns))
            ),
            _readers(affected),
            _sentence(change.reason),
        ]
    )
    return [(worst, clean(text), "cause", change.location)]


def _readers(affected: list[Affected]) -> str:
    readers = sorted({a.location for a in affected if _is_broken_read(a) and a.location})
    if not readers:
        return ""
    named = ", ".join(str(r) for r in readers[:_READERS_NAMED])
    more = len(readers) - _READERS_NAMED
    return _sentence(f"Still read at {named}{f' and {more} more lines' if more > 0 else ''}")


def _sentence(text: str) -> str:
    """`text` with one final full stop (its first word may be a name: left as it is)."""
    text = text.strip().rstrip(".")
    return text + "." if text else ""


def _is_broken_read(entry: Affected) -> bool:
    return entry.severity is ImpactSeverity.BREAKS and entry.direct and entry.location is not None


def _reader_result(entry: Affected) -> _Finding:
    assert entry.location is not None
    text = _sentence(
        f"{display_ref(entry.ref)} still reads {display_ref(entry.cause)}: {entry.reason}"
    )
    if entry.fix:
        text += " " + _sentence(f"Fix: {entry.fix}")
    return (entry.severity, clean(text), "reader", entry.location)


def _is_broken_consumer(reach: AffectedConsumer) -> bool:
    return reach.severity is ImpactSeverity.BREAKS and reach.consumer.location is not None


def _consumer_result(reach: AffectedConsumer) -> _Finding:
    c = reach.consumer
    assert c.location is not None
    text = _sentence(
        f"The {consumer_noun(c.kind)} {c.name} ({c.id}, owner {c.owner}) reads "
        f"{display_ref(reach.via)}, which breaks: {reach.reason}"
    )
    return (reach.severity, clean(text), "consumer", c.location)


def _unknown_result(unknown: Unknown) -> _Finding:
    assert unknown.location is not None
    text = " ".join(
        [
            _sentence(
                f"The analysis could not follow {display_ref(unknown.ref)}: {unknown.reason}"
            ),
            _sentence(unknown.meaning),
        ]
    )
    return (ImpactSeverity.UNKNOWN, clean(text), "blind-spot", unknown.location)


def _result(
    severity: ImpactSeverity, text: str, role: str, location: Location, source_root: str
) -> dict[str, Any]:
    index = _RULE_INDEX[severity]
    return {
        "ruleId": RULES[index].id,
        "ruleIndex": index,
        "level": RULES[index].level,
        "message": {"text": text},
        "locations": [{"physicalLocation": _physical(location, source_root)}],
        "properties": {"role": role, "severity": severity.slug},
    }


def _result_order(result: dict[str, Any]) -> tuple[int, str, int, str]:
    physical = result["locations"][0]["physicalLocation"]
    return (
        result["ruleIndex"],
        physical["artifactLocation"]["uri"],
        physical["region"]["startLine"],
        result["message"]["text"],
    )


def _physical(location: Location, source_root: str) -> dict[str, Any]:
    path = posixpath.normpath(posixpath.join(source_root, location.path))
    artifact: dict[str, str]
    if posixpath.isabs(path):
        artifact = {"uri": "file://" + quote(path)}
    else:
        artifact = {"uri": quote(path), "uriBaseId": "%SRCROOT%"}
    return {"artifactLocation": artifact, "region": {"startLine": max(location.line, 1)}}
