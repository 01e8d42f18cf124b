"""dbt's artifacts, read safely: `target/manifest.json` (schema v7 to v12, dbt Core 1.3 to
1.11 and Fusion) and `target/catalog.json`.

Only `json.load` touches the files; nothing in them is executed. Bad content never raises:
an unreadable, oversized or malformed file, an unknown schema version or a node missing a
field becomes a diagnostic at the file (line 1, or the line of the JSON error), and whatever
else the file holds is still used.

>>> manifest, problems = read_manifest(Path("target/manifest.json"))   # doctest: +SKIP
>>> manifest.nodes["model.shop.stg_users"].compiled_code               # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity

#: Artifacts larger than this are refused (a diagnostic, not a crash).
MAX_ARTIFACT_BYTES = 512 * 1024 * 1024
#: Manifest schema versions whose fields are read as documented (dbt Core 1.3 to 1.11).
SUPPORTED_VERSIONS = range(7, 13)
#: Node resource types read from `nodes` (tests, analyses, operations are not relations).
NODE_TYPES = frozenset({"model", "seed", "snapshot"})

_VERSION = re.compile(r"/v(\d+)(?:\.json)?$")


@dataclass(frozen=True)
class ManifestColumn:
    """A column as the manifest describes it (from YAML; the catalog has warehouse types)."""

    name: str
    data_type: str | None = None
    description: str = ""


@dataclass(frozen=True)
class ManifestNode:
    """A model, seed, snapshot or source as dbt compiled it.

    `alias` is a node's alias or a source's identifier. `compiled_code` is None for a node
    that was only parsed (`dbt parse`, or a model `dbt compile` did not reach). When
    `extra_ctes` is set (the node reads ephemeral models), `compiled_code` has them injected
    as `__dbt__cte__<alias>` CTEs: (unique id, CTE text as injected).
    """

    unique_id: str
    resource_type: str
    package: str
    name: str
    path: str  # original_file_path
    database: str | None
    schema: str | None
    alias: str | None
    relation_name: str | None = None
    compiled_code: str | None = None
    raw_code: str | None = None
    depends_on: tuple[str, ...] = ()
    materialized: str | None = None
    enabled: bool = True
    config: dict[str, Any] = field(default_factory=dict)
    columns: tuple[ManifestColumn, ...] = ()
    version: str | None = None
    latest_version: str | None = None
    extra_ctes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Manifest:
    """What was read from one manifest.json; `nodes` holds models, seeds and snapshots."""

    path: str
    schema_version: int | None
    nodes: dict[str, ManifestNode]
    sources: dict[str, ManifestNode]


_EntryReader = Callable[[str, dict[str, Any], str, list[Diagnostic]], "ManifestNode | None"]

# -- files -------------------------------------------------------------------------------


def _load_json(
    path: Path, shown: str, what: str, max_bytes: int, problems: list[Diagnostic]
) -> dict[str, Any] | None:
    """The file's top-level object, or None with a diagnostic."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            message = (
                f"the dbt {what} is {size} bytes, over the {max_bytes}-byte limit; "
                "it is not read and the project files are used instead"
            )
            problems.append(_problem(shown, 1, message, DiagnosticCode.FILE_TOO_LARGE))
            return None
        with path.open("rb") as handle:
            data = json.load(handle)
    except OSError as error:
        message = f"cannot read the dbt {what}: {error.strerror or error}"
        problems.append(_problem(shown, 1, message, DiagnosticCode.UNREADABLE_FILE))
        return None
    except json.JSONDecodeError as error:
        message = f"the dbt {what} is not valid JSON ({error.msg}, column {error.colno})"
        problems.append(_problem(shown, error.lineno, message, DiagnosticCode.PARSE_ERROR))
        return None
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        message = f"the dbt {what} is not valid JSON ({type(error).__name__})"
        problems.append(_problem(shown, 1, message, DiagnosticCode.PARSE_ERROR))
        return None
    if not isinstance(data, dict):
        message = f"the dbt {what} is not a JSON object; it is ignored"
        problems.append(_problem(shown, 1, message, DiagnosticCode.PARSE_ERROR))
        return None
    return data


def _problem(
    path: str,
    line: int,
    message: str,
    code: DiagnosticCode = DiagnosticCode.PARSE_ERROR,
    severity: Severity = Severity.WARNING,
) -> Diagnostic:
    return Diagnostic(Location(path, max(line, 1)), code, severity, message)


# -- manifest ----------------------------------------------------------------------------


def read_manifest(
    path: Path, shown: str | None = None, *, max_bytes: int = MAX_ARTIFACT_BYTES
) -> tuple[Manifest | None, tuple[Diagnostic, ...]]:
    """The manifest at `path` (None if it cannot be read at all) and what was wrong with it.
    `shown` is the path diagnostics give (e.g. relative to the project root)."""
    shown = shown or str(path)
    problems: list[Diagnostic] = []
    data = _load_json(path, shown, "manifest", max_bytes, problems)
    if data is None:
        return None, tuple(problems)
    version = _schema_version(data, shown, problems)
    nodes = _entries(data, "nodes", shown, problems, _node)
    sources = _entries(data, "sources", shown, problems, _source)
    return Manifest(shown, version, nodes, sources), tuple(problems)


def _schema_version(data: dict[str, Any], shown: str, problems: list[Diagnostic]) -> int | None:
    metadata = data.get("metadata")
    url = metadata.get("dbt_schema_version") if isinstance(metadata, dict) else None
    found = _VERSION.search(url) if isinstance(url, str) else None
    version = int(found.group(1)) if found else None
    if version not in SUPPORTED_VERSIONS:
        shown_version = f"v{version}" if version is not None else "unknown"
        message = (
            f"dbt manifest schema version {shown_version} is not one lineage reads as "
            f"documented (v{SUPPORTED_VERSIONS[0]} to v{SUPPORTED_VERSIONS[-1]}); "
            "it is read as best it can be"
        )
        problems.append(_problem(shown, 1, message))
    return version


def _entries(
    data: dict[str, Any],
    key: str,
    shown: str,
    problems: list[Diagnostic],
    read: _EntryReader,
) -> dict[str, ManifestNode]:
    section = data.get(key)
    if section is None:
        problems.append(_problem(shown, 1, f"the dbt manifest has no '{key}'"))
        return {}
    if not isinstance(section, dict):
        problems.append(_problem(shown, 1, f"the dbt manifest's '{key}' is not an object"))
        return {}
    found: dict[str, ManifestNode] = {}
    for unique_id, entry in section.items():
        if not isinstance(entry, dict):
            problems.append(
                _problem(shown, 1, f"manifest {key} entry {unique_id} is not an object")
            )
            continue
        node = read(str(unique_id), entry, shown, problems)
        if node is not None:
            found[node.unique_id] = node
    return found


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _node(
    unique_id: str, entry: dict[str, Any], shown: str, problems: list[Diagnostic]
) -> ManifestNode | None:
    resource_type = _text(entry.get("resource_type")) or unique_id.split(".", 1)[0]
    if resource_type not in NODE_TYPES:
        return None
    found = entry.get("config")
    config: dict[str, Any] = found if isinstance(found, dict) else {}
    name = _text(entry.get("name"))
    schema = _text(entry.get("schema"))
    if name is None or schema is None:
        missing = "name" if name is None else "schema"
        message = f"manifest node {unique_id} has no '{missing}'; it is read from the project files"
        problems.append(_problem(shown, 1, message))
        return None
    depends = entry.get("depends_on")
    return ManifestNode(
        unique_id=unique_id,
        resource_type=resource_type,
        package=_text(entry.get("package_name")) or "",
        name=name,
        path=_text(entry.get("original_file_path")) or _text(entry.get("path")) or "",
        database=_text(entry.get("database")),
        schema=schema,
        alias=_text(entry.get("alias")) or name,
        relation_name=_text(entry.get("relation_name")),
        compiled_code=_text(entry.get("compiled_code", entry.get("compiled_sql"))),
        raw_code=_text(entry.get("raw_code", entry.get("raw_sql"))),
        depends_on=_strings(depends.get("nodes") if isinstance(depends, dict) else None),
        materialized=_text(config.get("materialized")),
        enabled=config.get("enabled", True) is not False,
        config=dict(config),
        columns=_columns(entry.get("columns")),
        version=_version_text(entry.get("version")),
        latest_version=_version_text(entry.get("latest_version")),
        extra_ctes=_extra_ctes(entry.get("extra_ctes")),
    )


def _source(
    unique_id: str, entry: dict[str, Any], shown: str, problems: list[Diagnostic]
) -> ManifestNode | None:
    name = _text(entry.get("name")) or unique_id.rsplit(".", 1)[-1]
    schema = _text(entry.get("schema"))
    if schema is None:
        message = f"manifest source {unique_id} has no 'schema'; it is read from the YAML"
        problems.append(_problem(shown, 1, message))
        return None
    return ManifestNode(
        unique_id=unique_id,
        resource_type="source",
        package=_text(entry.get("package_name")) or "",
        name=name,
        path=_text(entry.get("original_file_path")) or _text(entry.get("path")) or "",
        database=_text(entry.get("database")),
        schema=schema,
        alias=_text(entry.get("identifier")) or name,
        relation_name=_text(entry.get("relation_name")),
        columns=_columns(entry.get("columns")),
    )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _version_text(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int, float)) and value != "" else None


def _columns(value: Any) -> tuple[ManifestColumn, ...]:
    if not isinstance(value, dict):
        return ()
    columns = []
    for key, spec in value.items():
        spec = spec if isinstance(spec, dict) else {}
        name = _text(spec.get("name")) or str(key)
        columns.append(
            ManifestColumn(name, _text(spec.get("data_type")), _text(spec.get("description")) or "")
        )
    return tuple(columns)


def _extra_ctes(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        (cte["id"], cte["sql"])
        for cte in value
        if isinstance(cte, dict)
        and isinstance(cte.get("id"), str)
        and isinstance(cte.get("sql"), str)
    )


# -- catalog -----------------------------------------------------------------------------


def read_catalog(
    path: Path, shown: str | None = None, *, max_bytes: int = MAX_ARTIFACT_BYTES
) -> tuple[dict[str, list[tuple[str, str | None]]], tuple[Diagnostic, ...]]:
    """Warehouse columns with their types, by unique id (nodes and sources), in the order
    the warehouse gives them (`index`); and what was wrong with the file."""
    shown = shown or str(path)
    problems: list[Diagnostic] = []
    data = _load_json(path, shown, "catalog", max_bytes, problems)
    if data is None:
        return {}, tuple(problems)
    found: dict[str, list[tuple[str, str | None]]] = {}
    for key in ("nodes", "sources"):
        section = data.get(key)
        if section is None:
            continue
        if not isinstance(section, dict):
            problems.append(_problem(shown, 1, f"the dbt catalog's '{key}' is not an object"))
            continue
        for unique_id, entry in section.items():
            columns = entry.get("columns") if isinstance(entry, dict) else None
            if not isinstance(columns, dict):
                message = f"catalog entry {unique_id} has no 'columns'; its types are unknown"
                problems.append(_problem(shown, 1, message))
                continue
            found[str(unique_id)] = _catalog_columns(columns)
    return found, tuple(problems)


def _catalog_columns(columns: dict[str, Any]) -> list[tuple[str, str | None]]:
    ordered = []
    for position, (key, spec) in enumerate(columns.items()):
        spec = spec if isinstance(spec, dict) else {}
        index = spec.get("index")
        rank = index if isinstance(index, int) and not isinstance(index, bool) else position
        ordered.append(
            (rank, position, _text(spec.get("name")) or str(key), _text(spec.get("type")))
        )
    return [(name, data_type) for _, _, name, data_type in sorted(ordered)]


# -- compiled code -----------------------------------------------------------------------

_CTE_NAME = re.compile(r"\s*(__dbt__cte__[A-Za-z0-9_$]+)\s+as\s*\(", re.IGNORECASE)


def pre_injection_code(node: ManifestNode, relations: Mapping[str, str]) -> str | None:
    """The node's compiled code as it was before dbt injected the CTEs of the ephemeral
    models it reads, each `__dbt__cte__<alias>` reference replaced by `relations[unique id]`
    (the ephemeral's relation), so an ephemeral model is read like any other relation.

    The code is returned as given when nothing was injected, or when the injected text cannot
    be found (the CTEs are then analysed inline, which gives the same lineage).
    """
    code = node.compiled_code
    if code is None or not node.extra_ctes:
        return code
    stripped = strip_injected_ctes(code, [sql for _, sql in node.extra_ctes])
    if stripped is None:
        return code
    for unique_id, sql in node.extra_ctes:
        found = _CTE_NAME.match(sql)
        if found is not None and unique_id in relations:
            pattern = rf"(?<![\w$]){re.escape(found.group(1))}(?![\w$])"
            literal = relations[unique_id].replace("\\", "\\\\")  # no group references
            stripped = re.sub(pattern, literal, stripped)
    return stripped


def strip_injected_ctes(code: str, ctes: Sequence[str]) -> str | None:
    """Undo dbt's `inject_ctes_into_sql`: it writes `with <ctes>, ` after the model's own
    `with`, or `with <ctes>` before its first token. None if `code` does not hold them.

    >>> strip_injected_ctes("with __dbt__cte__e as (\\nselect 1\\n), a as (select 2) select 3",
    ...                     [" __dbt__cte__e as (\\nselect 1\\n)"])
    'with a as (select 2) select 3'
    >>> strip_injected_ctes("\\nwith __dbt__cte__e as (\\nselect 1\\n)select 2",
    ...                     [" __dbt__cte__e as (\\nselect 1\\n)"])
    '\\nselect 2'
    """
    joined = ", ".join(ctes)
    at = code.find(joined) if joined else -1
    if at < 0:
        return None
    end = at + len(joined)
    if code.startswith(",", end):  # after the model's own `with`
        return code[:at] + code[end + 1 :]
    if code[:at].lower().endswith("with"):  # dbt added the `with`
        return code[: at - 4] + code[end:]
    return None
