"""PIVOT and UNPIVOT attached to a table.

PIVOT: each pivoted column aggregates the value column for one value of the FOR column, so it
reads the value column (aggregation) and the FOR column (conditional); the untouched columns
are implicit group keys. UNPIVOT: the value column reads each unpivoted column, the name
column reads none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from lineage.entities import EdgeKind
from lineage.sql.kinds import compose

if TYPE_CHECKING:
    from lineage.sql.columns import Read, TableInfo, _Walker


def pivot_reads(
    walker: _Walker, table: exp.Table, info: TableInfo, name: str, kind: EdgeKind,
    text: exp.Expression, node: exp.Expression,
) -> list[Read] | None:
    """Reads of output column `name` of a pivoted table; None when it is a plain column."""
    pivot = table.args["pivots"][0]
    if pivot.unpivot:
        return _unpivot_reads(walker, pivot, info, name, kind, text, node)
    used = _pivot_inputs(pivot)
    if info.columns is not None and name in info.columns and name not in used:
        return None
    reads = []
    for expression in pivot.expressions:
        reads += _reads(walker, info, expression, compose(kind, EdgeKind.AGGREGATION), text, node)
    for field in pivot.fields:
        reads += _reads(walker, info, field.this, compose(kind, EdgeKind.CONDITIONAL), text, node)
    return reads


def pivot_group_keys(table: exp.Table, info: TableInfo) -> list[str]:
    """The implicit GROUP BY of a PIVOT: every column it does not aggregate or pivot on."""
    pivots = table.args.get("pivots") or []
    if not pivots or pivots[0].unpivot or info.columns is None:
        return []
    used = _pivot_inputs(pivots[0])
    return sorted(c for c in info.columns if c not in used)


def _unpivot_reads(
    walker: _Walker, pivot: exp.Pivot, info: TableInfo, name: str, kind: EdgeKind,
    text: exp.Expression, node: exp.Expression,
) -> list[Read] | None:
    values = {e.name for e in pivot.expressions if isinstance(e, (exp.Column, exp.Identifier))}
    labels = {f.this.name for f in pivot.fields if isinstance(f, exp.In)}
    if name in labels:
        return []
    if name not in values:
        return None
    reads = []
    for field in pivot.fields:
        for unpivoted in field.expressions:
            reads += _reads(walker, info, unpivoted, compose(kind, EdgeKind.IDENTITY), text, node)
    return reads


def _pivot_inputs(pivot: exp.Pivot) -> set[str]:
    names = {c.name for e in pivot.expressions for c in e.find_all(exp.Column)}
    names |= {f.this.name for f in pivot.fields if isinstance(f, exp.In)}
    return names


def _reads(walker: _Walker, info: TableInfo, expression: exp.Expression, kind: EdgeKind,
           text: exp.Expression, node: exp.Expression) -> list[Read]:
    from lineage.sql.columns import Read

    columns = [expression] if isinstance(expression, exp.Column) else list(
        expression.find_all(exp.Column))
    return [Read(info.relation, c.name, kind, walker.sql(text), walker.line(node))
            for c in columns]
