"""Facts about relations beyond their columns: dbt contract, model version, owner, data tests,
descriptions and tags.

Applied after a build, as a pass over the built `Project` (the build core stays as it is):

- `dbt_relation_facts`: for a dbt project, each model's enforced contract and version, its
  owner (the dbt group's owner, else `meta.owner`); for models, sources, seeds and snapshots
  the data tests, each at its YAML line, the YAML descriptions of the relation and of its
  columns (as written: a `{{ doc('x') }}` block is not looked up) and the dbt tags;
- `code_owned`: any relation still without an owner (an application table, a plain SQL
  relation, a dbt resource with neither group nor `meta.owner`) is owned by whoever
  CODEOWNERS says owns the file defining it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from lineage.dbt_docs import expand_docs, read_docs_blocks
from lineage.entities import (
    Column,
    DataTest,
    Diagnostic,
    Location,
    Owner,
    Project,
    Relation,
    RelationKind,
    Severity,
)
from lineage.owners import CodeOwners, read_codeowners
from lineage.sources.dbt.files import read_text, walk
from lineage.sources.dbt.nodes import ColumnSpec, DbtNode, DbtProject, Group, SourceTable
from lineage.sources.dbt.project import PROJECT_FILE, read_project

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_YAML = frozenset({".yml", ".yaml"})
_TEST_KEYS = ("tests", "data_tests")
_NODE_SECTIONS = {"models": "model", "seeds": "seed", "snapshots": "snapshot"}
_PROPERTY_PATHS = ("model-paths", "seed-paths", "snapshot-paths")

Resource = DbtNode | SourceTable


@dataclass(frozen=True)
class PropertyFacts:
    """What the root project's files say beyond what the loader kept: relation-level tests
    by unique id, docs blocks by name, and the problems reading docs files."""

    tests: dict[str, tuple[DataTest, ...]]
    docs: dict[str, str]
    problems: list[Diagnostic]


def read_property_facts(root: Path, package: str, max_file_bytes: int) -> PropertyFacts:
    """The `PropertyFacts` of the dbt project at `root` (named `package`): plain values, so a
    worker process can read them while the build goes on."""
    docs, problems = read_docs_blocks(root, max_file_bytes)
    return PropertyFacts(_relation_level_tests(root, package, max_file_bytes), docs, problems)


def dbt_relation_facts(
    project: Project,
    dbt: DbtProject,
    configs: Mapping[str, Mapping[str, Any]],
    max_file_bytes: int,
    files: PropertyFacts | None = None,
) -> Project:
    """`project` (relations named by dbt unique id) with contract, version, owner, tests,
    descriptions and tags.

    `configs` holds each model's and snapshot's effective config by unique id (YAML and
    dbt_project.yml merged with its own `config()` block); other nodes use `DbtNode.config`,
    source tables `SourceTable.config`. Tags add up, as in dbt: every dbt_project.yml level
    above the resource, its YAML `config: tags:` (or `tags:`) and its `config(tags=...)`; a
    source table's are the source's plus the table's. `files`: `read_property_facts` of the
    project, if already read.
    """
    resources: dict[str, Resource] = {n.unique_id: n for n in dbt.nodes}
    resources.update({s.unique_id: s for s in dbt.sources})
    groups = {g.name: g for g in dbt.groups}
    files = files or read_property_facts(Path(dbt.root), dbt.name, max_file_bytes)
    level_tests, docs = files.tests, files.docs
    relations = tuple(
        _with_facts(r, resources.get(r.name), configs, groups, level_tests.get(r.name, ()), docs)
        for r in project.relations
    )
    return _with_diagnostics(replace(project, relations=relations), list(files.problems))


def _with_diagnostics(project: Project, problems: list[Diagnostic]) -> Project:
    """`project` with more diagnostics, counted in its coverage as the build counts them
    (warnings and errors)."""
    if not problems:
        return project
    counted = sum(1 for d in problems if d.severity >= Severity.WARNING)
    coverage = replace(project.coverage, diagnostics=project.coverage.diagnostics + counted)
    diagnostics = tuple(sorted((*project.diagnostics, *problems)))
    return replace(project, diagnostics=diagnostics, coverage=coverage)


def code_owned(project: Project, root: Path) -> Project:
    """Relations without an owner get the CODEOWNERS owner of the file defining them."""
    return replace(project, relations=with_code_owners(project.relations, root))


def with_code_owners(relations: Sequence[Relation], root: Path) -> tuple[Relation, ...]:
    """`relations` (defined in files under `root`), each without an owner given the owner
    CODEOWNERS names for its file."""
    owners = read_codeowners(root)
    if owners is None:
        return tuple(relations)
    found: dict[str, Owner | None] = {}
    return tuple(_code_owner(r, owners, root, found) for r in relations)


def _code_owner(
    relation: Relation, owners: CodeOwners, root: Path, found: dict[str, Owner | None]
) -> Relation:
    if relation.owner is not None or relation.location is None:
        return relation
    if relation.kind is RelationKind.EXTERNAL:  # its location is a use, not a definition
        return relation
    path = relation.location.path
    if path not in found:
        found[path] = owners.owner_of(root / path)
    owner = found[path]
    return relation if owner is None else replace(relation, owner=owner)


# -- one relation ---------------------------------------------------------------------------


def _with_facts(
    relation: Relation,
    resource: Resource | None,
    configs: Mapping[str, Mapping[str, Any]],
    groups: Mapping[str, Group],
    level_tests: tuple[DataTest, ...],
    docs: Mapping[str, str],
) -> Relation:
    if resource is None:
        return relation
    tests = _sorted_tests((*_column_tests(relation, resource.columns), *level_tests))
    documented = replace(
        relation,
        description=_description(resource.description, docs),
        columns=_described_columns(relation, resource.columns, docs),
    )
    if isinstance(resource, SourceTable):
        owner = _owner({"meta": resource.meta}, None)
        return replace(documented, owner=owner, tests=tests, tags=_tags(resource.config))
    config = configs.get(resource.unique_id, resource.config)
    group = groups.get(_text(config.get("group")) or resource.group or "")
    return replace(
        documented,
        contract=_enforced(config.get("contract")),
        version=resource.version,
        owner=_owner(config, group),
        tests=tests,
        tags=_tags(config),
    )


def _tags(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The config's `tags` (a string or a list of strings, already added up across levels by
    the loader and the renderer), sorted and distinct; empty and non-string items are left out
    (dbt refuses them)."""
    value = config.get("tags")
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(sorted({item for item in items if isinstance(item, str) and item}))


def _description(text: str, docs: Mapping[str, str]) -> str | None:
    """A YAML description, stripped, with its `{{ doc('name') }}` calls replaced by the docs
    blocks they name; None when empty."""
    found = _text(text)
    return None if found is None else _text(expand_docs(found, docs))


def _described_columns(
    relation: Relation, columns: tuple[ColumnSpec, ...], docs: Mapping[str, str]
) -> tuple[Column, ...]:
    """The relation's columns, each with the description its YAML column has (matched by name
    exactly, else ignoring case, as the tests are); a documented column the relation does not
    have is ignored, and an undocumented one keeps its description."""
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for spec in columns:
        text = _description(spec.description, docs)
        if text is not None:
            exact.setdefault(spec.name, text)
            folded.setdefault(spec.name.lower(), text)
    if not exact:
        return relation.columns
    return tuple(_described(c, exact, folded) for c in relation.columns)


def _described(column: Column, exact: Mapping[str, str], folded: Mapping[str, str]) -> Column:
    found = exact.get(column.name) or folded.get(column.name.lower())
    return column if found is None else replace(column, description=found)


def _enforced(contract: Any) -> bool:
    return isinstance(contract, Mapping) and contract.get("enforced") is True


def _owner(config: Mapping[str, Any], group: Group | None) -> Owner | None:
    """The dbt group's owner, else `meta.owner` (a name, an email, or {name, email})."""
    if group is not None and (group.owner.name or group.owner.email):
        return Owner(group.owner.name, group.owner.email)
    meta = config.get("meta")
    value = meta.get("owner") if isinstance(meta, Mapping) else None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        return Owner(None, text) if _EMAIL.match(text) else Owner(text, None)
    if isinstance(value, Mapping):
        name, email = _text(value.get("name")), _text(value.get("email"))
        if name or email:
            return Owner(name, email)
    return None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _column_tests(relation: Relation, columns: tuple[ColumnSpec, ...]) -> Iterator[DataTest]:
    """Each column test, under the relation's spelling of the column when it has it."""
    names = {c.name.lower(): c.name for c in relation.columns}
    for column in columns:
        name = column.name if relation.column(column.name) else names.get(column.name.lower())
        for test in column.tests:
            yield DataTest(test, name or column.name, column.location)


def _sorted_tests(tests: tuple[DataTest, ...]) -> tuple[DataTest, ...]:
    """Relation-level tests first, then by column, name and line."""
    return tuple(
        sorted(
            tests,
            key=lambda t: (
                t.column is not None,
                t.column or "",
                t.name,
                t.location or Location("", 0),
            ),
        )
    )


# -- relation-level tests, read from the property files ---------------------------------------

#: libyaml's composer when installed: the node tree (with lines) only, nothing constructed.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _relation_level_tests(
    root: Path, package: str, max_file_bytes: int
) -> dict[str, tuple[DataTest, ...]]:
    """Tests written directly under a model, seed, snapshot, model version or source table of
    the root project (`data_tests:` or `tests:`), by unique id, with `column=None`.

    The loader keeps only column tests, so the root project's property files are read again,
    as YAML node trees (nothing is constructed; an anchor used twice is walked once); a file
    the loader could not read was reported by it and is skipped here.
    """
    found: dict[str, list[DataTest]] = {}
    for path, tree in _property_trees(root, max_file_bytes):
        for unique_id, test in _file_tests(tree, path, package):
            found.setdefault(unique_id, []).append(test)
    return {uid: tuple(tests) for uid, tests in found.items()}


def _property_trees(root: Path, max_file_bytes: int) -> Iterator[tuple[str, yaml.Node]]:
    config, _ = read_project(root, "", max_file_bytes)
    if config is None:
        return
    skip = frozenset({root / config.packages_install_path, root / config.target_path})
    seen: set[Path] = set()
    for key in _PROPERTY_PATHS:
        for entry in config.paths.get(key, ()):
            for path in walk(root / entry, _YAML, skip):
                if path in seen or (path.parent == root and path.name == PROJECT_FILE):
                    continue
                seen.add(path)
                name = path.relative_to(root).as_posix()
                text, _ = read_text(path, name, max_file_bytes)
                tree = _compose(text) if text is not None else None
                if tree is not None:
                    yield name, tree


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_COMPOSER)
    except (yaml.YAMLError, RecursionError):
        return None


def _file_tests(tree: yaml.Node, path: str, package: str) -> Iterator[tuple[str, DataTest]]:
    sections = _mapping(tree)
    for section, prefix in _NODE_SECTIONS.items():
        for entry in _entries(sections.get(section)):
            unique_id = f"{prefix}.{package}.{_scalar(entry['name'])}"
            own = list(_tests(entry, path))
            versions = _entries(entry.get("versions"), key="v") if prefix == "model" else []
            if not versions:
                yield from ((unique_id, t) for t in own)
            for version in versions:
                version_id = f"{unique_id}.v{_version(version['v'])}"
                yield from ((version_id, t) for t in (*own, *_tests(version, path)))
    for source in _entries(sections.get("sources")):
        for table in _entries(source.get("tables")):
            unique_id = f"source.{package}.{_scalar(source['name'])}.{_scalar(table['name'])}"
            yield from ((unique_id, t) for t in _tests(table, path))


def _mapping(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    """The items of a sequence, each node once (an anchor may be aliased many times)."""
    if not isinstance(node, yaml.SequenceNode):
        return []
    unique: dict[int, yaml.Node] = {}
    for item in node.value:
        unique.setdefault(id(item), item)
    return list(unique.values())


def _entries(node: yaml.Node | None, key: str = "name") -> list[dict[str, yaml.Node]]:
    """The mappings of a sequence that have a scalar `key`."""
    mappings = (_mapping(item) for item in _items(node))
    return [m for m in mappings if isinstance(m.get(key), yaml.ScalarNode)]


def _scalar(node: yaml.Node) -> str:
    return str(node.value)


def _version(node: yaml.Node) -> str:
    """A version as the loader names it: `v: 2` is "2", `v: 1.0` is "1.0"."""
    if node.tag.endswith((":int", ":float")):
        return str(yaml.safe_load(node.value))
    return _scalar(node)


def _tests(entry: dict[str, yaml.Node], path: str) -> Iterator[DataTest]:
    for key in _TEST_KEYS:
        for item in _items(entry.get(key)):
            name = _test_name(item)
            if name is not None:
                yield DataTest(name, None, Location(path, item.start_mark.line + 1))


def _test_name(item: yaml.Node) -> str | None:
    """As dbt names it: `not_null`, `{unique: {...}}`, or `{test_name: ..., name: ...}`."""
    if isinstance(item, yaml.ScalarNode):
        return _scalar(item)
    fields = _mapping(item)
    if isinstance(fields.get("test_name"), yaml.ScalarNode):
        return _scalar(fields["test_name"])
    if isinstance(item, yaml.MappingNode) and len(item.value) == 1 and len(fields) == 1:
        return next(iter(fields))
    return None
