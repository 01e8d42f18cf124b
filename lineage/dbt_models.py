"""A dbt project's models and snapshots rendered, analysed and recorded in dependency order.

Each node is rendered in this process (Jinja asks the catalog for its parents' columns, or
for the columns their analyses predict when they are not recorded yet), its `ModelJob` is
analysed by a worker, in-process or taken from the model cache, and the analysis is recorded
exactly when the sequential build would record it. What the render and the analysis were
told is checked then: a relation that changed since (a parent recorded otherwise than
predicted, a relation named without `ref`, a column a sibling added by reading it) has the
node rendered or analysed again here, so the result is the sequential build's, byte for byte.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage.analysis_cache import AnalysisCache, open_cache
from lineage.build import GC_BATCH_STATEMENTS
from lineage.config import Config, cache_path
from lineage.dbt_manifest_mode import manifest_render, set_catalog_types
from lineage.dbt_names import engine_name
from lineage.dbt_waves import (
    AHEAD_PER_WORKER,
    Analyser,
    BuildStats,
    Pending,
    run_in_order,
)
from lineage.entities import DiagnosticCode, Location, RelationKind
from lineage.model_analysis import ModelAnalysis, ModelJob, apply_model
from lineage.model_workers import ModelWorkers
from lineage.render.line_map import template_lines
from lineage.render.renderer import ParseResult, RelationRef, Renderer, RenderResult
from lineage.sources.dbt.nodes import DbtNode, ResourceType
from lineage.sources.dbt.python_models import python_model_reads
from lineage.sql.recorder import Recorder

if TYPE_CHECKING:
    from lineage.dbt_build import _Index, _Resolver

#: Columns dbt adds to every snapshot.
SNAPSHOT_COLUMNS = ("dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")


def build_models(
    recorder: Recorder,
    renderer: Renderer,
    resolver: _Resolver,
    parsed: Mapping[str, ParseResult],
    ordered: Sequence[DbtNode],
    config: Config,
    root: Path,
    workers: ModelWorkers | None,
    stats: BuildStats,
) -> int:
    """Build the ordered models with the `workers` and the configured cache; the number
    analysed."""
    path = cache_path(config, root)
    cache: AnalysisCache | None = open_cache(path, root) if path is not None else None
    analyser = Analyser(workers, cache, stats)
    try:
        models = _Models(recorder, renderer, resolver, parsed, analyser)
        return models.run(ordered, max(1, stats.workers * AHEAD_PER_WORKER))
    finally:
        analyser.close()
        recorder.diagnostics.extend(analyser.diagnostics)


@dataclass
class _Started:
    """A model rendered (and its analysis submitted) ahead of being recorded."""

    node: DbtNode
    rendered: RenderResult | None  # None: a Python model, which is not rendered
    log: list[tuple[RelationRef, Any]]  # what its Jinja was told about columns
    pending: Pending | None  # None: nothing to analyse


class _Models:
    """Renders, analyses and records the project's models and snapshots in dependency order."""

    def __init__(
        self,
        recorder: Recorder,
        renderer: Renderer,
        resolver: _Resolver,
        parsed: Mapping[str, ParseResult],
        analyser: Analyser,
    ) -> None:
        self.recorder = recorder
        self.renderer = renderer
        self.resolver = resolver
        self.index = resolver.index
        self.parsed = parsed
        self.analyser = analyser
        #: The columns (as `_Resolver.columns` gives them) each relation of a started model
        #: is predicted to have once the model is recorded, from its analysis; by engine name.
        self.predicted: dict[str, list[tuple[str, str | None]] | None] = {}
        self._predicted_by: dict[str, str] = {}  # engine name -> the model predicting it
        self._known: set[str] = set()  # started models whose analyses are known
        self._pending: dict[str, _Started] = {}  # started models, until recorded

    def run(self, ordered: Sequence[DbtNode], ahead: int) -> int:
        """Build every node of `ordered`; the number analysed."""
        positions = {node.unique_id: position for position, node in enumerate(ordered)}
        parents = [sorted(self._parent_positions(node, positions)) for node in ordered]
        analysed = 0

        def start(position: int) -> _Started:
            return self.start(ordered[position], early=True)

        def finish(position: int, started: _Started) -> None:
            nonlocal analysed
            analysed += self.finish(started)
            if early is not None and (position + 1) % GC_BATCH_STATEMENTS == 0:
                # The collector walks each object once however the work is cut; walked here
                # it overlaps the workers' analyses, not the end of the build.
                gc.collect(1)

        early = _Early(self, positions) if ahead > 1 else None
        run_in_order(parents, start, finish, ahead, early)
        return analysed

    def _parent_positions(self, node: DbtNode, positions: Mapping[str, int]) -> set[int]:
        found = set()
        for package, name, version in self.parsed[node.unique_id].refs:
            parent = self.index.node(package, name, version)
            if parent is not None and parent.unique_id in positions:
                found.add(positions[parent.unique_id])
        return found

    def start(self, node: DbtNode, submit: bool = True, early: bool = False) -> _Started:
        """Render `node` and submit its analysis. `early`: parents not recorded yet are
        taken to have the columns their analyses give them (`predicted`)."""
        if node.language == "python":
            return _Started(node, None, [], None)
        log: list[tuple[RelationRef, Any]] = []
        self.resolver.log = log
        self.resolver.predicted = self.predicted if early else {}
        try:
            config = self.parsed[node.unique_id].config
            rendered = manifest_render(self.index, node) or self.renderer.render(node, config)
        finally:
            self.resolver.log = None
            self.resolver.predicted = {}
        if rendered.sql is None:
            return _Started(node, rendered, log, None)
        job = ModelJob(rendered.sql, self.index.dialect, self._schemas(node, early))
        if not submit:
            return _Started(node, rendered, log, Pending(job, node.unique_id, None))
        started = _Started(node, rendered, log, self.analyser.start(job, node.unique_id))
        self._pending[node.unique_id] = started
        if started.pending is not None and started.pending.analysis is not None:
            self.predict(started)
        return started

    def _schemas(
        self, node: DbtNode, early: bool
    ) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
        """The columns of the relations the node refs or reads as sources, by engine name."""
        result, index = self.parsed[node.unique_id], self.index
        names = {index.relation_name(index.node(p, n, v)) for p, n, v in result.refs}
        names |= {index.relation_name(index.source(s, t)) for s, t in result.sources}
        predicted = self.predicted if early else {}
        return tuple(
            (name, _names(predicted[name]) if name in predicted else self._columns(name))
            for name in sorted(n for n in names if n)
        )

    def _columns(self, name: str) -> tuple[str, ...] | None:
        columns = self.recorder.catalog.columns_of(name)
        return tuple(columns) if columns is not None else None

    def predict(self, started: _Started) -> None:
        """Its analysis is known before it is recorded: predict the columns recording it
        will give its relation, for the children started before then."""
        node, pending = started.node, started.pending
        assert pending is not None and pending.analysis is not None
        name = self.index.relation_name(node)
        if name is None:
            return
        columns = _predicted_columns(pending.analysis)
        if columns is not None and node.resource_type is ResourceType.SNAPSHOT:
            extra = _snapshot_columns(self.parsed[node.unique_id].config)
            have = {column for column, _ in columns}
            columns = [*columns, *((column, None) for column in extra if column not in have)]
        self.predicted[name] = columns
        self._predicted_by[name] = node.unique_id
        self._known.add(node.unique_id)

    def finish(self, started: _Started) -> bool:
        """Record a started node, as the sequential build would at this point."""
        recorder, index, node = self.recorder, self.index, started.node
        self._forget(node)
        recorder.path = node.path
        name = engine_name(str(index.relations[node.unique_id]), index.dialect)
        kind = (
            RelationKind.SNAPSHOT
            if node.resource_type is ResourceType.SNAPSHOT
            else RelationKind.MODEL
        )
        if started.rendered is None:
            return _python_model(recorder, index, node, name)
        if not self.resolver.still_true(started.log):  # rendered too early: render again
            self.analyser.stats.rerendered += 1
            started = self.start(node, submit=False)
        rendered = started.rendered
        assert rendered is not None
        recorder.diagnostics.extend(rendered.diagnostics)
        if rendered.sql is None or started.pending is None:
            relation = recorder.define(name, kind, 1, [], columns_known=False)
            recorder.blind_spot((relation.id, None), "its Jinja could not be rendered", 1)
            return False
        first = node.location.line if node.location else 1  # a snapshot block starts mid-file
        recorder.line_map = [first + n - 1 for n in template_lines(node.raw_code, rendered.sql)]
        try:
            analysis = self._settle(started.pending, self.analyser.result(started.pending))
            analysed = apply_model(recorder, name, kind, analysis)
            if analysed and node.resource_type is ResourceType.SNAPSHOT:
                _add_snapshot_columns(recorder, name, self.parsed[node.unique_id].config)
            set_catalog_types(recorder, index, node.unique_id, name)
        finally:
            recorder.line_map = None
        return analysed

    def _forget(self, node: DbtNode) -> None:
        """From now on the catalog has what was predicted about `node`."""
        self._pending.pop(node.unique_id, None)
        self._known.discard(node.unique_id)
        name = self.index.relation_name(node)
        if name is not None and self._predicted_by.get(name) == node.unique_id:
            del self.predicted[name], self._predicted_by[name]

    def _settle(self, pending: Pending, analysis: ModelAnalysis) -> ModelAnalysis:
        """The analysis the sequential build would make now: again, in-process, with the
        catalog's current columns, while those it was given (or not given: a relation named
        without ref) differ from the catalog's."""
        job = pending.job
        while True:
            now = tuple((name, self._columns(name)) for name, _ in job.schemas)
            provided = job.provided()
            extra = {
                name: columns
                for name in analysis.asked
                if name not in provided and (columns := self._columns(name)) is not None
            }
            if now == job.schemas and not extra:
                return analysis
            schemas = tuple(sorted({**dict(now), **extra}.items()))
            job = ModelJob(job.sql, job.dialect, schemas)
            self.analyser.stats.redone += 1
            analysis = self.analyser.now(job, pending.label)


class _Early:
    """Lets a model start as soon as its parents' analyses are known (`run_in_order`)."""

    def __init__(self, models: _Models, positions: Mapping[str, int]) -> None:
        self.models = models
        self.positions = positions

    def known(self, position: int, started: _Started) -> bool:
        return started.node.unique_id in self.models._known

    def poll(self) -> list[int]:
        return self._arrived(self.models.analyser.collect(block=False)) or []

    def wait(self, position: int, started: _Started) -> list[int] | None:
        if started.pending is None or not self.models.analyser.in_flight(started.pending):
            return None
        return self._arrived(self.models.analyser.collect(block=True))

    def _arrived(self, arrived: list[Pending] | None) -> list[int] | None:
        if arrived is None:
            return None
        models, found = self.models, []
        for pending in arrived:
            started = models._pending.get(pending.label)
            if started is not None and started.pending is pending:
                models.predict(started)
                found.append(self.positions[pending.label])
        return found


def _predicted_columns(analysis: ModelAnalysis) -> list[tuple[str, str | None]] | None:
    """The columns `apply_model` gives a relation it defines from `analysis` (None: unknown),
    as `_Resolver.columns` reports them."""
    lineage = analysis.lineage
    if analysis.failure or analysis.prepare_error is not None or lineage is None:
        return None
    if not lineage.columns_known:
        return None
    return [(output.name, None) for output in lineage.outputs]


def _names(columns: list[tuple[str, str | None]] | None) -> tuple[str, ...] | None:
    return None if columns is None else tuple(name for name, _ in columns)


def _snapshot_columns(config: Mapping[str, Any]) -> list[str]:
    extra = list(SNAPSHOT_COLUMNS)
    if config.get("hard_deletes") == "new_record":
        extra.append("dbt_is_deleted")
    return extra


def _add_snapshot_columns(recorder: Recorder, name: str, config: Mapping[str, Any]) -> None:
    relation = recorder.catalog.get(name)
    if relation is None:
        return
    for column in _snapshot_columns(config):
        recorder.catalog.column_id(relation, column, Location(recorder.path, 1))
        state = relation.column(column)
        if state is not None:
            state.inferred = False


def _python_model(recorder: Recorder, index: _Index, node: DbtNode, name: str) -> bool:
    """A Python model is not run: its columns come from YAML, and every relation it reads
    (its literal dbt.ref / dbt.source calls) may flow into any of them unseen."""
    columns = [(c.name, c.data_type, c.location) for c in node.columns]
    relation = recorder.define(name, RelationKind.MODEL, 1, columns, columns_known=bool(columns))
    reads = python_model_reads(node.raw_code)
    upstream = [index.relation_name(index.node(p, n, v)) for p, n, v in reads.refs]
    upstream += [index.relation_name(index.source(s, t)) for s, t in reads.sources]
    named = tuple(sorted(u for u in upstream if u))
    recorder.diagnose(
        1,
        DiagnosticCode.PYTHON_MODEL,
        "Python model: its column lineage is not analysed (nothing from the project is "
        f"executed); it reads {len(named)} relation(s) and its columns come from its YAML",
    )
    recorder.blind_spot((relation.id, None), "Python model: lineage not analysed", 1, named)
    return False
