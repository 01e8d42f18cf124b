"""The consumers file: consumers no tool describes, declared by hand in `consumers.yml`.

A product feature reading a mart, an ML model's training set, a reverse-ETL sync: each entry
says what it is, who owns it and what it reads. Example::

    version: 1                      # optional
    consumers:
      - name: churn_model           # letters, digits, _ . - ; the id is consumer.churn_model
        type: ml                    # dashboard chart notebook analysis ml application
                                    #   feature reverse_etl
        owner: {name: Data Science, email: ds@example.com}   # or "Ann <ann@x.io>", a name
        url: https://mlflow.example.com/models/churn          # optional
        columns:                    # relation.column; the relation as a dbt short name
          - fct_orders.amount       #   (fct_orders), unique id (model.shop.fct_orders)
          - model.shop.dim_users.email          # or warehouse name (analytics.dim_users)
      - name: recommendations
        type: feature
        owner: reco-team
        code: services/reco/api.py:42           # the code implementing it (path[:line])
        columns: [dim_users.country]
      - name: hubspot_sync
        type: reverse_etl
        models: [dim_users]         # relations read whole: every column counts
      - name: weekly_kpis
        type: analysis
        sql: select count(*) from fct_orders where status = 'paid'
        dialect: postgres           # optional, the dialect of `sql`

Each entry needs `name`, `type` and at least one of `columns`, `models`, `sql`. An entry with
an unknown key, a value of the wrong type, an unknown `type`, or a name used before is a
diagnostic at its line and is skipped; the other entries are still read. The consumer's
location is its `code` when given (where a reader of the report should look), else its entry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lineage.entities import ConsumerKind, Diagnostic, DiagnosticCode, Location, Owner, Severity
from lineage.sources.consumers.specs import ConsumerFiles, ConsumerSpec, ReadSpec
from lineage.sources.dbt.files import diagnostic, line_of, parse_yaml, read_text, relative
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES

ORIGIN = "consumers file"
_KEYS = frozenset({"name", "type", "owner", "url", "code", "columns", "models", "sql", "dialect"})
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_CODE = re.compile(r"^(?P<path>[^:\s][^:]*?)(?::(?P<line>[1-9][0-9]*))?$")
_OWNER = re.compile(r"^(?P<name>[^<]*?)\s*<(?P<email>[^>]+)>$")
_KINDS = {kind.value: kind for kind in ConsumerKind}


class _Invalid(Exception):
    """An entry that cannot be read: the line and the reason."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_consumers_file(
    path: Path, root: Path | None = None, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> ConsumerFiles:
    """The consumers a `consumers.yml` declares; locations are relative to `root` if given."""
    name = _display_name(path, root)
    text, problems = read_text(path, name, max_file_bytes)
    if text is None:
        return ConsumerFiles((), tuple(problems))
    data, problem = parse_yaml(text, name)
    if problem is not None:
        return ConsumerFiles((), (*problems, problem))
    consumers, found = _read_document(data, name)
    return ConsumerFiles(
        tuple(sorted(consumers, key=lambda c: c.id)), tuple(sorted([*problems, *found]))
    )


def _display_name(path: Path, root: Path | None) -> str:
    if root is not None and path.is_relative_to(root):
        return relative(path, root)
    return path.as_posix()


def _read_document(data: Any, path: str) -> tuple[list[ConsumerSpec], list[Diagnostic]]:
    problems: list[Diagnostic] = []

    def bad(line: int, message: str) -> None:
        problems.append(diagnostic(path, line, DiagnosticCode.CONFIG_ERROR, message))

    if data is None:
        message = "the consumers file is empty"
        problems.append(diagnostic(path, 1, DiagnosticCode.EMPTY_FILE, message, Severity.INFO))
        return [], problems
    if not isinstance(data, dict) or not isinstance(data.get("consumers"), list):
        bad(line_of(data), "a consumers file must be a mapping with a `consumers:` list")
        return [], problems
    for key in sorted(set(data) - {"version", "consumers"}, key=str):
        bad(line_of(data, key), f"unknown key `{key}` (expected `version`, `consumers`)")
    if data.get("version", 1) != 1:
        bad(line_of(data, "version"), "unsupported `version` (only 1 is known)")
    consumers: dict[str, ConsumerSpec] = {}
    lines: dict[str, int] = {}
    for index, entry in enumerate(data["consumers"]):
        line = line_of(data["consumers"], index)
        try:
            spec = _entry(entry, path, line)
        except _Invalid as error:
            bad(error.line, f"{error.message}; entry skipped")
            continue
        if spec.name in consumers:
            message = f"consumer `{spec.name}` is declared twice (lines {lines[spec.name]}, {line})"
            bad(lines[spec.name], message)
            bad(line, message + "; the second is skipped")
            continue
        consumers[spec.name] = spec
        lines[spec.name] = line
    return list(consumers.values()), problems


def _entry(entry: Any, path: str, line: int) -> ConsumerSpec:
    if not isinstance(entry, dict):
        raise _Invalid(line, "a consumer must be a mapping (name:, type:, ...)")
    for key in sorted(entry, key=str):
        if key not in _KEYS:
            expected = ", ".join(sorted(_KEYS))
            raise _Invalid(line_of(entry, key), f"unknown key `{key}` (expected {expected})")
    name = _string(entry, "name", line, required=True)
    assert name is not None
    if not _NAME.match(name):
        raise _Invalid(line_of(entry, "name"), f"name `{name}`: use letters, digits, _ . -")
    kind_name = _string(entry, "type", line, required=True)
    if kind_name not in _KINDS:
        expected = ", ".join(_KINDS)
        raise _Invalid(line_of(entry, "type"), f"unknown type `{kind_name}` (expected {expected})")
    reads = (*_columns(entry, path), *_models(entry, path))
    sql = _string(entry, "sql", line)
    if not reads and not sql:
        raise _Invalid(line, f"consumer `{name}` reads nothing: give columns, models or sql")
    location = _code(entry, line) or Location(path, line)
    return ConsumerSpec(
        id=f"consumer.{name}",
        kind=_KINDS[kind_name],
        name=name,
        owner=_owner(entry, line),
        location=location,
        origin=ORIGIN,
        reads=reads,
        sql=((sql, Location(path, line_of(entry, "sql"))),) if sql else (),
        dialect=_string(entry, "dialect", line),
        url=_string(entry, "url", line),
    )


def _string(entry: dict[str, Any], key: str, line: int, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise _Invalid(line, f"`{key}` is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(line_of(entry, key), f"`{key}` must be a non-empty string")
    return value.strip()


def _strings(entry: dict[str, Any], key: str) -> list[tuple[str, int]]:
    value = entry.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(line_of(entry, key), f"`{key}` must be a list of strings")
    found = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _Invalid(line_of(value, index), f"`{key}` must be a list of strings")
        found.append((item.strip(), line_of(value, index)))
    return found


def _columns(entry: dict[str, Any], path: str) -> list[ReadSpec]:
    reads = []
    for text, line in _strings(entry, "columns"):
        relation, dot, column = text.rpartition(".")
        if not dot or not relation or not column:
            raise _Invalid(line, f"column `{text}` must be written relation.column")
        reads.append(ReadSpec(relation, column, Location(path, line)))
    return reads


def _models(entry: dict[str, Any], path: str) -> list[ReadSpec]:
    return [ReadSpec(text, None, Location(path, line)) for text, line in _strings(entry, "models")]


def _code(entry: dict[str, Any], line: int) -> Location | None:
    text = _string(entry, "code", line)
    if text is None:
        return None
    match = _CODE.match(text)
    if match is None:
        raise _Invalid(line_of(entry, "code"), f"code `{text}` must be path or path:line")
    return Location(match["path"], int(match["line"] or 1))


def _owner(entry: dict[str, Any], line: int) -> Owner:
    value = entry.get("owner")
    if value is None:
        return Owner()
    if isinstance(value, str) and value.strip():
        return _owner_text(value.strip())
    if isinstance(value, dict) and value and set(value) <= {"name", "email"}:
        name, email = _string(value, "name", line), _string(value, "email", line)
        return Owner(name, email)
    message = "`owner` must be a string or a mapping with name and/or email"
    raise _Invalid(line_of(entry, "owner"), message)


def _owner_text(text: str) -> Owner:
    match = _OWNER.match(text)
    if match:
        return Owner(match["name"] or None, match["email"])
    if "@" in text and " " not in text:
        return Owner(None, text)
    return Owner(text, None)
