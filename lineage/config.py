"""Settings from `lineage.yml` (or `[tool.lineage]` in pyproject.toml) at the project root."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from lineage.dialects import check_dialect
from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.errors import UsageError
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES

CONFIG_FILE = "lineage.yml"
DEFAULT_DIALECT = "postgres"
#: The model cache of a dbt project, relative to the project directory.
DEFAULT_CACHE = ".lineage/cache.db"
#: The environment variable naming the model cache (a path, or `off`); wins over lineage.yml.
CACHE_ENV = "LINEAGE_CACHE"
_KNOWN_KEYS = frozenset(
    {
        "dialect",
        "sql_paths",
        "max_file_bytes",
        "dbt_target",
        "env_vars",
        "manifest",
        "applications",
        "consumers",
        "downstream",
        "jobs",
        "cache",
    }
)


@dataclass(frozen=True)
class DbtTarget:
    """The dbt target a project is rendered for (`target.name`, database, schema)."""

    name: str = "dev"
    database: str = "analytics"
    schema: str = "dbt"


@dataclass(frozen=True)
class AppConfig:
    """One application whose schema feeds the warehouse (an `applications:` entry)."""

    name: str  # graph ids are app:<name>.<table>.<column>
    path: str  # its migrations folder, models folder or schema file, relative to the project
    format: str | None = None  # an AppFormat value; None: detected from the files
    dialect: str | None = None  # for SQL migrations; default: the project's dialect
    source: str | None = None  # the dbt source its tables land in
    schema: str | None = None  # or, in a plain SQL project, the warehouse schema they land in
    table_pattern: str = "{table}"  # the source table name for an application table
    tables: tuple[tuple[str, str], ...] = ()  # per-table overrides: application -> source
    column_case: str = "preserve"  # preserve, lower or upper: how ingestion names columns
    column_prefix: str = ""  # a prefix the ingestion tool adds to column names
    ingestion: str | None = None  # fivetran, airbyte, stitch, dlt, ...: for messages


_APP_KEYS = frozenset(
    {"name", "path", "format", "dialect", "source", "schema", "table_pattern", "tables",
     "column_case", "column_prefix", "ingestion"}
)  # fmt: skip


def _applications(raw: Any, source: str) -> tuple[AppConfig, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise UsageError(f"{source}: 'applications' must be a list of applications")
    return tuple(_application(entry, source, index) for index, entry in enumerate(raw, 1))


def _application(entry: Any, source: str, index: int) -> AppConfig:
    where = f"{source}: applications entry {index}"
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("name"), str)
        or not isinstance(entry.get("path"), str)
    ):
        raise UsageError(f"{where}: needs at least a `name` and a `path`")
    unknown = sorted(set(entry) - _APP_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown keys {', '.join(unknown)}")
    tables = entry.get("tables") or {}
    if not isinstance(tables, dict):
        raise UsageError(f"{where}: `tables` maps application tables to source tables")
    case = entry.get("column_case", "preserve")
    if case not in ("preserve", "lower", "upper"):
        raise UsageError(f"{where}: `column_case` is preserve, lower or upper")
    pattern = str(entry.get("table_pattern", "{table}"))
    if "{table}" not in pattern:
        raise UsageError(f"{where}: `table_pattern` must contain {{table}}")
    return AppConfig(
        name=entry["name"],
        path=entry["path"],
        format=entry.get("format"),
        dialect=entry.get("dialect"),
        source=entry.get("source"),
        schema=entry.get("schema"),
        table_pattern=pattern,
        tables=tuple(sorted((str(k), str(v)) for k, v in tables.items())),
        column_case=case,
        column_prefix=str(entry.get("column_prefix", "")),
        ingestion=entry.get("ingestion"),
    )


@dataclass(frozen=True)
class ConsumersConfig:
    """Where consumers are read from (paths relative to the project)."""

    file: str | None = None  # our consumers file; default consumers.yml when it exists
    superset: str | None = None  # an extracted Superset assets export
    looker: str | None = None  # a LookML project
    metabase: str | None = None  # a Metabase serialization export
    code: tuple[str, ...] = ()  # application source folders to scan for warehouse queries


def _consumers(raw: Any, source: str) -> ConsumersConfig:
    if raw is None:
        return ConsumersConfig()
    known = {"file", "superset", "looker", "metabase", "code"}
    if not isinstance(raw, dict) or set(raw) - known:
        raise UsageError(f"{source}: 'consumers' is a mapping of {', '.join(sorted(known))}")
    code = raw.get("code") or []
    code = [code] if isinstance(code, str) else code
    values = [raw.get(k) for k in ("file", "superset", "looker", "metabase")]
    if not all(v is None or isinstance(v, str) for v in values) or not all(
        isinstance(c, str) for c in code
    ):
        raise UsageError(f"{source}: 'consumers' paths must be strings")
    file, superset, looker, metabase = values
    return ConsumersConfig(file, superset, looker, metabase, tuple(code))


@dataclass(frozen=True)
class DownstreamState:
    """A state file another repository published (a `downstream:` entry): its graph is merged
    into this project's (lineage/downstream.py)."""

    path: str  # relative to the project root
    location: Location  # where the setting names it


def _downstream(raw: Any, source: str, lines: tuple[int, ...]) -> tuple[DownstreamState, ...]:
    if raw is None:
        return ()
    paths = [raw] if isinstance(raw, str) else raw
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise UsageError(f"{source}: 'downstream' must be the path of a state file, or a list")
    return tuple(
        DownstreamState(path, Location(source, lines[index] if index < len(lines) else 1))
        for index, path in enumerate(paths)
    )


@dataclass(frozen=True)
class Config:
    """Where things are and how to read them."""

    dialect: str = DEFAULT_DIALECT
    sql_paths: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    dbt_target: DbtTarget = DbtTarget()
    env_vars: tuple[tuple[str, str], ...] = ()  # what dbt's env_var() sees; never the machine's
    manifest: str | None = None  # a dbt manifest.json, relative to the project
    applications: tuple[AppConfig, ...] = ()
    consumers: ConsumersConfig = ConsumersConfig()
    downstream: tuple[DownstreamState, ...] = ()  # state files of the analytics repository
    diagnostics: tuple[Diagnostic, ...] = ()
    jobs: int | None = None  # processes analysing dbt models; None: one per core
    cache: str | None = DEFAULT_CACHE  # the model cache, relative to the project; None: off


@dataclass(frozen=True)
class BuildOptions:
    """How to build, from the command line: None leaves the configuration's choice."""

    jobs: int | None = None
    cache: Path | None = None  # --cache PATH (relative to the current directory)
    no_cache: bool = False

    def apply(self, config: Config) -> Config:
        """`config` with these options; --no-cache wins over --cache."""
        if self.jobs is not None:
            config = replace(config, jobs=self.jobs)
        if self.no_cache:
            return replace(config, cache=None)
        if self.cache is not None:
            return replace(config, cache=str(self.cache.resolve()))
        return config


def cache_path(config: Config, root: Path) -> Path | None:
    """The model cache file of the project at `root` (None: no cache)."""
    if config.cache is None:
        return None
    base = root if root.is_dir() else root.parent
    return base / config.cache  # an absolute `cache` stays as it is


def _cache(raw: Any, source: str) -> str | None:
    if raw is None or raw is True:
        return DEFAULT_CACHE
    if raw is False:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise UsageError(f"{source}: 'cache' must be the path of the model cache, or false")
    return raw


def _jobs(raw: Any, source: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
        raise UsageError(f"{source}: 'jobs' must be a positive number of processes")
    return raw


def _cache_from_environment(config: Config) -> Config:
    value = os.environ.get(CACHE_ENV)
    if value is None or not value.strip():
        return config
    if value.strip().lower() == "off":
        return replace(config, cache=None)
    return replace(config, cache=str(Path(value).resolve()))


def _target(raw: Any, source: str) -> DbtTarget:
    if raw is None:
        return DbtTarget()
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k, ""), str) for k in ("name", "database", "schema")
    ):
        raise UsageError(f"{source}: 'dbt_target' must be a mapping of name, database, schema")
    default = DbtTarget()
    return DbtTarget(
        raw.get("name", default.name), raw.get("database", default.database),
        raw.get("schema", default.schema),
    )  # fmt: skip


def _env_vars(raw: Any, source: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not all(isinstance(k, str) for k in raw):
        raise UsageError(f"{source}: 'env_vars' must be a mapping of names to values")
    return tuple(sorted((k, str(v)) for k, v in raw.items()))


def load_config(root: Path, dialect: str | None = None) -> Config:
    """Read the project's settings; `dialect` (from the command line) wins over the file."""
    raw, source, lines = _read(root)
    config = _cache_from_environment(_parse(raw, source, lines))
    if dialect is not None:
        config = replace(config, dialect=check_dialect(dialect))
    return config


def _read(root: Path) -> tuple[dict[str, Any], str, tuple[int, ...]]:
    """The settings, the file they come from, and the lines of the `downstream` entries."""
    base = root if root.is_dir() else root.parent
    path = base / CONFIG_FILE
    if path.is_file():
        try:
            data, lines = _load_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            raise UsageError(
                f"{CONFIG_FILE}:{line}: not valid YAML: {getattr(error, 'problem', error)}"
            ) from None
        if not isinstance(data, dict):
            raise UsageError(f"{CONFIG_FILE}:1: expected a mapping of settings")
        return data, CONFIG_FILE, lines
    pyproject = base / "pyproject.toml"
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise UsageError(f"pyproject.toml: not valid TOML: {error}") from None
        section = table.get("tool", {}).get("lineage", {})
        return (section if isinstance(section, dict) else {}), "pyproject.toml", ()
    return {}, CONFIG_FILE, ()


def _load_yaml(text: str) -> tuple[Any, tuple[int, ...]]:
    """Safely loaded settings, and the 1-based line of each `downstream` entry."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    finally:
        loader.dispose()
    return data or {}, _downstream_lines(node)


def _downstream_lines(node: yaml.Node | None) -> tuple[int, ...]:
    if not isinstance(node, yaml.MappingNode):
        return ()
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "downstream":
            items = value.value if isinstance(value, yaml.SequenceNode) else [value]
            return tuple(item.start_mark.line + 1 for item in items)
    return ()


def _parse(raw: dict[str, Any], source: str, lines: tuple[int, ...] = ()) -> Config:
    diagnostics = tuple(
        Diagnostic(
            Location(source, 1),
            DiagnosticCode.CONFIG_ERROR,
            Severity.WARNING,
            f"unknown setting '{key}' is ignored (known: {', '.join(sorted(_KNOWN_KEYS))})",
        )
        for key in sorted(raw)
        if key not in _KNOWN_KEYS
    )
    dialect = raw.get("dialect", DEFAULT_DIALECT)
    if not isinstance(dialect, str):
        raise UsageError(f"{source}: 'dialect' must be a name such as snowflake or postgres")
    try:
        checked = check_dialect(dialect)
    except UsageError as error:
        raise UsageError(f"{source}: {error}") from None
    paths = raw.get("sql_paths", [])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise UsageError(f"{source}: 'sql_paths' must be a list of paths")
    limit = raw.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise UsageError(f"{source}: 'max_file_bytes' must be a positive number of bytes")
    target = _target(raw.get("dbt_target"), source)
    manifest = raw.get("manifest")
    if manifest is not None and not isinstance(manifest, str):
        raise UsageError(f"{source}: 'manifest' must be the path of a manifest.json")
    return Config(checked, tuple(paths), limit, target, _env_vars(raw.get("env_vars"), source),
                  manifest, _applications(raw.get("applications"), source),
                  _consumers(raw.get("consumers"), source),
                  _downstream(raw.get("downstream"), source, lines), diagnostics,
                  _jobs(raw.get("jobs"), source), _cache(raw.get("cache"), source))  # fmt: skip
