"""The impact report as one JSON document (schema in docs/impact-report.md and
docs/impact-schema.json)."""

from __future__ import annotations

import json
from typing import Any

from lineage import __version__
from lineage.changes import (
    Affected,
    AffectedConsumer,
    AffectedTest,
    Change,
    ImpactReport,
    ImpactSeverity,
    PathStep,
    StateInfo,
    Unknown,
)
from lineage.entities import ColumnRef
from lineage.report import serialize
from lineage.report.impact_text import verdict_sentence

#: Bump the major number on any incompatible change to the document's shape.
IMPACT_SCHEMA_VERSION = "1.0"


def impact_document(report: ImpactReport) -> dict[str, Any]:
    """Every part of the report as plain, JSON-ready values, in the report's order."""
    return {
        "schema_version": IMPACT_SCHEMA_VERSION,
        "tool": {"name": "lineage", "version": __version__},
        "base": _state(report.base),
        "head": _state(report.head),
        "verdict": _verdict(report),
        "changes": [_change(c) for c in report.changes],
        "affected": [_affected(a) for a in report.affected],
        "consumers": [_consumer(c) for c in report.consumers],
        "tests": [_test(t) for t in report.tests],
        "unknowns": [_unknown(u) for u in report.unknowns],
        "coverage": {
            "downstream_relations": report.downstream_relations,
            "downstream_analysed": report.downstream_analysed,
            "complete": not report.unknowns
            and report.downstream_analysed >= report.downstream_relations,
        },
        "command": report.command,
    }


def impact_json(report: ImpactReport) -> str:
    """Sorted keys, two-space indentation, UTF-8 characters as they are, a final newline."""
    document = impact_document(report)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _state(state: StateInfo) -> dict[str, Any]:
    return {
        "label": state.label,
        "models": state.models,
        "models_analysed": state.models_analysed,
        "unit": state.unit,
    }


def _verdict(report: ImpactReport) -> dict[str, Any]:
    worst = report.worst
    return {
        "worst": None if worst is None else worst.slug,
        "label": None if worst is None else worst.label,
        "summary": verdict_sentence(report),
        "counts": {severity.slug: _counts(report, severity) for severity in ImpactSeverity},
        "unknowns": len(report.unknowns),
    }


def _counts(report: ImpactReport, severity: ImpactSeverity) -> dict[str, int]:
    entries = [a for a in report.affected if a.severity is severity]
    return {
        "columns": len({a.ref for a in entries if a.ref.column is not None}),
        "relations": len({a.ref.relation for a in entries}),
        "consumers": len({c.consumer.id for c in report.consumers if c.severity is severity}),
    }


def _severity(severity: ImpactSeverity) -> dict[str, str]:
    return {"severity": severity.slug, "severity_label": severity.label}


def _step(step: PathStep) -> dict[str, Any]:
    return {
        "ref": serialize.ref(step.ref),
        "kind": None if step.kind is None else step.kind.value,
        "location": serialize.location(step.location),
        "expression": step.expression,
    }


def _change(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind.value,
        "ref": serialize.ref(change.ref),
        "reason": change.reason,
        "location": serialize.location(change.location),
        "new_name": change.new_name,
        "old_type": change.old_type,
        "new_type": change.new_type,
        "compatibility": None if change.compatibility is None else change.compatibility.value,
        "old_expression": change.old_expression,
        "new_expression": change.new_expression,
        "values_converted": change.values_converted,
        "nullable": change.nullable,
        "consumer": change.consumer,
    }


def _affected(entry: Affected) -> dict[str, Any]:
    return {
        "ref": serialize.ref(entry.ref),
        **_severity(entry.severity),
        "reason": entry.reason,
        "depth": entry.depth,
        "direct": entry.direct,
        "fix": entry.fix,
        "owner": None if entry.owner is None else serialize.owner(entry.owner),
        "location": serialize.location(entry.location),
        "path": [_step(s) for s in entry.path],
        "cause": serialize.ref(entry.cause),
    }


def _consumer(reach: AffectedConsumer) -> dict[str, Any]:
    return {
        **serialize.consumer(reach.consumer),
        **_severity(reach.severity),
        "via": serialize.ref(reach.via),
        "depth": reach.depth,
        "path": [_step(s) for s in reach.path],
        "cause": serialize.ref(reach.cause),
        "reason": reach.reason,
    }


def _test(test: AffectedTest) -> dict[str, Any]:
    return {
        "ref": serialize.ref(ColumnRef(test.relation, test.column)),
        "name": test.name,
        "outcome": test.outcome.value,
        "outcome_label": test.outcome.label,
        "reason": test.reason,
        "location": serialize.location(test.location),
    }


def _unknown(unknown: Unknown) -> dict[str, Any]:
    return {
        "ref": serialize.ref(unknown.ref),
        "reason": unknown.reason,
        "meaning": unknown.meaning,
        "location": serialize.location(unknown.location),
        "cause": None if unknown.cause is None else serialize.ref(unknown.cause),
    }
