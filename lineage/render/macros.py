"""Macros from the project and its packages: parsed once, bound to each render's context.

Like dbt, every macro is compiled as its own template, so one macro reaches another only
through the context (`name(...)`, `package.name(...)`, `adapter.dispatch(...)`), never by
closure; that is what makes `{{ return(x) }}` and project overrides work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from jinja2 import TemplateSyntaxError, nodes
from jinja2.environment import Template
from jinja2.ext import Extension
from jinja2.parser import Parser

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.render.sandbox import LineageSandbox, spend
from lineage.sources.dbt.nodes import MacroFile


class MacroReturn(Exception):
    """Raised by `return(x)`; the macro call that is returning catches it."""

    def __init__(self, value: Any) -> None:
        super().__init__("return")
        self.value = value


class CompilerError(Exception):
    """A render failure with a message for people (raise_compiler_error, unknown macro, ...)."""


# -- dbt's block tags -----------------------------------------------------------------------


class DbtBlocks(Extension):
    """`{% test %}` (a macro named test_<name>), `{% snapshot %}` (renders its body),
    `{% materialization %}` and `{% docs %}` (ignored: they never produce model SQL)."""

    tags = {"test", "data_test", "snapshot", "materialization", "docs"}  # noqa: RUF012

    def parse(self, parser: Parser) -> nodes.Node | list[nodes.Node]:
        token = next(parser.stream)
        if token.value in ("test", "data_test"):
            return self._parse_test(parser, token.lineno)
        name = token.value
        while parser.stream.current.type != "block_end":
            next(parser.stream)
        body = parser.parse_statements((f"name:end{name}",), drop_needle=True)
        return body if name == "snapshot" else []

    @staticmethod
    def _parse_test(parser: Parser, lineno: int) -> nodes.Macro:
        name = parser.parse_assign_target(name_only=True).name
        macro = nodes.Macro(lineno=lineno)
        macro.name = f"test_{name}"
        parser.parse_signature(macro)
        macro.body = parser.parse_statements(
            ("name:endtest", "name:enddata_test"), drop_needle=True
        )
        return macro


# -- the index of macro definitions ---------------------------------------------------------


@dataclass(frozen=True)
class MacroDef:
    package: str
    name: str
    path: str
    line: int
    tree: nodes.Macro


class MacroIndex:
    """Every macro of every macro file, by package then name; compiled on first use."""

    def __init__(self, env: LineageSandbox, files: Iterable[MacroFile]) -> None:
        self._env = env
        self.macros: dict[str, dict[str, MacroDef]] = {}
        self.diagnostics: list[Diagnostic] = []
        self._compiled: dict[tuple[str, str], Template] = {}
        for file in files:
            self._read(file)

    def _read(self, file: MacroFile) -> None:
        try:
            tree = self._env.parse(file.text, name=file.path, filename=file.path)
        except TemplateSyntaxError as error:
            message = f"Jinja syntax error in macro file: {error.message}"
            location = Location(file.path, error.lineno or 1)
            self.diagnostics.append(
                Diagnostic(location, DiagnosticCode.PARSE_ERROR, Severity.ERROR, message)
            )
            return
        package = self.macros.setdefault(file.package, {})
        for node in tree.body:
            if isinstance(node, nodes.Macro):
                package.setdefault(
                    node.name, MacroDef(file.package, node.name, file.path, node.lineno, node)
                )

    def find(self, package: str, name: str) -> MacroDef | None:
        return self.macros.get(package, {}).get(name)

    def has_package(self, package: str) -> bool:
        return package in self.macros

    def template(self, macro: MacroDef) -> Template:
        key = (macro.package, macro.name)
        template = self._compiled.get(key)
        if template is None:
            tree = nodes.Template([macro.tree], lineno=1)
            tree.set_environment(self._env)
            code = self._env.compile(tree, name=macro.path, filename=macro.path)
            template = self._env.template_class.from_code(self._env, code, self._env.globals)
            self._compiled[key] = template
        return template


# -- what templates see ---------------------------------------------------------------------


class Binder(Protocol):
    """The render session, as macros need it."""

    def bind(self, macro: MacroDef) -> Callable[..., Any]: ...

    def namespace_member(self, package: str, name: str) -> Any: ...


class MacroProxy:
    """A macro callable from templates; catches its own `return(...)`."""

    lineage_printable = False

    def __init__(self, binder: Binder, macro: MacroDef) -> None:
        self._binder = binder
        self._macro = macro

    @property
    def name(self) -> str:
        return self._macro.name

    @property
    def package_name(self) -> str:
        return self._macro.package

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        spend()
        function = self._binder.bind(self._macro)
        try:
            return function(*args, **kwargs)
        except MacroReturn as returned:
            return returned.value


class BoundFunction:
    """One of our Python functions given its render session, without exposing it."""

    def __init__(self, function: Callable[..., Any], session: Any, name: str) -> None:
        self._function = function
        self._session = session
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(self._session, *args, **kwargs)


class UnknownMacro:
    """`package.name` where the package has no such macro: calling it fails the node."""

    def __init__(self, package: str, name: str) -> None:
        self._label = f"{package}.{name}"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise CompilerError(f"unknown macro '{self._label}' (not in the project or its packages)")

    def __bool__(self) -> bool:
        return False


class Namespace:
    """`package.name`: a package's macros (or our fallbacks when it is not installed)."""

    def __init__(self, binder: Binder, package: str) -> None:
        self._binder = binder
        self._package = package

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._binder.namespace_member(self._package, name)

    def __getitem__(self, name: str) -> Any:
        return self.__getattr__(name)


class Scope(dict[str, Any]):
    """The names a template sees, resolved lazily and cached for one render."""

    def __init__(self, resolve: Callable[[str], Any]) -> None:
        super().__init__()
        self._resolve = resolve

    def _lookup(self, key: str) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        value = self._resolve(key)
        if value is not _MISSING:
            dict.__setitem__(self, key, value)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not _MISSING

    def __getitem__(self, key: str) -> Any:
        value = self._lookup(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._lookup(key)
        return default if value is _MISSING else value


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()
MISSING: Any = _MISSING
