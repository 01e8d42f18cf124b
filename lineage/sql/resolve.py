"""Resolve one column reference to the relation columns it reads.

A qualified column names a source of its scope (or of an enclosing scope, when correlated):
a table, a CTE, a derived table, a UDTF. An unqualified column is a select alias, an
ARRAY JOIN alias, or belongs to the only source that can have it; otherwise it is ambiguous
and named as such.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from lineage.entities import DiagnosticCode, EdgeKind
from lineage.sql.kinds import compose
from lineage.sql.pivots import pivot_column_reads, source_pivot
from lineage.sql.reads import NodeRead

if TYPE_CHECKING:
    from lineage.sql.columns import _Walker

Resolution = tuple[list[NodeRead], list[str]]


def resolve_column(
    walker: _Walker, scope: Scope, column: exp.Column, kind: EdgeKind, text: exp.Expr
) -> Resolution:
    if isinstance(column.this, exp.Star):
        return [], []
    table = column.table
    if not table:
        return _unqualified(walker, scope, column, kind, text)
    owner = _owning_scope(scope, table)
    if owner is None:
        return _pivot_alias(walker, scope, column, kind, text)
    if owner is scope and (column.table, column.name) in walker.array_joined(scope):
        kind = compose(kind, EdgeKind.TRANSFORMATION)  # the element, not the array
    return source_reads(walker, owner, table, column.name, kind, text, column)


def source_reads(
    walker: _Walker,
    scope: Scope,
    alias: str,
    name: str,
    kind: EdgeKind,
    text: exp.Expr,
    node: exp.Expr,
    past_pivot: bool = False,
) -> Resolution:
    """Reads of column `name` of the source `alias` of `scope` (of its input, before any
    PIVOT on it, when `past_pivot`)."""
    source = scope.sources[alias]
    pivot = None if past_pivot else source_pivot(source)
    if pivot is not None:
        found = _pivoted(walker, scope, alias, pivot, name, kind, text, node)
        if found is not None:
            return found
    if isinstance(source, exp.Table):
        return _table_reads(walker, source, name, kind, text, node)
    child = walker.scope(source)
    output = child.output(name)
    if output is not None:
        return [_through(r, kind, walker, text, node) for r in output.reads.values()], list(
            output.blind
        )
    if not child.columns_known:
        reason = f"column {name} may come from an unexpanded * in {alias}"
        return [], [reason]
    if child.outputs:  # an empty result is a recursive CTE still being resolved
        walker.problem(DiagnosticCode.UNRESOLVED_COLUMN, f"{alias} has no column {name}", node)
        return [], [f"{alias}.{name} does not exist"]
    return [], []


def _through(
    read: NodeRead, outer: EdgeKind, walker: _Walker, text: exp.Expr, node: exp.Expr
) -> NodeRead:
    """A read seen through a scope. A pass-through keeps the inner defining expression,
    unless that was written by no one (a column qualify expanded from `*`): then the place
    the column is named explicitly is the one to show."""
    if outer is EdgeKind.IDENTITY:
        if _written(read.at):
            return read
        return NodeRead(read.relation, read.column, read.kind, text, node, read.inner)
    inner = read.inner if isinstance(read.text, exp.Column) else (*read.inner, read.text)
    return NodeRead(read.relation, read.column, compose(outer, read.kind), text, node, inner)


def _written(node: exp.Expr) -> bool:
    """Whether `node` comes from the SQL text (its names carry positions)."""
    if isinstance(node, exp.Column):
        return "line" in node.this.meta
    return any("line" in i.meta for i in node.find_all(exp.Identifier))


def _table_reads(
    walker: _Walker,
    table: exp.Table,
    name: str,
    kind: EdgeKind,
    text: exp.Expr,
    node: exp.Expr,
) -> Resolution:

    info = walker.tables(table.name)
    if info is None:
        return [], [f"{table.sql()} is not a relation lineage can follow"]
    if info.columns is not None and name not in info.columns:
        walker.problem(
            DiagnosticCode.UNKNOWN_COLUMN,
            f"{info.relation} has no column {name} in its known schema",
            node,
        )
    return [NodeRead(info.relation, name, kind, text, node)], []


def _owning_scope(scope: Scope | None, alias: str) -> Scope | None:
    while scope is not None:
        if alias in scope.sources:
            return scope
        scope = scope.parent
    return None


def _pivoted(
    walker: _Walker,
    scope: Scope,
    alias: str,
    pivot: exp.Pivot,
    name: str,
    kind: EdgeKind,
    text: exp.Expr,
    node: exp.Expr,
) -> Resolution | None:
    """Output `name` of a pivoted source; its inputs are read past the pivot."""
    reads = pivot_column_reads(walker, scope, alias, pivot, name, kind, text, node)
    return None if reads is None else (reads, [])


def _pivot_alias(
    walker: _Walker, scope: Scope, column: exp.Column, kind: EdgeKind, text: exp.Expr
) -> Resolution:
    for alias, source in scope.sources.items():
        pivot = source_pivot(source)
        if pivot is not None and pivot.alias_or_name == column.table:
            found = _pivoted(walker, scope, alias, pivot, column.name, kind, text, column)
            if found is not None:
                return found
            return source_reads(
                walker, scope, alias, column.name, kind, text, column, past_pivot=True
            )
    walker.problem(
        DiagnosticCode.UNRESOLVED_COLUMN, f"{column.sql()} names no table of its query", column
    )
    return [], [f"{column.sql()} could not be resolved"]


def _unqualified(
    walker: _Walker, scope: Scope, column: exp.Column, kind: EdgeKind, text: exp.Expr
) -> Resolution:
    name = column.name
    aliased = _aliased_expression(scope, name, column)
    if aliased is not None:
        base = EdgeKind.TRANSFORMATION if kind is EdgeKind.IDENTITY else kind
        return walker.reads_of(scope, aliased, base, text)
    candidates = _candidates(walker, scope, name)
    if len(candidates) == 1:
        return source_reads(walker, scope, candidates[0], name, kind, text, column)
    if candidates:
        listed = ", ".join(sorted(candidates))
        walker.problem(
            DiagnosticCode.AMBIGUOUS_COLUMN,
            f"column {name} is ambiguous: it may come from {listed}",
            column,
        )
        upstream = _relations_behind(walker, scope, candidates)
        return [], [walker.blind(f"{name} is ambiguous between {listed}", upstream)]
    walker.problem(
        DiagnosticCode.UNRESOLVED_COLUMN,
        f"column {name} is not a column of any source of its query",
        column,
    )
    return [], [f"{name} could not be resolved"]


def _aliased_expression(scope: Scope, name: str, column: exp.Column) -> exp.Expr | None:
    """A select alias used by name (ORDER BY / HAVING / QUALIFY) or an ARRAY JOIN alias."""
    select = scope.expression
    if not isinstance(select, exp.Select):
        return None
    if not _inside_projection(column, select):
        for projection in select.expressions:
            if isinstance(projection, exp.Alias) and projection.alias == name:
                aliased: exp.Expr = projection.this
                return aliased
    for join in select.args.get("joins") or []:
        for alias in join.find_all(exp.Alias):
            if alias.alias == name and alias.this is not column:
                joined: exp.Expr = alias.this
                return joined
    return None


def _inside_projection(column: exp.Column, select: exp.Select) -> bool:
    node: exp.Expr | None = column
    while node is not None and node.parent is not select:
        node = node.parent
    return node is not None and node.arg_key == "expressions"


def _candidates(walker: _Walker, scope: Scope, name: str) -> list[str]:
    """Sources that can own an unqualified column: the one that surely has it, else every
    source whose columns are not known."""
    selected = [a for a in scope.selected_sources if a in scope.sources]
    if len(selected) == 1:
        return selected
    sure: list[str] = []
    maybe: list[str] = []
    for alias in selected:
        has = _has_column(walker, scope.sources[alias], name)
        if has is True:
            sure.append(alias)
        elif has is None:
            maybe.append(alias)
    return sure if len(sure) == 1 else sure + maybe


def _has_column(walker: _Walker, source: exp.Table | Scope, name: str) -> bool | None:
    if isinstance(source, exp.Table):
        info = walker.tables(source.name)
        if info is None or info.columns is None:
            return None
        return name in info.columns
    child = walker.scope(source)
    if child.output(name) is not None:
        return True
    return None if not child.columns_known else False


def _relations_behind(walker: _Walker, scope: Scope, aliases: list[str]) -> set[str]:
    """The relations behind some sources of `scope`: who-uses on them must see the blind spot."""
    found: set[str] = set()
    for alias in aliases:
        source = scope.sources.get(alias)
        if isinstance(source, exp.Table):
            info = walker.tables(source.name)
            found.update([info.relation] if info is not None else [])
        elif isinstance(source, Scope):
            child = walker.scope(source)
            found.update(child.star_upstream)
            found.update(r.relation for o in child.outputs for r in o.reads.values())
    return found
