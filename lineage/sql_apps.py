"""Applications as the roots of a plain SQL project's lineage.

An application bound with `schema: raw_app` lands each table `users` in relation
`raw_app.<table_pattern>`; before the project's statements are replayed, that relation is
defined with the application's columns (as the ingestion tool names them), so `select *`
over it expands and it is no longer an unknown relation. Each application column is an
`app:<application>.<table>` relation column with an identity edge into the landed column.
A project statement that creates the landed relation itself replaces this definition.
"""

from __future__ import annotations

from pathlib import Path

from lineage.app_roots import define_app_table, ingestion_edges
from lineage.config import AppConfig, Config
from lineage.dialects import normalize_name
from lineage.entities import Location, RelationKind
from lineage.sources.app.read import read_application
from lineage.sources.app.tables import AppTable
from lineage.sql.recorder import Recorder


def record_sql_applications(recorder: Recorder, root: Path, config: Config) -> None:
    """Define every application bound to a warehouse schema, and its landed tables."""
    for app in config.applications:
        if not app.schema:
            continue
        schema = read_application(root, app, config.dialect)
        recorder.diagnostics.extend(schema.diagnostics)
        for table in schema.tables:
            if table.kind == "table":
                _land(recorder, app, table, config.dialect)


def _land(recorder: Recorder, app: AppConfig, table: AppTable, dialect: str) -> None:
    source = define_app_table(recorder, app, table)
    line = table.location.line if table.location else 1
    landed_name = normalize_name(f"{app.schema}.{_landed_table(app, table)}", dialect)
    landed_columns = [(_landed_column(app, c.name), c.data_type, c.location) for c in table.columns]
    landed = recorder.define(landed_name, RelationKind.TABLE, line, landed_columns)
    here = Location(recorder.path, line)
    pairs = [
        (c.name, name, where or here)
        for c, (name, _, where) in zip(table.columns, landed_columns, strict=True)
    ]
    ingestion_edges(recorder, app, table, source, landed, pairs)


def _landed_table(app: AppConfig, table: AppTable) -> str:
    return dict(app.tables).get(table.name) or app.table_pattern.format(table=table.name)


def _landed_column(app: AppConfig, column: str) -> str:
    name = app.column_prefix + column
    return (
        name.lower()
        if app.column_case == "lower"
        else (name.upper() if app.column_case == "upper" else name)
    )
