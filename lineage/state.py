"""Reading a graph document back: the state file another repository published.

`lineage graph --format json` and `lineage snapshot` write a project's whole lineage as a
graph document (docs/graph-schema.md); `load_state` reads one back into the `Project` it was
written from. Every value the document carries comes back equal; the document does not carry
the project's root directory, so the state file's directory stands in for it.

The file is untrusted input: it is read only up to `MAX_STATE_BYTES`, parsed as plain JSON,
and every key is checked. Anything wrong is a `UsageError` naming the file and the key, e.g.
`state file s.json: relations[2].columns[0].name must be a string, not a number`.
Keys this version does not know are ignored (a later minor version may add some); keys added
in a minor version after the document's own are optional.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, cast

from lineage.entities import (
    BlindSpot,
    Column,
    ColumnRef,
    Consumer,
    ConsumerKind,
    Coverage,
    DataTest,
    Diagnostic,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    Owner,
    Project,
    ReadLevel,
    Relation,
    RelationKind,
    Severity,
)
from lineage.errors import UsageError

#: A state file larger than this is refused (a graph of 100,000 models is far smaller).
MAX_STATE_BYTES = 512 * 1024 * 1024
#: The major version of the graph document this reader understands.
READ_MAJOR = 1
#: The minor versions that added keys (older documents lack them: defaults apply).
_ADDED_IN_1_1 = 1
_ADDED_IN_1_2 = 2

T = TypeVar("T")
E = TypeVar("E", bound=Enum)
_MISSING = object()
_JSON_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def load_state(path: Path) -> Project:
    """The `Project` a graph document describes; `root` is the file's directory.

    >>> project = load_state(Path("lineage-state.json"))  # doctest: +SKIP
    """
    label = f"state file {path}"
    data = _parse(_read(path, label), label)
    return project_from_document(data, label, str(path.parent))


def project_from_document(data: Any, label: str, root: str) -> Project:
    """The `Project` of an already parsed graph document; errors name `label`."""
    if not isinstance(data, dict) or "schema_version" not in data:
        raise UsageError(f"{label}: not a lineage graph document (it has no schema_version)")
    reader = _Reader(label, _minor(data["schema_version"], label))
    return reader.project(data, root)


def _read(path: Path, label: str) -> str:
    try:
        if not path.is_file():
            missing = not path.exists()
            raise UsageError(f"{label}: {'not found' if missing else 'not a regular file'}")
        with path.open("rb") as handle:
            data = handle.read(MAX_STATE_BYTES + 1)
    except OSError as error:
        raise UsageError(f"{label}: cannot read it: {error.strerror or error}") from None
    if len(data) > MAX_STATE_BYTES:
        limit = MAX_STATE_BYTES // (1024 * 1024)
        raise UsageError(f"{label}: larger than {limit} MB, the most a state file may be")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{label}: not UTF-8 text (byte {error.start})") from None


def _parse(text: str, label: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise UsageError(f"{label}: not JSON: {error.msg} at {where}") from None
    except (ValueError, RecursionError) as error:
        raise UsageError(f"{label}: not readable JSON: {type(error).__name__}") from None


def _minor(version: Any, label: str) -> int:
    parts = version.split(".") if isinstance(version, str) else []
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise UsageError(f"{label}: schema_version {version!r} is not a version like '1.1'")
    if int(parts[0]) != READ_MAJOR:
        raise UsageError(
            f"{label}: schema_version {version} is not supported: this lineage reads graph "
            f"documents {READ_MAJOR}.x; write the state again with a matching lineage version"
        )
    return int(parts[1])


@dataclass(frozen=True)
class _Reader:
    """Typed access to the document's values, with errors that say where."""

    label: str
    minor: int

    def fail(self, where: str, problem: str) -> UsageError:
        return UsageError(f"{self.label}: {where} {problem}")

    def get(self, data: dict[str, Any], key: str, where: str, since: int = 0) -> Any:
        if key in data:
            return data[key]
        if self.minor < since:
            return _MISSING
        raise self.fail(_at(where, key), "is missing")

    def typed(self, value: Any, kind: type[T], where: str) -> T:
        if not _is(value, kind):
            raise self.fail(where, f"must be {_JSON_NAMES[kind]}, not {_json_name(value)}")
        return cast(T, value)

    def field(self, data: dict[str, Any], key: str, kind: type[T], where: str) -> T:
        value = data[key] if key in data else self.get(data, key, where)
        if type(value) is kind:  # the common case, without building the error's path
            return value
        return self.typed(value, kind, _at(where, key))

    def maybe(self, data: dict[str, Any], key: str, kind: type[T], where: str) -> T | None:
        """A value that may be null."""
        value = data[key] if key in data else self.get(data, key, where)
        if value is None or type(value) is kind or _is(value, kind):
            return cast("T | None", value)
        expected = f"{_JSON_NAMES[kind]} or null"
        raise self.fail(_at(where, key), f"must be {expected}, not {_json_name(value)}")

    def added(self, data: dict[str, Any], key: str, where: str, since: int = _ADDED_IN_1_1) -> bool:
        """Whether a key added in minor version `since` is to be read (it is optional in an
        older document)."""
        return self.get(data, key, where, since=since) is not _MISSING

    def description(self, data: dict[str, Any], where: str) -> str | None:
        """A description (1.2); None when undocumented or the document is older."""
        if not self.added(data, "description", where, since=_ADDED_IN_1_2):
            return None
        return self.maybe(data, "description", str, where)

    def tags(self, data: dict[str, Any], where: str) -> tuple[str, ...]:
        """A relation's tags (1.2), sorted and distinct; none in an older document."""
        if not self.added(data, "tags", where, since=_ADDED_IN_1_2):
            return ()
        values = self.field(data, "tags", list, where)
        return tuple(sorted(set(self.strings(values, _at(where, "tags")))))

    def items(
        self,
        data: dict[str, Any],
        key: str,
        where: str,
        read: Callable[[Any, str], T],
        quick: Callable[[Any], T | None] | None = None,
    ) -> tuple[T, ...]:
        """Each value of the list `key`, read by `read`; `quick` (for a document of this
        version) may read a well-formed value faster, and returns None for anything else,
        which `read` then reads, or rejects with its precise error."""
        values = self.field(data, key, list, where)
        if quick is None or self.minor < _ADDED_IN_1_2:
            return tuple(read(v, f"{_at(where, key)}[{i}]") for i, v in enumerate(values))
        found = []
        for i, value in enumerate(values):
            item = quick(value)
            found.append(item if item is not None else read(value, f"{_at(where, key)}[{i}]"))
        return tuple(found)

    def strings(self, values: list[Any], where: str) -> tuple[str, ...]:
        return tuple(self.typed(v, str, f"{where}[{i}]") for i, v in enumerate(values))

    def enum(self, data: dict[str, Any], key: str, kind: type[E], where: str) -> E:
        value = self.field(data, key, str, where)
        try:
            return kind(value)
        except ValueError:
            raise self.fail(_at(where, key), f"has an unknown value {value!r}") from None

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        return self.typed(value, dict, where)

    # -- the document ---------------------------------------------------------------------

    def project(self, data: dict[str, Any], root: str) -> Project:
        self.field(data, "tool", dict, "")
        return Project(
            root=root,
            dialect=self.field(data, "dialect", str, ""),
            relations=self.items(data, "relations", "", self.relation),
            edges=self.items(data, "edges", "", self.edge, _quick_edge),
            blind_spots=self.items(data, "blind_spots", "", self.blind_spot),
            diagnostics=self.items(data, "diagnostics", "", self.diagnostic),
            coverage=self.coverage(self.field(data, "coverage", dict, ""), "coverage"),
            consumers=self.items(data, "consumers", "", self.consumer),
        )

    def location(self, value: Any, where: str) -> Location:
        data = self.obj(value, where)
        line = self.field(data, "line", int, where)
        if line < 1:
            raise self.fail(_at(where, "line"), f"must be 1 or more, not {line}")
        return Location(self.field(data, "path", str, where), line)

    def optional_location(self, value: Any, where: str) -> Location | None:
        return None if value is None else self.location(value, where)

    def ref(self, value: Any, where: str) -> ColumnRef:
        data = self.obj(value, where)
        column = self.maybe(data, "column", str, where)
        return ColumnRef(self.field(data, "relation", str, where), column)

    def owner(self, value: Any, where: str) -> Owner:
        data = self.obj(value, where)
        return Owner(
            self.maybe(data, "name", str, where),
            self.maybe(data, "email", str, where),
        )

    def relation(self, value: Any, where: str) -> Relation:
        data = self.obj(value, where)
        added = self.added(data, "contract", where)  # the keys of 1.1 come together
        owner = self.maybe(data, "owner", dict, where) if added else None
        return Relation(
            name=self.field(data, "name", str, where),
            kind=self.enum(data, "kind", RelationKind, where),
            columns=self.items(data, "columns", where, self.column, _quick_column),
            location=self.optional_location(
                self.get(data, "location", where), _at(where, "location")
            ),
            dropped=self.field(data, "dropped", bool, where),
            columns_complete=self.field(data, "columns_complete", bool, where),
            contract=self.field(data, "contract", bool, where) if added else False,
            version=self.maybe(data, "version", str, where) if added else None,
            owner=None if owner is None else self.owner(owner, _at(where, "owner")),
            tests=self.items(data, "tests", where, self.data_test) if added else (),
            former_names=self.former_names(data, where),
            description=self.description(data, where),
            tags=self.tags(data, where),
        )

    def data_test(self, value: Any, where: str) -> DataTest:
        data = self.obj(value, where)
        return DataTest(
            self.field(data, "name", str, where),
            self.maybe(data, "column", str, where),
            self.optional_location(self.get(data, "location", where), _at(where, "location")),
        )

    def former_names(self, data: dict[str, Any], where: str) -> tuple[str, ...]:
        if not self.added(data, "former_names", where):
            return ()
        values = self.field(data, "former_names", list, where)
        return self.strings(values, _at(where, "former_names"))

    def column(self, value: Any, where: str) -> Column:
        data = self.obj(value, where)
        return Column(
            name=self.field(data, "name", str, where),
            data_type=self.maybe(data, "type", str, where),
            location=self.optional_location(
                self.get(data, "location", where), _at(where, "location")
            ),
            inferred=self.field(data, "inferred", bool, where),
            dropped=self.field(data, "dropped", bool, where),
            nullable=self.maybe(data, "nullable", bool, where),
            former_names=self.former_names(data, where),
            description=self.description(data, where),
        )

    def edge(self, value: Any, where: str) -> Edge:
        data = self.obj(value, where)
        source = self.ref(self.get(data, "source", where), _at(where, "source"))
        if source.column is None:
            raise self.fail(_at(where, "source.column"), "must be a string, not null")
        self.field(data, "direct", bool, where)
        return Edge(
            source=source,
            target=self.ref(self.get(data, "target", where), _at(where, "target")),
            kind=self.enum(data, "kind", EdgeKind, where),
            expression=self.field(data, "expression", str, where),
            location=self.location(self.get(data, "location", where), _at(where, "location")),
            inner=self.strings(self.field(data, "inner", list, where), _at(where, "inner"))
            if self.added(data, "inner", where)
            else (),
        )

    def blind_spot(self, value: Any, where: str) -> BlindSpot:
        data = self.obj(value, where)
        return BlindSpot(
            target=self.ref(self.get(data, "target", where), _at(where, "target")),
            reason=self.field(data, "reason", str, where),
            location=self.location(self.get(data, "location", where), _at(where, "location")),
            upstream=self.strings(
                self.field(data, "upstream", list, where), _at(where, "upstream")
            ),
        )

    def diagnostic(self, value: Any, where: str) -> Diagnostic:
        data = self.obj(value, where)
        severity = self.field(data, "severity", str, where)
        if severity.upper() not in Severity.__members__ or severity != severity.lower():
            raise self.fail(_at(where, "severity"), f"has an unknown value {severity!r}")
        return Diagnostic(
            location=self.location(self.get(data, "location", where), _at(where, "location")),
            code=self.enum(data, "code", DiagnosticCode, where),
            severity=Severity[severity.upper()],
            message=self.field(data, "message", str, where),
            relation=self.maybe(data, "relation", str, where),
        )

    def coverage(self, data: dict[str, Any], where: str) -> Coverage:
        def count(key: str) -> int:
            number = self.field(data, key, int, where)
            if number < 0:
                raise self.fail(_at(where, key), f"must be 0 or more, not {number}")
            return number

        return Coverage(
            files=count("files"),
            statements=count("statements"),
            statements_analysed=count("statements_analysed"),
            columns=count("columns"),
            columns_resolved=count("columns_resolved"),
            diagnostics=count("diagnostics"),
            unit=self.field(data, "unit", str, where),
        )

    def consumer(self, value: Any, where: str) -> Consumer:
        data = self.obj(value, where)
        return Consumer(
            id=self.field(data, "id", str, where),
            kind=self.enum(data, "kind", ConsumerKind, where),
            name=self.field(data, "name", str, where),
            owner=self.owner(self.get(data, "owner", where), _at(where, "owner")),
            level=self.enum(data, "level", ReadLevel, where),
            reads=self.items(data, "reads", where, self.ref),
            location=self.optional_location(
                self.get(data, "location", where), _at(where, "location")
            ),
            url=self.maybe(data, "url", str, where),
            maturity=self.maybe(data, "maturity", str, where),
            origin=self.field(data, "origin", str, where),
        )


_EDGE_KINDS = {kind.value: kind for kind in EdgeKind}


def _quick_edge(value: Any) -> Edge | None:
    """A well-formed edge of a current document, read without building error paths; None for
    anything else (then read strictly)."""
    if type(value) is not dict or type(value.get("direct")) is not bool:
        return None
    source, target = _quick_ref(value.get("source")), _quick_ref(value.get("target"))
    named, expression = value.get("kind"), value.get("expression")
    kind = _EDGE_KINDS.get(named) if type(named) is str else None
    location, inner = _quick_location(value.get("location")), value.get("inner")
    if source is None or source.column is None or target is None or kind is None:
        return None
    if type(expression) is not str or location is None or type(inner) is not list:
        return None
    if not all(type(text) is str for text in inner):
        return None
    return Edge(source, target, kind, expression, location, tuple(inner))


def _quick_column(value: Any) -> Column | None:
    """As `_quick_edge`, for a column."""
    if type(value) is not dict:
        return None
    name, data_type, where = value.get("name"), value.get("type", 0), value.get("location", 0)
    inferred, dropped, nullable = (
        value.get("inferred"),
        value.get("dropped"),
        value.get("nullable", 0),
    )
    former, description = value.get("former_names"), value.get("description", 0)
    location = None if where is None else _quick_location(where)
    if type(name) is not str or (where is not None and location is None):
        return None
    if type(inferred) is not bool or type(dropped) is not bool or type(former) is not list:
        return None
    if not (data_type is None or type(data_type) is str):
        return None
    if not (nullable is None or type(nullable) is bool):
        return None
    if not (description is None or type(description) is str):
        return None
    if not all(type(text) is str for text in former):
        return None
    return Column(name, data_type, location, inferred, dropped, nullable, tuple(former),
                  description)  # fmt: skip


def _quick_ref(value: Any) -> ColumnRef | None:
    if type(value) is not dict:
        return None
    relation, column = value.get("relation"), value.get("column", 0)
    if type(relation) is not str or not (column is None or type(column) is str):
        return None
    return ColumnRef(relation, column)


def _quick_location(value: Any) -> Location | None:
    if type(value) is not dict:
        return None
    path, line = value.get("path"), value.get("line")
    if type(path) is not str or type(line) is not int or line < 1:
        return None
    return Location(path, line)


def _is(value: Any, kind: type) -> bool:
    """isinstance, except that a JSON boolean is not a number."""
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _json_name(value: Any) -> str:
    return _JSON_NAMES.get(type(value), type(value).__name__)


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
