"""A dbt project's lineage from its files: load, parse every node's Jinja (refs and config),
name relations, order nodes by their refs, render each in a sandbox with the columns of its
parents known, analyse the SQL, and name relations by dbt unique id.

Sources and seeds are defined first (columns from YAML and CSV headers); models and
snapshots follow in dependency order so that `adapter.get_columns_in_relation` and
`dbt_utils.star` see their parents' columns. Nothing here raises for a problem in the project.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lineage.build import (
    Counts,
    assemble,
    batched_garbage_collection,
)
from lineage.config import Config
from lineage.consumer_resolution import (
    SqlReads,
    make_names,
    read_consumer_files,
    resolve_consumers,
)
from lineage.dbt_apps import Applications, load_applications, record_applications
from lineage.dbt_consumers import exposure_consumers
from lineage.dbt_ephemeral import fold_ephemeral
from lineage.dbt_manifest_mode import (
    Columns,
    catalog_columns,
    catalog_types,
    manifest_relation,
    read_artifacts,
)
from lineage.dbt_models import build_models
from lineage.dbt_names import engine_name
from lineage.dbt_order import dependency_order
from lineage.dbt_waves import BuildStats
from lineage.entities import (
    ColumnRef,
    Consumer,
    Diagnostic,
    DiagnosticCode,
    Location,
    Project,
    RelationKind,
    Severity,
)
from lineage.owners import CodeOwners, read_codeowners
from lineage.relation_facts import code_owned, dbt_relation_facts
from lineage.render.parse_pass import ReadFacts, facts_answer, parse_nodes, start_workers
from lineage.render.renderer import ParseResult, RelationRef, Renderer
from lineage.sources.dbt.load import load_dbt_project
from lineage.sources.dbt.manifest import (
    Manifest,
    ManifestNode,
)
from lineage.sources.dbt.nodes import DbtNode, DbtProject, ResourceType, SourceTable
from lineage.sql.recorder import Recorder


@dataclass
class _Index:
    """Lookups the resolver and the build share: nodes by name, relations by unique id."""

    project: DbtProject
    dialect: str
    relations: dict[str, RelationRef] = field(default_factory=dict)
    ephemeral: set[str] = field(default_factory=set)
    engine_names: dict[str, str] = field(default_factory=dict)  # engine name -> unique id
    # manifest mode: dbt's artifacts, and each node's compiled code taken from the manifest
    manifest: Manifest | None = None
    catalog: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    compiled: dict[str, ManifestNode] = field(default_factory=dict)
    by_id: dict[str, DbtNode] = field(default_factory=dict)
    _by_name: dict[str, list[DbtNode]] = field(default_factory=dict, init=False, repr=False)
    _sources: dict[tuple[str, str], SourceTable] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        for node in self.project.nodes:
            if node.resource_type is not ResourceType.ANALYSIS:
                self._by_name.setdefault(node.name, []).append(node)
        for table in self.project.sources:
            self._sources.setdefault((table.source_name, table.name), table)

    def node(self, package: str | None, name: str, version: str | None) -> DbtNode | None:
        candidates = [
            n for n in self._by_name.get(name, []) if package is None or n.package == package
        ]
        if version is not None:
            return next((n for n in candidates if n.version == str(version)), None)
        latest = [n for n in candidates if n.version is None or n.version == n.latest_version]
        chosen = latest or candidates
        return chosen[0] if chosen else None

    def source(self, source_name: str, table: str) -> SourceTable | None:
        return self._sources.get((source_name, table))

    def relation_name(self, resource: DbtNode | SourceTable | None) -> str | None:
        """The engine name of a node or source, once named."""
        relation = self.relations.get(resource.unique_id) if resource is not None else None
        return engine_name(str(relation), self.dialect) if relation is not None else None

    def remember(self, unique_id: str, relation: RelationRef) -> str:
        self.relations[unique_id] = relation
        name = engine_name(str(relation), self.dialect)
        self.engine_names.setdefault(name, unique_id)
        return name


class _Resolver:
    """Answers ref(), source() and column questions for the renderer."""

    def __init__(self, index: _Index, recorder: Recorder) -> None:
        self.index = index
        self.recorder = recorder
        #: While a model renders: each relation whose columns it asked for, and the answer.
        self.log: list[tuple[RelationRef, list[tuple[str, str | None]] | None]] | None = None
        #: While a model renders early: the columns predicted for relations not recorded yet
        #: (`still_true` checks the answers against the catalog when the model is recorded).
        self.predicted: Mapping[str, list[tuple[str, str | None]] | None] = {}

    def ref(
        self, package: str | None, name: str, version: str | None, caller: DbtNode
    ) -> RelationRef | None:
        node = self.index.node(package, name, version)
        return self.index.relations.get(node.unique_id) if node is not None else None

    def source(self, source_name: str, table_name: str, caller: DbtNode) -> RelationRef | None:
        table = self.index.source(source_name, table_name)
        return self.index.relations.get(table.unique_id) if table is not None else None

    def columns(self, relation: RelationRef) -> list[tuple[str, str | None]] | None:
        name = engine_name(str(relation), self.index.dialect)
        if name in self.predicted:
            answer = self.predicted[name]
            if self.log is not None:
                self.log.append((relation, answer))
            return None if answer is None else list(answer)
        state = self.recorder.catalog.get(name)
        answer = (
            None
            if state is None or not state.columns_known
            else [(c.name, c.data_type) for c in state.live_columns()]
        )
        if self.log is not None:
            self.log.append((relation, answer))
        return answer

    def still_true(self, log: Sequence[tuple[RelationRef, Any]]) -> bool:
        """Whether every answer in a render's log is still the catalog's answer."""
        return all(self.columns(relation) == answer for relation, answer in log)


def build_dbt_project(
    root: Path,
    config: Config,
    vars_override: Mapping[str, Any] | None = None,
    manifest: Path | None = None,
    stats: BuildStats | None = None,
) -> Project:
    """The lineage of the dbt project at `root`, with relations named by dbt unique id.

    Models are analysed in `config.jobs` processes and their analyses kept in the model cache
    (`config.cache`); `stats`, if given, is told what was analysed and what came from it.

    Manifest mode: with `manifest` (or `target/manifest.json` under `root`), dbt's compiled
    code, relation names and depends_on are used for the nodes it compiled, and the
    `catalog.json` beside it gives column types; other nodes are rendered from the files.
    """
    with batched_garbage_collection():  # millions of objects, few cycles (docs/scaling.md)
        return _build(root, config, vars_override, manifest, stats)


def _build(
    root: Path,
    config: Config,
    vars_override: Mapping[str, Any] | None,
    manifest: Path | None,
    stats: BuildStats | None,
) -> Project:
    project = load_dbt_project(
        root, dict(vars_override or {}), max_file_bytes=config.max_file_bytes
    )
    recorder = Recorder(config.dialect)
    recorder.diagnostics.extend(project.diagnostics + config.diagnostics)
    index = _Index(project, config.dialect)
    read_artifacts(root, manifest, index, recorder)
    resolver = _Resolver(index, recorder)
    renderer = Renderer(
        project,
        config.dialect,
        resolver,
        vars_override=vars_override,
        env=dict(config.env_vars),
        target_name=config.dbt_target.name,
        target_database=config.dbt_target.database,
        target_schema=config.dbt_target.schema,
    )
    counts = Counts(unit="models")
    applications = load_applications(root, config, project)
    recorder.diagnostics.extend(applications.diagnostics)
    _define_sources(recorder, index, renderer, applications)
    record_applications(
        recorder,
        applications,
        {s.unique_id: index.relation_name(s) for s in project.sources},
    )
    _define_seeds(recorder, index, renderer, counts)
    workers = start_workers(config, index, renderer)
    try:
        parsed = parse_nodes(recorder, renderer, index, workers)
        counts.statements += len(parsed)
        ordered = dependency_order(parsed, index, recorder)
        counts.analysed += build_models(recorder, renderer, resolver, parsed, ordered, config,
                                         root, workers, stats or BuildStats())  # fmt: skip
        # one worker reads the property files again while this process assembles the graph
        facts = workers.ask(ReadFacts(config.max_file_bytes)) if workers is not None else None
        _left_out(recorder, index, parsed, {n.unique_id for n in ordered})
        recorder.diagnostics.extend(renderer.diagnostics)
        graph = _graph(recorder, index, counts, root, config)
        configs = {uid: result.config for uid, result in parsed.items()}
        files = facts_answer(workers, facts)
        described = dbt_relation_facts(graph, project, configs, config.max_file_bytes, files)
    finally:
        if workers is not None:
            workers.close()
    return code_owned(described, root)


def _graph(
    recorder: Recorder, index: _Index, counts: Counts, root: Path, config: Config
) -> Project:
    """What `recorder` holds as a graph named by unique id, ephemeral models folded away, with
    the project's consumers."""
    _drop_echoes(recorder)
    # dbt edges carry no inner expressions (`Edge.inner`): they never have (they were lost
    # when relations were renamed to unique ids after assembling), and the graph stays as it was
    nodes = len(index.project.nodes)
    built = assemble(recorder, str(root), nodes, counts, index.engine_names, inner=False)
    recorder.edges.clear()  # assembled: the edges between ids are not needed any more
    return _with_consumers(fold_ephemeral(built, index.ephemeral), index, root, config)


def _owned(consumer: Consumer, owners: CodeOwners | None, root: Path) -> Consumer:
    """A consumer that names no owner is owned by whoever CODEOWNERS says owns its file."""
    if consumer.owner.name or consumer.owner.email or owners is None:
        return consumer
    if consumer.location is None:
        return consumer
    found = owners.owner_of(root / consumer.location.path)
    return replace(consumer, owner=found) if found is not None else consumer


def _with_consumers(built: Project, index: _Index, root: Path, config: Config) -> Project:
    """The project's exposures, and the consumers read from files, as consumers of the columns
    they read."""

    def ref(package: str | None, name: str, version: str | None) -> str | None:
        node = index.node(package, name, version)
        return node.unique_id if node is not None else None

    def source(source_name: str, table: str) -> str | None:
        found = index.source(source_name, table)
        return found.unique_id if found is not None else None

    names = make_names(built, index.engine_names, index.dialect)
    analyser = SqlReads(names)

    def sql_reads(sql: str, where: Location | None) -> tuple[list[ColumnRef], list[Diagnostic]]:
        return analyser.reads(sql, where, index.dialect)

    consumers, problems = exposure_consumers(index.project.exposures, built, ref, source, sql_reads)
    others, found = resolve_consumers(read_consumer_files(root, config, names), names)
    owners = read_codeowners(root)
    everything = tuple(
        _owned(c, owners, root) for c in sorted((*consumers, *others), key=lambda c: c.id)
    )
    diagnostics = tuple(sorted((*built.diagnostics, *problems, *found)))
    return replace(built, consumers=everything, diagnostics=diagnostics)


def _left_out(
    recorder: Recorder, index: _Index, parsed: Mapping[str, ParseResult], built: set[str]
) -> None:
    """Models on a ref cycle were not analysed: they stay in the graph as blind spots."""
    for uid in sorted(set(parsed) - built):
        node = next(n for n in index.project.nodes if n.unique_id == uid)
        recorder.path = node.path
        name = engine_name(str(index.relations[uid]), index.dialect)
        relation = recorder.define(name, RelationKind.MODEL, 1, [], columns_known=False)
        recorder.blind_spot((relation.id, None), "not analysed: its refs form a cycle", 1)


def _drop_echoes(recorder: Recorder) -> None:
    """A ref the renderer could not resolve leaves a placeholder relation the engine reports
    again as read-but-undefined at the same place: keep only the renderer's diagnostic."""
    reported = {
        d.location
        for d in recorder.diagnostics
        if d.code is DiagnosticCode.UNKNOWN_RELATION and d.severity is Severity.ERROR
    }
    recorder.diagnostics = [
        d
        for d in recorder.diagnostics
        if not (
            d.code is DiagnosticCode.UNKNOWN_RELATION
            and d.severity is Severity.WARNING
            and d.location in reported
        )
    ]


def _define_sources(
    recorder: Recorder, index: _Index, renderer: Renderer, applications: Applications
) -> None:
    for table in index.project.sources:
        relation = manifest_relation(
            index, table.unique_id, {**index.project.quoting, **table.quoting}, "table"
        )
        name = index.remember(table.unique_id, relation or renderer.source_relation(table))
        recorder.path = table.location.path if table.location else "sources"
        line = table.location.line if table.location else 1
        columns = [(c.name, c.data_type, c.location) for c in table.columns]
        columns = columns or applications.columns_for(table)
        columns = catalog_columns(index, table.unique_id, columns, table.location)
        recorder.define(name, RelationKind.SOURCE, line, columns, columns_known=bool(columns))


def _define_seeds(recorder: Recorder, index: _Index, renderer: Renderer, counts: Counts) -> None:
    for node in index.project.nodes:
        if node.resource_type is not ResourceType.SEED:
            continue
        counts.statements += 1
        relation = manifest_relation(index, node.unique_id, index.project.quoting, "table")
        name = index.remember(node.unique_id, relation or renderer.relation(node, node.config))
        recorder.path = node.path
        types = node.config.get("column_types") or {}
        declared = {c.name: c for c in node.columns}
        columns: Columns = [
            (column, types.get(column) or _declared_type(declared, column), Location(node.path, 1))
            for column in _csv_header(node.raw_code)
        ]
        columns = catalog_types(index, node.unique_id, columns)
        recorder.define(name, RelationKind.SEED, 1, columns, columns_known=bool(columns))
        counts.analysed += 1


def _declared_type(declared: Mapping[str, Any], column: str) -> str | None:
    spec = declared.get(column)
    return getattr(spec, "data_type", None)


def _csv_header(text: str) -> list[str]:
    first = text.lstrip("\ufeff").splitlines()[:1]
    return [name.strip() for name in next(csv.reader(first), [])] if first else []
