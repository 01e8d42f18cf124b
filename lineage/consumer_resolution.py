"""Resolve consumers read from files (a consumers file, BI exports, application code) against
the built graph.

A tool names what it reads as it sees the warehouse (`analytics.core.fct_orders`), or, in our
consumers file, as dbt names it (`fct_orders`, `model.shop.fct_orders`). Relation names
resolve through the project's own naming; a column a relation does not have is a diagnostic
(a chart on a deleted column); SQL is analysed by the engine over the project's relations,
and the columns it reads are the consumer's reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lineage.config import Config
from lineage.dbt_names import engine_name
from lineage.entities import (
    ColumnRef,
    Consumer,
    Diagnostic,
    DiagnosticCode,
    Location,
    Project,
    ReadLevel,
    RelationKind,
    Severity,
)
from lineage.sources.consumers.specs import ConsumerFiles, ConsumerSpec, ReadSpec
from lineage.sql.recorder import Recorder
from lineage.sql.split import split_statements


@dataclass(frozen=True)
class _Names:
    """Relation names as tools write them -> graph relation ids."""

    project: Project
    engine_names: Mapping[str, str]  # warehouse (engine) name -> unique id
    dialect: str

    def relation(self, written: str) -> str | None:
        if self.project.relation(written) is not None:
            return written
        found = self.warehouse(written)
        if found is not None:
            return found
        short = [r.name for r in self.project.relations if r.name.endswith("." + written)]
        if len(short) == 1:
            return short[0]
        # a versioned model is named by its alias (`dim_customers` is the latest version's)
        last = engine_name(written, self.dialect).rsplit(".", 1)[-1]
        aliased = sorted(
            {uid for eng, uid in self.engine_names.items() if eng.rsplit(".", 1)[-1] == last}
        )
        return aliased[0] if len(aliased) == 1 else None

    def warehouse(self, written: str) -> str | None:
        """A warehouse name as written (`analytics.core.orders`, or `core.orders` when only
        one relation ends so): never a bare table name, which may be any database's."""
        name = engine_name(written, self.dialect)
        if name in self.engine_names:
            return self.engine_names[name]
        if "." not in name:
            return None
        ends = sorted({uid for eng, uid in self.engine_names.items() if eng.endswith("." + name)})
        return ends[0] if len(ends) == 1 else None

    def known(self, written: str) -> bool:
        """For application code: only a warehouse relation makes a query a consumer."""
        return self.warehouse(written) is not None


def read_consumer_files(root: Path, config: Config, names: _Names) -> list[ConsumerFiles]:
    """Every configured consumer source, read (paths relative to the project root)."""
    from lineage.sources.consumers.code_scan import scan_code
    from lineage.sources.consumers.consumers_file import read_consumers_file
    from lineage.sources.consumers.looker import read_looker
    from lineage.sources.consumers.metabase import read_metabase
    from lineage.sources.consumers.superset import read_superset

    settings = config.consumers
    found: list[ConsumerFiles] = []
    default_file = root / "consumers.yml"
    file = (
        root / settings.file
        if settings.file
        else (default_file if default_file.is_file() else None)
    )
    if file is not None and file.is_file():
        found.append(read_consumers_file(file, root))
    if settings.superset:
        found.append(read_superset(root / settings.superset, root))
    if settings.metabase:
        found.append(read_metabase(root / settings.metabase, root))
    if settings.looker:
        found.append(_rebased(read_looker(root / settings.looker), root, settings.looker))
    for folder in settings.code:
        scanned = _rebased(scan_code(root / folder, names.known, config.dialect), root, folder)
        found.append(replace(scanned, consumers=tuple(_code_id(s) for s in scanned.consumers)))
    return found


def _code_id(spec: ConsumerSpec) -> ConsumerSpec:
    """`code:<path from the project>:<line>`: the query's place names the feature."""
    if spec.location is None:
        return spec
    repeat = spec.id.rpartition("#")[2] if "#" in spec.id else ""
    suffix = f"#{repeat}" if repeat else ""
    return replace(spec, id=f"code:{spec.location.path}:{spec.location.line}{suffix}")


def resolve_consumers(
    files: Sequence[ConsumerFiles], names: _Names
) -> tuple[list[Consumer], list[Diagnostic]]:
    """Consumers with their reads as graph columns, and what could not be resolved."""
    analyser = SqlReads(names)
    consumers: list[Consumer] = []
    problems: list[Diagnostic] = [d for f in files for d in f.diagnostics]
    for spec in (s for f in files for s in f.consumers):
        reads, level, found = _reads(spec, names, analyser)
        problems.extend(found)
        consumers.append(
            Consumer(
                id=spec.id,
                kind=spec.kind,
                name=spec.name,
                owner=spec.owner,
                level=level,
                reads=tuple(sorted(set(reads), key=lambda r: r.sort_key)),
                location=spec.location,
                url=spec.url,
                origin=spec.origin,
            )
        )
    return consumers, problems


def make_names(project: Project, engine_names: Mapping[str, str], dialect: str) -> _Names:
    return _Names(project, engine_names, dialect)


def _reads(
    spec: ConsumerSpec, names: _Names, analyser: SqlReads
) -> tuple[list[ColumnRef], ReadLevel, list[Diagnostic]]:
    reads: list[ColumnRef] = []
    problems: list[Diagnostic] = []
    whole = False
    for read in spec.reads:
        found, problem = _read(read, spec, names)
        reads.extend(found)
        whole = whole or read.column is None
        if problem is not None:
            problems.append(problem)
    for sql, where in spec.sql:
        found, issues = analyser.reads(sql, where, spec.dialect or names.dialect)
        reads.extend(found)
        problems.extend(issues)
    return reads, ReadLevel.MODEL if whole else ReadLevel.COLUMN, problems


def _read(
    read: ReadSpec, spec: ConsumerSpec, names: _Names
) -> tuple[list[ColumnRef], Diagnostic | None]:
    where = read.location or spec.location or Location("consumers", 1)
    relation_id = names.relation(read.relation)
    relation = names.project.relation(relation_id) if relation_id else None
    if relation is None:
        return [], _problem(
            where,
            DiagnosticCode.UNKNOWN_RELATION,
            f"{spec.id} reads {read.relation}, which is no relation of the project",
        )
    columns = [c.name for c in relation.columns if not c.dropped]
    if read.column is None:
        return [ColumnRef(relation.name, c) for c in columns], None
    match = next((c for c in columns if c.lower() == read.column.lower()), None)
    if match is None:
        return [], _problem(
            where,
            DiagnosticCode.UNKNOWN_COLUMN,
            f"{spec.id} reads {read.relation}.{read.column}, which "
            f"{relation.name} does not have (dropped or renamed?)",
        )
    return [ColumnRef(relation.name, match)], None


class SqlReads:
    """The columns a consumer's query reads, found by the engine over the graph's relations."""

    def __init__(self, names: _Names) -> None:
        self.names = names
        self.by_engine = {v: k for k, v in names.engine_names.items()}

    def reads(
        self, sql: str, where: Location | None, dialect: str
    ) -> tuple[list[ColumnRef], list[Diagnostic]]:
        recorder = self._recorder(dialect, where)
        found: list[ColumnRef] = []
        for statement in split_statements(sql, dialect).statements:
            from lineage.build import parse_statement

            tree = parse_statement(recorder, statement, sql)
            lineage = recorder.analyse(tree, statement.line) if tree is not None else None
            if lineage is None:
                continue
            for read in [r for o in lineage.outputs for r in o.reads] + list(lineage.rows):
                relation = self.names.engine_names.get(read.relation)
                if relation is not None:
                    found.append(ColumnRef(relation, read.column))
        return found, [_moved(d, where) for d in recorder.diagnostics]

    def _recorder(self, dialect: str, where: Location | None) -> Recorder:
        recorder = Recorder(dialect)
        recorder.path = where.path if where else "consumers"
        for engine, relation_id in sorted(self.names.engine_names.items()):
            relation = self.names.project.relation(relation_id)
            if relation is not None:
                columns = [(c.name, c.data_type, None) for c in relation.columns if not c.dropped]
                recorder.define(engine, RelationKind.TABLE, 1, columns)
        return recorder


def _moved(diagnostic: Diagnostic, where: Location | None) -> Diagnostic:
    """A line of a query is a line of the file the query is written in."""
    if where is None:
        return diagnostic
    line = where.line + diagnostic.location.line - 1
    return replace(diagnostic, location=Location(where.path, line))


def _rebased(found: ConsumerFiles, root: Path, folder: str) -> ConsumerFiles:
    """Locations relative to a reader's folder, made relative to the project root."""

    def where(location: Location | None) -> Location | None:
        if location is None:
            return None
        return Location((Path(folder) / location.path).as_posix(), location.line)

    specs = tuple(
        replace(
            s,
            location=where(s.location),
            reads=tuple(replace(r, location=where(r.location)) for r in s.reads),
            sql=tuple((q, where(loc)) for q, loc in s.sql),
        )
        for s in found.consumers
    )
    problems = tuple(
        replace(d, location=where(d.location) or d.location) for d in found.diagnostics
    )
    return ConsumerFiles(specs, problems)


def _problem(where: Location, code: DiagnosticCode, message: str) -> Diagnostic:
    return Diagnostic(where, code, Severity.WARNING, message)
