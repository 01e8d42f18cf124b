"""`dbt_project.yml`: name, paths, vars, quoting, dispatch and the config trees.

Config trees (`models:`, `seeds:`, `snapshots:`, `sources:`, `exposures:`, ...) are matched the
way dbt matches them: starting at the tree's top, each level of a node's fqn (package, folders,
name) descends one key; at every level, keys starting with `+` and keys whose value is not a
mapping are configs, and the most specific level wins. `tags`, `pre-hook` and `post-hook`
accumulate; `meta`, `docs`, `quoting`, `column_types`, `contract`, `persist_docs` and `grants`
are merged key by key; every other config is replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.entities import Diagnostic, DiagnosticCode, Severity
from lineage.sources.dbt.files import diagnostic, line_of, parse_yaml, read_text

PROJECT_FILE = "dbt_project.yml"
DEFAULT_PATHS: dict[str, tuple[str, ...]] = {
    "model-paths": ("models",),
    "seed-paths": ("seeds",),
    "snapshot-paths": ("snapshots",),
    "macro-paths": ("macros",),
    "analysis-paths": (),  # dbt compiles no analyses unless analysis-paths is set
}
DEFAULT_PACKAGES_INSTALL_PATH = "dbt_packages"
CONFIG_TREES = (
    "models",
    "seeds",
    "snapshots",
    "sources",
    "exposures",
    "semantic-models",
    "metrics",
)
_APPENDED = frozenset({"tags", "pre-hook", "post-hook"})
_UPDATED = frozenset(
    {"meta", "docs", "quoting", "column_types", "contract", "persist_docs", "grants"}
)


@dataclass(frozen=True)
class ProjectConfig:
    """What one `dbt_project.yml` (the root project's or an installed package's) says."""

    name: str
    directory: str  # relative to the root project, "" for the root itself
    path: str  # of the dbt_project.yml, relative to the root project
    profile: str | None = None
    paths: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_PATHS))
    packages_install_path: str = DEFAULT_PACKAGES_INSTALL_PATH
    target_path: str = "target"
    vars: dict[str, Any] = field(default_factory=dict)
    quoting: dict[str, bool] = field(default_factory=dict)
    dispatch: tuple[tuple[str, tuple[str, ...]], ...] = ()
    trees: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def read_project(
    root: Path, directory: str, max_bytes: int
) -> tuple[ProjectConfig | None, list[Diagnostic]]:
    """Read `<root>/<directory>/dbt_project.yml`; None (with a diagnostic) if unreadable."""
    path = f"{directory}/{PROJECT_FILE}" if directory else PROJECT_FILE
    text, problems = read_text(root / path, path, max_bytes)
    if text is None:
        return None, problems
    fallback = Path(directory).name if directory else root.resolve().name
    config, more = parse_project(text, path, directory, fallback)
    return config, problems + more


def parse_project(
    text: str, path: str, directory: str, fallback_name: str
) -> tuple[ProjectConfig, list[Diagnostic]]:
    """The settings of one dbt_project.yml; bad values are reported and replaced by defaults."""
    data, problem = parse_yaml(text, path)
    if problem is not None:
        return ProjectConfig(fallback_name, directory, path), [problem]
    if not isinstance(data, dict):
        message = "dbt_project.yml must be a mapping of settings (name:, model-paths:, ...)"
        bad = diagnostic(path, 1, DiagnosticCode.CONFIG_ERROR, message, Severity.ERROR)
        return ProjectConfig(fallback_name, directory, path), [bad]
    reader = _Reader(data, path)
    config = ProjectConfig(
        name=reader.name(fallback_name),
        directory=directory,
        path=path,
        profile=reader.optional_str("profile"),
        paths={key: reader.paths(key, default) for key, default in DEFAULT_PATHS.items()},
        packages_install_path=reader.relative_dir("packages-install-path", "dbt_packages"),
        target_path=reader.relative_dir("target-path", "target"),
        vars=reader.mapping("vars"),
        quoting=reader.quoting(),
        dispatch=reader.dispatch(),
        trees={key: reader.mapping(key) for key in CONFIG_TREES},
        raw=data,
    )
    return config, reader.diagnostics


class _Reader:
    """Reads typed settings from the mapping, reporting each bad one at its line."""

    def __init__(self, data: dict[str, Any], path: str) -> None:
        self.data = data
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    def bad(self, key: str, expected: str, line: int | None = None) -> None:
        where = line if line is not None else line_of(self.data, key)
        message = f"'{key}' must be {expected}; the value is ignored and dbt's default is used"
        self.diagnostics.append(diagnostic(self.path, where, DiagnosticCode.CONFIG_ERROR, message))

    def name(self, fallback: str) -> str:
        value = self.data.get("name")
        if isinstance(value, str) and value:
            return value
        message = f"'name' must be the project's name; '{fallback}' (its folder) is used instead"
        line = line_of(self.data, "name")
        self.diagnostics.append(
            diagnostic(self.path, line, DiagnosticCode.CONFIG_ERROR, message, Severity.ERROR)
        )
        return fallback

    def optional_str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        self.bad(key, "a string")
        return None

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.bad(key, "a mapping")
        return {}

    def paths(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(key, 'a list of folder paths such as ["models"]')
            return default
        return tuple(p for p in value if self._inside(key, p))

    def relative_dir(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            self.bad(key, "a folder path")
            return default
        return value if self._inside(key, value) else default

    def _inside(self, key: str, value: str) -> bool:
        parts = Path(value).parts
        if not Path(value).is_absolute() and ".." not in parts:
            return True
        message = f"'{key}' entry '{value}' is outside the project folder and is not read"
        line = line_of(self.data, key)
        self.diagnostics.append(diagnostic(self.path, line, DiagnosticCode.CONFIG_ERROR, message))
        return False

    def quoting(self) -> dict[str, bool]:
        raw = self.mapping("quoting")
        quoting = {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, bool)}
        if len(quoting) != len(raw):
            self.bad("quoting", "a mapping of database/schema/identifier to true or false")
        return quoting

    def dispatch(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        value = self.data.get("dispatch")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.bad("dispatch", "a list of {macro_namespace, search_order}")
            return ()
        return tuple(
            d for i, item in enumerate(value) if (d := self._dispatch_item(value, i, item))
        )

    def _dispatch_item(
        self, items: list[Any], index: int, item: Any
    ) -> tuple[str, tuple[str, ...]] | None:
        if isinstance(item, dict):
            namespace, order = item.get("macro_namespace"), item.get("search_order")
            if isinstance(namespace, str) and isinstance(order, list):
                return namespace, tuple(p for p in order if isinstance(p, str))
        expected = "a list of {macro_namespace: <package>, search_order: [<package>, ...]}"
        self.bad("dispatch", expected, line_of(items, index))
        return None


# ---------------------------------------------------------------------------------------------
# Config trees


def tree_config(tree: dict[str, Any], fqn: tuple[str, ...]) -> dict[str, Any]:
    """The config a node with this fqn gets from one config tree (most specific level wins)."""
    config: dict[str, Any] = {}
    for level in _levels(tree, fqn):
        config = merge_configs(config, _level_configs(level))
    return config


def _levels(tree: dict[str, Any], fqn: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    yield tree
    level = tree
    for part in fqn:
        child = level.get(part)
        if not isinstance(child, dict):
            return
        yield child
        level = child


def _level_configs(level: dict[str, Any]) -> dict[str, Any]:
    configs: dict[str, Any] = {}
    for key, value in level.items():
        if not isinstance(key, str):
            continue
        if key.startswith("+"):
            configs[key[1:].strip()] = value
        elif not isinstance(value, dict):
            configs[key] = value
    return configs


def merge_configs(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` applied over `base` with dbt's merge rules (see the module docstring)."""
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        if key in _APPENDED and old is not None:
            merged[key] = _appended(old, value)
        elif key in _UPDATED and isinstance(old, dict) and isinstance(value, dict):
            merged[key] = {**old, **value}
        else:
            merged[key] = value
    return merged


def _appended(old: Any, new: Any) -> list[Any]:
    items = (old if isinstance(old, list) else [old]) + (new if isinstance(new, list) else [new])
    unique: list[Any] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return unique


# ---------------------------------------------------------------------------------------------
# Vars


def scoped_vars(
    root: ProjectConfig, packages: list[ProjectConfig], override: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The vars each package sees, by package name, in dbt's documented precedence.

    Highest first: `override` (--vars); the root project's vars scoped to the package; the
    root project's global vars; the package's own dbt_project.yml vars (scoped to itself,
    then global). A scoped sub-mapping is a key naming a loaded package whose value is a
    mapping; like dbt, it stays visible as a (global) var too.
    """
    result = {root.name: _visible(root.vars, root.name) | override}
    for package in packages:
        own = _visible(package.vars, package.name)
        result[package.name] = own | _visible(root.vars, package.name) | override
    return result


def _visible(project_vars: dict[str, Any], package: str) -> dict[str, Any]:
    scoped = project_vars.get(package)
    return dict(project_vars) | (dict(scoped) if isinstance(scoped, dict) else {})
