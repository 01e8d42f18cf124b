"""Reading a dbt project's files safely: discovery, size limit, UTF-8, YAML with line numbers.

Nothing here follows a symbolic link, reads a file over the size limit, or constructs anything
but plain YAML values (mappings, lists, scalars): the project comes from a pull request.

Mappings and lists loaded by `parse_yaml` remember where they were written: `line_of(mapping,
key)` is the line of that key's value, `line_of(sequence, index)` the line of that item, and
`line_of(value)` the line where a mapping or list starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.dbt.nodes import MacroFile, ResourceType
from lineage.sources.sql_scripts import decode

_SKIPPED_DIR_NAMES = frozenset({"__pycache__", "node_modules"})


def diagnostic(
    path: str, line: int, code: DiagnosticCode, message: str, severity: Severity = Severity.WARNING
) -> Diagnostic:
    """A diagnostic at path:line (warning unless said otherwise)."""
    return Diagnostic(Location(path, line), code, severity, message)


# ---------------------------------------------------------------------------------------------
# Reading


def read_text(path: Path, name: str, max_bytes: int) -> tuple[str | None, list[Diagnostic]]:
    """The text of one file, or None with a diagnostic when it is too large or unreadable.

    Invalid UTF-8 is replaced (U+FFFD) and reported; a BOM is dropped.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [_too_large(name, size, max_bytes)]
        data = path.read_bytes()
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}; check its permissions"
        return None, [diagnostic(name, 1, DiagnosticCode.UNREADABLE_FILE, message, Severity.ERROR)]
    text, problem = decode(name, data)
    return text, [problem] if problem else []


def _too_large(name: str, size: int, max_bytes: int) -> Diagnostic:
    message = (
        f"skipped: {size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:.1f} MB "
        "(max_file_bytes in lineage.yml)"
    )
    return diagnostic(name, 1, DiagnosticCode.FILE_TOO_LARGE, message, Severity.ERROR)


# ---------------------------------------------------------------------------------------------
# YAML with line numbers


class LineDict(dict[Any, Any]):
    """A YAML mapping that knows its start line and the line of each key's value."""

    line: int = 1
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A YAML sequence that knows its start line and the line of each item."""

    line: int = 1
    item_lines: list[int]


#: libyaml's safe loader when PyYAML was built with it (about ten times faster on large
#: property files); the same safe constructors either way.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SAFE_LOADER):  # type: ignore[valid-type,misc]
    """A safe loader whose mappings and sequences record the lines they were written on."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    data.update(loader.construct_mapping(node))
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, str | int | float | bool):
            data.key_lines[key] = value_node.start_mark.line + 1


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_sequence(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def parse_yaml(text: str, name: str) -> tuple[Any, Diagnostic | None]:
    """Load YAML safely (plain values only); a syntax error becomes a diagnostic at its line."""
    loader = _LineLoader(text)
    try:
        return loader.get_single_data(), None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        message = f"not valid YAML: {problem}; the file is ignored until this is fixed"
        return None, diagnostic(name, line, DiagnosticCode.PARSE_ERROR, message, Severity.ERROR)
    except RecursionError:
        message = "YAML nested too deeply to read; the file is ignored"
        return None, diagnostic(name, 1, DiagnosticCode.PARSE_ERROR, message, Severity.ERROR)
    finally:
        loader.dispose()


def line_of(value: Any, key: Any = None, default: int = 1) -> int:
    """The line of `value[key]` (or of `value` itself when key is None), else `default`."""
    if key is None:
        return getattr(value, "line", default)
    if isinstance(value, LineDict):
        return value.key_lines.get(key, value.line)
    if isinstance(value, LineList) and isinstance(key, int) and 0 <= key < len(value.item_lines):
        return value.item_lines[key]
    return getattr(value, "line", default)


# ---------------------------------------------------------------------------------------------
# Discovery


def walk(base: Path, suffixes: frozenset[str], skip: frozenset[Path]) -> list[Path]:
    """Files under `base` whose suffix is in `suffixes`, sorted; no symlinks, no hidden dirs."""
    if base.is_symlink() or not base.is_dir():
        return []
    found: list[Path] = []
    for path in sorted(base.iterdir()):
        if path.is_symlink():
            continue
        if path.is_dir():
            if path not in skip and not _skipped_dir(path.name):
                found.extend(walk(path, suffixes, skip))
        elif path.suffix.lower() in suffixes and path.is_file():
            found.append(path)
    return found


def _skipped_dir(name: str) -> bool:
    return name.startswith(".") or name in _SKIPPED_DIR_NAMES


def relative(path: Path, root: Path) -> str:
    """`path` relative to `root`, with `/`."""
    return path.relative_to(root).as_posix()


@dataclass(frozen=True)
class ResourceFile:
    """A model, seed, snapshot block or analysis found in a file, before YAML is applied.

    `dirs` are the folders between the resource path (e.g. `models/`) and the file: with the
    package and the name they form dbt's fqn, which `dbt_project.yml` config trees match.
    """

    resource_type: ResourceType
    package: str
    name: str
    path: str
    text: str
    dirs: tuple[str, ...]
    line: int = 1
    language: str = "sql"


# ---------------------------------------------------------------------------------------------
# Snapshot blocks and seed headers

_SNAPSHOT_OPEN = re.compile(r"\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}")
_SNAPSHOT_CLOSE = re.compile(r"\{%-?\s*endsnapshot\s*-?%\}")


@dataclass(frozen=True)
class SnapshotBlock:
    name: str
    body: str
    line: int


def snapshot_blocks(text: str, path: str) -> tuple[list[SnapshotBlock], list[Diagnostic]]:
    """The `{% snapshot name %}...{% endsnapshot %}` blocks of a file, with their lines."""
    blocks: list[SnapshotBlock] = []
    position = 0
    while opening := _SNAPSHOT_OPEN.search(text, position):
        line = text.count("\n", 0, opening.start()) + 1
        closing = _SNAPSHOT_CLOSE.search(text, opening.end())
        if closing is None:
            message = (
                f"snapshot '{opening.group(1)}' has no {{% endsnapshot %}}; "
                "close the block so the snapshot can be read"
            )
            return blocks, [diagnostic(path, line, DiagnosticCode.PARSE_ERROR, message)]
        blocks.append(SnapshotBlock(opening.group(1), text[opening.end() : closing.start()], line))
        position = closing.end()
    if not blocks:
        message = (
            "no {% snapshot name %} ... {% endsnapshot %} block in this file under "
            "snapshot-paths; nothing is read from it"
        )
        return blocks, [diagnostic(path, 1, DiagnosticCode.CONFIG_ERROR, message, Severity.INFO)]
    return blocks, []


def csv_header(text: str) -> str:
    """The header record of a CSV file (a quoted field may span lines), without line ending."""
    lines = text.splitlines()
    header: list[str] = []
    for line in lines:
        header.append(line)
        if "\n".join(header).count('"') % 2 == 0:
            break
    return "\n".join(header)


# ---------------------------------------------------------------------------------------------
# One package's files

_KINDS: dict[str, tuple[ResourceType | None, frozenset[str]]] = {
    "model-paths": (ResourceType.MODEL, frozenset({".sql", ".py"})),
    "seed-paths": (ResourceType.SEED, frozenset({".csv"})),
    "snapshot-paths": (ResourceType.SNAPSHOT, frozenset({".sql"})),
    "analysis-paths": (ResourceType.ANALYSIS, frozenset({".sql"})),
    "macro-paths": (None, frozenset({".sql"})),
}
_YAML_SUFFIXES = frozenset({".yml", ".yaml"})
#: YAML files at a package's top that configure dbt itself: never property files.
_PROJECT_YAML = frozenset(
    {"dbt_project.yml", "packages.yml", "dependencies.yml", "profiles.yml", "selectors.yml"}
)


@dataclass(frozen=True)
class PropertyFile:
    """A YAML property file; `dirs` are its folders below the resource path holding it."""

    path: str
    text: str
    dirs: tuple[str, ...]


@dataclass
class Discovered:
    resources: list[ResourceFile] = field(default_factory=list)
    macro_files: list[MacroFile] = field(default_factory=list)
    property_files: list[PropertyFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class PackageLayout:
    """Where one package's files are: its folder (relative to the root) and its paths."""

    package: str
    directory: str
    paths: dict[str, tuple[str, ...]]
    skip: frozenset[Path]


def discover(root: Path, layout: PackageLayout, max_bytes: int) -> Discovered:
    """Every model, seed, snapshot block, analysis, macro file and YAML file of one package."""
    found = Discovered()
    seen_yaml: set[str] = set()
    base_dir = root / layout.directory if layout.directory else root
    for key, (resource_type, suffixes) in _KINDS.items():
        for entry in layout.paths.get(key, ()):
            base = base_dir / entry
            for path in walk(base, suffixes | _YAML_SUFFIXES, layout.skip):
                name = relative(path, root)
                dirs = path.relative_to(base).parts[:-1]
                if path.suffix.lower() in _YAML_SUFFIXES:
                    if name not in seen_yaml and not _project_yaml(path, base_dir):
                        seen_yaml.add(name)
                        _add_yaml(found, path, name, dirs, max_bytes)
                else:
                    _add_file(found, path, name, dirs, layout.package, resource_type, max_bytes)
    return found


def _project_yaml(path: Path, package_dir: Path) -> bool:
    return path.parent == package_dir and path.name in _PROJECT_YAML


def _add_yaml(
    found: Discovered, path: Path, name: str, dirs: tuple[str, ...], max_bytes: int
) -> None:
    text, problems = read_text(path, name, max_bytes)
    found.diagnostics.extend(problems)
    if text is not None:
        found.property_files.append(PropertyFile(name, text, dirs))


def _add_file(
    found: Discovered,
    path: Path,
    name: str,
    dirs: tuple[str, ...],
    package: str,
    resource_type: ResourceType | None,
    max_bytes: int,
) -> None:
    text, problems = read_text(path, name, max_bytes)
    found.diagnostics.extend(problems)
    if text is None:
        return
    if resource_type is None:
        found.macro_files.append(MacroFile(package, name, text))
    elif resource_type is ResourceType.SNAPSHOT:
        blocks, more = snapshot_blocks(text, name)
        found.diagnostics.extend(more)
        found.resources.extend(
            ResourceFile(resource_type, package, b.name, name, b.body, dirs, b.line) for b in blocks
        )
    else:
        code = csv_header(text) if resource_type is ResourceType.SEED else text
        language = "python" if path.suffix.lower() == ".py" else "sql"
        found.resources.append(
            ResourceFile(resource_type, package, path.stem, name, code, dirs, 1, language)
        )
