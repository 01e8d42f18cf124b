"""YAML property files: `models:`, `seeds:`, `snapshots:`, `analyses:`, `sources:`, `exposures:`,
`semantic_models:`, `metrics:` and `groups:`.

Each file is read on its own into `Properties`: the node entries (applied to the files later by
`load`) and the resources that exist only in YAML. Every entry that cannot be understood is a
diagnostic at its line; the rest of the file is still read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from lineage.entities import Diagnostic, DiagnosticCode, Location
from lineage.sources.dbt.files import diagnostic, line_of
from lineage.sources.dbt.nodes import (
    ColumnSpec,
    Exposure,
    Group,
    Metric,
    Owner,
    ResourceType,
    SemanticModel,
    SourceTable,
)
from lineage.sources.dbt.project import merge_configs

T = TypeVar("T")
Constraint = tuple[str, tuple[str, ...]]  # (type, the columns it applies to)

EXPOSURE_TYPES = ("dashboard", "notebook", "analysis", "ml", "application")
HARD_DELETES = ("ignore", "invalidate", "new_record")
_LEGACY_CONFIG_KEYS = ("access", "docs", "group", "tags", "meta", "deprecation_date")
_IGNORED_KEYS = frozenset({"version", "macros", "unit_tests", "saved_queries", "functions"})
_NODE_KEYS = {
    "models": ResourceType.MODEL,
    "seeds": ResourceType.SEED,
    "snapshots": ResourceType.SNAPSHOT,
    "analyses": ResourceType.ANALYSIS,
}


@dataclass(frozen=True)
class Where:
    """The file being read: its package, path, folders below its resource path, quoting."""

    package: str
    path: str
    dirs: tuple[str, ...] = ()
    quoting: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionSpec:
    """One entry of a model's `versions:`, with its columns already resolved."""

    v: str
    defined_in: str | None
    description: str | None
    config: dict[str, Any]
    columns: tuple[ColumnSpec, ...]
    constraints: tuple[Constraint, ...] | None
    line: int


@dataclass(frozen=True)
class NodeProperties:
    """A YAML entry describing a model, seed, snapshot or analysis.

    `relation` is set for a snapshot defined in YAML alone (dbt >= 1.9).
    """

    resource_type: ResourceType
    package: str
    name: str
    path: str
    line: int
    dirs: tuple[str, ...]
    description: str = ""
    columns: tuple[ColumnSpec, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)
    versions: tuple[VersionSpec, ...] = ()
    latest_version: str | None = None
    relation: str | None = None

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)


@dataclass(frozen=True)
class Declared(Generic[T]):
    """A resource declared in YAML, with its YAML config and fqn (for dbt_project.yml trees)."""

    value: T
    config: dict[str, Any]
    fqn: tuple[str, ...]


@dataclass
class Properties:
    nodes: list[NodeProperties] = field(default_factory=list)
    sources: list[Declared[SourceTable]] = field(default_factory=list)
    exposures: list[Declared[Exposure]] = field(default_factory=list)
    semantic_models: list[Declared[SemanticModel]] = field(default_factory=list)
    metrics: list[Declared[Metric]] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_properties(data: Any, where: Where) -> Properties:
    """Everything one loaded YAML property file declares (an empty file declares nothing)."""
    reader = _Reader(where)
    if data is None:
        return reader.found
    if not isinstance(data, dict):
        reader.bad(line_of(data), "a property file must be a mapping (models:, sources:, ...)")
        return reader.found
    for key in sorted(data, key=str):
        reader.section(data, key)
    return reader.found


class _Reader:
    """Reads one property file, collecting values and diagnostics in `found`."""

    def __init__(self, where: Where) -> None:
        self.where = where
        self.found = Properties()

    # -- plumbing -------------------------------------------------------------------------

    def bad(
        self, line: int, message: str, code: DiagnosticCode = DiagnosticCode.CONFIG_ERROR
    ) -> None:
        self.found.diagnostics.append(diagnostic(self.where.path, line, code, message))

    def section(self, data: dict[Any, Any], key: Any) -> None:
        readers = {
            "sources": self.source,
            "exposures": self.exposure,
            "semantic_models": self.semantic_model,
            "metrics": self.metric,
            "groups": self.group,
        }
        if key in _NODE_KEYS:
            for entry in self.entries(data, key):
                self.node(_NODE_KEYS[key], entry)
        elif key in readers:
            for entry in self.entries(data, key):
                readers[key](entry)
        elif key not in _IGNORED_KEYS:
            self.bad(line_of(data, key), f"unknown top-level key '{key}' is ignored")

    def entries(self, data: dict[Any, Any], key: str) -> list[dict[str, Any]]:
        """The named entries of a list; other items are reported."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            message = f"'{key}:' must be a list of entries (- name: ...); this one is ignored"
            self.bad(line_of(data, key), message)
            return []
        found: list[dict[str, Any]] = []
        for index, item in enumerate(value):
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
                found.append(item)
            else:
                self.bad(line_of(value, index), f"each entry of '{key}:' needs a 'name'; skipped")
        return found

    def text(self, entry: dict[str, Any], key: str) -> str:
        return self.optional(entry, key) or ""

    def optional(self, entry: dict[str, Any], key: str) -> str | None:
        value = entry.get(key)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.bad(line_of(entry, key), f"'{key}' must be a string; it is ignored")
        return None

    def mapping(self, entry: dict[str, Any], key: str) -> dict[str, Any]:
        value = entry.get(key)
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.bad(line_of(entry, key), f"'{key}' must be a mapping; it is ignored")
        return {}

    def strings(self, entry: dict[str, Any], key: str) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.bad(line_of(entry, key), f"'{key}' must be a list of strings; it is ignored")
        return ()

    def config(self, entry: dict[str, Any]) -> dict[str, Any]:
        """`config:` over the legacy top-level config keys (tags, meta, group, docs...)."""
        legacy = {k: entry[k] for k in _LEGACY_CONFIG_KEYS if k in entry}
        return merge_configs(legacy, self.mapping(entry, "config"))

    def meta(self, entry: dict[str, Any]) -> dict[str, Any]:
        config_meta = self.mapping(entry, "config").get("meta")
        return {
            **self.mapping(entry, "meta"),
            **(config_meta if isinstance(config_meta, dict) else {}),
        }

    def owner(self, entry: dict[str, Any], required: bool) -> Owner:
        owner = self.mapping(entry, "owner")
        name, email = self.optional(owner, "name"), self.optional(owner, "email")
        if required and name is None and email is None:
            self.bad(line_of(entry), f"'{entry['name']}' needs an owner with a name or an email")
        return Owner(name, email)

    def location(self, entry: dict[str, Any]) -> Location:
        return Location(self.where.path, line_of(entry))

    def uid(self, resource_type: ResourceType, *names: str) -> str:
        return ".".join((resource_type.value, self.where.package, *names))

    # -- columns, tests, constraints ------------------------------------------------------

    def columns(self, entry: dict[str, Any], allow_include: bool = False) -> tuple[ColumnSpec, ...]:
        value = entry.get("columns")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.bad(line_of(entry, "columns"), "'columns' must be a list of columns; ignored")
            return ()
        found: list[ColumnSpec] = []
        for index, item in enumerate(value):
            if (
                allow_include
                and isinstance(item, dict)
                and ("include" in item or "exclude" in item)
            ):
                continue
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                found.append(self.column(item))
            else:
                self.bad(line_of(value, index), "each column needs a 'name'; skipped")
        return tuple(found)

    def column(self, item: dict[str, Any]) -> ColumnSpec:
        quote = item.get("quote")
        return ColumnSpec(
            name=item["name"],
            data_type=self.optional(item, "data_type"),
            description=self.text(item, "description"),
            tests=self.tests(item, "tests") + self.tests(item, "data_tests"),
            constraints=tuple(kind for kind, _ in self.constraints(item)),
            meta=self.meta(item),
            quote=quote if isinstance(quote, bool) else None,
            location=self.location(item),
        )

    def tests(self, entry: dict[str, Any], key: str) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.bad(line_of(entry, key), f"'{key}' must be a list of tests; ignored")
            return ()
        names = (self.test_name(value, index, test) for index, test in enumerate(value))
        return tuple(name for name in names if name)

    def test_name(self, tests: list[Any], index: int, test: Any) -> str | None:
        if isinstance(test, str):
            return test
        if isinstance(test, dict):
            if isinstance(test.get("test_name"), str):
                return str(test["test_name"])
            if len(test) == 1 and isinstance(next(iter(test)), str):
                return str(next(iter(test)))
        message = "a test must be a name (not_null) or a mapping with one key ({unique: {...}})"
        self.bad(line_of(tests, index), message)
        return None

    def constraints(self, entry: dict[str, Any]) -> tuple[Constraint, ...]:
        value = entry.get("constraints")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.bad(line_of(entry, "constraints"), "'constraints' must be a list; ignored")
            return ()
        found: list[Constraint] = []
        for index, item in enumerate(value):
            if isinstance(item, dict) and isinstance(item.get("type"), str):
                found.append((item["type"], self.strings(item, "columns")))
            else:
                self.bad(line_of(value, index), "each constraint needs a 'type'; skipped")
        return tuple(found)

    # -- models, seeds, snapshots, analyses -----------------------------------------------

    def node(self, resource_type: ResourceType, entry: dict[str, Any]) -> None:
        columns = self.columns(entry)
        relation = None
        if resource_type is ResourceType.SNAPSHOT:
            relation = self.snapshot_relation(entry)
        versions = self.versions(entry, columns) if resource_type is ResourceType.MODEL else ()
        config = self.config(entry)
        if resource_type is ResourceType.SNAPSHOT:
            self.check_hard_deletes(entry, config)
        self.found.nodes.append(
            NodeProperties(
                resource_type=resource_type,
                package=self.where.package,
                name=entry["name"],
                path=self.where.path,
                line=line_of(entry),
                dirs=self.where.dirs,
                description=self.text(entry, "description"),
                columns=columns,
                constraints=self.constraints(entry),
                config=config,
                versions=versions,
                latest_version=self.latest_version(entry, versions),
                relation=relation,
            )
        )

    def snapshot_relation(self, entry: dict[str, Any]) -> str | None:
        relation = self.optional(entry, "relation")
        if relation is None:
            return None
        text = relation.strip()
        if text.startswith(("ref(", "source(")) and text.endswith(")"):
            return text
        message = "'relation' must be ref('model') or source('source', 'table'); snapshot skipped"
        self.bad(line_of(entry, "relation"), message)
        return None

    def check_hard_deletes(self, entry: dict[str, Any], config: dict[str, Any]) -> None:
        value = config.get("hard_deletes")
        if value is not None and value not in HARD_DELETES:
            line = line_of(self.mapping(entry, "config"), "hard_deletes", line_of(entry))
            self.bad(line, f"'hard_deletes' must be one of {', '.join(HARD_DELETES)}")

    def versions(
        self, entry: dict[str, Any], top: tuple[ColumnSpec, ...]
    ) -> tuple[VersionSpec, ...]:
        value = entry.get("versions")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.bad(line_of(entry, "versions"), "'versions' must be a list of {v: ...}; ignored")
            return ()
        found: list[VersionSpec] = []
        for index, item in enumerate(value):
            v = item.get("v") if isinstance(item, dict) else None
            if isinstance(v, bool) or not isinstance(v, str | int | float):
                self.bad(line_of(value, index), "each version needs a 'v' (a number or a name)")
                continue
            found.append(self.version(item, str(v), top))
        return tuple(found)

    def version(self, item: dict[str, Any], v: str, top: tuple[ColumnSpec, ...]) -> VersionSpec:
        constraints = self.constraints(item) if "constraints" in item else None
        return VersionSpec(
            v=v,
            defined_in=self.optional(item, "defined_in"),
            description=self.optional(item, "description"),
            config=self.config(item),
            columns=self.version_columns(item, top),
            constraints=constraints,
            line=line_of(item),
        )

    def version_columns(
        self, item: dict[str, Any], top: tuple[ColumnSpec, ...]
    ) -> tuple[ColumnSpec, ...]:
        """Top-level columns picked by include/exclude (default: all), then the version's own."""
        value = item.get("columns")
        rules = (
            [c for c in value if isinstance(c, dict) and "include" in c]
            if isinstance(value, list)
            else []
        )
        if len(rules) > 1:
            self.bad(line_of(item, "columns"), "at most one include/exclude entry per version")
        base = self.included(rules[0], top) if rules else list(top)
        own = self.columns(item, allow_include=True)
        overrides = {c.name: c for c in own}
        names = {c.name for c in base}
        return tuple(
            [overrides.get(c.name, c) for c in base] + [c for c in own if c.name not in names]
        )

    def included(self, rule: dict[str, Any], top: tuple[ColumnSpec, ...]) -> list[ColumnSpec]:
        include, exclude = rule.get("include"), self.strings(rule, "exclude")
        if include in ("*", "all"):
            return [c for c in top if c.name not in exclude]
        if isinstance(include, list) and all(isinstance(n, str) for n in include):
            if exclude:
                self.bad(line_of(rule, "exclude"), "'exclude' needs include: all; it is ignored")
            return [c for c in top if c.name in include]
        self.bad(line_of(rule, "include"), "'include' must be 'all', '*' or a list of column names")
        return list(top)

    def latest_version(
        self, entry: dict[str, Any], versions: tuple[VersionSpec, ...]
    ) -> str | None:
        if not versions:
            return None
        names = [v.v for v in versions]
        latest = entry.get("latest_version")
        if latest is not None and not isinstance(latest, bool) and str(latest) in names:
            return str(latest)
        if latest is not None:
            self.bad(
                line_of(entry, "latest_version"),
                f"latest_version '{latest}' is not one of the versions",
            )
        try:
            return max(names, key=float)
        except ValueError:
            return max(names)

    # -- sources ---------------------------------------------------------------------------

    def source(self, entry: dict[str, Any]) -> None:
        for table in self.entries(entry, "tables"):
            self.found.sources.append(self.source_table(entry, table))

    def source_table(self, source: dict[str, Any], table: dict[str, Any]) -> Declared[SourceTable]:
        name, table_name = source["name"], table["name"]
        quoting = {
            **self.where.quoting,
            **self.mapping(source, "quoting"),
            **self.mapping(table, "quoting"),
        }
        value = SourceTable(
            unique_id=self.uid(ResourceType.SOURCE, name, table_name),
            package=self.where.package,
            source_name=name,
            name=table_name,
            database=self.optional(source, "database"),
            schema=self.optional(source, "schema") or name,
            identifier=self.optional(table, "identifier") or table_name,
            description=self.text(table, "description"),
            columns=self.columns(table),
            quoting={k: v for k, v in quoting.items() if isinstance(v, bool)},
            meta={**self.meta(source), **self.meta(table)},
            loaded_at_field=self.optional(table, "loaded_at_field")
            or self.optional(source, "loaded_at_field"),
            location=self.location(table),
        )
        config = merge_configs(self.source_config(source), self.source_config(table))
        return Declared(value, config, (self.where.package, *self.where.dirs, name, table_name))

    def source_config(self, entry: dict[str, Any]) -> dict[str, Any]:
        """`config:` of a source or source table over its top-level `tags:` (dbt adds both)."""
        legacy = {"tags": entry["tags"]} if "tags" in entry else {}
        return merge_configs(legacy, self.mapping(entry, "config"))

    # -- exposures, semantic models, metrics, groups ---------------------------------------

    def fqn(self, entry: dict[str, Any]) -> tuple[str, ...]:
        return (self.where.package, *self.where.dirs, entry["name"])

    def exposure(self, entry: dict[str, Any]) -> None:
        kind = self.text(entry, "type")
        if kind not in EXPOSURE_TYPES:
            self.bad(
                line_of(entry, "type"),
                f"exposure 'type' must be one of {', '.join(EXPOSURE_TYPES)}",
            )
        value = Exposure(
            unique_id=self.uid(ResourceType.EXPOSURE, entry["name"]),
            package=self.where.package,
            name=entry["name"],
            type=kind,
            owner=self.owner(entry, required=True),
            depends_on=self.strings(entry, "depends_on"),
            label=self.text(entry, "label"),
            maturity=self.optional(entry, "maturity"),
            url=self.optional(entry, "url"),
            description=self.text(entry, "description"),
            meta=self.meta(entry),
            location=self.location(entry),
        )
        self.found.exposures.append(Declared(value, self.config(entry), self.fqn(entry)))

    def semantic_model(self, entry: dict[str, Any]) -> None:
        model = self.optional(entry, "model")
        if model is None:
            self.bad(line_of(entry), "a semantic model needs 'model: ref(...)'; skipped")
            return
        value = SemanticModel(
            unique_id=self.uid(ResourceType.SEMANTIC_MODEL, entry["name"]),
            package=self.where.package,
            name=entry["name"],
            model=model,
            measures=self.expressions(entry, "measures"),
            dimensions=self.expressions(entry, "dimensions"),
            entities=self.expressions(entry, "entities"),
            location=self.location(entry),
        )
        self.found.semantic_models.append(Declared(value, self.config(entry), self.fqn(entry)))

    def expressions(self, entry: dict[str, Any], key: str) -> tuple[tuple[str, str], ...]:
        """(name, expr) pairs; expr defaults to the name, `expr: 1` becomes '1'."""
        found: list[tuple[str, str]] = []
        for item in self.entries(entry, key):
            expr = item.get("expr")
            if isinstance(expr, bool):
                expr = str(expr).lower()
            found.append((item["name"], item["name"] if expr is None else str(expr)))
        return tuple(found)

    def metric(self, entry: dict[str, Any]) -> None:
        params = self.mapping(entry, "type_params")
        conversion = self.mapping(params, "conversion_type_params")
        refs = [
            params.get("measure"),
            *self.list_of(params, "measures"),
            *self.list_of(params, "input_measures"),
        ]
        refs += [conversion.get("base_measure"), conversion.get("conversion_measure")]
        names = [n for n in (self.measure_name(r) for r in refs) if n]
        value = Metric(
            unique_id=self.uid(ResourceType.METRIC, entry["name"]),
            package=self.where.package,
            name=entry["name"],
            type=self.text(entry, "type"),
            measures=tuple(dict.fromkeys(names)),
            location=self.location(entry),
        )
        self.found.metrics.append(Declared(value, self.config(entry), self.fqn(entry)))

    def list_of(self, entry: dict[str, Any], key: str) -> list[Any]:
        value = entry.get(key)
        return value if isinstance(value, list) else []

    def measure_name(self, ref: Any) -> str | None:
        if isinstance(ref, dict):
            ref = ref.get("name")
        return ref if isinstance(ref, str) else None

    def group(self, entry: dict[str, Any]) -> None:
        owner = self.owner(entry, required=True)
        self.found.groups.append(Group(entry["name"], owner, self.location(entry)))
