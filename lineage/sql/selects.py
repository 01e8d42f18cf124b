"""Lineage of one SELECT scope: its projections, then the clauses that decide its rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from lineage.entities import DiagnosticCode, EdgeKind
from lineage.sql.kinds import compose
from lineage.sql.pivots import group_keys, source_pivot
from lineage.sql.reads import NodeRead, Output, ScopeLineage, add_read
from lineage.sql.resolve import source_reads

if TYPE_CHECKING:
    from lineage.sql.columns import _Walker

#: Clauses whose columns change the rows of the whole result, and how.
_ROW_CLAUSES = (
    ("where", EdgeKind.FILTER),
    ("having", EdgeKind.FILTER),
    ("qualify", EdgeKind.FILTER),
    ("order", EdgeKind.SORT),
)


def select_lineage(walker: _Walker, scope: Scope) -> ScopeLineage:

    select = scope.expression
    result = ScopeLineage([])
    for projection in select.expressions:
        if _is_star(projection):
            _unexpanded_star(walker, scope, projection, result)
        else:
            result.add_output(_projection(walker, scope, projection))
    _row_reads(walker, scope, result)
    return result


def _is_star(projection: exp.Expr) -> bool:
    return isinstance(projection, exp.Star) or (
        isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
    )


def _projection(walker: _Walker, scope: Scope, projection: exp.Expr) -> Output:

    expression = projection.this if isinstance(projection, exp.Alias) else projection
    output = Output(projection.alias_or_name, line=walker.line(projection))
    reads, blind = walker.reads_of(scope, expression, None, expression)
    for read in reads:
        add_read(output.reads, read)
    output.blind.extend(blind)
    return output


def _unexpanded_star(walker: _Walker, scope: Scope, star: exp.Expr, result: ScopeLineage) -> None:
    """A `*` qualify could not expand: the sources whose columns are known still contribute
    their columns; the others make the result's column list unknown."""
    aliases = (
        [star.table]
        if isinstance(star, exp.Column) and star.table
        else list(scope.selected_sources)
    )
    unknown: list[str] = []
    for alias in aliases:
        source = scope.sources.get(alias)
        if isinstance(source, exp.Table):
            info = walker.tables(source.name)
            if info is not None and info.columns is None:
                unknown.append(info.relation)
                result.star_upstream.add(info.relation)
            elif info is not None:
                _expand_known(walker, scope, alias, sorted(info.columns or ()), star, result)
        elif isinstance(source, Scope):
            child = walker.scope(source)
            if not child.columns_known:
                unknown.append(alias)
                result.star_upstream.update(child.star_upstream)
            _expand_known(walker, scope, alias, [o.name for o in child.outputs], star, result)
    if not unknown:
        return
    result.columns_known = False
    walker.problem(
        DiagnosticCode.UNEXPANDED_STAR,
        f"{star.sql(dialect=walker.dialect)} could not be expanded: the columns of "
        f"{', '.join(sorted(set(unknown)))} are not known",
        star,
    )


def _expand_known(
    walker: _Walker,
    scope: Scope,
    alias: str,
    names: list[str],
    star: exp.Expr,
    result: ScopeLineage,
) -> None:

    for name in names:
        if result.output(name) is not None:
            continue
        node = exp.column(name, table=alias)
        output = Output(name, line=walker.line(star))
        reads, blind = source_reads(walker, scope, alias, name, EdgeKind.IDENTITY, node, star)
        for read in reads:
            add_read(output.reads, read)
        output.blind.extend(blind)
        result.add_output(output)


def _row_reads(walker: _Walker, scope: Scope, result: ScopeLineage) -> None:
    select = scope.expression
    for key, kind in _ROW_CLAUSES:
        if select.args.get(key):
            _add_rows(walker, scope, select.args[key], kind, result)
    _group_reads(walker, scope, result)
    distinct = select.args.get("distinct")
    if distinct is not None and distinct.args.get("on"):
        _add_rows(walker, scope, distinct.args["on"], EdgeKind.GROUP_BY, result)
    for join in select.args.get("joins") or []:
        _join_reads(walker, scope, join, result)
    for generator in _row_generators(select):
        _add_rows(walker, scope, generator, EdgeKind.JOIN, result)
    _source_rows(walker, scope, result)


def _row_generators(select: exp.Expr) -> list[exp.Expr]:
    """UNNEST / EXPLODE in the select list emit one row per element: a join-like read."""
    found: list[exp.Expr] = []
    for projection in select.expressions:  # only these: the select holds its subqueries too
        for node in projection.find_all(exp.Unnest, exp.Explode):
            if not any(isinstance(a, exp.Query) for a in _ancestors(node, projection)):
                found.append(node)
    return found


def _ancestors(node: exp.Expr, stop: exp.Expr) -> list[exp.Expr]:
    chain = []
    parent = node.parent
    while parent is not None and parent is not stop:
        chain.append(parent)
        parent = parent.parent
    return chain


def _add_rows(
    walker: _Walker, scope: Scope, node: exp.Expr, kind: EdgeKind, result: ScopeLineage
) -> None:

    reads, _blind = walker.reads_of(scope, node, kind, node)
    for read in reads:
        add_read(result.rows, read)


def _group_reads(walker: _Walker, scope: Scope, result: ScopeLineage) -> None:

    group = scope.expression.args.get("group")
    if group is None:
        return
    _add_rows(walker, scope, group, EdgeKind.GROUP_BY, result)
    if not group.args.get("all"):
        return
    for projection, output in zip(scope.expression.expressions, result.outputs, strict=False):
        if not projection.find(exp.AggFunc):
            for read in output.reads.values():
                add_read(result.rows, _as_kind(read, EdgeKind.GROUP_BY))


def _as_kind(read: NodeRead, kind: EdgeKind) -> NodeRead:

    return read.as_kind(compose(kind, read.kind))


def _join_reads(walker: _Walker, scope: Scope, join: exp.Join, result: ScopeLineage) -> None:
    if join.args.get("on"):
        _add_rows(walker, scope, join.args["on"], EdgeKind.JOIN, result)
    for identifier in join.args.get("using") or []:
        for alias in scope.selected_sources:
            _using_key(walker, scope, alias, identifier, result)
    if str(join.args.get("kind") or "").upper() == "ARRAY":
        for node in [join.this, *join.expressions]:
            _add_rows(walker, scope, node, EdgeKind.JOIN, result)


def _using_key(
    walker: _Walker, scope: Scope, alias: str, at: exp.Expr, result: ScopeLineage
) -> None:
    """One side of `USING (key)`; the edge points at the key's own line."""
    name = at.name

    source = scope.sources.get(alias)
    if source is None:
        return
    node = exp.column(name, table=alias)
    reads, _ = source_reads(walker, scope, alias, name, EdgeKind.JOIN, node, at)
    for read in reads:
        add_read(result.rows, read)


def _source_rows(walker: _Walker, scope: Scope, result: ScopeLineage) -> None:
    """Rows of derived sources (CTEs, subqueries, UDTFs) flow into this scope's rows, and a
    PIVOT groups by its untouched input columns."""

    for alias in scope.selected_sources:
        source = scope.sources.get(alias)
        if isinstance(source, Scope):
            for read in walker.scope(source).rows.values():
                add_read(result.rows, read)
        pivot = source_pivot(source) if source is not None else None
        if source is None or pivot is None:
            continue
        for key in group_keys(walker, source, pivot) or []:
            reads, _ = source_reads(
                walker, scope, alias, key, EdgeKind.GROUP_BY, pivot, pivot, past_pivot=True
            )
            for read in reads:
                add_read(result.rows, read)
