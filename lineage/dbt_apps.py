"""Applications as the roots of a dbt project's lineage.

Each configured application's tables become `app:<application>.<table>` relations whose
columns carry type, nullability and the migration line or model field that defines them;
an identity edge goes from each application column to the source column that ingests it.
A source whose YAML lists no columns takes the application's columns, so `select *` from it
expands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lineage.app_binding import Binding, app_relation, bind, unbound_sources
from lineage.catalog import RelationState
from lineage.config import Config
from lineage.entities import (
    Diagnostic,
    EdgeKind,
    Location,
    RelationKind,
)
from lineage.sources.app.read import read_application
from lineage.sources.dbt.nodes import DbtProject, SourceTable
from lineage.sql.recorder import Recorder, _IdEdge


@dataclass(frozen=True)
class Applications:
    bindings: tuple[Binding, ...]
    diagnostics: tuple[Diagnostic, ...]

    def columns_for(self, source: SourceTable) -> list[tuple[str, str | None, Location | None]]:
        """The columns an application gives a source table that declares none."""
        for binding in self.bindings:
            if binding.source is not None and binding.source.unique_id == source.unique_id:
                return [(name, c.data_type, c.location) for c, name in binding.columns]
        return []


def load_applications(root: Path, config: Config, project: DbtProject) -> Applications:
    """Read and bind every application configured in `lineage.yml`."""
    bindings: list[Binding] = []
    diagnostics: list[Diagnostic] = []
    for app in config.applications:
        schema = read_application(root, app, config.dialect)
        diagnostics.extend(schema.diagnostics)
        found, problems = bind(app, schema, project.sources)
        bindings.extend(found)
        diagnostics.extend(problems)
    if config.applications:
        diagnostics.extend(unbound_sources(project.sources, config.applications, bindings))
    return Applications(tuple(bindings), tuple(diagnostics))


def record_applications(
    recorder: Recorder, applications: Applications, source_names: dict[str, str | None]
) -> None:
    """Define every application table and its ingestion edges. `source_names` gives the
    engine name of each source table by unique id."""
    for binding in applications.bindings:
        relation = _define(recorder, binding)
        target = source_names.get(binding.source.unique_id) if binding.source else None
        if target is not None and binding.source is not None:
            _ingestion_edges(recorder, binding, relation, target, binding.source)


def _define(recorder: Recorder, binding: Binding) -> RelationState:
    table = binding.table
    recorder.path = table.location.path if table.location else "lineage.yml"
    line = table.location.line if table.location else 1
    columns = [(c.name, c.data_type, c.location) for c in table.columns]
    relation = recorder.define(
        app_relation(binding.app, table), RelationKind.APP_TABLE, line, columns
    )
    for column in table.columns:
        state = relation.column(column.name)
        if state is not None:
            state.nullable = column.nullable
    return relation


def _ingestion_edges(
    recorder: Recorder,
    binding: Binding,
    app_state: RelationState,
    target: str,
    source: SourceTable,
) -> None:
    landed = recorder.catalog.get(target)
    if landed is None:
        return
    by_name = {c.name.lower(): c for c in landed.live_columns()}
    tool = binding.app.ingestion or "ingestion"
    where = source.location or Location("lineage.yml", 1)
    for column, name in binding.columns:
        landed_column = by_name.get(name.lower())
        app_column = app_state.column(column.name)
        if landed_column is None or app_column is None:
            continue
        recorder.edges.append(
            _IdEdge(
                (app_state.id, app_column.id),
                (landed.id, landed_column.id),
                EdgeKind.IDENTITY,
                f"loaded by {tool} from {app_relation(binding.app, binding.table)}",
                where,
            )
        )
