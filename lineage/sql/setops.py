"""UNION / INTERSECT / EXCEPT: arms match by position, or by name for `BY NAME` /
`CORRESPONDING`. Recursive CTEs are solved by re-walking the recursive arm until stable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from lineage.entities import DiagnosticCode, EdgeKind
from lineage.sql.reads import NodeRead, Output, ScopeLineage, add_read

if TYPE_CHECKING:
    from lineage.sql.columns import _Walker

_RECURSION_ROUNDS = 3


def set_operation_lineage(walker: _Walker, scope: Scope) -> ScopeLineage:
    arms = scope.set_operation_scopes
    result = _merge(walker, scope, [walker.scope(arm) for arm in arms])
    if _is_recursive(scope):
        for _ in range(_RECURSION_ROUNDS):
            walker.memo[id(scope.expression)] = result
            for arm in arms[1:]:
                for inner in arm.traverse():
                    walker.memo.pop(id(inner.expression), None)
            result = _merge(walker, scope, [walker.scope(arm) for arm in arms])
    _order_reads(walker, scope, result)
    return result


def _is_recursive(scope: Scope) -> bool:
    cte = scope.expression.parent
    with_ = cte.parent if isinstance(cte, exp.CTE) else None
    return bool(with_ is not None and with_.args.get("recursive"))


def _merge(walker: _Walker, scope: Scope, arms: list[ScopeLineage]) -> ScopeLineage:
    """UNION / INTERSECT: every arm carries the values (INTERSECT outputs values equal in
    both). EXCEPT: values come from the left arm; the right arm only removes rows (filter)."""

    node = scope.expression
    result = ScopeLineage([], columns_known=all(a.columns_known for a in arms))
    by_name = bool(node.args.get("by_name") or node.args.get("corresponding"))
    inner = by_name and str(node.args.get("kind") or "").upper() == "INNER"
    valued = arms[:1] if isinstance(node, exp.Except) else arms
    for position, name in enumerate(_output_names(arms, by_name, inner)):
        output = Output(name, line=arms[0].outputs[0].line if arms[0].outputs else 0)
        for arm in valued:
            matched = (
                arm.output(name)
                if by_name
                else (arm.outputs[position] if position < len(arm.outputs) else None)
            )
            if matched is not None:
                for read in matched.reads.values():
                    add_read(output.reads, read)
                output.blind.extend(matched.blind)
        result.add_output(output)
    for arm in arms:
        result.star_upstream.update(arm.star_upstream)
        for read in arm.rows.values():
            add_read(result.rows, read)
    for arm in arms[len(valued) :]:
        for output in arm.outputs:
            for read in output.reads.values():
                add_read(result.rows, _as(read, EdgeKind.FILTER))
    _check_widths(walker, node, arms, by_name)
    return result


def _output_names(arms: list[ScopeLineage], by_name: bool, inner: bool) -> list[str]:
    """By position: the first arm's names. By name: all names (DuckDB BY NAME), or only
    those every arm has (CORRESPONDING, which is inner unless FULL)."""
    if not by_name:
        return [o.name for o in arms[0].outputs] if arms else []
    names = list(dict.fromkeys(o.name for arm in arms for o in arm.outputs))
    if inner:
        names = [n for n in names if all(arm.output(n) is not None for arm in arms)]
    return names


def _as(read: NodeRead, kind: EdgeKind) -> NodeRead:

    return read.as_kind(kind)


def _check_widths(walker: _Walker, node: exp.Expr, arms: list[ScopeLineage], by_name: bool) -> None:
    widths = {len(a.outputs) for a in arms if a.columns_known}
    if not by_name and len(widths) > 1:
        walker.problem(
            DiagnosticCode.COLUMN_COUNT_MISMATCH,
            f"the arms of a {node.key.upper()} have {sorted(widths)} columns",
            node,
        )


def _order_reads(walker: _Walker, scope: Scope, result: ScopeLineage) -> None:

    order = scope.expression.args.get("order")
    if order is None:
        return
    for column in order.find_all(exp.Column):
        output = result.output(column.name)
        for read in output.reads.values() if output else []:
            add_read(
                result.rows,
                NodeRead(read.relation, read.column, EdgeKind.SORT, order, order),
            )
