"""Render a dbt node's Jinja to SQL in the sandbox, without dbt and without a warehouse.

>>> renderer = Renderer(project, "postgres", resolver)          # doctest: +SKIP
>>> parsed = renderer.parse(node)                               # refs, sources, config
>>> rendered = renderer.render(node, parsed.config)             # SQL or a diagnostic
"""

from __future__ import annotations

import copy
import datetime
import marshal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import CodeType, MappingProxyType
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.environment import Template

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.render import names
from lineage.render.context import Resolver, Session, Settings
from lineage.render.failures import describe_failure
from lineage.render.macros import DbtBlocks, MacroIndex
from lineage.render.relations import (
    RelationRef,
    adapter_type,
    quote_character,
    quote_policy,
)
from lineage.render.sandbox import MAX_STRING, LineageSandbox, end_budget, start_budget
from lineage.sources.dbt.files import LineDict, LineList
from lineage.sources.dbt.nodes import DbtNode, DbtProject, ResourceType, SourceTable

__all__ = ["ParseResult", "RelationRef", "RenderResult", "Renderer", "Resolver", "Shipped"]


@dataclass(frozen=True)
class ParseResult:
    """The dbt "parse" pass: what a node depends on and its config."""

    refs: tuple[tuple[str | None, str, str | None], ...]
    sources: tuple[tuple[str, str], ...]
    config: dict[str, Any]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class RenderResult:
    sql: str | None
    diagnostics: tuple[Diagnostic, ...]


_Named = tuple[DbtNode, dict[str, Any], RelationRef, list[Diagnostic]]


@dataclass(frozen=True)
class Shipped:
    """A node parsed by another process of the same build (a forked worker, so the same
    renderer): its parse, its relation, and its compiled template (`marshal` bytes, None for
    a Jinja syntax error), which `Renderer.adopt` takes instead of compiling it again."""

    parsed: ParseResult
    relation: RelationRef
    relation_diagnostics: tuple[Diagnostic, ...]
    code: bytes | None


class Renderer:
    """Parses and renders the nodes of one dbt project for one dialect."""

    def __init__(
        self,
        project: DbtProject,
        dialect: str,
        resolver: Resolver,
        *,
        vars_override: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        target_name: str = "dev",
        target_database: str = "analytics",
        target_schema: str = "dbt",
        incremental: bool = False,
    ) -> None:
        self.project = project
        self._jinja = LineageSandbox([DbtBlocks])
        self._index = MacroIndex(self._jinja, project.macro_files)
        adapter = adapter_type(dialect)
        namespaces = {project.name, "dbt", "dbt_utils", *project.packages, *self._index.macros}
        self._settings = Settings(
            project=project,
            adapter_type=adapter,
            resolver=resolver,
            vars_override=dict(vars_override or {}),
            env=dict(env or {}),
            target=_target(project, adapter, target_name, target_database, target_schema),
            incremental=incremental,
            index=self._index,
            jinja=self._jinja,
            quote_policy=quote_policy(adapter, project.quoting),
            quote_character=quote_character(adapter),
            namespaces=frozenset(namespaces),
            dispatch=dict(project.dispatch),
            graph=_graph(project),
        )
        self._templates: dict[str, Template | TemplateSyntaxError] = {}
        #: By unique id, the relation last named (a pure function of the node and its
        #: config): the node, the config (a copy), the relation, its diagnostics.
        self._relations: dict[str, _Named] = {}
        self._yaml_diagnostics: list[Diagnostic] = []

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Problems with the project's macro files (each file is skipped, not the run) and
        with Jinja in YAML properties."""
        return tuple(self._index.diagnostics) + tuple(self._yaml_diagnostics)

    def parse(self, node: DbtNode) -> ParseResult:
        """dbt's parse pass (execute=False): refs and sources are recorded, not resolved."""
        session = self._session(node, node.config, execute=False)
        self._run(session)
        return ParseResult(
            refs=tuple(session.refs),
            sources=tuple(session.sources),
            config=session.config,
            diagnostics=tuple(session.diagnostics),
        )

    def ship(self, node: DbtNode) -> Shipped | None:
        """`parse(node)` and its relation, with the compiled template, for `adopt` in the
        process that forked this one; None if its config holds more than plain data (the
        other process parses that node itself)."""
        code = self._compile(node)
        self._templates[_key(node)] = self._template(code)
        try:
            parsed = self.parse(node)
            relation, diagnostics = self._relation(node, parsed.config)
        finally:  # the process that adopts it keeps it
            del self._templates[_key(node)]
            self._relations.pop(node.unique_id, None)
        if not _plain(parsed.config):
            return None
        shipped = marshal.dumps(code) if isinstance(code, CodeType) else None
        return Shipped(parsed, relation, tuple(diagnostics), shipped)

    def adopt(self, node: DbtNode, shipped: Shipped) -> ParseResult:
        """What `ship` found in a worker forked from this process: its template and relation
        are kept as if this process had compiled and named them; the node's parse result."""
        if shipped.code is not None:  # our own fork's compile, never bytes from a file
            self._templates[_key(node)] = self._template(marshal.loads(shipped.code))
        config = copy.deepcopy(shipped.parsed.config)
        diagnostics = list(shipped.relation_diagnostics)
        self._relations[node.unique_id] = (node, config, shipped.relation, diagnostics)
        return shipped.parsed

    def relation(self, node: DbtNode, config: Mapping[str, Any]) -> RelationRef:
        """The relation a node builds: generate_database/schema/alias_name, overrides honoured."""
        return self._relation(node, config)[0]

    def source_relation(self, source: SourceTable) -> RelationRef:
        """The relation of a source table, quoted as the project and the source say. Jinja in
        its YAML (`schema: "{{ env_var('APP_SCHEMA', 'raw') }}"`) is rendered, as dbt does."""
        adapter = self._settings.adapter_type
        policy = quote_policy(adapter, {**self.project.quoting, **source.quoting})
        database, schema, identifier = (
            self._yaml_text(source, part)
            for part in (source.database, source.schema, source.identifier)
        )
        return RelationRef(
            source.unique_id, database, schema or source.schema, identifier or source.identifier,
            policy, quote_character(adapter), "table",
        )  # fmt: skip

    def _yaml_text(self, source: SourceTable, text: str | None) -> str | None:
        """A YAML property value with its Jinja rendered in the sandbox (no ref or source)."""
        if text is None or "{" not in text:
            return text
        path = source.location.path if source.location else "sources"
        node = DbtNode(
            f"yaml.{source.unique_id}", ResourceType.ANALYSIS, source.package, source.name,
            path, text,
        )  # fmt: skip
        result = self.render(node, {})
        self._yaml_diagnostics.extend(result.diagnostics)
        return result.sql.strip() if result.sql is not None else text

    def render(self, node: DbtNode, config: Mapping[str, Any]) -> RenderResult:
        """Render the node's SQL (execute=True): ref and source ask the resolver."""
        session = self._session(node, config, execute=True)
        sql = self._run(session)
        return RenderResult(sql, tuple(session.diagnostics))

    def _session(self, node: DbtNode, config: Mapping[str, Any], execute: bool) -> Session:
        this, diagnostics = self._relation(node, config)
        session = Session(self._settings, node, config, execute=execute)
        session.this = this
        session.diagnostics.extend(diagnostics)
        return session

    def _relation(
        self, node: DbtNode, config: Mapping[str, Any]
    ) -> tuple[RelationRef, list[Diagnostic]]:
        known = self._relations.get(node.unique_id)
        if known is not None and known[0] is node and known[1] == dict(config):
            return known[2], list(known[3])
        relation, diagnostics = self._name(node, config)
        self._relations[node.unique_id] = (node, copy.deepcopy(dict(config)), relation, diagnostics)
        return relation, list(diagnostics)

    def _name(
        self, node: DbtNode, config: Mapping[str, Any]
    ) -> tuple[RelationRef, list[Diagnostic]]:
        session = Session(self._settings, node, config, execute=False)
        token = start_budget()
        try:
            parts = names.relation_parts(session, node, config)
        finally:
            end_budget(token)
            session.end()
        relation = RelationRef(
            node.unique_id, parts[0], parts[1], parts[2],
            self._settings.quote_policy, self._settings.quote_character,
            names.relation_type(config),
        )  # fmt: skip
        return relation, session.diagnostics

    def _run(self, session: Session) -> str | None:
        node = session.node
        if node.language != "sql":
            return None
        template = self._template_named(node)
        if isinstance(template, TemplateSyntaxError):
            line = template.lineno or 1
            message = f"Jinja syntax error: {template.message}"
            session.diagnostics.append(_error(node, line, DiagnosticCode.PARSE_ERROR, message))
            return None
        token = start_budget()
        try:
            return _collect(template.root_render_func(template.new_context(
                session.scope(node.package), shared=True)))  # fmt: skip
        except Exception as error:
            line, message = describe_failure(error, node.path)
            session.diagnostics.append(_error(node, line, DiagnosticCode.ANALYSIS_ERROR, message))
            return None
        finally:
            end_budget(token)
            session.end()

    def _template_named(self, node: DbtNode) -> Template | TemplateSyntaxError:
        key = _key(node)
        found = self._templates.get(key)
        if found is None:
            found = self._templates[key] = self._template(self._compile(node))
        return found

    def _compile(self, node: DbtNode) -> CodeType | TemplateSyntaxError:
        """The node's template compiled to Python code (or its syntax error)."""
        try:
            tree = self._jinja.parse(node.raw_code, name=node.path, filename=node.path)
            source = self._jinja.compile(tree, name=node.path, filename=node.path, raw=True)
            return compile(source, node.path, "exec")
        except TemplateSyntaxError as error:
            return error

    def _template(self, code: CodeType | TemplateSyntaxError) -> Template | TemplateSyntaxError:
        if isinstance(code, TemplateSyntaxError):
            return code
        return self._jinja.template_class.from_code(self._jinja, code, self._jinja.globals)


def _key(node: DbtNode) -> str:
    return f"{node.unique_id}\0{node.raw_code}"


_SCALARS = frozenset({str, int, float, bool, type(None), datetime.date, datetime.datetime})


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether `value` is YAML-like data (what crosses processes unchanged)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if depth > 100:
        return False
    if kind is list or kind is tuple or kind is LineList:  # a LineList pickles with its lines
        return all(_plain(item, depth + 1) for item in value)
    if kind is dict or kind is LineDict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    return False


def _collect(chunks: Iterator[str]) -> str:
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_STRING:
            raise MemoryError(f"the rendered SQL is longer than {MAX_STRING} characters")
        parts.append(chunk)
    return "".join(parts)


def _error(node: DbtNode, line: int, code: DiagnosticCode, message: str) -> Diagnostic:
    location = Location(node.path, line)
    return Diagnostic(location, code, Severity.ERROR, message, relation=node.unique_id)


def _target(
    project: DbtProject, adapter: str, name: str, database: str, schema: str
) -> dict[str, Any]:
    target: dict[str, Any] = {
        "name": name, "target_name": name, "type": adapter, "database": database,
        "schema": schema, "threads": 1, "profile_name": project.profile or project.name,
        "user": "lineage",
    }  # fmt: skip
    if adapter == "bigquery":
        target.update(project=database, dataset=schema)
    if adapter in ("databricks", "spark"):
        target.update(catalog=database)
    return target


def _graph(project: DbtProject) -> Mapping[str, Any]:
    """A read-only `graph` with the project's nodes and sources (no compiled code)."""
    nodes = {
        n.unique_id: MappingProxyType({
            "unique_id": n.unique_id, "name": n.name, "resource_type": n.resource_type.value,
            "package_name": n.package, "path": n.path, "original_file_path": n.path,
            "config": MappingProxyType(dict(n.config)), "tags": tuple(n.config.get("tags") or ()),
            "columns": MappingProxyType({c.name: MappingProxyType(
                {"name": c.name, "data_type": c.data_type}) for c in n.columns}),
        })
        for n in project.nodes
    }  # fmt: skip
    sources = {
        s.unique_id: MappingProxyType({
            "unique_id": s.unique_id, "name": s.name, "source_name": s.source_name,
            "resource_type": "source", "package_name": s.package, "database": s.database,
            "schema": s.schema, "identifier": s.identifier,
        })
        for s in project.sources
    }  # fmt: skip
    return MappingProxyType({
        "nodes": MappingProxyType(nodes), "sources": MappingProxyType(sources),
        "exposures": MappingProxyType({}), "metrics": MappingProxyType({}),
        "macros": MappingProxyType({}),
    })  # fmt: skip
