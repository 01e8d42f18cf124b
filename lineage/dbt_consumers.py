"""dbt exposures as consumers: what each dashboard, notebook or feature reads, and its owner.

An exposure names models (`depends_on: [ref('x'), source('a', 'b')]`), so by default it reads
every column of them: a model-level read. When it declares the columns it reads
(`meta: {lineage: {columns: [fct_orders.amount_usd, ...]}}`), the read is column-level, and a
declared column that does not exist is a diagnostic, so declarations cannot go stale silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lineage.entities import (
    ColumnRef,
    Consumer,
    ConsumerKind,
    Diagnostic,
    DiagnosticCode,
    Location,
    Owner,
    Project,
    ReadLevel,
    Severity,
)
from lineage.sources.dbt.nodes import Exposure

_REF = re.compile(
    r"""^\s*ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?"""
    r"""(?:,\s*(?:v|version)\s*=\s*['"]?([\w.]+)['"]?\s*)?\)\s*$"""
)
_SOURCE = re.compile(r"""^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$""")

#: Resolves (package, name, version) or ("source", source, table) to a unique id.
Resolve = Callable[[str | None, str, str | None], str | None]
ResolveSource = Callable[[str, str], str | None]
#: The columns a query reads (and what could not be resolved), given where it is written.
SqlReads = Callable[[str, Location | None], tuple[list[ColumnRef], list[Diagnostic]]]


def exposure_consumers(
    exposures: tuple[Exposure, ...],
    project: Project,
    ref: Resolve,
    source: ResolveSource,
    sql_reads: SqlReads | None = None,
) -> tuple[tuple[Consumer, ...], tuple[Diagnostic, ...]]:
    """One consumer per exposure, in id order, and what could not be resolved. With
    `meta.lineage.sql`, the columns the query reads (`sql_reads`) are column-level reads."""
    consumers: list[Consumer] = []
    problems: list[Diagnostic] = []
    for exposure in sorted(exposures, key=lambda e: e.unique_id):
        relations, unresolved = _depends_on(exposure, ref, source)
        problems.extend(
            _problem(
                exposure,
                f"depends_on {item} names no model, seed, snapshot or source of the project",
            )
            for item in unresolved
        )
        declared = _declared_columns(exposure)
        query = _declared_sql(exposure)
        if query is not None and sql_reads is not None:
            found, issues = sql_reads(query, exposure.location)
            declared_reads, missing = _columns(project, relations, declared or [])
            problems.extend(issues)
            problems.extend(
                _problem(
                    exposure,
                    f"meta.lineage.columns lists {m}, which none of its depends_on relations has",
                )
                for m in missing
            )
            consumers.append(_consumer(exposure, ReadLevel.COLUMN, found + declared_reads))
            continue
        if declared is None:
            reads = _all_columns(project, relations)
            level = ReadLevel.MODEL
        else:
            reads, missing = _columns(project, relations, declared)
            problems.extend(
                _problem(
                    exposure,
                    f"meta.lineage.columns lists {m}, which none of its depends_on relations has",
                )
                for m in missing
            )
            level = ReadLevel.COLUMN
        consumers.append(_consumer(exposure, level, reads))
    return tuple(consumers), tuple(problems)


def _consumer(exposure: Exposure, level: ReadLevel, reads: list[ColumnRef]) -> Consumer:
    return Consumer(
        id=exposure.unique_id,
        kind=ConsumerKind(exposure.type),
        name=exposure.label or exposure.name,
        owner=_owner(exposure),
        level=level,
        reads=tuple(sorted(set(reads), key=lambda r: r.sort_key)),
        location=exposure.location,
        url=exposure.url,
        maturity=exposure.maturity,
    )


def _owner(exposure: Exposure) -> Owner:
    """The exposure's `owner`, else a `meta.owner` (a name, an email, or {name, email})."""
    if exposure.owner.name or exposure.owner.email:
        return Owner(exposure.owner.name, exposure.owner.email)
    meta = exposure.meta.get("owner") if isinstance(exposure.meta, dict) else None
    if isinstance(meta, dict):
        return Owner(_text(meta.get("name")), _text(meta.get("email")))
    if isinstance(meta, str):
        return Owner(None, meta) if "@" in meta else Owner(meta, None)
    return Owner()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _depends_on(
    exposure: Exposure, ref: Resolve, source: ResolveSource
) -> tuple[list[str], list[str]]:
    found: list[str] = []
    unresolved: list[str] = []
    for item in exposure.depends_on:
        by_ref, by_source = _REF.match(item), _SOURCE.match(item)
        if by_ref:
            first, second, version = by_ref.groups()
            package, name = (first, second) if second else (None, first)
            unique_id = ref(package, name, version)
        elif by_source:
            unique_id = source(*by_source.groups())
        else:
            continue  # metric('...') and other kinds: read through the semantic layer
        (found if unique_id else unresolved).append(unique_id or item)
    return found, unresolved


def _declared_sql(exposure: Exposure) -> str | None:
    lineage = exposure.meta.get("lineage") if isinstance(exposure.meta, dict) else None
    query = lineage.get("sql") if isinstance(lineage, dict) else None
    return query if isinstance(query, str) and query.strip() else None


def _declared_columns(exposure: Exposure) -> list[str] | None:
    lineage = exposure.meta.get("lineage") if isinstance(exposure.meta, dict) else None
    columns = lineage.get("columns") if isinstance(lineage, dict) else None
    return [str(c) for c in columns] if isinstance(columns, list) else None


def _all_columns(project: Project, relations: list[str]) -> list[ColumnRef]:
    reads: list[ColumnRef] = []
    for name in relations:
        relation = project.relation(name)
        if relation is not None:
            reads.extend(ColumnRef(name, c.name) for c in relation.columns if not c.dropped)
    return reads


def _columns(
    project: Project, relations: list[str], declared: list[str]
) -> tuple[list[ColumnRef], list[str]]:
    """Declared `relation.column` names (the relation by its short name or unique id)."""
    reads: list[ColumnRef] = []
    missing: list[str] = []
    for text in declared:
        relation_part, _, column = text.rpartition(".")
        match = next(
            (
                ref
                for r in relations
                if r == relation_part or r.endswith("." + relation_part)
                for ref in _columns_of(project, r)
                if (ref.column or "").lower() == column.lower()
            ),
            None,
        )
        if match is None:
            missing.append(text)
        else:
            reads.append(match)
    return reads, missing


def _columns_of(project: Project, name: str) -> list[ColumnRef]:
    relation = project.relation(name)
    return [ColumnRef(name, c.name) for c in relation.columns if not c.dropped] if relation else []


def _problem(exposure: Exposure, message: str) -> Diagnostic:
    return Diagnostic(
        exposure.location or Location("models", 1),
        DiagnosticCode.UNKNOWN_RELATION,
        Severity.WARNING,
        f"exposure {exposure.name}: {message}",
    )
