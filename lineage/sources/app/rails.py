"""Rails `db/schema.rb`, read as text with a small tokenizer; the Ruby is never evaluated.

`create_table` blocks become tables: the implicit `id` primary key (bigint, or the `id:`
type; none with `id: false`; renamed by `primary_key:`), `t.<type> "name", null: false, ...`
columns, `t.references` / `t.belongs_to` (`<name>_id`, plus `<name>_type` when polymorphic),
`t.timestamps`. `create_enum` becomes an enum. Indexes, foreign keys, extensions and checks
are ignored. Rails types map to the PostgreSQL types Rails creates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.app.schema_file import read_schema_file, shown_path
from lineage.sources.app.tables import AppColumn, AppFormat, AppSchema, AppTable

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|(?P<key>\w+):(?!:)'
    r"|(?P<symbol>:\w+)|(?P<number>-?\d[\d_.]*)|(?P<word>[\w.?!]+)|(?P<punct>->|\S))"
)
_TYPES = {
    "string": "character varying",
    "text": "text",
    "integer": "integer",
    "bigint": "bigint",
    "float": "double precision",
    "decimal": "numeric",
    "numeric": "numeric",
    "datetime": "timestamp(6)",
    "timestamp": "timestamp(6)",
    "timestamptz": "timestamp(6) with time zone",
    "time": "time",
    "date": "date",
    "boolean": "boolean",
    "binary": "bytea",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "inet": "inet",
    "cidr": "cidr",
    "macaddr": "macaddr",
    "hstore": "hstore",
    "citext": "citext",
    "interval": "interval",
    "money": "money",
    "tsvector": "tsvector",
    "xml": "xml",
    "point": "point",
    "bit": "bit",
    "bit_varying": "bit varying",
    "serial": "integer",
    "bigserial": "bigint",
    "daterange": "daterange",
    "tsrange": "tsrange",
    "tstzrange": "tstzrange",
    "int4range": "int4range",
    "int8range": "int8range",
    "numrange": "numrange",
    "ltree": "ltree",
    "oid": "oid",
}
_IGNORED_T = frozenset({"index", "check_constraint", "exclusion_constraint", "unique_constraint"})


@dataclass
class _Table:
    name: str
    line: int
    columns: list[AppColumn] = field(default_factory=list)
    key: tuple[str, ...] = ()


@dataclass
class _Reader:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    tables: list[AppTable] = field(default_factory=list)

    def warn(self, line: int, message: str, code: DiagnosticCode) -> None:
        location = Location(self.path, line)
        self.diagnostics.append(Diagnostic(location, code, Severity.WARNING, message))


def read_rails_schema(path: Path, *, relative_to: Path | None = None) -> AppSchema:
    """Read `db/schema.rb`; locations are relative to `relative_to` (default: its folder)."""
    name = shown_path(path, relative_to or path.parent)
    reader = _Reader(name)
    text, problems = read_schema_file(path, name)
    reader.diagnostics.extend(problems)
    if text is not None:
        _read_lines(text, reader)
    tables = tuple(sorted(reader.tables, key=lambda t: t.name))
    return AppSchema(AppFormat.RAILS, tables, tuple(reader.diagnostics), (name,))


def _tokens(line: str) -> list[tuple[str, str]]:
    """(kind, text) tokens of one line; a `#` comment ends it."""
    found: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(line):
        kind = match.lastgroup or "punct"
        value = match.group(kind)
        if kind == "punct" and value == "#":
            break
        found.append((kind, value))
    return found


def _value(token: tuple[str, str]) -> str:
    kind, text = token
    if kind == "string":
        return text[1:-1]
    if kind == "symbol":
        return text[1:]
    return text


def _options(tokens: list[tuple[str, str]]) -> dict[str, str]:
    """`key: value` pairs (a list or lambda value is kept as its first token)."""
    options: dict[str, str] = {}
    for index, (kind, text) in enumerate(tokens[:-1]):
        if kind == "key":
            options[text] = _value(tokens[index + 1])
    return options


def _strings(tokens: list[tuple[str, str]]) -> list[str]:
    """The positional arguments: strings and symbols before the first `key:`."""
    values: list[str] = []
    for kind, text in tokens:
        if kind == "key":
            break
        if kind in {"string", "symbol"}:
            values.append(_value((kind, text)))
    return values


def _read_lines(text: str, reader: _Reader) -> None:
    current: _Table | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = _tokens(line)
        if not tokens:
            continue
        head = tokens[0][1]
        if head == "create_table":
            if current is not None:
                _close(reader, current, unclosed=True)
            current = _create_table(tokens[1:], number, reader)
        elif head == "end" and current is not None:
            _close(reader, current)
            current = None
        elif current is not None and head.startswith("t."):
            _column_line(current, head[2:], tokens[1:], number, reader)
        elif head == "create_enum":
            _create_enum(tokens[1:], number, reader)
    if current is not None:
        _close(reader, current, unclosed=True)


def _close(reader: _Reader, table: _Table, unclosed: bool = False) -> None:
    if unclosed:
        message = f"create_table '{table.name}' is not closed with 'end'"
        reader.warn(table.line, message, DiagnosticCode.PARSE_ERROR)
    columns = [
        AppColumn(c.name, c.data_type, False, c.location) if c.name in table.key else c
        for c in table.columns
    ]
    location = Location(reader.path, table.line)
    reader.tables.append(AppTable(table.name, tuple(columns), location))


def _create_table(tokens: list[tuple[str, str]], number: int, reader: _Reader) -> _Table:
    names = _strings(tokens)
    table = _Table(names[0] if names else "?", number)
    options = _options(tokens)
    primary_key = options.get("primary_key", "id")
    if primary_key == "[":  # composite: the columns are declared in the block
        table.key = tuple(_value(t) for t in _list_after(tokens, "primary_key"))
        return table
    table.key = (primary_key,)
    id_type = options.get("id", "bigint")
    if id_type != "false":
        data_type = _TYPES.get(id_type, id_type)
        table.columns.append(
            AppColumn(primary_key, data_type, False, Location(reader.path, number))
        )
    return table


def _list_after(tokens: list[tuple[str, str]], key: str) -> list[tuple[str, str]]:
    start = next(i for i, t in enumerate(tokens) if t == ("key", key)) + 2
    items: list[tuple[str, str]] = []
    for token in tokens[start:]:
        if token[1] == "]":
            break
        if token[0] in {"string", "symbol"}:
            items.append(token)
    return items


def _column_line(
    table: _Table, method: str, tokens: list[tuple[str, str]], number: int, reader: _Reader
) -> None:
    location = Location(reader.path, number)
    options = _options(tokens)
    nullable = options.get("null") != "false"
    names = _strings(tokens)
    if method in _IGNORED_T:
        return
    if method == "timestamps":
        for name in ("created_at", "updated_at"):
            data_type = _datetime(options)
            table.columns.append(
                AppColumn(name, data_type, options.get("null") == "true", location)
            )
    elif method in {"references", "belongs_to"}:
        for name in names:
            id_type = _TYPES.get(options.get("type", "bigint"), options.get("type", "bigint"))
            table.columns.append(AppColumn(f"{name}_id", id_type, nullable, location))
            if options.get("polymorphic") == "true":
                kind = "character varying"
                table.columns.append(AppColumn(f"{name}_type", kind, nullable, location))
    elif method == "column":
        if len(names) >= 2:
            data_type = _data_type(names[1], options, number, reader)
            table.columns.append(AppColumn(names[0], data_type, nullable, location))
    else:
        data_type = _data_type(method, options, number, reader)
        for name in names:
            table.columns.append(AppColumn(name, data_type, nullable, location))


def _datetime(options: dict[str, str]) -> str:
    precision = options.get("precision", "6")
    return "timestamp" if precision == "nil" else f"timestamp({precision})"


def _data_type(rails: str, options: dict[str, str], number: int, reader: _Reader) -> str:
    """The SQL type Rails creates for `t.<rails>` with its limit / precision / scale options."""
    if rails == "enum":
        sql = options.get("enum_type", "enum")
    elif rails in {"datetime", "timestamp"}:
        sql = _datetime(options)
    elif rails in {"decimal", "numeric"} and "precision" in options:
        sql = f"numeric({options['precision']},{options.get('scale', '0')})"
    elif rails == "integer" and options.get("limit") in {"8", "2"}:
        sql = "bigint" if options["limit"] == "8" else "smallint"
    elif rails == "string" and "limit" in options:
        sql = f"character varying({options['limit']})"
    elif rails in _TYPES:
        sql = _TYPES[rails]
    else:
        message = f"unknown column type t.{rails}; the type is kept as written"
        reader.warn(number, message, DiagnosticCode.UNSUPPORTED_STATEMENT)
        sql = rails
    return f"{sql}[]" if options.get("array") == "true" else sql


def _create_enum(tokens: list[tuple[str, str]], number: int, reader: _Reader) -> None:
    names = _strings(tokens)
    if names:
        location = Location(reader.path, number)
        reader.tables.append(AppTable(names[0], (), location, kind="enum"))
