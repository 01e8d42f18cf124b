"""dbt's parse pass over a project's models and snapshots (refs, sources, config, relation
names), shared with the build's worker processes.

The workers are forked before the pass, so they hold the same renderer: each parses a batch
of nodes and sends back plain values and the compiled template (`Renderer.ship`), which this
process adopts instead of compiling it again. Results are taken in the project's node order,
so the pass is the one a single process makes. A worker that cannot answer (or a config that
is not plain data) leaves its nodes to this process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lineage.config import Config
from lineage.dbt_manifest_mode import manifest_parse, manifest_relation
from lineage.dbt_waves import worker_count
from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.model_workers import ModelWorkers, WorkerLost
from lineage.relation_facts import PropertyFacts, read_property_facts
from lineage.render.names import relation_type
from lineage.render.renderer import ParseResult, Renderer, Shipped
from lineage.sources.dbt.nodes import DbtNode, ResourceType
from lineage.sources.dbt.python_models import python_model_reads
from lineage.sql.recorder import Recorder

if TYPE_CHECKING:
    from lineage.dbt_build import _Index

#: Nodes a worker parses per request in the parse pass.
PARSE_BATCH = 20


def start_workers(config: Config, index: _Index, renderer: Renderer) -> ModelWorkers | None:
    """The worker processes of the build (None: everything in this process), forked now so
    that they share the parse pass and then analyse models."""
    nodes = index.project.nodes
    sql = sum(1 for n in nodes if n.language == "sql" and n.resource_type in _PARSED)
    count = worker_count(config.jobs, sql, index.manifest is not None)
    return ModelWorkers(count, _Ship(renderer, nodes)) if count else None


_PARSED = (ResourceType.MODEL, ResourceType.SNAPSHOT)


@dataclass(frozen=True)
class ReadFacts:
    """Asks a worker for `read_property_facts` of the project."""

    max_file_bytes: int


class _Ship:
    """In a worker: the parse of each requested node (by position in the project's nodes), or
    the project's `PropertyFacts`."""

    def __init__(self, renderer: Renderer, nodes: Sequence[DbtNode]) -> None:
        self.renderer = renderer
        self.nodes = nodes

    def __call__(self, request: Sequence[int] | ReadFacts) -> object:
        if isinstance(request, ReadFacts):
            project = self.renderer.project
            return read_property_facts(Path(project.root), project.name, request.max_file_bytes)
        return [self.renderer.ship(self.nodes[position]) for position in request]


def facts_answer(workers: ModelWorkers | None, ticket: int | None) -> PropertyFacts | None:
    """The facts a worker read (None: it could not, so they are read here)."""
    if workers is None or ticket is None:
        return None
    try:
        answer = workers.answer(ticket)
    except WorkerLost:
        return None
    return answer if isinstance(answer, PropertyFacts) else None


def _shipped(workers: ModelWorkers, nodes: Sequence[DbtNode]) -> dict[str, Shipped]:
    """The SQL models and snapshots of the parse pass parsed by the workers, by unique id
    (any the workers did not answer for are parsed here)."""
    wanted = [p for p, n in enumerate(nodes) if n.resource_type in _PARSED and n.language == "sql"]
    batches = [wanted[at : at + PARSE_BATCH] for at in range(0, len(wanted), PARSE_BATCH)]
    tickets = [workers.ask(batch) for batch in batches]
    found: dict[str, Shipped] = {}
    for batch, ticket in zip(batches, tickets, strict=True):
        try:
            answer = workers.answer(ticket)
        except WorkerLost:
            continue
        for position, shipped in zip(batch, answer or [None] * len(batch), strict=True):
            if shipped is not None:
                found[nodes[position].unique_id] = shipped
    return found


def parse_nodes(
    recorder: Recorder, renderer: Renderer, index: _Index, workers: ModelWorkers | None
) -> dict[str, ParseResult]:
    """dbt's parse pass: each node's refs and config; relations are named from the config."""
    parsed: dict[str, ParseResult] = {}
    shipped = _shipped(workers, index.project.nodes) if workers is not None else {}
    for node in index.project.nodes:
        if node.resource_type not in _PARSED:
            continue
        result = manifest_parse(index, node)
        found = shipped.get(node.unique_id)
        if result is None and found is not None:
            result = renderer.adopt(node, found)
        elif result is None:
            result = renderer.parse(node) if node.language == "sql" else _python_parse(node)
        recorder.diagnostics.extend(result.diagnostics)
        if result.config.get("enabled", True) is False:
            continue
        parsed[node.unique_id] = result
        relation = manifest_relation(
            index, node.unique_id, index.project.quoting, relation_type(result.config)
        )
        index.remember(node.unique_id, relation or renderer.relation(node, result.config))
        if result.config.get("materialized") == "ephemeral":
            index.ephemeral.add(node.unique_id)
    return parsed


def _python_parse(node: DbtNode) -> ParseResult:
    reads = python_model_reads(node.raw_code)
    problems: tuple[Diagnostic, ...] = ()
    if reads.error:
        problems = (
            Diagnostic(
                Location(node.path, reads.error_line),
                DiagnosticCode.PYTHON_MODEL,
                Severity.WARNING,
                f"Python model: {reads.error}; what it reads is unknown",
            ),
        )
    return ParseResult(reads.refs, reads.sources, dict(node.config), problems)
