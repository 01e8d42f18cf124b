"""One render of one node: the names its templates see, and what the render recorded.

A `Session` resolves names the way dbt does: the calling package's macros, then the root
project's, then dbt's built-ins (`ref`, `config`, `adapter`, ...), then dbt's cross-database
macros, then package namespaces (`dbt_utils.star`). Macros bind to the session lazily.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.render import adapter as adapter_objects
from lineage.render import crossdb, dbt_utils, functions
from lineage.render.macros import (
    MISSING,
    BoundFunction,
    CompilerError,
    MacroDef,
    MacroIndex,
    MacroProxy,
    MacroReturn,
    Namespace,
    Scope,
    UnknownMacro,
)
from lineage.render.relations import Column, RelationRef, adapter_prefixes, quote, string_type
from lineage.render.sandbox import LineageSandbox
from lineage.sources.dbt.nodes import DbtNode, DbtProject

DBT_VERSION = "1.8.0"
SECRET_PREFIX = "DBT_ENV_SECRET_"

FALLBACKS: dict[str, dict[str, Callable[..., Any]]] = {
    "dbt": crossdb.CROSS_DATABASE,
    "dbt_utils": {
        **dbt_utils.DBT_UTILS,
        **{name: crossdb.CROSS_DATABASE[name] for name in crossdb.DBT_UTILS_LEGACY},
    },
}


class Resolver(Protocol):
    """Answers `ref`, `source` and column lookups from what the build knows."""

    def ref(
        self, package: str | None, name: str, version: str | None, caller: DbtNode
    ) -> RelationRef | None: ...

    def source(self, source_name: str, table_name: str, caller: DbtNode) -> RelationRef | None: ...

    def columns(self, relation: RelationRef) -> list[tuple[str, str | None]] | None: ...


@dataclass(frozen=True)
class Settings:
    """What every session of one renderer shares."""

    project: DbtProject
    adapter_type: str
    resolver: Resolver
    vars_override: Mapping[str, Any]
    env: Mapping[str, str]
    target: Mapping[str, Any]
    incremental: bool
    index: MacroIndex
    jinja: LineageSandbox
    quote_policy: tuple[bool, bool, bool]
    quote_character: str
    namespaces: frozenset[str]
    dispatch: Mapping[str, tuple[str, ...]]
    graph: Mapping[str, Any]


class Session:
    """The context of one parse or render of one node."""

    def __init__(
        self, settings: Settings, node: DbtNode, config: Mapping[str, Any], execute: bool
    ) -> None:
        self._settings = settings
        self.node = node
        self.execute = execute
        self.adapter_type = settings.adapter_type
        self.quote_policy = settings.quote_policy
        self.config: dict[str, Any] = copy.deepcopy(dict(config))
        self.refs: list[tuple[str | None, str, str | None]] = []
        self.sources: list[tuple[str, str]] = []
        self.diagnostics: list[Diagnostic] = []
        self.this: RelationRef | None = None
        self._results: dict[str, Any] = {}
        self._bound: dict[tuple[str, str], Callable[..., Any]] = {}
        self._scopes: dict[str, Scope] = {}
        self._builtins: dict[str, Any] | None = None

    def end(self) -> None:
        """Forget what only the render needed (macros bound to the session, its scopes and
        built-ins all refer back to it): it is then freed without the cycle collector."""
        self._builtins = None
        self._scopes.clear()
        self._bound.clear()
        self._results.clear()

    # -- diagnostics ----------------------------------------------------------------------

    def diagnose(self, code: DiagnosticCode, severity: Severity, message: str) -> None:
        location = Location(self.node.path, current_line(self.node.path))
        self.diagnostics.append(
            Diagnostic(location, code, severity, message, relation=self.node.unique_id)
        )

    def warn(self, message: str) -> None:
        self.diagnose(DiagnosticCode.ANALYSIS_ERROR, Severity.WARNING, message)

    # -- names ----------------------------------------------------------------------------

    @property
    def root_package(self) -> str:
        return self._settings.project.name

    def find_macro(self, package: str, name: str) -> MacroProxy | None:
        macro = self._settings.index.find(package, name)
        return None if macro is None else MacroProxy(self, macro)

    def scope(self, package: str) -> Scope:
        if package not in self._scopes:
            self._scopes[package] = Scope(lambda name: self.resolve(package, name))
        return self._scopes[package]

    def resolve(self, package: str, name: str) -> Any:
        index, root = self._settings.index, self._settings.project.name
        for owner in (package, root):
            macro = index.find(owner, name)
            if macro is not None:
                return MacroProxy(self, macro)
        builtins = self.builtins()
        if name in builtins:
            return builtins[name]
        if name in crossdb.CROSS_DATABASE:
            return self.namespace_member("dbt", name)
        if name in self._settings.namespaces:
            return Namespace(self, name)
        return self._settings.jinja.globals.get(name, MISSING)

    def namespace_member(self, package: str, name: str) -> Any:
        macro = self._settings.index.find(package, name)
        if macro is not None:
            return MacroProxy(self, macro)
        if name in FALLBACKS.get(package, {}):
            return self.dispatch(name, package)
        if package == "dbt" and name in self.builtins():
            return self.builtins()[name]
        return UnknownMacro(package, name)

    def bind(self, macro: MacroDef) -> Callable[..., Any]:
        key = (macro.package, macro.name)
        if key not in self._bound:
            template = self._settings.index.template(macro)
            module = template.make_module(vars=self.scope(macro.package), shared=True)
            self._bound[key] = getattr(module, macro.name)
        return self._bound[key]

    def dispatch(self, name: str, namespace: str | None = None) -> Any:
        """adapter.dispatch: `<adapter>__name`, parents, then `default__name`, per package."""
        if "." in name:
            raise CompilerError(f"adapter.dispatch('{name}'): use macro_namespace, not a dot")
        searched = self._search_order(namespace)
        index = self._settings.index
        for package in searched:
            for prefix in adapter_prefixes(self.adapter_type):
                macro = index.find(package, f"{prefix}__{name}")
                if macro is not None:
                    return MacroProxy(self, macro)
            fallback = FALLBACKS.get(package, {}).get(name)
            if fallback is not None and not index.find(package, name):
                return BoundFunction(fallback, self, f"{package}.{name}")
        tried = ", ".join(searched)
        raise CompilerError(
            f"adapter.dispatch found no implementation of '{name}' "
            f"(tried {self.adapter_type}__{name} and default__{name} in {tried})"
        )

    def _search_order(self, namespace: str | None) -> tuple[str, ...]:
        root = self._settings.project.name
        if namespace is None:
            return (root, "dbt")
        configured = self._settings.dispatch.get(namespace)
        return configured if configured else (root, namespace)

    # -- relations and columns ------------------------------------------------------------

    def quote(self, name: str) -> str:
        return quote(name, self._settings.quote_character)

    def make_relation(self, database: Any, schema: Any, identifier: Any) -> RelationRef:
        target = self._settings.target
        return RelationRef(
            unique_id="",
            database=None if database is None else str(database),
            schema=str(target["schema"] if schema is None else schema),
            identifier=str(identifier or ""),
            quote_policy=self.quote_policy,
            quote_character=self._settings.quote_character,
        )

    def make_column(self, name: str, dtype: str | None) -> Column:
        unknown = string_type(self.adapter_type)
        return Column(name, dtype, self._settings.quote_character, unknown)

    def columns_of(self, relation: Any, macro: str) -> list[Column] | None:
        if not isinstance(relation, RelationRef):
            self.warn(f"{macro} needs a relation (ref, source or this), got {relation!s:.80}")
            return None
        columns = self._settings.resolver.columns(relation)
        if columns is None:
            self.warn(
                f"{macro}: the columns of {relation} are unknown (declare them in YAML or "
                "build the upstream model first); rendered as *"
            )
            return None
        return [self.make_column(name, dtype) for name, dtype in columns]

    # -- built-in functions ---------------------------------------------------------------

    def builtins(self) -> dict[str, Any]:
        if self._builtins is None:
            self._builtins = make_builtins(self, self._settings)
        return self._builtins

    def ref(self, *args: Any, v: Any = None, version: Any = None, **kwargs: Any) -> RelationRef:
        if len(args) not in (1, 2) or kwargs:
            raise CompilerError("ref() takes a model name, or a package and a model name")
        package, name = (None, str(args[0])) if len(args) == 1 else (str(args[0]), str(args[1]))
        chosen = v if v is not None else version
        wanted = None if chosen is None else str(chosen)
        self.refs.append((package, name, wanted))
        if self.execute:
            found = self._settings.resolver.ref(package, name, wanted, self.node)
            if found is not None:
                return found
            label = f"'{package}', '{name}'" if package else f"'{name}'"
            self.diagnose(
                DiagnosticCode.UNKNOWN_RELATION,
                Severity.ERROR,
                f"ref({label}) names no model, seed or snapshot of the project",
            )
        return self.make_relation(self._settings.target["database"], None, name)

    def source(self, source_name: Any, table_name: Any) -> RelationRef:
        pair = (str(source_name), str(table_name))
        self.sources.append(pair)
        if self.execute:
            found = self._settings.resolver.source(*pair, self.node)
            if found is not None:
                return found
            self.diagnose(
                DiagnosticCode.UNKNOWN_RELATION,
                Severity.ERROR,
                f"source('{pair[0]}', '{pair[1]}') is not declared in any sources YAML",
            )
        return self.make_relation(self._settings.target["database"], pair[0], pair[1])

    def var(self, name: Any, default: Any = MISSING) -> Any:
        value = lookup_var(self._settings, self.node.package, str(name))
        if value is MISSING:
            if default is MISSING:
                raise CompilerError(f"required var '{name}' is not set (dbt_project.yml or --vars)")
            return default
        return copy.deepcopy(value)

    def env_var(self, name: Any, default: Any = MISSING) -> Any:
        key = str(name)
        if key.startswith(SECRET_PREFIX):
            self.diagnose(
                DiagnosticCode.CONFIG_ERROR,
                Severity.ERROR,
                f"env_var('{key}'): secret variables are not available to models",
            )
            return key
        if key in self._settings.env:
            return self._settings.env[key]
        if default is not MISSING:
            return default
        self.diagnose(
            DiagnosticCode.CONFIG_ERROR,
            Severity.ERROR,
            f"env_var('{key}') is not set and has no default; rendered as '{key}'",
        )
        return key

    def is_incremental(self) -> bool:
        return bool(
            self.execute
            and self._settings.incremental
            and self.config.get("materialized") == "incremental"
        )

    def run_query(self, sql: Any = None) -> adapter_objects.EmptyTable:
        if self.execute:
            self.diagnose(
                DiagnosticCode.CONFIG_ERROR,
                Severity.WARNING,
                "run_query() returns no rows here (lineage does not query the warehouse)",
            )
        return adapter_objects.EmptyTable()

    def statement(self, name: Any = None, fetch_result: bool = False, **kwargs: Any) -> str:
        self._results[str(name)] = adapter_objects.empty_result()
        if self.execute:
            self.diagnose(
                DiagnosticCode.CONFIG_ERROR,
                Severity.WARNING,
                f"statement '{name}' returns no rows here (lineage does not query the warehouse)",
            )
        return ""

    def load_result(self, name: Any) -> Any:
        return self._results.get(str(name))

    def store_result(self, name: Any, response: Any = None, agate_table: Any = None) -> str:
        self._results[str(name)] = adapter_objects.empty_result()
        return ""


def _return(value: Any = "") -> None:
    raise MacroReturn(value)


def make_builtins(session: Session, settings: Settings) -> dict[str, Any]:
    """dbt's context for one node: functions bound to the session, plain copies of data."""
    config = adapter_objects.ConfigObject(session)
    target = dict(settings.target)
    builtins = {"ref": session.ref, "source": session.source, "config": config}
    return {
        **functions.PURE_FUNCTIONS,
        **builtins,
        "builtins": builtins,
        "var": session.var,
        "env_var": session.env_var,
        "this": session.this,
        "target": target,
        "model": model_dict(session.node, session.config, session.this),
        "execute": session.execute,
        "is_incremental": session.is_incremental,
        "should_full_refresh": lambda: not settings.incremental,
        "run_query": session.run_query,
        "statement": session.statement,
        "load_result": session.load_result,
        "store_result": session.store_result,
        "adapter": adapter_objects.Adapter(session),
        "api": adapter_objects.Api(session),
        "exceptions": adapter_objects.Exceptions(session),
        "modules": functions.modules(),
        "return": _return,
        "graph": settings.graph,
        "project_name": settings.project.name,
        "dbt_version": DBT_VERSION,
        "run_started_at": functions.RUN_STARTED_AT,
        "invocation_id": functions.INVOCATION_ID,
        "flags": {"FULL_REFRESH": not settings.incremental, "WHICH": "compile"},
        "selected_resources": [],
        "database": target["database"],
        "schema": target["schema"],
    }


def model_dict(
    node: DbtNode, config: Mapping[str, Any], this: RelationRef | None
) -> dict[str, Any]:
    return {
        "unique_id": node.unique_id,
        "name": node.name,
        "alias": this.identifier if this else node.name,
        "schema": this.schema if this else None,
        "database": this.database if this else None,
        "package_name": node.package,
        "resource_type": node.resource_type.value,
        "path": node.path,
        "original_file_path": node.path,
        "raw_code": node.raw_code,
        "raw_sql": node.raw_code,
        "language": node.language,
        "config": copy.deepcopy(dict(config)),
        "tags": list(config.get("tags") or []),
        "meta": copy.deepcopy(node.meta),
        "description": node.description,
        "version": node.version,
        "fqn": [node.package, *node.path.rsplit(".", 1)[0].split("/")[1:]],
        "columns": {
            c.name: {"name": c.name, "data_type": c.data_type, "description": c.description}
            for c in node.columns
        },
    }


def lookup_var(settings: Settings, package: str, name: str) -> Any:
    """--vars, then the package-scoped block of dbt_project.yml vars, then the global vars."""
    if name in settings.vars_override:
        return settings.vars_override[name]
    project_vars = settings.project.vars
    scoped = project_vars.get(package)
    if isinstance(scoped, Mapping) and package in settings.namespaces and name in scoped:
        return scoped[name]
    globals_ = project_vars.get("")
    if isinstance(globals_, Mapping) and name in globals_:
        return globals_[name]
    if name in project_vars and name not in settings.namespaces:
        return project_vars[name]
    return MISSING


def current_line(template_name: str) -> int:
    """The line of `template_name` being rendered right now (1 when not rendering it)."""
    frame = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.name == template_name:
            return int(template.get_corresponding_lineno(frame.f_lineno))
        frame = frame.f_back  # type: ignore[assignment]
    return 1
