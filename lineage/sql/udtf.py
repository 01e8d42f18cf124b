"""Table-valued sources in FROM: VALUES, UNNEST, LATERAL subqueries and LATERAL table functions
(FLATTEN, EXPLODE, ...). Their output columns derive from their inputs, and an array input
multiplies rows, so it is a join-like read of the enclosing query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from lineage.entities import DiagnosticCode, EdgeKind
from lineage.sql.reads import NodeRead, Output, ScopeLineage, add_read

if TYPE_CHECKING:
    from lineage.sql.columns import _Walker


def udtf_lineage(walker: _Walker, scope: Scope) -> ScopeLineage:

    node = scope.expression
    if isinstance(node, exp.Values):
        return ScopeLineage([Output(name) for name in _alias_columns(node)])
    if isinstance(node, exp.Lateral) and isinstance(node.this, (exp.Query, exp.Subquery)):
        return _lateral_subquery(walker, scope)
    if isinstance(node, (exp.Unnest, exp.Lateral)):
        return _table_function(walker, scope, node)
    walker.problem(DiagnosticCode.ANALYSIS_ERROR, f"table source {node.key} is not supported", node)
    return ScopeLineage([], columns_known=False)


def _alias_columns(node: exp.Expr) -> list[str]:
    alias = node.args.get("alias")
    if not isinstance(alias, exp.TableAlias):
        return []
    columns = [c.name for c in alias.columns]
    return columns or ([alias.name] if alias.name else [])


def _lateral_subquery(walker: _Walker, scope: Scope) -> ScopeLineage:

    inner = next((s for s in scope.sources.values() if isinstance(s, Scope)), None)
    if inner is None:
        return ScopeLineage([], columns_known=False)
    result = walker.scope(inner)
    names = _alias_columns(scope.expression) if scope.expression.alias_column_names else []
    if not names:
        return result
    renamed = [
        Output(name, o.reads, o.blind, o.line)
        for name, o in zip(names, result.outputs, strict=False)
    ]
    return ScopeLineage(renamed, result.rows, result.columns_known, result.star_upstream)


def _table_function(walker: _Walker, scope: Scope, node: exp.Expr) -> ScopeLineage:

    inputs = node.expressions if isinstance(node, exp.Unnest) else [node.this]
    per_input = [_input_reads(walker, scope, i) for i in inputs]
    names = _alias_columns(node) or _view_columns(node)
    result = ScopeLineage([])
    for position, name in enumerate(names):
        output = Output(name, line=walker.line(node))
        positional = len(per_input) == len(names) and len(per_input) > 1
        for reads in [per_input[position]] if positional else per_input:
            for read in reads:
                add_read(output.reads, read)
        result.add_output(output)
    for reads in per_input:
        for read in reads:
            add_read(result.rows, _with_kind(read, EdgeKind.JOIN))
    return result


def _view_columns(node: exp.Expr) -> list[str]:
    """`LATERAL VIEW explode(arr) t AS e`: the columns are on the view's alias."""
    alias = node.args.get("alias")
    return [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []


def _input_reads(walker: _Walker, scope: Scope, node: exp.Expr) -> list[NodeRead]:
    reads, _blind = walker.reads_of(scope, node, EdgeKind.TRANSFORMATION, node)
    return reads


def _with_kind(read: NodeRead, kind: EdgeKind) -> NodeRead:

    return read.as_kind(kind)
