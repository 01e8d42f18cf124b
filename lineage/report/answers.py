"""`who-uses` and `trace` answers as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lineage.entities import ColumnRef, Project
from lineage.graph import Answer
from lineage.report import serialize
from lineage.report.coverage import coverage_document

ANSWER_SCHEMA_VERSION = "1.0"


def answer_text(project: Project, answer: Answer, direction: str) -> str:
    start = ", ".join(str(r) for r in answer.start)
    verb = "read by" if direction == "downstream" else "computed from"
    lines = [
        f"{start} is {verb} {len(answer.hops)} column{'s' if len(answer.hops) != 1 else ''}"
        f"{' and relation rows' if any(h.ref.column is None for h in answer.hops) else ''}:"
    ]
    for hop in answer.hops:
        target = _label(hop.ref)
        lines.append(f"  {hop.depth}  {target:<40} {hop.kind.value:<15} {hop.location}")
        lines.append(f"       via {_label(hop.via)}: {_one_line(hop.expression)}")
    if not answer.hops:
        lines.append("  (nothing)")
    lines.extend(_consumer_lines(answer))
    lines.extend(_blind_lines(answer))
    return "\n".join(lines) + "\n"


def _label(ref: ColumnRef) -> str:
    return f"{ref.relation} (rows)" if ref.column is None else str(ref)


def _one_line(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _consumer_lines(answer: Answer) -> list[str]:
    if not answer.consumers:
        return []
    count = len(answer.consumers)
    lines = ["", f"reaches {count} consumer{'s' if count != 1 else ''}:"]
    for reach in answer.consumers:
        c = reach.consumer
        lines.append(f"  {c.kind.value:<12} {c.id}  ({c.name})")
        lines.append(
            f"       owner {c.owner}; {c.level.value}-level read of {_label(reach.via)}, "
            f"hop {reach.depth}"
        )
    return lines


def _blind_lines(answer: Answer) -> list[str]:
    if answer.complete:
        return []
    lines = ["", "blind spots on these paths (the answer may be incomplete):"]
    for spot in answer.blind_spots:
        lines.append(f"  {spot.location}: {_label(spot.target)}: {spot.reason}")
    for failure in answer.unanalysed:
        lines.append(f"  {failure.location}: not analysed, may read it: {failure.message}")
    return lines


def answer_document(project: Project, answer: Answer, direction: str) -> dict[str, Any]:
    return {
        "schema_version": ANSWER_SCHEMA_VERSION,
        "direction": direction,
        "start": [serialize.ref(r) for r in answer.start],
        "complete": answer.complete,
        "hops": [
            {
                "ref": serialize.ref(h.ref),
                "depth": h.depth,
                "kind": h.kind.value,
                "direct": h.kind.is_direct,
                "expression": h.expression,
                "location": serialize.location(h.location),
                "via": serialize.ref(h.via),
                "path": [serialize.ref(r) for r in answer.path_to(h.ref)],
            }
            for h in answer.hops
        ],
        "blind_spots": [serialize.blind_spot(b) for b in answer.blind_spots],
        "unanalysed": [serialize.diagnostic(d) for d in answer.unanalysed],
        "consumers": [
            {**serialize.consumer(r.consumer), "via": serialize.ref(r.via), "depth": r.depth}
            for r in answer.consumers
        ],
        "coverage": coverage_document(project),
    }


def answer_json(project: Project, answer: Answer, direction: str) -> str:
    return (
        json.dumps(
            answer_document(project, answer, direction),
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        )
        + "\n"
    )


ANSWER_FORMATS: dict[str, Callable[[Project, Answer, str], str]] = {
    "text": answer_text,
    "json": answer_json,
}
