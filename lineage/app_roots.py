"""Application tables in the graph: their relation, and the identity edge from each of their
columns to the warehouse column an ingestion tool loads it into (dbt and plain SQL alike)."""

from __future__ import annotations

from lineage.app_binding import app_relation
from lineage.catalog import RelationState
from lineage.config import AppConfig
from lineage.entities import EdgeKind, Location, RelationKind
from lineage.sources.app.tables import AppTable
from lineage.sql.recorder import Recorder, _IdEdge


def define_app_table(recorder: Recorder, app: AppConfig, table: AppTable) -> RelationState:
    """The `app:<application>.<table>` relation, its columns with type and nullability."""
    recorder.path = table.location.path if table.location else "lineage.yml"
    line = table.location.line if table.location else 1
    columns = [(c.name, c.data_type, c.location) for c in table.columns]
    relation = recorder.define(app_relation(app, table), RelationKind.APP_TABLE, line, columns)
    for column in table.columns:
        state = relation.column(column.name)
        if state is not None:
            state.nullable = column.nullable
            state.former_names = list(column.renamed_from)
    relation.former_names = [f"app:{app.name}.{old}" for old in table.renamed_from]
    for name, where in table.dropped:
        recorder.catalog.column_id(relation, name, where)
        gone = relation.column(name)
        if gone is not None:  # kept, marked dropped, at its DROP line: a diff can point there
            gone.inferred, gone.dropped = False, True
    return relation


def ingestion_edges(
    recorder: Recorder,
    app: AppConfig,
    table: AppTable,
    source: RelationState,
    landed: RelationState,
    pairs: list[tuple[str, str, Location]],
) -> None:
    """An identity edge per (application column, landed column, where) that both exist."""
    tool = app.ingestion or "ingestion"
    for app_name, landed_name, where in pairs:
        app_column = source.column(app_name)
        landed_column = next(
            (c for c in landed.live_columns() if c.name.lower() == landed_name.lower()), None
        )
        if app_column is None or landed_column is None:
            continue
        recorder.edges.append(
            _IdEdge(
                (source.id, app_column.id),
                (landed.id, landed_column.id),
                EdgeKind.IDENTITY,
                f"loaded by {tool} from {app_relation(app, table)}",
                where,
            )
        )
