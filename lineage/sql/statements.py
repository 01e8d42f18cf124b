"""What each kind of statement does to the catalog and which edges it writes.

CREATE TABLE/VIEW (AS SELECT), INSERT (OVERWRITE) ... SELECT, MERGE, UPDATE ... FROM, DELETE,
ALTER TABLE (RENAME, RENAME/ADD/DROP/ALTER COLUMN) and DROP. Anything else that moves data is
reported as unsupported; statements that do not (GRANT, SET, CREATE INDEX) are passed over.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from sqlglot import exp

from lineage.catalog import RelationState
from lineage.entities import DiagnosticCode, EdgeKind, Location, RelationKind, Severity
from lineage.sql.prepare import relation_name
from lineage.sql.reads import QueryLineage
from lineage.sql.recorder import Recorder, _IdEdge


class Outcome(Enum):
    """What became of one statement, for the coverage figures."""

    ANALYSED = "analysed"
    PASSED_OVER = "passed_over"
    FAILED = "failed"


def apply_statement(recorder: Recorder, tree: exp.Expr, line: int) -> Outcome:
    handler = _HANDLERS.get(type(tree))
    if handler is not None:
        return handler(recorder, tree, line)
    if isinstance(tree, exp.Command):
        return _command(recorder, tree, line)
    return Outcome.PASSED_OVER


#: Statements sqlglot reads only as an opaque command but that move no data between tables.
_NO_DATA_MOVED = (
    "FUNCTION",
    "PROCEDURE",
    "TRIGGER",
    "EXTENSION",
    "INDEX",
    "SEQUENCE",
    "ROLE",
    "USER",
    "SCHEMA",
    "DATABASE",
    "TYPE",
    "DOMAIN",
    "POLICY",
    "STAGE",
    "FILE FORMAT",
    "WAREHOUSE",
    "OR REPLACE FUNCTION",
    "OR REPLACE PROCEDURE",
    "OR REPLACE TRIGGER",
)
_DATA_STATEMENTS = frozenset(
    {
        "CREATE",
        "INSERT",
        "MERGE",
        "UPDATE",
        "DELETE",
        "WITH",
        "SELECT",
        "ALTER",
        "REPLACE",
        "UPSERT",
    }
)


#: Opaque commands that can move data lineage cannot see (so who-uses may be incomplete).
_MAY_MOVE_DATA = frozenset({"CALL", "EXEC", "EXECUTE", "COPY", "UNLOAD", "LOAD", "IMPORT"})


def _command(recorder: Recorder, tree: exp.Command, line: int) -> Outcome:
    """sqlglot could only read the statement as an opaque command.

    A statement that moves data but did not parse is a parse error; CALL, COPY and the like
    are reported as not analysed (a blind spot); the rest (CREATE FUNCTION, VACUUM, SET, ...)
    move no data between relations and are listed for information only.
    """
    verb = tree.name.upper()
    expression = tree.expression
    rest = str(expression.this if isinstance(expression, exp.Expr) else expression or "")
    if verb in _DATA_STATEMENTS and not rest.strip().upper().startswith(_NO_DATA_MOVED):
        recorder.diagnose(
            line,
            DiagnosticCode.PARSE_ERROR,
            f"cannot parse this {verb} statement in the {recorder.dialect} dialect "
            "(it is not valid SQL there, or uses syntax lineage cannot read yet)",
        )
        return Outcome.FAILED
    if verb in _MAY_MOVE_DATA:
        recorder.diagnose(
            line,
            DiagnosticCode.UNSUPPORTED_STATEMENT,
            f"{verb} is not analysed: the data it moves is not in the lineage",
        )
        return Outcome.FAILED
    recorder.diagnose(
        line,
        DiagnosticCode.UNSUPPORTED_STATEMENT,
        f"{verb} statement passed over: it moves no data between relations",
        severity=Severity.INFO,
    )
    return Outcome.PASSED_OVER


# -- CREATE ---------------------------------------------------------------------------------


def _create(recorder: Recorder, tree: exp.Expr, line: int) -> Outcome:
    kind = _relation_kind(tree)
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if kind is None or not isinstance(target, exp.Table):
        return Outcome.PASSED_OVER
    name = relation_name(target)
    if tree.args.get("exists") and recorder.catalog.get(name) is not None:
        return Outcome.ANALYSED
    if isinstance(tree.expression, exp.Query):
        declared = _declared_names(tree.this)
        return _create_as(recorder, name, kind, tree.expression, declared, line)
    like = tree.find(exp.LikeProperty)
    clone = tree.args.get("clone")
    origin = like if like is not None else clone
    if origin is not None:
        source = origin.this
        return _create_like(recorder, name, kind, source, line, copies_data=clone is not None)
    columns = _column_definitions(recorder, tree.this, line)
    recorder.define(name, kind, line, columns)
    return Outcome.ANALYSED


def _relation_kind(tree: exp.Expr) -> RelationKind | None:
    kind = str(tree.args.get("kind") or "").upper()
    if kind == "VIEW":
        materialized = tree.find(exp.MaterializedProperty) is not None
        return RelationKind.MATERIALIZED_VIEW if materialized else RelationKind.VIEW
    return RelationKind.TABLE if kind == "TABLE" else None


def _declared_names(schema: exp.Expr) -> list[str] | None:
    if not isinstance(schema, exp.Schema) or not schema.expressions:
        return None
    return [e.name for e in schema.expressions]


def _column_definitions(
    recorder: Recorder, schema: exp.Expr, line: int
) -> list[tuple[str, str | None, Location | None]]:
    if not isinstance(schema, exp.Schema):
        return []
    columns: list[tuple[str, str | None, Location | None]] = []
    for definition in schema.expressions:
        if isinstance(definition, exp.ColumnDef):
            kind = definition.args.get("kind")
            data_type = kind.sql(dialect=recorder.dialect) if kind is not None else None
            columns.append(
                (definition.name, data_type, recorder.location(_line_of(definition, line)))
            )
    return columns


def _line_of(node: exp.Expr, statement_line: int) -> int:
    identifier = node.find(exp.Identifier)
    meta_line = identifier.meta.get("line") if identifier is not None else None
    return int(meta_line) if meta_line else statement_line


def create_from_query(
    recorder: Recorder, name: str, kind: RelationKind, query: exp.Expr, line: int
) -> Outcome:
    """Define relation `name` by `query` (a dbt model's compiled SELECT), like CREATE ... AS."""
    return _create_as(recorder, name, kind, query, None, line)


def _create_as(
    recorder: Recorder,
    name: str,
    kind: RelationKind,
    query: exp.Expr,
    declared: list[str] | None,
    line: int,
) -> Outcome:
    lineage = recorder.analyse(query, line)
    if lineage is None:
        relation = recorder.define(name, kind, line, [], columns_known=False)
        recorder.blind_spot((relation.id, None), "its defining query could not be analysed", line)
        return Outcome.FAILED
    names = _target_names(recorder, lineage, declared, line)
    columns = [
        (n, None, recorder.location(o.line or line))
        for n, o in zip(names, lineage.outputs, strict=False)
    ]
    relation = recorder.define(name, kind, line, columns, lineage.columns_known)
    _write(recorder, lineage, relation, names, line, _RowTarget.RELATION)
    return Outcome.ANALYSED


def _create_like(
    recorder: Recorder,
    name: str,
    kind: RelationKind,
    source: exp.Expr,
    line: int,
    copies_data: bool,
) -> Outcome:
    source_name = relation_name(source) if isinstance(source, exp.Table) else source.sql()
    origin = recorder.relation_for_read(source_name, line)
    columns = [(c.name, c.data_type, recorder.location(line)) for c in origin.live_columns()]
    relation = recorder.define(name, kind, line, columns, origin.columns_known)
    if copies_data:
        for column in origin.live_columns():
            recorder.edges.append(_clone_edge(recorder, origin, relation, column.name, line))
    return Outcome.ANALYSED


def _clone_edge(
    recorder: Recorder, origin: RelationState, relation: RelationState, name: str, line: int
) -> _IdEdge:
    return _IdEdge(
        recorder.column(origin, name, line),
        recorder.column(relation, name, line),
        EdgeKind.IDENTITY,
        f"CLONE {origin.name}",
        recorder.location(line),
    )


# -- writing a query's lineage into a target -------------------------------------------------


class _RowTarget(Enum):
    """Where a query's row reads land: the target's rows, or each written column."""

    RELATION = "relation"
    COLUMNS = "columns"


def _target_names(
    recorder: Recorder, lineage: QueryLineage, declared: list[str] | None, line: int
) -> list[str]:
    produced = [o.name for o in lineage.outputs]
    if declared is None:
        return produced
    if len(declared) != len(produced) and lineage.columns_known:
        recorder.diagnose(
            line,
            DiagnosticCode.COLUMN_COUNT_MISMATCH,
            f"{len(declared)} target columns but the query produces {len(produced)}",
        )
    return declared[: len(produced)]


def _write(
    recorder: Recorder,
    lineage: QueryLineage,
    relation: RelationState,
    names: list[str],
    line: int,
    rows: _RowTarget,
    row_kind: Callable[[EdgeKind], EdgeKind] = lambda k: k,
) -> None:
    written: list[tuple[int, int | None]] = []
    for name, output in zip(names, lineage.outputs, strict=False):
        target = recorder.column(relation, name, output.line or line)
        written.append(target)
        for read in output.reads:
            recorder.edge(read, target)
        if output.blind:
            reason = "; ".join(sorted(set(output.blind)))
            recorder.blind_spot(target, reason, output.line or line, output.blind_upstream)
    row_targets: list[tuple[int, int | None]] = (
        [(relation.id, None)] if rows is _RowTarget.RELATION else list(written)
    )
    for read in lineage.rows:
        for row_target in row_targets:
            recorder.edge(read, row_target, row_kind)
    if not lineage.columns_known:
        recorder.blind_spot(
            (relation.id, None),
            "a * could not be expanded: columns of "
            f"{', '.join(lineage.star_upstream) or 'a source'} are not known",
            line,
            lineage.star_upstream,
        )


# -- INSERT ---------------------------------------------------------------------------------


def _insert(recorder: Recorder, tree: exp.Expr, line: int) -> Outcome:
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if not isinstance(target, exp.Table):
        return Outcome.PASSED_OVER
    relation = recorder.relation_for_read(relation_name(target), line)
    query = tree.expression
    if not isinstance(query, exp.Query):
        return Outcome.ANALYSED  # VALUES and the like: constants, no lineage
    if tree.args.get("with_") is not None and not query.args.get("with_"):
        query.set("with_", tree.args["with_"])  # WITH ... INSERT INTO ... SELECT
    lineage = recorder.analyse(query, line)
    if lineage is None:
        recorder.blind_spot((relation.id, None), "an INSERT into it could not be analysed", line)
        return Outcome.FAILED
    names = _insert_names(recorder, tree, relation, lineage, line)
    _write(recorder, lineage, relation, names, line, _RowTarget.RELATION)
    return Outcome.ANALYSED


def _insert_names(
    recorder: Recorder,
    tree: exp.Expr,
    relation: RelationState,
    lineage: QueryLineage,
    line: int,
) -> list[str]:
    declared = _declared_names(tree.this)
    if (
        declared is None
        and not tree.args.get("by_name")
        and relation.columns_known
        and relation.live_columns()
    ):
        declared = [c.name for c in relation.live_columns()]
    return _target_names(recorder, lineage, declared, line)


# -- UPDATE / DELETE / MERGE ----------------------------------------------------------------


def _update(recorder: Recorder, tree: exp.Expr, line: int) -> Outcome:
    target = tree.this
    if not isinstance(target, exp.Table):
        return Outcome.PASSED_OVER
    assignments = [e for e in tree.expressions if isinstance(e, exp.EQ)]
    first, joins = _update_sources(tree)
    tables = [first, *(j.this for j in joins)] if first is not None else []
    aliased = next((t for t in tables if not target.db and t.alias == target.name), None)
    if isinstance(aliased, exp.Table):
        target = aliased
    select = _select_over(first if first is not None and aliased else target, assignments)
    if first is not None and aliased is None:
        select = select.join(first.copy(), join_type="cross")
    for join in joins:
        select.append("joins", join.copy())
    if tree.args.get("where"):
        select.set("where", tree.args["where"])
    return _write_columns(recorder, target, select, [a.this.name for a in assignments], line)


def _update_sources(tree: exp.Expr) -> tuple[exp.Expr | None, list[exp.Expr]]:
    """The first FROM item of `UPDATE ... FROM a, b JOIN c ON ...` and the joins after it.
    T-SQL's `UPDATE u ... FROM users u` names its target by an alias defined here."""
    from_ = tree.args.get("from_")
    if from_ is None:
        return None, list(tree.args.get("joins") or [])
    first = from_.this.copy()
    joins = [*(first.args.get("joins") or []), *(from_.args.get("joins") or [])]
    joins.extend(tree.args.get("joins") or [])
    first.set("joins", None)  # sqlglot hangs `FROM a JOIN b` joins on the table itself
    return first, joins


def _select_over(target: exp.Expr, assignments: list[exp.EQ]) -> exp.Select:
    select = exp.select(
        *[exp.alias_(a.expression, f"_lineage_{i}") for i, a in enumerate(assignments)]
    )
    return select.from_(target.copy())


def _write_columns(
    recorder: Recorder,
    target: exp.Table,
    select: exp.Select,
    names: list[str],
    line: int,
    row_kind: Callable[[EdgeKind], EdgeKind] = lambda k: k,
) -> Outcome:
    relation = recorder.relation_for_read(relation_name(target), line)
    lineage = recorder.analyse(select, line)
    if lineage is None:
        return Outcome.FAILED
    _write(recorder, lineage, relation, names, line, _RowTarget.COLUMNS, row_kind)
    return Outcome.ANALYSED


def _delete(recorder: Recorder, tree: exp.Expr, line: int) -> Outcome:
    target = tree.this
    if not isinstance(target, exp.Table) or not tree.args.get("where"):
        return Outcome.ANALYSED
    select = exp.select("*").from_(target.copy())
    for source in tree.args.get("using") or []:
        select = select.join(source, join_type="cross")
    select.set("where", tree.args["where"])
    return _rows_only(recorder, target, select, line)


def _rows_only(
    recorder: Recorder,
    target: exp.Table,
    select: exp.Select,
    line: int,
    row_kind: Callable[[EdgeKind], EdgeKind] = lambda k: k,
) -> Outcome:
    relation = recorder.relation_for_read(relation_name(target), line)
    select.set("expressions", [exp.alias_(exp.Literal.number(1), "_lineage_rows")])
    lineage = recorder.analyse(select, line)
    if lineage is None:
        return Outcome.FAILED
    for read in lineage.rows:
        recorder.edge(read, (relation.id, None), row_kind)
    return Outcome.ANALYSED


def _merge(recorder: Recorder, tree: exp.Expr, line: int) -> Outcome:
    from lineage.sql.merge import merge_branches

    target = tree.this
    if not isinstance(target, exp.Table):
        return Outcome.PASSED_OVER
    outcomes = []
    for branch in merge_branches(tree):  # type: ignore[arg-type]
        if branch.names is None:
            outcomes.append(_rows_only(recorder, target, branch.select, line, branch.row_kind))
        else:
            outcomes.append(
                _write_columns(recorder, target, branch.select, branch.names, line, branch.row_kind)
            )
    return Outcome.FAILED if Outcome.FAILED in outcomes else Outcome.ANALYSED


# -- ALTER / DROP ---------------------------------------------------------------------------


def _alter(recorder: Recorder, tree: exp.Expr, line: int) -> Outcome:
    from lineage.sql.alter import apply_alter

    return Outcome.ANALYSED if apply_alter(recorder, tree, line) else Outcome.PASSED_OVER


def _drop(recorder: Recorder, tree: exp.Expr, line: int) -> Outcome:
    if str(tree.args.get("kind") or "").upper() not in {"TABLE", "VIEW"}:
        return Outcome.PASSED_OVER
    for table in tree.args.get("tables") or []:
        if isinstance(table, exp.Table):
            recorder.catalog.drop(relation_name(table))
    return Outcome.ANALYSED


_Handler = Callable[[Recorder, exp.Expr, int], Outcome]

_HANDLERS: dict[type[exp.Expr], _Handler] = {
    exp.Create: _create,
    exp.Insert: _insert,
    exp.Update: _update,
    exp.Delete: _delete,
    exp.Merge: _merge,
    exp.Alter: _alter,
    exp.Drop: _drop,
}
