"""Bind application tables to the warehouse source tables that ingest them.

An application table `users` lands in source table `table_pattern.format(table="users")`
(or a per-table override) of the configured dbt source; each column lands under the ingestion
tool's naming (case folding, a prefix). Ingestion metadata columns (`_fivetran_synced`,
`_airbyte_*`, `_sdc_*`, `_dlt_*`, ...) are the tool's own, not missing application columns.
The binding reports matches both ways: tables nothing ingests, source tables no application
defines, and source columns the application does not define (a likely drift).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lineage.config import AppConfig
from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.app.tables import AppColumn, AppSchema, AppTable
from lineage.sources.dbt.nodes import SourceTable

#: Column-name prefixes ingestion tools add for their own bookkeeping.
INGESTION_METADATA_PREFIXES = (
    "_fivetran_",
    "_airbyte_",
    "_sdc_",
    "_dlt_",
    "_stitch_",
    "__hevo_",
    "_peerdb_",
    "_meltano_",
    "_portable_",
    "_rivery_",
)


@dataclass(frozen=True)
class Binding:
    """One application table, the source table it lands in, and column by column how."""

    app: AppConfig
    table: AppTable
    source: SourceTable | None
    columns: tuple[tuple[AppColumn, str], ...]  # (application column, source column name)


def app_relation(app: AppConfig, table: AppTable) -> str:
    """The graph id of an application table: `app:<application>.<table>`."""
    return f"app:{app.name}.{table.name}"


def is_ingestion_metadata(column: str) -> bool:
    return column.lower().startswith(INGESTION_METADATA_PREFIXES)


def bind(
    app: AppConfig, schema: AppSchema, sources: Sequence[SourceTable]
) -> tuple[list[Binding], list[Diagnostic]]:
    """Bind every table of `schema` to a table of the dbt source `app.source`."""
    candidates = [s for s in sources if s.source_name == app.source]
    bindings: list[Binding] = []
    problems: list[Diagnostic] = []
    for table in schema.tables:
        if table.kind not in ("table",):
            continue
        target = _source_table(app, table, candidates)
        columns = tuple((column, _landed_name(app, column.name)) for column in table.columns)
        bindings.append(Binding(app, table, target, columns))
        if target is None:
            problems.append(_not_ingested(app, table))
        else:
            problems.extend(_drift(app, table, target, columns))
    return bindings, problems


def unbound_sources(
    sources: Sequence[SourceTable], apps: Sequence[AppConfig], bindings: Sequence[Binding]
) -> list[Diagnostic]:
    """Source tables of a bound source that no application table lands in."""
    bound_sources = {a.source for a in apps if a.source}
    landed = {b.source.unique_id for b in bindings if b.source is not None}
    return [
        _diagnostic(
            s.location,
            Severity.WARNING,
            f"source {s.source_name}.{s.name} has no application table: no configured "
            "application defines it (a table dropped or renamed in the application?)",
        )
        for s in sources
        if s.source_name in bound_sources and s.unique_id not in landed
    ]


def _source_table(
    app: AppConfig, table: AppTable, candidates: Sequence[SourceTable]
) -> SourceTable | None:
    overrides = dict(app.tables)
    wanted = overrides.get(table.name) or app.table_pattern.format(table=table.name)
    wanted = wanted.lower()
    return next((s for s in candidates if wanted in (s.name.lower(), s.identifier.lower())), None)


def _landed_name(app: AppConfig, column: str) -> str:
    name = app.column_prefix + column
    if app.column_case == "lower":
        return name.lower()
    if app.column_case == "upper":
        return name.upper()
    return name


def _drift(
    app: AppConfig,
    table: AppTable,
    source: SourceTable,
    columns: tuple[tuple[AppColumn, str], ...],
) -> list[Diagnostic]:
    if not source.columns:
        return []  # the source declares no columns: the application's are taken as its own
    landed = {name.lower() for _, name in columns}
    declared = {c.name.lower(): c for c in source.columns}
    problems = [
        _diagnostic(
            c.location or source.location,
            Severity.WARNING,
            f"source column {source.source_name}.{source.name}.{c.name} is not defined by "
            f"{app_relation(app, table)}: dropped or renamed in the application? (drift)",
        )
        for name, c in sorted(declared.items())
        if name not in landed and not is_ingestion_metadata(name)
    ]
    problems.extend(
        _diagnostic(
            column.location,
            Severity.INFO,
            f"{app_relation(app, table)}.{column.name} is not in the source YAML of "
            f"{source.source_name}.{source.name}: not ingested, or not documented",
        )
        for column, name in columns
        if name.lower() not in declared
    )
    return problems


def _not_ingested(app: AppConfig, table: AppTable) -> Diagnostic:
    where = f"source {app.source}" if app.source else "no configured source"
    return _diagnostic(
        table.location,
        Severity.INFO,
        f"{app_relation(app, table)} is not ingested: {where} has no table for it",
    )


def _diagnostic(location: Location | None, severity: Severity, message: str) -> Diagnostic:
    return Diagnostic(
        location or Location("lineage.yml", 1), DiagnosticCode.SCHEMA_DRIFT, severity, message
    )
