"""ALTER TABLE: rename the relation or a column, add, drop or retype columns."""

from __future__ import annotations

from sqlglot import exp

from lineage.entities import DiagnosticCode, Location
from lineage.sql.prepare import relation_name
from lineage.sql.recorder import Recorder


def apply_alter(recorder: Recorder, tree: exp.Expr, line: int) -> bool:
    """Apply each action of an ALTER TABLE; False when it does not concern a table."""
    if str(tree.args.get("kind") or "TABLE").upper() not in {"TABLE", "VIEW"}:
        return False
    target = tree.this
    if not isinstance(target, exp.Table):
        return False
    name = relation_name(target)
    for action in tree.args.get("actions") or []:
        name = _apply(recorder, name, action, line)
    return True


def _apply(recorder: Recorder, name: str, action: exp.Expr, line: int) -> str:
    if isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table):
        new = _renamed(name, action.this)
        if not recorder.catalog.rename(name, new):
            _unknown(recorder, name, line)
        return new
    relation = recorder.catalog.get(name)
    if relation is None:
        _unknown(recorder, name, line)
        return name
    if isinstance(action, exp.RenameColumn):
        column = relation.column(action.this.name)
        if column is not None:
            column.name = action.args["to"].name
            column.location = Location(recorder.path, line)
    elif isinstance(action, exp.ColumnDef):
        kind = action.args.get("kind")
        recorder.catalog.column_id(relation, action.name, Location(recorder.path, line))
        added = relation.column(action.name)
        if added is not None:
            added.inferred = False
            added.data_type = kind.sql(dialect=recorder.dialect) if kind is not None else None
    elif isinstance(action, exp.Drop) and str(action.args.get("kind")).upper() == "COLUMN":
        for column in action.args.get("tables") or []:
            state = relation.column(column.name)
            if state is not None:
                state.dropped = True
                state.location = Location(recorder.path, line)
    elif isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
        state = relation.column(action.name)
        if state is not None:
            state.data_type = action.args["dtype"].sql(dialect=recorder.dialect)
            state.location = Location(recorder.path, line)
    return name


def _renamed(old: str, table: exp.Table) -> str:
    """`ALTER TABLE s.t RENAME TO u` keeps the schema in most warehouses."""
    new = relation_name(table)
    if "." not in new and "." in old:
        return old.rsplit(".", 1)[0] + "." + new
    return new


def _unknown(recorder: Recorder, name: str, line: int) -> None:
    recorder.diagnose(
        line,
        DiagnosticCode.UNKNOWN_RELATION,
        f"ALTER of {name}, which no earlier statement defines",
        name,
    )
