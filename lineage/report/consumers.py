"""`lineage consumers`: every consumer, its owner and reads, and how well they resolved."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from lineage.entities import Consumer, Diagnostic, Project, ReadLevel
from lineage.report import serialize

CONSUMERS_SCHEMA_VERSION = "1.0"


def consumer_coverage(project: Project) -> dict[str, int]:
    """How many consumers resolved to columns, only to models, or to nothing."""
    levels = Counter("unresolved" if not c.reads else c.level.value for c in project.consumers)
    return {
        "consumers": len(project.consumers),
        "column_level": levels[ReadLevel.COLUMN.value],
        "model_level": levels[ReadLevel.MODEL.value],
        "unresolved": levels["unresolved"],
    }


def consumers_text(project: Project) -> str:
    cover = consumer_coverage(project)
    count = cover["consumers"]
    lines = [
        f"{count} consumer{'s' if count != 1 else ''}: {cover['column_level']} column-level, "
        f"{cover['model_level']} model-level, {cover['unresolved']} unresolved"
    ]
    for consumer in project.consumers:
        lines.extend(_lines(consumer))
        if not consumer.reads:
            lines.extend(f"       why: {d.location}: {d.message}" for d in _why(project, consumer))
    return "\n".join(lines) + "\n"


def _why(project: Project, consumer: Consumer) -> list[Diagnostic]:
    """The diagnostics that explain why a consumer resolved to nothing."""
    exposure = f"exposure {consumer.id.rsplit('.', 1)[-1]}:"
    return [
        d
        for d in project.diagnostics
        if consumer.id in d.message
        or (consumer.origin == "dbt exposure" and d.message.startswith(exposure))
    ]


def _lines(consumer: Consumer) -> list[str]:
    relations = sorted({r.relation for r in consumer.reads})
    level = "unresolved" if not consumer.reads else f"{consumer.level.value}-level"
    where = f" ({consumer.location})" if consumer.location else ""
    return [
        f"  {consumer.kind.value:<12} {consumer.id}{where}",
        f"       {consumer.name}; owner {consumer.owner}; {level}, {len(consumer.reads)} "
        f"columns of {', '.join(relations) or 'nothing'}",
    ]


def consumers_json(project: Project) -> str:
    document: dict[str, Any] = {
        "schema_version": CONSUMERS_SCHEMA_VERSION,
        "coverage": consumer_coverage(project),
        "consumers": [serialize.consumer(c) for c in project.consumers],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


CONSUMER_FORMATS: dict[str, Callable[[Project], str]] = {
    "text": consumers_text,
    "json": consumers_json,
}
