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

from lineage.app_binding import Binding, bind, unbound_sources
from lineage.app_roots import define_app_table, ingestion_edges
from lineage.config import Config
from lineage.entities import (
    Diagnostic,
    Location,
)
from lineage.sources.app.read import read_application
from lineage.sources.dbt.nodes import DbtProject, SourceTable
from lineage.sql.recorder import Recorder


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
        relation = define_app_table(recorder, binding.app, binding.table)
        source = binding.source
        target = source_names.get(source.unique_id) if source is not None else None
        landed = recorder.catalog.get(target) if target is not None else None
        if source is None or landed is None:
            continue
        where = source.location or Location("lineage.yml", 1)
        pairs = [(column.name, name, where) for column, name in binding.columns]
        ingestion_edges(recorder, binding.app, binding.table, relation, landed, pairs)
