"""Cross-repository lineage: an application repository merged with the analytics state.

An application repository does not contain the dbt project its tables feed. Its `lineage.yml`
names the state files (`downstream:`) that the analytics repository's CI publishes with
`lineage snapshot`; `merge_downstream` makes one project of the local build and each state:

- every relation, edge, blind spot, consumer and diagnostic of a state is kept, except that
  the local project wins: a local relation replaces a state relation of the same name, and
  every `app:<name>.*` relation of a state belongs to the local application `<name>` when
  `lineage.yml` configures one (a table dropped locally is gone from the merged project);
  edges and blind spots into a replaced relation, and ingestion edges out of a replaced
  application table, are dropped with it;
- each local application with `source: <dbt source>` is bound to the state's tables of that
  source exactly as a dbt build binds it (lineage/app_binding.py), which gives the identity
  ingestion edges from the local application columns into the state's source columns;
- a state's diagnostics keep their locations (paths in the analytics repository) and their
  message is prefixed with `downstream state <path>: `;
- coverage adds up: the local project's and each state's figures are summed, the columns of
  state relations left out are taken off (a replaced relation counts once), and the columns
  of the local application tables bound here and the merge's own diagnostics are added.

A state file that is missing or invalid is a `config-error` diagnostic at its line in
`lineage.yml`, and the run goes on without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lineage.app_binding import Binding, bind, unbound_sources
from lineage.app_roots import define_app_table, ingestion_edges
from lineage.build import Counts, _coverage
from lineage.catalog import RelationState
from lineage.config import Config, DownstreamState
from lineage.entities import (
    BlindSpot,
    Consumer,
    Coverage,
    Diagnostic,
    DiagnosticCode,
    Edge,
    Location,
    Project,
    Relation,
    RelationKind,
    Severity,
)
from lineage.errors import UsageError
from lineage.relation_facts import with_code_owners
from lineage.sources.app.read import read_application
from lineage.sources.dbt.nodes import ColumnSpec, SourceTable
from lineage.sql.recorder import Recorder
from lineage.state import load_state

_APP_PREFIX = "app:"


@dataclass(frozen=True)
class _State:
    """One state file read, and where lineage.yml names it."""

    setting: DownstreamState
    project: Project

    @property
    def prefix(self) -> str:
        return f"downstream state {self.setting.path}: "


def merge_downstream(local: Project, root: Path, config: Config) -> Project:
    """`local` merged with every state file `config.downstream` names (module docstring)."""
    if not config.downstream:
        return local
    states, problems = _read_states(root, config)
    apps = _bound_applications(local, root, config, states)
    ours = _Ours(
        names=frozenset(r.name for r in (*local.relations, *apps.relations)),
        apps=tuple(f"{_APP_PREFIX}{a.name}." for a in config.applications),
    )
    merge = _Merge(
        relations={r.name: r for r in (*local.relations, *apps.relations)},
        edges=[*local.edges, *apps.edges],
        blind_spots=list(local.blind_spots),
        consumers={c.id: c for c in local.consumers},
        diagnostics=[*local.diagnostics, *problems, *apps.diagnostics],
    )
    left_out = [merge.add(state, ours) for state in states]
    coverage = _coverage_of(
        [local.coverage, *(s.project.coverage for s in states)],
        added=_counted(apps.relations, ()),
        left_out=left_out,
        problems=(*problems, *apps.diagnostics),
    )
    return merge.project(local, coverage)


@dataclass
class _Merge:
    """The merged project's values, collected state by state."""

    relations: dict[str, Relation]
    edges: list[Edge]
    blind_spots: list[BlindSpot]
    consumers: dict[str, Consumer]
    diagnostics: list[Diagnostic]

    def add(self, state: _State, ours: _Ours) -> Coverage:
        """Add what `state` brings; return the coverage of its relations left out."""
        project = state.project
        kinds = {r.name: r.kind for r in project.relations}
        left_out = []
        for relation in project.relations:
            if ours.owns(relation.name) or relation.name in self.relations:
                left_out.append(relation)
            else:
                self.relations[relation.name] = relation
        self.edges += [e for e in project.edges if not ours.drops(e, kinds)]
        self.blind_spots += [b for b in project.blind_spots if not ours.owns(b.target.relation)]
        for consumer in project.consumers:
            self.consumers.setdefault(consumer.id, consumer)
        self.diagnostics += [
            replace(d, message=state.prefix + d.message) for d in project.diagnostics
        ]
        return _counted(left_out, project.blind_spots)

    def project(self, local: Project, coverage: Coverage) -> Project:
        return replace(
            local,
            relations=tuple(self.relations[name] for name in sorted(self.relations)),
            edges=tuple(sorted(set(self.edges), key=lambda e: e.sort_key)),
            blind_spots=tuple(
                sorted(
                    set(self.blind_spots), key=lambda b: (b.target.sort_key, b.location, b.reason)
                )
            ),
            diagnostics=tuple(sorted(set(self.diagnostics))),
            consumers=tuple(self.consumers[key] for key in sorted(self.consumers)),
            coverage=coverage,
        )


@dataclass(frozen=True)
class _Ours:
    """What the local project defines: relations by name, and its applications' tables."""

    names: frozenset[str]
    apps: tuple[str, ...]  # `app:<name>.` of every configured application

    def owns(self, relation: str) -> bool:
        return relation in self.names or relation.startswith(self.apps)

    def drops(self, edge: Edge, kinds: dict[str, RelationKind]) -> bool:
        """A state edge into a relation the local project defines, or one that ingests a
        local application table (the local binding makes those again)."""
        if self.owns(edge.target.relation):
            return True
        source = edge.source.relation
        return self.owns(source) and kinds.get(source) is RelationKind.APP_TABLE


# -- reading the states ---------------------------------------------------------------------


def _read_states(root: Path, config: Config) -> tuple[list[_State], list[Diagnostic]]:
    base = root if root.is_dir() else root.parent  # where lineage.yml is
    states: list[_State] = []
    problems: list[Diagnostic] = []
    for setting in config.downstream:
        try:
            project = load_state(base / setting.path)
        except UsageError as error:
            problems.append(
                _config_error(
                    setting.location,
                    Severity.ERROR,
                    f"{error}; the downstream lineage it holds is missing from this run",
                )
            )
            continue
        states.append(_State(setting, project))
        if project.dialect != config.dialect:
            message = (
                f"downstream state {setting.path} was built in the {project.dialect} dialect, "
                f"this project is read in {config.dialect}: relation names may not match"
            )
            problems.append(_config_error(setting.location, Severity.WARNING, message))
    return states, problems


def _config_error(location: Location, severity: Severity, message: str) -> Diagnostic:
    return Diagnostic(location, DiagnosticCode.CONFIG_ERROR, severity, message)


# -- binding local applications to the states' sources --------------------------------------


@dataclass(frozen=True)
class _Applications:
    relations: tuple[Relation, ...]
    edges: tuple[Edge, ...]
    diagnostics: tuple[Diagnostic, ...]


def _bound_applications(
    local: Project, root: Path, config: Config, states: Sequence[_State]
) -> _Applications:
    """The local applications bound to a dbt source that only a state has, as a dbt build
    binds them: their tables, ingestion edges and binding diagnostics."""
    local_sources = {_source_name(r.name) for r in local.relations if r.kind is RelationKind.SOURCE}
    apps = [a for a in config.applications if a.source and a.source not in local_sources]
    if not apps:
        return _Applications((), (), ())
    sources = list(_source_tables(s.project for s in states))
    bindings: list[Binding] = []
    diagnostics: list[Diagnostic] = []
    for app in apps:
        schema = read_application(root, app, config.dialect)
        found, problems = bind(app, schema, sources)
        bindings += found
        diagnostics += [*schema.diagnostics, *problems]
    others = _landed_from_other_applications(states, config)
    unbound = [s for s in sources if s.unique_id not in others]
    diagnostics += unbound_sources(unbound, apps, bindings)
    recorder = Recorder(config.dialect)
    _record(recorder, bindings, {r.name: r for s in states for r in s.project.relations})
    relations = [r for r in recorder.catalog.freeze() if r.name.startswith(_APP_PREFIX)]
    return _Applications(
        with_code_owners(relations, root),
        recorder.final_edges(),
        (*diagnostics, *recorder.diagnostics),
    )


def _landed_from_other_applications(states: Sequence[_State], config: Config) -> set[str]:
    """Source tables a state binds to an application this project does not configure (one
    dbt source may ingest several applications): those are not missing a local table."""
    ours = tuple(f"{_APP_PREFIX}{a.name}." for a in config.applications)
    found: set[str] = set()
    for state in states:
        apps = {
            r.name
            for r in state.project.relations
            if r.kind is RelationKind.APP_TABLE and not r.name.startswith(ours)
        }
        found.update(e.target.relation for e in state.project.edges if e.source.relation in apps)
    return found


def _record(
    recorder: Recorder, bindings: Iterable[Binding], state_relations: dict[str, Relation]
) -> None:
    """Each application table, and an identity edge from each of its columns into the state's
    source column it lands in (at the source's location, as the dbt build makes it)."""
    landed: dict[str, RelationState] = {}
    for binding in bindings:
        table = define_app_table(recorder, binding.app, binding.table)
        source = binding.source
        relation = state_relations.get(source.unique_id) if source is not None else None
        if source is None or relation is None:
            continue
        if relation.name not in landed:
            landed[relation.name] = _define_landed(recorder, relation)
        where = source.location or Location("lineage.yml", 1)
        pairs = [(column.name, name, where) for column, name in binding.columns]
        ingestion_edges(recorder, binding.app, binding.table, table, landed[relation.name], pairs)


def _define_landed(recorder: Recorder, relation: Relation) -> RelationState:
    """A stand-in for a state's source relation, so that edges can land in its columns; the
    state's relation itself is what the merged project keeps."""
    location = relation.location or Location("lineage.yml", 1)
    recorder.path = location.path
    columns = [(c.name, c.data_type, c.location) for c in relation.columns if not c.dropped]
    return recorder.define(relation.name, RelationKind.SOURCE, location.line, columns)


def _source_tables(projects: Iterable[Project]) -> Iterable[SourceTable]:
    """The dbt source tables of the states (`source.<package>.<source>.<table>`), as the
    binding reads them. A state does not say a table's warehouse identifier: its name is
    used. Columns count as declared when the source's YAML file defines them (the dbt build
    gives a source that declares none its application's columns)."""
    seen: set[str] = set()
    for project in projects:
        for relation in project.relations:
            parts = relation.name.split(".", 3)
            if relation.kind is not RelationKind.SOURCE or len(parts) != 4:
                continue
            if relation.name in seen:
                continue
            seen.add(relation.name)
            _, package, source_name, table = parts
            yield SourceTable(
                unique_id=relation.name,
                package=package,
                source_name=source_name,
                name=table,
                database=None,
                schema=source_name,
                identifier=table,
                columns=_declared_columns(relation),
                location=relation.location,
            )


def _declared_columns(relation: Relation) -> tuple[ColumnSpec, ...]:
    where = relation.location.path if relation.location else None
    return tuple(
        ColumnSpec(c.name, c.data_type, location=c.location)
        for c in relation.columns
        if not c.dropped and c.location is not None and c.location.path == where
    )


def _source_name(relation: str) -> str | None:
    parts = relation.split(".", 3)
    return parts[2] if len(parts) == 4 and parts[0] == "source" else None


# -- coverage --------------------------------------------------------------------------------


def _counted(relations: Sequence[Relation], blind_spots: Sequence[BlindSpot]) -> Coverage:
    """The columns (and resolved ones) of `relations`, counted as a build counts them."""
    return _coverage(0, Counts(), tuple(relations), tuple(blind_spots), 0)


def _coverage_of(
    parts: Sequence[Coverage],
    added: Coverage,
    left_out: Sequence[Coverage],
    problems: Sequence[Diagnostic],
) -> Coverage:
    """The local project's and each state's coverage added up, plus the local application
    tables bound here, less the state relations the merged project left out (counted once),
    plus the warnings and errors the merge itself reported."""
    units = {c.unit for c in parts if c.statements}
    return Coverage(
        files=sum(c.files for c in parts),
        statements=sum(c.statements for c in parts),
        statements_analysed=sum(c.statements_analysed for c in parts),
        columns=sum(c.columns for c in parts) + added.columns - sum(c.columns for c in left_out),
        columns_resolved=sum(c.columns_resolved for c in parts)
        + added.columns_resolved
        - sum(c.columns_resolved for c in left_out),
        diagnostics=sum(c.diagnostics for c in parts)
        + sum(1 for d in problems if d.severity >= Severity.WARNING),
        unit=units.pop() if len(units) == 1 else "statements",
    )
