"""SQLAlchemy models read statically: declarative classes and Core `Table(...)` definitions.

Reads `__tablename__`, `__table_args__ = {"schema": ...}`, `Column(...)`, `mapped_column(...)`
and `Mapped[...]` annotations (including Flask-SQLAlchemy's `db.Column`), mixins and
`__abstract__` bases, single-table inheritance (a subclass without `__tablename__` adds its
columns to its parent's table), `declared_attr` methods returning a column, and Core
`Table("name", metadata, Column(...), schema=...)`. Types are reported as PostgreSQL names.

Only `ast.parse` is used: nothing from the project is imported or executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.app import python_source as ps
from lineage.sources.app.tables import AppColumn, AppFormat, AppSchema, AppTable
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES

_COLUMN_CALLS = frozenset({"Column", "mapped_column"})
_NOT_TYPE_ARGS = frozenset({"ForeignKey", "Sequence", "Identity", "Computed", "CheckConstraint"})
_SIMPLE_TYPES = {
    "text": "text",
    "unicodetext": "text",
    "integer": "integer",
    "int": "integer",
    "biginteger": "bigint",
    "bigint": "bigint",
    "smallinteger": "smallint",
    "smallint": "smallint",
    "float": "float",
    "double": "double precision",
    "double_precision": "double precision",
    "real": "real",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
    "interval": "interval",
    "largebinary": "bytea",
    "bytea": "bytea",
    "blob": "bytea",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "inet": "inet",
    "cidr": "cidr",
    "hstore": "hstore",
}
_STRING_TYPES = {"string": "varchar", "unicode": "varchar", "varchar": "varchar",
                 "nvarchar": "varchar", "char": "char", "nchar": "char"}  # fmt: skip
_PYTHON_TYPES = {
    "int": "integer",
    "str": "varchar",
    "bool": "boolean",
    "float": "float",
    "Decimal": "numeric",
    "datetime": "timestamp",
    "date": "date",
    "time": "time",
    "timedelta": "interval",
    "bytes": "bytea",
    "UUID": "uuid",
}


@dataclass
class _Column:
    attr: str
    name: str
    data_type: str | None
    nullable: bool | None
    location: Location
    foreign_key: str | None = None  # "table.column", or "Class.attr"


@dataclass
class _Class:
    cls: ast.ClassDef
    file: ps.PythonFile
    attrs: dict[str, ast.expr | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.cls.name

    def location(self, line: int | None = None) -> Location:
        return Location(self.file.path, line or self.cls.lineno)


def read_sqlalchemy(root: Path) -> AppSchema:
    """Every SQLAlchemy table under `root`, sorted by name, with diagnostics."""
    reader = _Reader()
    applied: list[str] = []
    for path in ps.discover(root, _uses_sqlalchemy):
        name = ps.relative(path, root)
        parsed, problems = ps.read_python(path, name)
        reader.diagnostics.extend(problems)
        if parsed is not None:
            applied.append(name)
            reader.add_file(parsed)
    return AppSchema(
        AppFormat.SQLALCHEMY, reader.tables(), tuple(sorted(reader.diagnostics)), tuple(applied)
    )


def _uses_sqlalchemy(path: Path) -> bool:
    try:
        if path.stat().st_size > DEFAULT_MAX_FILE_BYTES:
            return True  # read_python reports it
        return b"sqlalchemy" in path.read_bytes().lower()
    except OSError:
        return True  # read_python reports it


class _Reader:
    """All classes and Core tables of all files, resolved into tables."""

    def __init__(self) -> None:
        self.classes: list[_Class] = []
        self.core: list[tuple[str, list[_Column], Location]] = []
        self.type_decorators: dict[str, ast.expr] = {}
        self.diagnostics: list[Diagnostic] = []

    def _warn(self, where: Location, message: str) -> None:
        self.diagnostics.append(
            Diagnostic(where, DiagnosticCode.UNSUPPORTED_STATEMENT, Severity.WARNING, message)
        )

    # -- collecting ---------------------------------------------------------------------

    def add_file(self, file: ps.PythonFile) -> None:
        names: set[str] = set()
        for node in file.tree.body:
            if isinstance(node, ast.ClassDef):
                names.add(node.name)
                self._add_class(node, file)
        for call in ast.walk(file.tree):
            if isinstance(call, ast.Call) and ps.call_name(call) == "Table" and len(call.args) > 1:
                self._add_core(call, file)
        for line, what in ps.module_dynamic_models(file.tree, names):
            self._warn(Location(file.path, line), f"{what} cannot be read statically; not read")

    def _add_class(self, node: ast.ClassDef, file: ps.PythonFile) -> None:
        bases = [ps.last_name(b) or "" for b in node.bases]
        item = _Class(node, file)
        for name, value, _ in ps.class_assignments(node):
            item.attrs[name] = value
        if "TypeDecorator" in bases and isinstance(item.attrs.get("impl"), ast.expr):
            self.type_decorators[node.name] = item.attrs["impl"]  # type: ignore[assignment]
            return
        self.classes.append(item)
        for stmt in ps.dynamic_statements(node):
            self._warn(
                item.location(stmt.lineno), f"columns of {node.name} built at run time are not read"
            )

    def _add_core(self, call: ast.Call, file: ps.PythonFile) -> None:
        where = Location(file.path, call.lineno)
        name = ps.literal(call.args[0], file.constants)
        if not isinstance(name, str):
            self._warn(where, "Table(...) name is computed; the table is not read")
            return
        if (
            ps.keyword(call, "autoload_with") is not None
            or ps.keyword(call, "autoload") is not None
        ):
            self._warn(where, f"table {name} is reflected from the database; columns not read")
        schema = ps.literal(ps.keyword(call, "schema"), file.constants)
        columns = [
            self._column(arg, None, None, file)
            for arg in call.args[2:]
            if ps.call_name(arg) in _COLUMN_CALLS
        ]
        for arg in call.args[2:]:
            if isinstance(arg, ast.Starred):
                self._warn(
                    Location(file.path, arg.lineno),
                    f"columns of {name} built at run time are not read",
                )
        qualified = f"{schema}.{name}" if isinstance(schema, str) else name
        self.core.append((qualified, [c for c in columns if c], where))

    # -- columns ------------------------------------------------------------------------

    def _column(
        self, call: ast.expr, attr: str | None, annotation: ast.expr | None, file: ps.PythonFile
    ) -> _Column | None:
        """A column from `Column(...)` / `mapped_column(...)` and its `Mapped[...]` annotation."""
        if not isinstance(call, ast.Call):
            return None
        consts = file.constants
        args = list(call.args)
        first = ps.literal(args[0], consts) if args else None
        name = first if isinstance(first, str) else ps.literal(ps.keyword(call, "name"), consts)
        if not isinstance(name, str):
            name = attr
        if name is None:
            self._warn(Location(file.path, call.lineno), "column name is computed; not read")
            return None
        where = Location(file.path, call.lineno)
        type_node = ps.keyword(call, "type_") or next(
            (
                a
                for a in args
                if not isinstance(a, ast.Constant) and ps.call_name(a) not in _NOT_TYPE_ARGS
            ),
            None,
        )
        optional, python_type = _annotation(annotation)
        data_type = self._sql_type(type_node, consts, where) if type_node else python_type
        if type_node is None and annotation is not None and python_type is None:
            self._warn(where, f"column {name}: the annotation's type is not known; type not read")
        return _Column(
            attr or name,
            name,
            data_type,
            _nullable(call, consts, optional),
            where,
            _foreign_key(args),
        )

    def _sql_type(self, node: ast.expr, consts: dict[str, object], where: Location) -> str | None:
        call = node if isinstance(node, ast.Call) else None
        name = ps.last_name(call.func if call else node) or ""
        if name in self.type_decorators:
            return self._sql_type(self.type_decorators[name], consts, where)
        key = name.lower()
        values = [ps.literal(a, consts) for a in call.args] if call else []
        result = _known_type(key, call, values, consts)
        if key in {"array"} and call and call.args:
            inner = self._sql_type(call.args[0], consts, where)
            result = f"{inner}[]" if inner else None
        if result is None:
            self._warn(where, f"column type {name or '?'} is not known; its SQL type is not read")
        return result

    def _class_columns(self, item: _Class) -> list[_Column]:
        """The columns declared in a class body, in order."""
        columns: list[_Column] = []
        for stmt in item.cls.body:
            column: _Column | None = None
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                column = self._statement_column(stmt, item)
            elif isinstance(stmt, ast.FunctionDef) and _is_declared_attr(stmt):
                column = self._declared_column(stmt, item)
            if column is not None:
                columns.append(column)
        return columns

    def _statement_column(self, stmt: ast.Assign | ast.AnnAssign, item: _Class) -> _Column | None:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        if not isinstance(target, ast.Name) or target.id.startswith("__"):
            return None
        annotation = stmt.annotation if isinstance(stmt, ast.AnnAssign) else None
        if annotation is not None and not _is_mapped(annotation):
            return None
        if stmt.value is not None:
            if ps.call_name(stmt.value) not in _COLUMN_CALLS:
                return None
            return self._column(stmt.value, target.id, annotation, item.file)
        if annotation is None or _is_relationship_annotation(annotation, self.classes):
            return None
        bare = ast.Call(ast.Name("mapped_column"), [], [], lineno=stmt.lineno, col_offset=0)
        return self._column(bare, target.id, annotation, item.file)

    def _declared_column(self, func: ast.FunctionDef, item: _Class) -> _Column | None:
        returned = [s.value for s in func.body if isinstance(s, ast.Return) and s.value]
        if func.name.startswith("__") or not returned:
            return None
        if ps.call_name(returned[-1]) not in _COLUMN_CALLS:
            if ps.call_name(returned[-1]) != "relationship":
                self._warn(
                    item.location(func.lineno), f"declared_attr {func.name} is computed; not read"
                )
            return None
        return self._column(returned[-1], func.name, func.returns, item.file)

    # -- classes ------------------------------------------------------------------------

    def resolve(self, name: str, origin: _Class) -> _Class | None:
        found = [c for c in self.classes if c.name == name and c is not origin]
        same_file = [c for c in found if c.file is origin.file]
        matches = same_file or found
        return matches[0] if matches else None

    def bases(self, item: _Class) -> list[_Class]:
        resolved = (self.resolve(ps.last_name(b) or "", item) for b in item.cls.bases)
        return [b for b in resolved if b is not None]

    def own_table(self, item: _Class) -> str | None:
        """The literal table name a class declares (schema-qualified), else None."""
        table = item.attrs.get("__table__")
        if ps.call_name(table) == "Table" and isinstance(table, ast.Call):
            name = ps.literal(table.args[0], item.file.constants)
            schema = ps.literal(ps.keyword(table, "schema"), item.file.constants)
            if isinstance(name, str):
                return f"{schema}.{name}" if isinstance(schema, str) else name
        name = ps.literal(item.attrs.get("__tablename__"), item.file.constants)
        if not isinstance(name, str):
            return None
        schema = _schema(item.attrs.get("__table_args__"), item.file.constants)
        return f"{schema}.{name}" if schema else name

    def mapped_ancestor(self, item: _Class, seen: frozenset[int] = frozenset()) -> _Class | None:
        for base in self.bases(item):
            if id(base) in seen:
                continue
            if self.own_table(base) and not _abstract(base):
                return base
            found = self.mapped_ancestor(base, seen | {id(item)})
            if found is not None:
                return found
        return None

    def columns(self, item: _Class, seen: frozenset[int] = frozenset()) -> list[_Column]:
        """Columns of mixins and abstract bases first, then the class's own."""
        inherited: list[_Column] = []
        for base in self.bases(item):
            if id(base) not in seen and not (self.own_table(base) and not _abstract(base)):
                inherited.extend(self.columns(base, seen | {id(item)}))
        own = self._class_columns(item)
        names = {c.attr for c in own}
        return [c for c in inherited if c.attr not in names] + own

    def computed_table(self, item: _Class) -> bool:
        """Whether the class (or a base) gives its table name by running code."""
        value = item.attrs.get("__tablename__", ast.Constant(None))
        if "__tablename__" in item.attrs and not isinstance(
            ps.literal(value, item.file.constants), str
        ):
            return True
        if any(isinstance(s, ast.FunctionDef) and s.name == "__tablename__" for s in item.cls.body):
            return True
        return any(self.computed_table(b) for b in self.bases(item) if b is not item)

    # -- tables -------------------------------------------------------------------------

    def tables(self) -> tuple[AppTable, ...]:
        specs: dict[str, tuple[list[_Column], Location]] = {}
        for name, columns, where in self.core:
            self._add_table(specs, name, columns, where)
        for item in self.classes:
            if "__table__" in item.attrs or _abstract(item):
                continue
            table = self.own_table(item)
            if table is not None:
                self._add_table(specs, table, self.columns(item), item.location())
            else:
                self._unnamed_class(item, specs)
        by_class = {c.name: self.own_table(c) for c in self.classes}
        return tuple(
            AppTable(name, self._resolved(specs[name][0], specs, by_class), specs[name][1])
            for name in sorted(specs)
        )

    def _unnamed_class(
        self, item: _Class, specs: dict[str, tuple[list[_Column], Location]]
    ) -> None:
        own = self._class_columns(item)
        parent = self.mapped_ancestor(item)
        if parent is not None:  # single-table inheritance
            parent_table = self.own_table(parent) or ""
            if parent_table in specs:
                specs[parent_table][0].extend(own)
        elif self.computed_table(item) and (own or self._has_mapped_base(item)):
            self._warn(item.location(), f"table name of {item.name} is computed; not read")

    def _has_mapped_base(self, item: _Class) -> bool:
        return any(ps.last_name(b) in {"Base", "Model", "DeclarativeBase"} for b in item.cls.bases)

    def _add_table(
        self,
        specs: dict[str, tuple[list[_Column], Location]],
        name: str,
        columns: list[_Column],
        where: Location,
    ) -> None:
        if name in specs:
            self.diagnostics.append(
                Diagnostic(
                    where,
                    DiagnosticCode.CONFIG_ERROR,
                    Severity.ERROR,
                    f"table {name} is already defined at {specs[name][1]}; this one is ignored",
                )
            )
            return
        specs[name] = (list(columns), where)

    def _resolved(
        self,
        columns: list[_Column],
        specs: dict[str, tuple[list[_Column], Location]],
        by_class: dict[str, str | None],
    ) -> tuple[AppColumn, ...]:
        """Columns without a type take the type of the column their ForeignKey names."""
        result: list[AppColumn] = []
        for column in columns:
            if column.data_type is None and column.foreign_key:
                column = replace(
                    column, data_type=_target_type(column.foreign_key, specs, by_class)
                )
            if any(c.name == column.name for c in result):
                self.diagnostics.append(
                    Diagnostic(
                        column.location,
                        DiagnosticCode.CONFIG_ERROR,
                        Severity.ERROR,
                        f"column {column.name} is defined twice in the same table",
                    )
                )
                continue
            result.append(
                AppColumn(column.name, column.data_type, column.nullable, column.location)
            )
        return tuple(result)


def _known_type(
    key: str, call: ast.Call | None, values: list[object], consts: dict[str, object]
) -> str | None:
    if key in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[key]
    length = (
        values[0] if values else ps.literal(ps.keyword(call, "length"), consts) if call else None
    )
    if key in _STRING_TYPES:
        base = _STRING_TYPES[key]
        return f"{base}({length})" if isinstance(length, int) else base
    if key in {"numeric", "decimal"}:
        scale = (
            values[1]
            if len(values) > 1
            else ps.literal(ps.keyword(call, "scale"), consts)
            if call
            else None
        )
        if isinstance(length, int):
            return f"numeric({length},{scale if isinstance(scale, int) else 0})"
        return "numeric"
    if key in {"datetime", "timestamp"}:
        timezone = ps.literal(ps.keyword(call, "timezone"), consts) if call else None
        return "timestamp with time zone" if timezone is True else "timestamp"
    if key == "enum" or key == "enum_":
        named = ps.literal(ps.keyword(call, "name"), consts) if call else None
        if isinstance(named, str):
            return named
        first = call.args[0] if call and call.args else None
        return first.id.lower() if isinstance(first, ast.Name) else "enum"
    return None


def _keyword(keywords: list[ast.keyword], name: str, consts: dict[str, object]) -> object:
    return ps.literal(next((k.value for k in keywords if k.arg == name), None), consts)


def _annotation(node: ast.expr | None) -> tuple[bool | None, str | None]:
    """(nullable, SQL type) from `Mapped[X]`, `Mapped[Optional[X]]` or `Mapped[X | None]`."""
    if node is None:
        return None, None
    if isinstance(node, ast.Subscript) and ps.last_name(node.value) == "Mapped":
        node = node.slice
    optional = False
    if isinstance(node, ast.Subscript) and ps.last_name(node.value) == "Optional":
        optional, node = True, node.slice
    elif isinstance(node, ast.Subscript) and ps.last_name(node.value) == "Union":
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        optional, node = _without_none(parts)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        optional, node = _without_none([node.left, node.right])
    name = ps.last_name(node) if isinstance(node, ast.expr) else None
    return optional, _PYTHON_TYPES.get(name or "")


def _without_none(parts: list[ast.expr]) -> tuple[bool, ast.expr]:
    kept = [p for p in parts if not (isinstance(p, ast.Constant) and p.value is None)]
    return len(kept) < len(parts), kept[0] if kept else ast.Constant(None)


def _nullable(call: ast.Call, consts: dict[str, object], optional: bool | None) -> bool | None:
    explicit = ps.literal(ps.keyword(call, "nullable"), consts)
    if isinstance(explicit, bool):
        return explicit
    if explicit is ps.NOT_LITERAL:
        return None
    if ps.literal(ps.keyword(call, "primary_key"), consts) is True:
        return False
    return True if optional is None else optional


def _foreign_key(args: list[ast.expr]) -> str | None:
    for arg in args:
        if ps.call_name(arg) == "ForeignKey" and isinstance(arg, ast.Call) and arg.args:
            target = arg.args[0]
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                return target.value
            return ps.dotted(target)
    return None


def _target_type(
    target: str, specs: dict[str, tuple[list[_Column], Location]], by_class: dict[str, str | None]
) -> str | None:
    owner, _, column = target.rpartition(".")
    table = by_class.get(owner) or owner
    columns = specs.get(table, ([], None))[0]
    match = next((c for c in columns if c.name == column or c.attr == column), None)
    return match.data_type if match else None


def _schema(node: ast.expr | None, consts: dict[str, object]) -> str | None:
    if isinstance(node, ast.Tuple) and node.elts:
        node = node.elts[-1]
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "schema":
                schema = ps.literal(value, consts)
                return schema if isinstance(schema, str) else None
    return None


def _abstract(item: _Class) -> bool:
    return ps.literal(item.attrs.get("__abstract__"), item.file.constants) is True


def _is_mapped(annotation: ast.expr) -> bool:
    return isinstance(annotation, ast.Subscript) and ps.last_name(annotation.value) == "Mapped"


def _is_relationship_annotation(annotation: ast.expr, classes: list[_Class]) -> bool:
    inner = annotation.slice if isinstance(annotation, ast.Subscript) else annotation
    if isinstance(inner, ast.Subscript):
        return ps.last_name(inner.value) in {"List", "list", "Set", "set", "Optional"} and (
            _is_relationship_annotation(inner, classes) or ps.last_name(inner.value) != "Optional"
        )
    if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
        return True  # a forward reference to a class
    return ps.last_name(inner) in {c.name for c in classes}


def _is_declared_attr(func: ast.FunctionDef) -> bool:
    return any(
        ps.last_name(d.func if isinstance(d, ast.Call) else d) in {"declared_attr", "directive"}
        or (isinstance(d, ast.Attribute) and d.attr in {"directive", "cascading"})
        for d in func.decorator_list
    )
