"""Apache Superset assets export (the extracted ZIP of `superset export-dashboards`, or the
Superset UI's "Export"): `metadata.yaml`, `databases/*.yaml`, `datasets/<db>/*.yaml`,
`charts/*.yaml` and `dashboards/*.yaml`.

Each chart is a `ConsumerSpec` (kind CHART) reading the columns its `params` use (metrics,
group-bys, columns, x axis, temporal column, adhoc filters), resolved through its dataset: a
physical dataset's columns are columns of `<schema>.<table_name>`, a calculated column or a saved
metric reads the columns of its expression. A virtual dataset (`sql:`) gives its SQL to the
chart instead. Each dashboard reads the union of its charts and of its native filters' columns.
Files are loaded with YAML's safe loader; nothing is executed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from lineage.entities import ConsumerKind, Diagnostic, DiagnosticCode, Location, Owner, Severity
from lineage.sources.consumers.specs import ConsumerFiles, ConsumerSpec, ReadSpec
from lineage.sources.dbt.files import line_of, parse_yaml, read_text, walk
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES

ORIGIN = "superset"
_SECTIONS = ("databases", "datasets", "charts", "dashboards")
_URI_DIALECTS = {
    "postgresql": "postgres", "postgres": "postgres", "redshift": "redshift",
    "snowflake": "snowflake", "bigquery": "bigquery", "mysql": "mysql", "mariadb": "mysql",
    "mssql": "tsql", "databricks": "databricks", "trino": "trino", "presto": "presto",
    "clickhouse": "clickhouse", "clickhousedb": "clickhouse", "duckdb": "duckdb",
    "sqlite": "sqlite", "oracle": "oracle", "hive": "hive", "awsathena": "athena",
    "druid": "druid", "teradatasql": "teradata", "doris": "doris", "starrocks": "starrocks",
    "dremio": "dremio", "drill": "drill",
}  # fmt: skip
_COLUMN_KEYS = (
    "groupby", "groupby_b", "columns", "all_columns", "groupbyColumns", "groupbyRows", "series",
    "entity", "x_axis", "granularity_sqla", "all_columns_x", "all_columns_y", "series_columns",
    "order_by_cols",
)  # fmt: skip
_METRIC_KEYS = (
    "metrics", "metrics_b", "metric", "metric_2", "percent_metrics", "timeseries_limit_metric",
    "secondary_metric", "x", "y", "size",
)  # fmt: skip
_FILTER_KEYS = ("adhoc_filters", "adhoc_filters_b")
_SQL_KEYS = ("where", "having")


@dataclass(frozen=True)
class _Dataset:
    """A dataset: a physical table (`relation`) or a virtual one (`sql`)."""

    uuid: str
    relation: str
    file: ExportFile
    columns: dict[str, str | None]  # name -> expression of a calculated column
    metrics: dict[str, str | None]  # name -> expression
    sql: str | None
    dialect: str | None


@dataclass(frozen=True)
class _Use:
    """Something a chart's params use: a column, a saved metric or a SQL expression."""

    kind: str  # column, metric, sql
    value: str
    line: int


def read_superset(
    root: Path, base: Path | None = None, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> ConsumerFiles:
    """The charts and dashboards of the Superset export under `root`.

    Locations are relative to `base` (default: `root`). One bad file never stops the read.
    """
    files, diagnostics = load_export(root, base or root, max_bytes, _section)
    if not any(f.section in _SECTIONS for f in files) and not diagnostics:
        return ConsumerFiles((), (empty_export(root, base or root, "Superset"),))
    dialects = _databases(files)
    datasets = _datasets(files, dialects, diagnostics)
    charts = [c for f in files if f.section == "charts" for c in _chart(f, datasets, diagnostics)]
    dashboards = [
        _dashboard(f, charts, datasets, diagnostics) for f in files if f.section == "dashboards"
    ]
    specs = _with_parents(charts, [d for d in dashboards if d is not None])
    return ConsumerFiles(tuple(sorted(specs, key=lambda s: s.id)), tuple(sorted(diagnostics)))


def _section(relative: Path) -> str | None:
    for part in relative.parts[:-1]:
        if part in _SECTIONS:
            return part
    return None


def _databases(files: list[ExportFile]) -> dict[str, str | None]:
    """Database uuid -> sqlglot dialect (None when the backend is not known)."""
    found: dict[str, str | None] = {}
    for file in files:
        uuid = file.data.get("uuid")
        if file.section == "databases" and isinstance(uuid, str):
            found[uuid] = uri_dialect(file.data.get("sqlalchemy_uri"))
    return found


def uri_dialect(uri: Any) -> str | None:
    """The sqlglot dialect of a SQLAlchemy URI (`postgresql+psycopg2://...` -> postgres)."""
    match = re.match(r"\s*([A-Za-z0-9_]+)", uri) if isinstance(uri, str) else None
    return _URI_DIALECTS.get(match.group(1).lower()) if match else None


def _datasets(
    files: list[ExportFile], dialects: dict[str, str | None], diagnostics: list[Diagnostic]
) -> dict[str, _Dataset]:
    found: dict[str, _Dataset] = {}
    for file in files:
        if file.section != "datasets":
            continue
        dataset = _dataset(file, dialects, diagnostics)
        if dataset is not None and file.unique(dataset.uuid, found, diagnostics):
            found[dataset.uuid] = dataset
    return found


def _dataset(
    file: ExportFile, dialects: dict[str, str | None], diagnostics: list[Diagnostic]
) -> _Dataset | None:
    data = file.data
    uuid, table = file.required("uuid", diagnostics), file.required("table_name", diagnostics)
    if uuid is None or table is None:
        return None
    database = data.get("database_uuid")
    if database not in dialects:
        message = f"dataset {table!r} uses database {database!r}, which is not in the export"
        diagnostics.append(
            file.diagnostic("database_uuid", DiagnosticCode.UNKNOWN_RELATION, message)
        )
    schema = data.get("schema")
    sql = data.get("sql")
    return _Dataset(
        uuid=uuid,
        relation=f"{schema}.{table}" if isinstance(schema, str) and schema else table,
        file=file,
        columns=_named(data.get("columns"), "column_name"),
        metrics=_named(data.get("metrics"), "metric_name"),
        sql=sql if isinstance(sql, str) and sql.strip() else None,
        dialect=dialects.get(database) if isinstance(database, str) else None,
    )


def _named(items: Any, key: str) -> dict[str, str | None]:
    named: dict[str, str | None] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get(key), str):
            expression = item.get("expression")
            named[item[key]] = expression if isinstance(expression, str) and expression else None
    return named


# ---------------------------------------------------------------------------------------------
# Export files (shared with the Metabase reader)


@dataclass(frozen=True)
class ExportFile:
    """One YAML file of an export: its name for locations, its section and its mapping."""

    name: str
    section: str | None
    data: Any  # a LineDict: lines of keys via `line_of`

    def at(self, line: int) -> Location:
        return Location(self.name, line)

    def diagnostic(self, key: str, code: DiagnosticCode, message: str) -> Diagnostic:
        return Diagnostic(self.at(line_of(self.data, key)), code, Severity.WARNING, message)

    def required(self, key: str, diagnostics: list[Diagnostic]) -> str | None:
        """`data[key]` as a non-empty string, else None with a diagnostic."""
        value = self.data.get(key)
        if isinstance(value, str | int) and str(value):
            return str(value)
        message = f"missing {key!r}: the entry in this file is skipped"
        diagnostics.append(self.diagnostic(key, DiagnosticCode.PARSE_ERROR, message))
        return None

    def unique(self, key: str, found: dict[str, Any], diagnostics: list[Diagnostic]) -> bool:
        """False, with a diagnostic, when `key` was already read from another file."""
        if key not in found:
            return True
        message = f"{key!r} is defined twice in the export; this file is ignored"
        diagnostics.append(
            Diagnostic(self.at(1), DiagnosticCode.CONFIG_ERROR, Severity.WARNING, message)
        )
        return False


def load_export(
    root: Path, base: Path, max_bytes: int, section_of: Callable[[Path], str | None]
) -> tuple[list[ExportFile], list[Diagnostic]]:
    """Every YAML mapping under `root` (sorted, no symlinks), and the files that are not."""
    files: list[ExportFile] = []
    diagnostics: list[Diagnostic] = []
    for path in walk(root, frozenset({".yaml", ".yml"}), frozenset()):
        name = _relative(path, base, root)
        text, problems = read_text(path, name, max_bytes)
        diagnostics.extend(problems)
        if text is None:
            continue
        data, problem = parse_yaml(text, name)
        if problem is not None:
            diagnostics.append(problem)
        elif not isinstance(data, dict):
            message = "expected a YAML mapping at the top of the file; the file is ignored"
            code = DiagnosticCode.EMPTY_FILE if data is None else DiagnosticCode.PARSE_ERROR
            diagnostics.append(Diagnostic(Location(name, 1), code, Severity.WARNING, message))
        else:
            files.append(ExportFile(name, section_of(path.relative_to(root)), data))
    return files, diagnostics


def _relative(path: Path, base: Path, root: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.relative_to(root).as_posix()


def empty_export(root: Path, base: Path, tool: str) -> Diagnostic:
    """The diagnostic for a directory holding no export."""
    name = _relative(root, base, root) if root != base else "."
    message = f"no {tool} export found under {name!r}: no charts, cards or dashboards were read"
    return Diagnostic(Location(name, 1), DiagnosticCode.CONFIG_ERROR, Severity.WARNING, message)


def owner_from(value: Any) -> Owner:
    """The first owner of an export's `owners` list (or one owner): a mapping or a string."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and value:
        return Owner(email=value) if "@" in value else Owner(name=value)
    if not isinstance(value, dict):
        return Owner()
    names = [str(value[k]) for k in ("first_name", "last_name") if isinstance(value.get(k), str)]
    name = " ".join(names) or value.get("username") or value.get("name")
    email = value.get("email")
    return Owner(name if isinstance(name, str) else None, email if isinstance(email, str) else None)


class Reads:
    """The columns and SQL a consumer reads, deduplicated, in a stable order."""

    def __init__(self) -> None:
        self.reads: dict[tuple[str, str], ReadSpec] = {}
        self.sql: dict[tuple[str, Location | None], None] = {}
        self.dialects: set[str | None] = set()

    def add(self, relation: str, column: str | None, where: Location | None) -> None:
        self.reads.setdefault((relation, column or ""), ReadSpec(relation, column, where))

    def add_sql(self, text: str, where: Location | None, dialect: str | None) -> None:
        self.sql.setdefault((text, where), None)
        self.dialects.add(dialect)

    def merge(self, spec: ConsumerSpec) -> None:
        """Add what another consumer reads (a dashboard reads its charts)."""
        for read in spec.reads:
            self.add(read.relation, read.column, read.location)
        for text, where in spec.sql:
            self.add_sql(text, where, spec.dialect)

    def finish(self, spec: ConsumerSpec) -> ConsumerSpec:
        """`spec` with these reads; its dialect is that of its SQL when they all agree."""
        dialect = next(iter(self.dialects)) if len(self.dialects) == 1 else None
        reads = tuple(self.reads[key] for key in sorted(self.reads))
        return replace(spec, reads=reads, sql=tuple(self.sql), dialect=dialect)

    def mixed_dialects(self) -> bool:
        return len(self.dialects) > 1


# ---------------------------------------------------------------------------------------------
# Charts


def _chart(
    file: ExportFile, datasets: dict[str, _Dataset], diagnostics: list[Diagnostic]
) -> list[ConsumerSpec]:
    uuid = file.required("uuid", diagnostics)
    if uuid is None:
        return []
    name = file.data.get("slice_name")
    spec = ConsumerSpec(
        id=f"superset.chart.{uuid}",
        kind=ConsumerKind.CHART,
        name=name if isinstance(name, str) else uuid,
        owner=owner_from(file.data.get("owners")),
        location=file.at(file.data.line),
        origin=ORIGIN,
    )
    reference = file.data.get("dataset_uuid")
    dataset = datasets.get(reference) if isinstance(reference, str) else None
    if dataset is None:
        message = f"chart {spec.name!r} uses dataset {reference!r}, which is not in the export"
        diagnostics.append(
            file.diagnostic("dataset_uuid", DiagnosticCode.UNKNOWN_RELATION, message)
        )
        return [spec]
    reads = _Resolver(dataset, file, diagnostics)
    for use in _uses(file, diagnostics):
        reads.use(use)
    if not reads.reads and dataset.sql is None:
        reads.add(dataset.relation, None, spec.location)  # e.g. COUNT(*) only: its rows
    return [reads.finish(spec)]


def _uses(file: ExportFile, diagnostics: list[Diagnostic]) -> list[_Use]:
    params = file.data.get("params")
    line = line_of(file.data, "params")
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except ValueError:
            message = "chart params are not valid JSON; the chart's columns are not known"
            diagnostics.append(file.diagnostic("params", DiagnosticCode.PARSE_ERROR, message))
            return []
    if not isinstance(params, dict):
        return []
    uses: list[_Use] = []
    for key in (*_COLUMN_KEYS, *_METRIC_KEYS, *_FILTER_KEYS, *_SQL_KEYS):
        value = params.get(key)
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            where = line_of(value, index) if isinstance(value, list) else line_of(params, key, line)
            use = _use(key, item, where)
            if use is not None and use.value and not use.value.startswith("__"):
                uses.append(use)
    return uses


def _use(key: str, item: Any, line: int) -> _Use | None:
    if isinstance(item, str):
        if key in _SQL_KEYS:
            return _Use("sql", item, line) if item.strip() else None
        if key == "order_by_cols":
            return _order_by(item, line)
        return _Use("metric" if key in _METRIC_KEYS else "column", item, line)
    if not isinstance(item, dict):
        return None
    sql = item.get("sqlExpression")
    if item.get("expressionType") == "SQL" or (isinstance(sql, str) and sql):
        return _Use("sql", sql, line) if isinstance(sql, str) else None
    column = item.get("column")
    if isinstance(column, dict) and isinstance(column.get("column_name"), str):
        return _Use("column", column["column_name"], line)
    if isinstance(item.get("subject"), str):
        return _Use("column", item["subject"], line)
    return None


def _order_by(item: str, line: int) -> _Use | None:
    try:
        value = json.loads(item)
    except ValueError:
        return _Use("column", item, line)
    if isinstance(value, list) and value and isinstance(value[0], str):
        return _Use("column", value[0], line)
    return None


class _Resolver(Reads):
    """The warehouse columns (or SQL) behind what a chart or filter uses of one dataset."""

    def __init__(self, dataset: _Dataset, file: ExportFile, diagnostics: list[Diagnostic]) -> None:
        super().__init__()
        self.dataset, self.file, self.diagnostics = dataset, file, diagnostics
        if dataset.sql is not None:
            self.add_sql(
                dataset.sql, dataset.file.at(line_of(dataset.file.data, "sql")), dataset.dialect
            )

    def use(self, use: _Use) -> None:
        where = self.file.at(use.line)
        if use.kind == "sql":
            if self.dataset.sql is None:
                for name in self.expression(use.value, where):
                    self.column(name, where, check=True)
        elif use.kind == "metric":
            self.metric(use.value, where)
        else:
            self.column(use.value, where, check=True)

    def column(self, name: str, where: Location, check: bool) -> None:
        dataset = self.dataset
        if check and dataset.columns and name not in dataset.columns:
            message = f"column {name!r} is not a column of dataset {dataset.relation!r}"
            self.diagnostics.append(_diagnostic(where, DiagnosticCode.UNKNOWN_COLUMN, message))
        if dataset.sql is not None:
            return
        expression = dataset.columns.get(name)
        if expression is None:
            self.add(dataset.relation, name, where)
            return
        for inner in self.expression(expression, self._expression_line("columns", name)):
            if inner != name:
                self.column(inner, where, check=False)

    def metric(self, name: str, where: Location) -> None:
        dataset = self.dataset
        if name not in dataset.metrics:
            message = f"metric {name!r} is not a metric of dataset {dataset.relation!r}"
            self.diagnostics.append(_diagnostic(where, DiagnosticCode.UNKNOWN_COLUMN, message))
            return
        expression = dataset.metrics[name]
        if dataset.sql is None and expression is not None:
            for inner in self.expression(expression, self._expression_line("metrics", name)):
                self.column(inner, where, check=False)

    def expression(self, text: str, where: Location) -> list[str]:
        """The column names in a SQL expression (a parse error is reported at `where`)."""
        names = expression_columns(text, self.dataset.dialect)
        if names is None:
            message = f"cannot parse SQL expression {text!r}; the columns it reads are not known"
            self.diagnostics.append(_diagnostic(where, DiagnosticCode.PARSE_ERROR, message))
            return []
        return names

    def _expression_line(self, key: str, name: str) -> Location:
        items = self.dataset.file.data.get(key)
        field = "column_name" if key == "columns" else "metric_name"
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and item.get(field) == name:
                return self.dataset.file.at(line_of(item, "expression", line_of(items, index)))
        return self.dataset.file.at(1)


def expression_columns(text: str, dialect: str | None) -> list[str] | None:
    """Column names referenced in a SQL expression, in order, once each; None: unparsable."""
    try:
        tree = sqlglot.parse_one(text, read=dialect)
    except (SqlglotError, ValueError, RecursionError):
        return None
    if tree is None:
        return None
    names = [column.name for column in tree.find_all(exp.Column) if column.name]
    return list(dict.fromkeys(names))


def _diagnostic(where: Location, code: DiagnosticCode, message: str) -> Diagnostic:
    return Diagnostic(where, code, Severity.WARNING, message)


# ---------------------------------------------------------------------------------------------
# Dashboards


def _dashboard(
    file: ExportFile,
    charts: list[ConsumerSpec],
    datasets: dict[str, _Dataset],
    diagnostics: list[Diagnostic],
) -> tuple[ConsumerSpec, list[str]] | None:
    """The dashboard, and the ids of the charts it contains."""
    uuid = file.required("uuid", diagnostics)
    if uuid is None:
        return None
    by_uuid = {c.id.removeprefix("superset.chart."): c for c in charts}
    members = _members(file, by_uuid, diagnostics)
    reads = Reads()
    for chart in members:
        reads.merge(chart)
    for dataset, name, line in _filter_targets(file, datasets, diagnostics):
        resolver = _Resolver(dataset, file, diagnostics)
        resolver.column(name, file.at(line), check=True)
        reads.merge(resolver.finish(_EMPTY))
    title = file.data.get("dashboard_title")
    name = title if isinstance(title, str) else uuid
    owner = owner_from(file.data.get("owners"))
    spec = dashboard_spec(
        f"superset.dashboard.{uuid}", name, owner, ORIGIN, file, reads, diagnostics
    )
    return spec, [c.id for c in members]


def dashboard_spec(
    consumer_id: str,
    name: str,
    owner: Owner,
    origin: str,
    file: ExportFile,
    reads: Reads,
    diagnostics: list[Diagnostic],
) -> ConsumerSpec:
    """A BI dashboard reading what its charts read. Charts querying databases of different
    dialects leave the dashboard's SQL without one, which is said."""
    spec = ConsumerSpec(
        id=consumer_id,
        kind=ConsumerKind.DASHBOARD,
        name=name,
        owner=owner,
        location=file.at(file.data.line),
        origin=origin,
    )
    if reads.mixed_dialects():
        message = "the dashboard's charts run SQL in several dialects; its SQL is read without one"
        diagnostics.append(
            _diagnostic(file.at(file.data.line), DiagnosticCode.CONFIG_ERROR, message)
        )
    return reads.finish(spec)


_EMPTY = ConsumerSpec("", ConsumerKind.DASHBOARD, "", Owner(), None, ORIGIN)


def _members(
    file: ExportFile, by_uuid: dict[str, ConsumerSpec], diagnostics: list[Diagnostic]
) -> list[ConsumerSpec]:
    position = file.data.get("position")
    members: list[ConsumerSpec] = []
    for key, item in position.items() if isinstance(position, dict) else []:
        if not isinstance(item, dict) or item.get("type") != "CHART":
            continue
        meta = item.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        chart = by_uuid.get(str(meta.get("uuid")))
        if chart is None:
            reference = meta.get("uuid") or f"id {meta.get('chartId')}"
            message = (
                f"dashboard position {key} refers to chart {reference}, which is not in the export"
            )
            diagnostics.append(
                _diagnostic(
                    file.at(line_of(position, key)), DiagnosticCode.UNKNOWN_RELATION, message
                )
            )
        elif chart not in members:
            members.append(chart)
    return members


def _filter_targets(
    file: ExportFile, datasets: dict[str, _Dataset], diagnostics: list[Diagnostic]
) -> list[tuple[_Dataset, str, int]]:
    """(dataset, column, line) of each native filter target."""
    metadata = file.data.get("metadata")
    filters = metadata.get("native_filter_configuration") if isinstance(metadata, dict) else None
    found: list[tuple[_Dataset, str, int]] = []
    for item in filters if isinstance(filters, list) else []:
        targets = item.get("targets") if isinstance(item, dict) else None
        for target in targets if isinstance(targets, list) else []:
            if not isinstance(target, dict) or not isinstance(target.get("column"), dict):
                continue
            name, line = target["column"].get("name"), line_of(target)
            reference = target.get("datasetUuid")
            dataset = datasets.get(reference) if isinstance(reference, str) else None
            if dataset is None:
                message = f"native filter uses dataset {reference!r}, which is not in the export"
                diagnostics.append(
                    _diagnostic(file.at(line), DiagnosticCode.UNKNOWN_RELATION, message)
                )
            elif isinstance(name, str):
                found.append((dataset, name, line))
    return found


def _with_parents(
    charts: list[ConsumerSpec], dashboards: list[tuple[ConsumerSpec, list[str]]]
) -> list[ConsumerSpec]:
    """Charts with their dashboard as parent when exactly one dashboard contains them."""
    containers: dict[str, list[str]] = {}
    for dashboard, members in dashboards:
        for member in members:
            containers.setdefault(member, []).append(dashboard.id)
    specs = [d for d, _ in dashboards]
    for chart in charts:
        parents = containers.get(chart.id, [])
        parent = parents[0] if len(parents) == 1 else None
        specs.append(replace(chart, parent=parent))
    return specs
