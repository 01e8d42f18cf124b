"""Load a dbt project from its files: the root project and every package under
`packages-install-path`, as one `DbtProject`. Nothing is imported, executed or fetched.

    project = load_dbt_project(Path("analytics"), vars_override={"start": "2024-01-01"})
    [n.unique_id for n in project.nodes]  # ['model.shop.dim_users.v1', 'seed.shop.countries']
    project.vars["shop"]["start"]         # '2024-01-01'

Bad project content never raises: each problem is a diagnostic with file:line and the rest is
still loaded. Only a missing or unreadable root `dbt_project.yml` raises `UsageError`.

Config of a node, lowest precedence first: its package's own dbt_project.yml tree, the root
project's tree, the YAML `config:` of the entry (and, for a version, the version's `config:`).
The `config()` call inside a model's SQL is applied later, when it is rendered. A source table's
config is its trees' config, then the source's `config:`, then the table's (`tags` add up at
every level, a top-level `tags:` included). Nodes, sources, exposures, semantic models and
metrics whose config says `enabled: false` are left out.

`DbtProject.vars` maps each loaded package name (the root project and every installed package)
to the complete mapping of vars that `var()` sees in that package, already merged in dbt's
documented precedence (highest first): `vars_override` (--vars); the root dbt_project.yml's
sub-mapping scoped to that package; the root dbt_project.yml's global vars; the package's own
dbt_project.yml vars (its sub-mapping for itself, then its globals). So `var(name)` in package
`p` is `project.vars[p][name]`; a name absent there is undefined (use var()'s default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.errors import UsageError
from lineage.sources.dbt.files import (
    Discovered,
    PackageLayout,
    ResourceFile,
    diagnostic,
    discover,
    parse_yaml,
)
from lineage.sources.dbt.nodes import ColumnSpec, DbtNode, DbtProject, ResourceType, SourceTable
from lineage.sources.dbt.project import (
    PROJECT_FILE,
    ProjectConfig,
    merge_configs,
    read_project,
    scoped_vars,
    tree_config,
)
from lineage.sources.dbt.properties import (
    Constraint,
    Declared,
    NodeProperties,
    Properties,
    VersionSpec,
    Where,
    read_properties,
)
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES

T = TypeVar("T")


class _Identified(Protocol):
    @property
    def unique_id(self) -> str: ...


R = TypeVar("R", bound=_Identified)
_EXPECTED_FILE = {
    ResourceType.MODEL: "{0}.sql or {0}.py",
    ResourceType.SEED: "{}.csv",
    ResourceType.SNAPSHOT: "with a {{% snapshot {} %}} block",
    ResourceType.ANALYSIS: "{}.sql",
}
_TREES = {
    ResourceType.MODEL: "models",
    ResourceType.SEED: "seeds",
    ResourceType.SNAPSHOT: "snapshots",
    ResourceType.SOURCE: "sources",
    ResourceType.EXPOSURE: "exposures",
    ResourceType.SEMANTIC_MODEL: "semantic-models",
    ResourceType.METRIC: "metrics",
}


def load_dbt_project(
    root: Path,
    vars_override: dict[str, Any] | None = None,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> DbtProject:
    """Read the dbt project at `root` and its installed packages (see the module docstring)."""
    project, diagnostics = _root_project(root, max_file_bytes)
    packages, problems = _installed_packages(root, project, max_file_bytes)
    diagnostics += problems
    loads = [_PackageLoad(root, config, project, max_file_bytes) for config in [project, *packages]]
    for load in loads:
        diagnostics += load.diagnostics
    return DbtProject(
        name=project.name,
        root=str(root),
        profile=project.profile,
        version_config=project.raw,
        vars=scoped_vars(project, packages, dict(vars_override or {})),
        dispatch=project.dispatch,
        quoting=project.quoting,
        packages=tuple(sorted(p.name for p in packages)),
        nodes=_sorted(n for load in loads for n in load.nodes),
        sources=_sorted(s for load in loads for s in load.sources),
        exposures=_sorted(e for load in loads for e in load.exposures),
        groups=tuple(sorted((g for load in loads for g in load.groups), key=lambda g: g.name)),
        semantic_models=_sorted(m for load in loads for m in load.semantic_models),
        metrics=_sorted(m for load in loads for m in load.metrics),
        macro_files=tuple(
            sorted((m for load in loads for m in load.found.macro_files), key=lambda m: m.path)
        ),
        diagnostics=tuple(sorted(set(diagnostics))),
    )


def _sorted(items: Iterable[R]) -> tuple[R, ...]:
    return tuple(sorted(items, key=lambda item: item.unique_id))


# ---------------------------------------------------------------------------------------------
# Projects and packages


def _root_project(root: Path, max_bytes: int) -> tuple[ProjectConfig, list[Diagnostic]]:
    path = root / PROJECT_FILE
    if path.is_symlink() or not path.is_file():
        raise UsageError(
            f"no {PROJECT_FILE} in {root}: point lineage at the folder of the dbt project "
            "(a symbolic link is not followed)"
        )
    config, diagnostics = read_project(root, "", max_bytes)
    if config is None:
        reasons = "; ".join(d.message for d in diagnostics)
        raise UsageError(f"{path}: {reasons}")
    return config, diagnostics


def _installed_packages(
    root: Path, project: ProjectConfig, max_bytes: int
) -> tuple[list[ProjectConfig], list[Diagnostic]]:
    """The dbt_project.yml of each folder under packages-install-path, by folder name."""
    base = root / project.packages_install_path
    if base.is_symlink() or not base.is_dir():
        return [], []
    packages: list[ProjectConfig] = []
    diagnostics: list[Diagnostic] = []
    for folder in sorted(base.iterdir()):
        if folder.name.startswith(".") or not (folder.is_dir() or folder.is_symlink()):
            continue
        directory = folder.relative_to(root).as_posix()
        problem = _package_problem(folder, directory)
        if problem is not None:
            diagnostics.append(problem)
            continue
        config, more = read_project(root, directory, max_bytes)
        diagnostics += more
        if config is not None and _unique_package(config, [project, *packages], diagnostics):
            packages.append(config)
    return packages, diagnostics


def _package_problem(folder: Path, directory: str) -> Diagnostic | None:
    """Why the folder of an installed package is not read, if it is not."""
    if folder.is_symlink():
        message = (
            "installed package is a symbolic link, which is not followed; its files are not read"
        )
        return diagnostic(directory, 1, DiagnosticCode.UNREADABLE_FILE, message, Severity.INFO)
    project_file = folder / PROJECT_FILE
    if project_file.is_symlink() or not project_file.is_file():
        message = f"no {PROJECT_FILE} in this installed package; it is not read (run dbt deps?)"
        return diagnostic(directory, 1, DiagnosticCode.CONFIG_ERROR, message, Severity.INFO)
    return None


def _unique_package(
    config: ProjectConfig, loaded: list[ProjectConfig], diagnostics: list[Diagnostic]
) -> bool:
    other = next((p for p in loaded if p.name == config.name), None)
    if other is None:
        return True
    message = f"package name '{config.name}' is already used by {other.path}; this copy is not read"
    diagnostics.append(diagnostic(config.path, 1, DiagnosticCode.CONFIG_ERROR, message))
    return False


# ---------------------------------------------------------------------------------------------
# One package


@dataclass
class _PackageLoad:
    """Files, YAML and the resulting values of one package (the root project or a package)."""

    root: Path
    config: ProjectConfig
    project: ProjectConfig  # the root project, whose config trees override the package's
    max_bytes: int
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.found = discover(self.root, self._layout(), self.max_bytes)
        self.diagnostics += self.found.diagnostics
        self.properties = self._read_properties(self.found)
        self.nodes = self._nodes()
        self.sources = self._sources()
        self.exposures = self._declared(ResourceType.EXPOSURE, self.properties.exposures)
        self.semantic_models = self._declared(
            ResourceType.SEMANTIC_MODEL, self.properties.semantic_models
        )
        self.metrics = self._declared(ResourceType.METRIC, self.properties.metrics)
        self.groups = self._dedupe(self.properties.groups, lambda g: f"group {g.name}")

    def _layout(self) -> PackageLayout:
        base = self.root / self.config.directory if self.config.directory else self.root
        skip = {
            self.root / self.project.packages_install_path,
            base / self.config.packages_install_path,
            base / self.config.target_path,
        }
        return PackageLayout(
            self.config.name, self.config.directory, self.config.paths, frozenset(skip)
        )

    def _read_properties(self, found: Discovered) -> Properties:
        merged = Properties()
        for file in found.property_files:
            data, problem = parse_yaml(file.text, file.path)
            if problem is not None:
                self.diagnostics.append(problem)
                continue
            where = Where(self.config.name, file.path, file.dirs, self.project.quoting)
            read = read_properties(data, where)
            for name in ("nodes", "sources", "exposures", "semantic_models", "metrics", "groups"):
                getattr(merged, name).extend(getattr(read, name))
            self.diagnostics += read.diagnostics
        return merged

    def project_config(self, resource_type: ResourceType, fqn: tuple[str, ...]) -> dict[str, Any]:
        """The package's own dbt_project.yml tree config, then the root project's."""
        key = _TREES.get(resource_type)
        if key is None:
            return {}
        own = tree_config(self.config.trees.get(key, {}), fqn)
        if self.config is self.project:
            return own
        return merge_configs(own, tree_config(self.project.trees.get(key, {}), fqn))

    # -- models, seeds, snapshots, analyses -----------------------------------------------

    def _nodes(self) -> list[DbtNode]:
        entries = {
            (p.resource_type, p.name): p
            for p in self._dedupe(
                self.properties.nodes, lambda p: f"{p.resource_type.value} YAML entry {p.name}"
            )
        }
        files: dict[tuple[ResourceType, str], list[ResourceFile]] = {}
        for file in self.found.resources:
            files.setdefault((file.resource_type, file.name), []).append(file)
        nodes: list[DbtNode] = []
        for entry in entries.values():
            nodes += self._entry_nodes(entry, files)
        for key, group in sorted(files.items(), key=lambda item: str(item[0])):
            nodes += [self._file_node(file, entries.get(key)) for file in group]
        enabled = [n for n in nodes if n.config.get("enabled") is not False]
        return self._dedupe(enabled, lambda n: n.unique_id)

    def _entry_nodes(
        self, entry: NodeProperties, files: dict[tuple[ResourceType, str], list[ResourceFile]]
    ) -> list[DbtNode]:
        """Nodes that exist because of the YAML entry: versions and YAML-only snapshots."""
        if entry.versions:
            return [n for v in entry.versions for n in self._version_nodes(entry, v, files)]
        if entry.relation is not None:
            code = f"select * from {{{{ {entry.relation} }}}}"
            file = ResourceFile(
                ResourceType.SNAPSHOT,
                entry.package,
                entry.name,
                entry.path,
                code,
                entry.dirs,
                entry.line,
            )
            return [self._node(file, entry, None)]
        if (entry.resource_type, entry.name) not in files and not _disabled(entry.config):
            self._missing(entry, _EXPECTED_FILE[entry.resource_type].format(entry.name))
        return []

    def _version_nodes(
        self,
        entry: NodeProperties,
        version: VersionSpec,
        files: dict[tuple[ResourceType, str], list[ResourceFile]],
    ) -> list[DbtNode]:
        stem = version.defined_in or f"{entry.name}_v{version.v}"
        found = files.pop((ResourceType.MODEL, stem), None)
        if found is None and version.defined_in is None and version.v == entry.latest_version:
            found = files.pop((ResourceType.MODEL, entry.name), None)
        if found is None:
            if not _disabled(merge_configs(entry.config, version.config)):
                self._missing(entry, f"{stem}.sql", f"version {version.v} of ", version.line)
            return []
        return [self._node(file, entry, version) for file in found]

    def _missing(
        self, entry: NodeProperties, expected: str, what: str = "", line: int | None = None
    ) -> None:
        message = (
            f"YAML describes {what}{entry.resource_type.value} '{entry.name}' but no file "
            f"{expected} was found in package '{entry.package}'; fix the name or remove the entry"
        )
        self.diagnostics.append(
            diagnostic(entry.path, line or entry.line, DiagnosticCode.CONFIG_ERROR, message)
        )

    def _file_node(self, file: ResourceFile, entry: NodeProperties | None) -> DbtNode:
        if entry is not None and entry.versions:
            message = (
                f"'{file.name}' is a versioned model but no version is defined in this file; "
                "it is read as an unversioned model (set defined_in on a version to use it)"
            )
            self.diagnostics.append(
                diagnostic(file.path, file.line, DiagnosticCode.CONFIG_ERROR, message)
            )
            entry = None
        return self._node(file, entry, None)

    def _node(
        self, file: ResourceFile, entry: NodeProperties | None, version: VersionSpec | None
    ) -> DbtNode:
        name = entry.name if entry is not None and version is not None else file.name
        suffix = (f"v{version.v}",) if version else ()
        fqn = (file.package, *file.dirs, name, *suffix)
        config = self.project_config(file.resource_type, fqn)
        config = merge_configs(config, entry.config if entry else {})
        config = merge_configs(config, version.config if version else {})
        if version is not None:
            config.setdefault("alias", f"{name}_v{version.v}")
        meta, group = config.get("meta"), config.get("group")
        return DbtNode(
            unique_id=".".join((file.resource_type.value, file.package, name, *suffix)),
            resource_type=file.resource_type,
            package=file.package,
            name=name,
            path=file.path,
            raw_code=file.text,
            language=file.language,
            config=config,
            description=_description(entry, version),
            columns=_columns(entry, version),
            version=version.v if version else None,
            latest_version=entry.latest_version if entry else None,
            meta=meta if isinstance(meta, dict) else {},
            group=group if isinstance(group, str) else None,
            location=Location(file.path, file.line),
        )

    # -- YAML-only resources, duplicates --------------------------------------------------

    def _sources(self) -> list[SourceTable]:
        """Enabled source tables, each with its config merged (project trees, then YAML)."""
        tables: list[SourceTable] = []
        for item in self.properties.sources:
            tree = self.project_config(ResourceType.SOURCE, item.fqn)
            tables.append(replace(item.value, config=merge_configs(tree, item.config)))
        enabled = [table for table in tables if not _disabled(table.config)]
        return self._dedupe(enabled, lambda table: table.unique_id)

    def _declared(self, resource_type: ResourceType, items: list[Declared[R]]) -> list[R]:
        enabled = [
            item.value
            for item in items
            if not _disabled(
                merge_configs(self.project_config(resource_type, item.fqn), item.config)
            )
        ]
        return self._dedupe(enabled, lambda value: value.unique_id)

    def _dedupe(self, items: list[T], key: Callable[[T], str]) -> list[T]:
        """Items with distinct keys, the first by location kept; each clash is reported twice."""
        kept: dict[str, T] = {}
        for item in sorted(items, key=_location_key):
            first = kept.setdefault(key(item), item)
            if first is not item:
                self._report_duplicate(key(item), first, item)
        return list(kept.values())

    def _report_duplicate(self, key: str, first: Any, second: Any) -> None:
        here, there = _location_of(first), _location_of(second)
        message = (
            f"'{key}' is defined twice in package '{self.config.name}': at {here} and at "
            f"{there}; dbt refuses duplicate names. {here} is used, {there} is ignored: "
            "rename or remove one"
        )
        for location, severity in ((here, Severity.WARNING), (there, Severity.ERROR)):
            self.diagnostics.append(
                Diagnostic(location, DiagnosticCode.CONFIG_ERROR, severity, message)
            )


def _disabled(config: dict[str, Any]) -> bool:
    return config.get("enabled") is False


def _location_of(item: Any) -> Location:
    location = getattr(item, "location", None)
    return location if isinstance(location, Location) else Location("", 0)


def _location_key(item: Any) -> tuple[str, int]:
    location = _location_of(item)
    return location.path, location.line


def _description(entry: NodeProperties | None, version: VersionSpec | None) -> str:
    if version is not None and version.description is not None:
        return version.description
    return entry.description if entry else ""


def _columns(entry: NodeProperties | None, version: VersionSpec | None) -> tuple[ColumnSpec, ...]:
    """The entry's (or version's) columns, with model-level constraints added to the columns
    they name (a constraint on an undeclared column declares it)."""
    if entry is None:
        return ()
    columns = version.columns if version else entry.columns
    constraints: tuple[Constraint, ...] = entry.constraints
    if version is not None and version.constraints is not None:
        constraints = version.constraints
    by_name = {c.name: c for c in columns}
    for kind, names in constraints:
        for name in names:
            column = by_name.get(name, ColumnSpec(name))
            if kind not in column.constraints:
                by_name[name] = _with_constraint(column, kind)
    return tuple(by_name.values())


def _with_constraint(column: ColumnSpec, kind: str) -> ColumnSpec:
    return replace(column, constraints=(*column.constraints, kind))
