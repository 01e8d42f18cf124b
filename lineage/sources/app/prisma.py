"""Prisma schemas (`schema.prisma`), read with a small line parser; nothing is executed.

Models become tables (`@@map` names the table, `@@schema` qualifies it), scalar fields become
columns (`@map` names the column, `?` makes it nullable, `[]` on a scalar an array), relation
fields (typed by another model) have no column: their `fields: [...]` are scalar fields already
read. Enums become `enum` relations. Types follow Prisma's documented mapping per provider,
or the field's native type attribute (`@db.VarChar(255)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.app.schema_file import read_schema_file, shown_path
from lineage.sources.app.tables import AppColumn, AppFormat, AppSchema, AppTable

_BLOCK = re.compile(r"^\s*(model|enum|view|type|datasource|generator)\s+(\w+)\s*\{\s*$")
_FIELD = re.compile(r"^\s*(\w+)\s+(\w+(?:\([^)]*\))?)(\[\])?(\?)?\s*(.*)$")
_ATTRIBUTE = re.compile(r"@@?[\w.]+")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_PROVIDER = re.compile(r'^\s*provider\s*=\s*"(\w+)"')

_FIELD_ATTRIBUTES = frozenset(
    {"id", "default", "unique", "relation", "map", "updatedAt", "ignore", "db", "shard"}
)
_BLOCK_ATTRIBUTES = frozenset(
    {"map", "schema", "id", "unique", "index", "ignore", "fulltext", "shard"}
)

_POSTGRES = {
    "String": "text",
    "Int": "integer",
    "BigInt": "bigint",
    "Float": "double precision",
    "Decimal": "decimal(65,30)",
    "Boolean": "boolean",
    "DateTime": "timestamp(3)",
    "Json": "jsonb",
    "Bytes": "bytea",
}
_MYSQL = {
    **_POSTGRES,
    "String": "varchar(191)",
    "Int": "int",
    "Float": "double",
    "Boolean": "tinyint(1)",
    "DateTime": "datetime(3)",
    "Json": "json",
    "Bytes": "longblob",
}
_SQLITE = {**_POSTGRES, "Float": "real", "Decimal": "decimal", "DateTime": "datetime"}
_TYPES = {"postgresql": _POSTGRES, "cockroachdb": _POSTGRES, "mysql": _MYSQL, "sqlite": _SQLITE}
_NATIVE = {"doubleprecision": "double precision", "bytea": "bytea", "jsonb": "jsonb"}


@dataclass
class _Block:
    kind: str
    name: str
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Reader:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, line: int, message: str, code: DiagnosticCode) -> None:
        location = Location(self.path, line)
        self.diagnostics.append(Diagnostic(location, code, Severity.WARNING, message))


def read_prisma(path: Path, *, relative_to: Path | None = None) -> AppSchema:
    """Read one `schema.prisma`; locations are relative to `relative_to` (default: its folder)."""
    name = shown_path(path, relative_to or path.parent)
    reader = _Reader(name)
    text, problems = read_schema_file(path, name)
    reader.diagnostics.extend(problems)
    if text is None:
        return AppSchema(AppFormat.PRISMA, (), tuple(reader.diagnostics))
    blocks = _blocks(text, reader)
    provider = _provider(blocks)
    models = {b.name for b in blocks if b.kind in {"model", "view", "type"}}
    enums = {b.name: _db_name(b) for b in blocks if b.kind == "enum"}
    tables: list[AppTable] = []
    for block in blocks:
        if block.kind in {"model", "view"}:
            tables.append(_table(block, reader, _TYPES.get(provider, _POSTGRES), models, enums))
        elif block.kind == "enum":
            tables.append(AppTable(enums[block.name], (), Location(name, block.line), kind="enum"))
    tables.sort(key=lambda t: t.name)
    return AppSchema(AppFormat.PRISMA, tuple(tables), tuple(reader.diagnostics), (name,))


def _strip_comment(line: str) -> str:
    """The line without its `//` comment (outside strings)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"' and (index == 0 or line[index - 1] != "\\"):
            quoted = not quoted
        elif not quoted and line.startswith("//", index):
            return line[:index]
    return line


def _blocks(text: str, reader: _Reader) -> list[_Block]:
    """Top-level blocks with their lines; an unclosed block is reported and kept."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).strip()
        opening = _BLOCK.match(line)
        if opening:
            if current is not None:
                _unclosed(reader, current)
            current = _Block(opening.group(1), opening.group(2), number)
            blocks.append(current)
        elif line == "}" and current is not None:
            current = None
        elif line and current is not None:
            current.lines.append((number, line))
        elif line:
            reader.warn(number, f"unexpected text outside a block: {line[:60]}", _PARSE)
    if current is not None:
        _unclosed(reader, current)
    return blocks


_PARSE = DiagnosticCode.PARSE_ERROR


def _unclosed(reader: _Reader, block: _Block) -> None:
    reader.warn(block.line, f"{block.kind} '{block.name}' is not closed with '}}'", _PARSE)


def _provider(blocks: list[_Block]) -> str:
    for block in blocks:
        if block.kind == "datasource":
            for _, line in block.lines:
                if match := _PROVIDER.match(line):
                    return match.group(1)
    return "postgresql"


def _attributes(text: str) -> list[tuple[str, str]]:
    """`@name(args)` / `@@name(args)` pairs, with balanced parentheses and strings."""
    found: list[tuple[str, str]] = []
    position = 0
    while match := _ATTRIBUTE.search(text, position):
        end = match.end()
        args = ""
        if end < len(text) and text[end] == "(":
            close = _closing(text, end)
            args, end = text[end + 1 : close], close + 1
        found.append((match.group(0), args))
        position = end
    return found


def _closing(text: str, start: int) -> int:
    depth, quoted = 0, False
    for index in range(start, len(text)):
        char = text[index]
        if char == '"' and text[index - 1] != "\\":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                return index
    return len(text) - 1


def _first_string(args: str) -> str | None:
    match = _STRING.search(args)
    return match.group(1) if match else None


def _db_name(block: _Block) -> str:
    """The block's database name: `@@map`, qualified by `@@schema`."""
    name, schema = block.name, None
    for _, line in block.lines:
        for attribute, args in _attributes(line) if line.startswith("@@") else []:
            if attribute == "@@map":
                name = _first_string(args) or name
            elif attribute == "@@schema":
                schema = _first_string(args)
    return f"{schema}.{name}" if schema else name


def _table(
    block: _Block,
    reader: _Reader,
    types: dict[str, str],
    models: set[str],
    enums: dict[str, str],
) -> AppTable:
    columns: list[AppColumn] = []
    key: set[str] = set()
    for number, line in block.lines:
        if line.startswith("@@"):
            key.update(_block_attributes(line, number, reader))
            continue
        column = _column(line, number, reader, types, models, enums)
        if column is not None:
            columns.append(column)
    columns = [
        AppColumn(c.name, c.data_type, False, c.location) if c.name in key else c for c in columns
    ]
    kind = "view" if block.kind == "view" else "table"
    return AppTable(_db_name(block), tuple(columns), Location(reader.path, block.line), kind=kind)


def _block_attributes(line: str, number: int, reader: _Reader) -> set[str]:
    """Check block attributes; return the fields of a composite `@@id([...])`."""
    key: set[str] = set()
    for attribute, args in _attributes(line):
        if attribute[2:] not in _BLOCK_ATTRIBUTES:
            reader.warn(number, f"unknown block attribute {attribute}", _UNSUPPORTED)
        elif attribute == "@@id":
            key.update(re.findall(r"\w+", args.split("]")[0]))
    return key


_UNSUPPORTED = DiagnosticCode.UNSUPPORTED_STATEMENT


def _column(
    line: str,
    number: int,
    reader: _Reader,
    types: dict[str, str],
    models: set[str],
    enums: dict[str, str],
) -> AppColumn | None:
    """A scalar or enum field's column; None for a relation field or an unreadable line."""
    match = _FIELD.match(line)
    if match is None:
        reader.warn(number, f"cannot read field: {line[:60]}", _PARSE)
        return None
    name, type_name, is_list, optional, rest = match.groups()
    attributes = _attributes(rest)
    if type_name in models or any(a == "@relation" for a, _ in attributes):
        return None
    column_name, native = name, None
    for attribute, args in attributes:
        base = attribute[1:].split(".")[0]
        if base not in _FIELD_ATTRIBUTES:
            reader.warn(number, f"unknown field attribute {attribute} on '{name}'", _UNSUPPORTED)
        elif attribute == "@map":
            column_name = _first_string(args) or name
        elif base == "db":
            native = _native(attribute[4:], args)
    data_type = native or _scalar(type_name, types, enums)
    if data_type is None:
        reader.warn(number, f"unknown type '{type_name}' of field '{name}'", _UNSUPPORTED)
    elif is_list:
        data_type += "[]"
    location = Location(reader.path, number)
    return AppColumn(column_name, data_type, bool(optional), location)


def _scalar(type_name: str, types: dict[str, str], enums: dict[str, str]) -> str | None:
    if type_name in types:
        return types[type_name]
    if type_name in enums:
        return enums[type_name]
    if type_name.startswith("Unsupported("):
        return _first_string(type_name)
    return None


def _native(name: str, args: str) -> str:
    """`@db.VarChar(255)` -> `varchar(255)`; `@db.DoublePrecision` -> `double precision`."""
    sql = _NATIVE.get(name.lower(), name.lower())
    params = ",".join(part.strip() for part in args.split(",") if part.strip())
    return f"{sql}({params})" if params else sql
