"""Replay SQL DDL statements, in order, on a small in-memory schema.

Each statement is split with `split_statements` (file lines kept) and parsed with sqlglot in
the application's dialect; nothing is executed. CREATE / ALTER / DROP of tables, views,
materialized views and enum types move the schema; indexes, comments, grants, settings,
sequences and constraints other than primary keys are ignored without noise. Procedural
blocks and statements sqlglot cannot parse become diagnostics and the rest is replayed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.app.tables import AppColumn, AppTable
from lineage.sql.split import StatementText, split_statements

__all__ = ["SchemaState", "replay"]

logging.getLogger("sqlglot").setLevel(logging.CRITICAL)  # failures become diagnostics

_QUOTED = re.compile(r'("[^"]*"|`[^`]*`)')


@dataclass
class Column:
    """A column while the schema is being replayed."""

    name: str
    data_type: str | None
    nullable: bool | None
    location: Location | None
    renamed_from: list[str] = field(default_factory=list)

    def freeze(self) -> AppColumn:
        return AppColumn(
            self.name, self.data_type, self.nullable, self.location, tuple(self.renamed_from)
        )


@dataclass
class Table:
    """A table, view or enum while the schema is being replayed; columns in definition order."""

    name: str
    kind: str
    location: Location | None
    columns: dict[str, Column] = field(default_factory=dict)
    renamed_from: list[str] = field(default_factory=list)
    dropped: dict[str, Location] = field(default_factory=dict)

    def add(self, column: Column) -> None:
        self.columns[column.name] = column
        self.dropped.pop(column.name, None)

    def drop_column(self, name: str, location: Location) -> None:
        del self.columns[name]
        self.dropped[name] = location

    def set_primary_key(self, names: list[str]) -> None:
        for name in names:
            if name in self.columns:
                self.columns[name].nullable = False

    def rename_column(self, old: str, new: str, location: Location) -> None:
        """Rename in place (the column keeps its position), recording the old name."""
        column = self.columns[old]
        column.renamed_from.append(old)
        column.name, column.location = new, location
        self.replace(old, column)

    def replace(self, old: str, column: Column) -> None:
        """Put `column` where the column `old` was."""
        items = [(column.name, column) if n == old else (n, c) for n, c in self.columns.items()]
        self.columns = dict(items)

    def freeze(self) -> AppTable:
        columns = tuple(c.freeze() for c in self.columns.values())
        dropped = tuple(sorted(self.dropped.items()))
        return AppTable(
            self.name, columns, self.location, tuple(self.renamed_from), self.kind, dropped
        )


@dataclass
class SchemaState:
    """Every table after the statements replayed so far."""

    tables: dict[str, Table] = field(default_factory=dict)

    def find(self, name: str) -> Table | None:
        """The table named `name`; an unqualified and a qualified name match when unique."""
        if name in self.tables:
            return self.tables[name]
        last = name.rsplit(".", 1)[-1]
        found = [t for key, t in self.tables.items() if key.rsplit(".", 1)[-1] == last]
        return found[0] if len(found) == 1 else None

    def put(self, table: Table) -> None:
        self.remove(table.name)
        self.tables[table.name] = table

    def remove(self, name: str) -> None:
        table = self.find(name)
        if table is not None:
            del self.tables[table.name]

    def rename(self, table: Table, new: str) -> None:
        del self.tables[table.name]
        table.renamed_from.append(table.name)
        if "." in table.name and "." not in new:  # RENAME TO keeps the schema
            new = f"{table.name.rsplit('.', 1)[0]}.{new}"
        table.name = new
        self.tables[new] = table

    def freeze(self) -> tuple[AppTable, ...]:
        return tuple(self.tables[name].freeze() for name in sorted(self.tables))


def column_type(kind: exp.DataType, dialect: str) -> str:
    """The type as sqlglot writes it in `dialect`, lower case outside quoted names."""
    text = kind.sql(dialect=dialect)
    return "".join(
        part if _QUOTED.fullmatch(part) else part.lower() for part in _QUOTED.split(text)
    )


_PROCEDURAL = re.compile(
    r"^\s*(?:DO\b|CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?"
    r"(?:FUNCTION|PROCEDURE|TRIGGER|EVENT)\b|DELIMITER\b|BEGIN\b|END\b)",
    re.IGNORECASE,
)
_QUIET_COMMAND = re.compile(
    r"^\s*(?:ALTER\s+(?:TABLE\s+(?:ONLY\s+)?\S+\s+OWNER\s+TO|SEQUENCE|SCHEMA|EXTENSION|"
    r"FUNCTION|TYPE\s+\S+\s+OWNER|DEFAULT\s+PRIVILEGES|DATABASE|ROLE|USER|INDEX)|"
    r"CREATE\s+(?:EXTENSION|SCHEMA|SEQUENCE|ROLE|USER|DATABASE|COLLATION|DOMAIN|"
    r"(?:UNIQUE\s+)?INDEX|STATISTICS|AGGREGATE|OPERATOR|CAST|PUBLICATION|POLICY|RULE)|"
    r"LOCK\s+TABLES|UNLOCK\s+TABLES|SELECT|SET|RESET|REVOKE|GRANT|COMMENT|ANALYZE|"
    r"VACUUM|REFRESH|START|COMMIT|ROLLBACK|USE|\\)",
    re.IGNORECASE,
)


@dataclass
class _Replay:
    """One file's replay: where diagnostics go and which dialect parses it."""

    state: SchemaState
    path: str
    dialect: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def diagnose(self, line: int, code: DiagnosticCode, message: str, severity: Severity) -> None:
        self.diagnostics.append(Diagnostic(Location(self.path, line), code, severity, message))


def replay(state: SchemaState, path: str, text: str, dialect: str) -> list[Diagnostic]:
    """Apply every statement of `text` (the file `path`) to `state`; return the diagnostics."""
    run = _Replay(state, path, dialect)
    split = split_statements(text, dialect)
    if split.error:
        run.diagnose(split.error_line, DiagnosticCode.PARSE_ERROR, split.error, Severity.WARNING)
    for statement in split.statements:
        tree = _parse(run, statement, text)
        if tree is not None:
            _apply(run, tree, statement)
    return run.diagnostics


def _parse(run: _Replay, statement: StatementText, text: str) -> exp.Expr | None:
    try:
        if statement.tokens:
            parser = Dialect.get_or_raise(run.dialect).parser()
            trees = parser.parse(list(statement.tokens), text)
        else:
            trees = [exp.maybe_parse(statement.sql, dialect=run.dialect)]
    except (ParseError, TokenError) as error:
        _unparsable(run, statement, _first_line(str(error)))
        return None
    except (SqlglotError, RecursionError, ValueError) as error:
        _unparsable(run, statement, _first_line(str(error)))
        return None
    tree = trees[0] if trees else None
    if tree is None:
        return None
    return normalize_identifiers(tree, dialect=run.dialect)


def _unparsable(run: _Replay, statement: StatementText, reason: str) -> None:
    if _PROCEDURAL.match(statement.sql):
        _procedural(run, statement.line, statement.sql)
        return
    run.diagnose(
        statement.line,
        DiagnosticCode.PARSE_ERROR,
        f"cannot parse statement, schema changes in it are not replayed: {reason}",
        Severity.WARNING,
    )


def _procedural(run: _Replay, line: int, sql: str) -> None:
    head = " ".join(sql.split()[:3])
    run.diagnose(
        line,
        DiagnosticCode.UNSUPPORTED_STATEMENT,
        f"procedural code is not analysed ({head} ...); any schema change it makes is not replayed",
        Severity.WARNING,
    )


def _apply(run: _Replay, tree: exp.Expr, statement: StatementText) -> None:
    if isinstance(tree, exp.Block):
        for inner in tree.expressions:
            _apply(run, inner, statement)
    elif isinstance(tree, exp.Create):
        _create(run, tree, statement)
    elif isinstance(tree, exp.Alter):
        _alter(run, tree, Location(run.path, statement.line))
    elif isinstance(tree, exp.Drop):
        _drop(run, tree)
    elif isinstance(tree, exp.Command):
        _command(run, statement)


def _command(run: _Replay, statement: StatementText) -> None:
    sql = statement.sql
    if _PROCEDURAL.match(sql):
        _procedural(run, statement.line, sql)
    elif not _QUIET_COMMAND.match(sql):
        head = " ".join(sql.split()[:4])
        run.diagnose(
            statement.line,
            DiagnosticCode.UNSUPPORTED_STATEMENT,
            f"statement not understood, any schema change it makes is not replayed: {head} ...",
            Severity.WARNING,
        )


def _create(run: _Replay, tree: exp.Create, statement: StatementText) -> None:
    kind = str(tree.args.get("kind") or "").upper()
    location = Location(run.path, statement.line)
    if kind in {"FUNCTION", "PROCEDURE"}:
        _procedural(run, statement.line, statement.sql)
    elif kind == "TYPE":
        _create_enum(run.state, tree, location)
    elif kind in {"TABLE", "VIEW"}:
        name = _target_name(tree.this)
        if name is None:
            return
        if tree.args.get("exists") and run.state.find(name) is not None:
            return
        table = Table(name, _view_kind(tree) if kind == "VIEW" else "table", location)
        if isinstance(tree.this, exp.Schema):
            _schema_columns(table, tree.this, location, run.dialect)
        if not table.columns and isinstance(tree.expression, exp.Query):
            _query_columns(table, tree.expression, location)
        run.state.put(table)


def _create_enum(state: SchemaState, tree: exp.Create, location: Location) -> None:
    target = tree.expression
    if isinstance(target, exp.DataType) and target.is_type(exp.DataType.Type.ENUM):
        name = _target_name(tree.this)
        if name is not None:
            state.put(Table(name, "enum", location))


def _view_kind(tree: exp.Create) -> str:
    properties = tree.args.get("properties")
    if properties and properties.find(exp.MaterializedProperty):
        return "materialized_view"
    return "view"


def _schema_columns(table: Table, schema: exp.Schema, location: Location, dialect: str) -> None:
    """Columns of `CREATE TABLE t (...)` (or a view's column list), then table constraints."""
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            table.add(column_from_def(item, location, dialect))
        elif isinstance(item, exp.Identifier):
            table.add(Column(item.name, None, None, location))
    for key in schema.find_all(exp.PrimaryKey):
        table.set_primary_key(key_names(key))


def _query_columns(table: Table, query: exp.Query, location: Location) -> None:
    selects = query.selects
    if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and s.is_star) for s in selects):
        return
    for name in query.named_selects:
        if name:
            table.add(Column(name, None, None, location))


def _drop(run: _Replay, tree: exp.Drop) -> None:
    kind = str(tree.args.get("kind") or "").upper()
    if kind not in {"TABLE", "VIEW", "TYPE"}:
        return
    for target in tree.args.get("tables") or []:
        name = _target_name(target)
        if name is not None:
            run.state.remove(name)


def at(node: exp.Expr, location: Location) -> Location:
    """`location` moved to the line of `node`'s first name, where the parser recorded one."""
    name = node.find(exp.Identifier)
    line = name.meta.get("line") if name is not None else None
    return Location(location.path, int(line)) if line else location


def column_from_def(item: exp.ColumnDef, location: Location, dialect: str) -> Column:
    """An in-memory column from a sqlglot column definition (type, NULL / NOT NULL, PK),
    located at the line of its own name when the statement was parsed from file tokens."""
    location = at(item, location)
    kind = item.args.get("kind")
    data_type = column_type(kind, dialect) if isinstance(kind, exp.DataType) else None
    nullable = True  # SQL: a column is nullable unless it says otherwise
    for constraint in item.constraints:
        inner = constraint.args.get("kind")
        if isinstance(inner, exp.NotNullColumnConstraint):
            nullable = bool(inner.args.get("allow_null"))
        elif isinstance(inner, exp.PrimaryKeyColumnConstraint):
            nullable = False
    return Column(item.name, data_type, nullable, location)


def key_names(key: exp.Expr) -> list[str]:
    """Column names of a PRIMARY KEY (...) constraint."""
    names: list[str] = []
    for part in key.expressions:
        node = part.this if isinstance(part, exp.Ordered) else part
        if isinstance(node, exp.Identifier | exp.Column):
            names.append(node.name)
    return names


def _target_name(node: exp.Expr | None) -> str | None:
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        return table_name(node)
    return None


def table_name(table: exp.Table) -> str:
    """`schema.table` as written (catalog too), without quotes."""
    return ".".join(part.name for part in table.parts)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "no detail"


def _alter(run: _Replay, tree: exp.Alter, location: Location) -> None:
    """ALTER TABLE / VIEW: each action in order on the table it names."""
    kind = str(tree.args.get("kind") or "").upper()
    if kind not in {"TABLE", "VIEW", "MATERIALIZED VIEW"} or not isinstance(tree.this, exp.Table):
        return
    name = table_name(tree.this)
    table = run.state.find(name)
    if table is None:
        if not tree.args.get("exists"):
            run.diagnose(
                location.line,
                DiagnosticCode.UNKNOWN_RELATION,
                f"ALTER of table '{name}', which no earlier statement creates; not replayed",
                Severity.WARNING,
            )
        return
    for action in tree.args.get("actions") or []:
        _alter_action(run, table, tree, action, location)


def _alter_action(
    run: _Replay, table: Table, tree: exp.Alter, action: exp.Expr, location: Location
) -> None:
    if isinstance(action, exp.ColumnDef):
        if not (action.args.get("exists") and action.name in table.columns):
            table.add(column_from_def(action, location, run.dialect))
    elif isinstance(action, exp.Drop):
        for target in action.args.get("tables") or []:
            if _known(run, table, target.name, location, quiet=bool(action.args.get("exists"))):
                table.drop_column(target.name, at(target, location))
    elif isinstance(action, exp.RenameColumn):
        old, new = action.this.name, action.args["to"].name
        if _known(run, table, old, location):
            table.rename_column(old, new, at(action, location))
    elif isinstance(action, exp.AlterRename):
        _rename(run, table, tree, action, location)
    elif isinstance(action, exp.AlterColumn):
        _alter_column(run, table, action, location)
    elif isinstance(action, exp.ModifyColumn):
        _modify_column(run, table, action, location)
    elif isinstance(action, exp.AddConstraint):
        for key in action.find_all(exp.PrimaryKey):
            table.set_primary_key(key_names(key))


def _rename(
    run: _Replay, table: Table, tree: exp.Alter, action: exp.AlterRename, location: Location
) -> None:
    """RENAME TO, or PostgreSQL's `RENAME a TO b` (COLUMN omitted), which sqlglot reads so."""
    options = tree.args.get("options") or []
    target = options[0].this if options and isinstance(options[0], exp.ToTableProperty) else None
    if isinstance(target, exp.Table) and isinstance(action.this, exp.Table):
        old, new = action.this.name, target.name
        if _known(run, table, old, location):
            table.rename_column(old, new, location)
    elif isinstance(action.this, exp.Table):
        run.state.rename(table, table_name(action.this))


def _alter_column(run: _Replay, table: Table, action: exp.AlterColumn, location: Location) -> None:
    if not _known(run, table, action.name, location):
        return
    column = table.columns[action.name]
    dtype = action.args.get("dtype")
    if isinstance(dtype, exp.DataType):
        column.data_type = column_type(dtype, run.dialect)
        column.location = at(action, location)
    elif action.args.get("allow_null") is not None:
        column.nullable = bool(action.args.get("allow_null"))


def _modify_column(
    run: _Replay, table: Table, action: exp.ModifyColumn, location: Location
) -> None:
    """MySQL MODIFY / CHANGE COLUMN: the column is redefined (and renamed by CHANGE)."""
    definition = action.this
    if not isinstance(definition, exp.ColumnDef):
        return
    old_name = action.args.get("rename_from")
    old = old_name.name if isinstance(old_name, exp.Expr) else definition.name
    if not _known(run, table, old, location):
        return
    replacement = column_from_def(definition, location, run.dialect)
    history = table.columns[old].renamed_from
    replacement.renamed_from = [*history, old] if old != replacement.name else list(history)
    table.replace(old, replacement)


def _known(
    run: _Replay, table: Table, column: str, location: Location, quiet: bool = False
) -> bool:
    if column in table.columns:
        return True
    if not quiet:
        run.diagnose(
            location.line,
            DiagnosticCode.UNKNOWN_COLUMN,
            f"column '{column}' of '{table.name}' is not defined by any earlier statement",
            Severity.WARNING,
        )
    return False
