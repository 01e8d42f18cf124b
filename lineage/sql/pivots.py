"""PIVOT and UNPIVOT on a table or a derived table.

PIVOT: each pivoted column aggregates the value column for one value of the FOR column, so it
reads the value column (aggregation) and the FOR column (conditional); the untouched input
columns are implicit group keys, listed first. `AS p (a, b, c)` renames the outputs by
position. UNPIVOT: the value column reads each unpivoted column, the name column reads none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from lineage.entities import EdgeKind
from lineage.sql.kinds import compose
from lineage.sql.reads import NodeRead

if TYPE_CHECKING:
    from lineage.sql.columns import _Walker


def source_pivot(source: exp.Table | Scope) -> exp.Pivot | None:
    """The PIVOT/UNPIVOT applied to a FROM source, if any."""
    node = source if isinstance(source, exp.Table) else source.expression.parent
    pivots = node.args.get("pivots") if isinstance(node, (exp.Table, exp.Subquery)) else None
    return pivots[0] if pivots else None


def input_columns(walker: _Walker, source: exp.Table | Scope) -> list[str] | None:
    """The columns entering the pivot, in order; None when unknown."""
    if isinstance(source, exp.Table):
        info = walker.tables(source.name)
        return list(info.columns) if info is not None and info.columns is not None else None
    child = walker.scope(source)
    return [o.name for o in child.outputs] if child.columns_known else None


def pivot_column_reads(
    walker: _Walker,
    scope: Scope,
    alias: str,
    pivot: exp.Pivot,
    name: str,
    kind: EdgeKind,
    text: exp.Expr,
    node: exp.Expr,
) -> list[NodeRead] | None:
    """Reads of output `name` of the pivoted source `alias`; None for a plain input column."""
    from lineage.sql.resolve import source_reads

    def read(column: str, how: EdgeKind) -> list[NodeRead]:
        return source_reads(walker, scope, alias, column, how, text, node, past_pivot=True)[0]

    if pivot.unpivot:
        return _unpivot(pivot, name, kind, read)
    keys = group_keys(walker, scope.sources[alias], pivot)
    renamed = (
        [c.name for c in pivot.args["alias"].columns]
        if isinstance(pivot.args.get("alias"), exp.TableAlias)
        else []
    )
    if name in renamed:
        position = renamed.index(name)
        name = keys[position] if keys is not None and position < len(keys) else name
    if keys is not None and name in keys:
        return read(name, kind)
    reads: list[NodeRead] = []
    for column in _columns(pivot.expressions):
        reads += read(column, compose(kind, EdgeKind.AGGREGATION))
    for field in pivot.fields:
        reads += read(field.this.name, compose(kind, EdgeKind.CONDITIONAL))
    return reads


def group_keys(walker: _Walker, source: exp.Table | Scope, pivot: exp.Pivot) -> list[str] | None:
    """The implicit GROUP BY of a PIVOT: every input column it does not aggregate or pivot on."""
    columns = input_columns(walker, source)
    if pivot.unpivot or columns is None:
        return [] if pivot.unpivot else None
    used = set(_columns(pivot.expressions)) | {
        f.this.name for f in pivot.fields if isinstance(f, exp.In)
    }
    return [c for c in columns if c not in used]


def _unpivot(pivot: exp.Pivot, name: str, kind: EdgeKind, read: object) -> list[NodeRead] | None:
    values = {e.name for e in pivot.expressions if isinstance(e, (exp.Column, exp.Identifier))}
    labels = {f.this.name for f in pivot.fields if isinstance(f, exp.In)}
    if name in labels:
        return []
    if name not in values:
        return None
    reads: list[NodeRead] = []
    for field in pivot.fields:
        for unpivoted in field.expressions:
            reads += read(unpivoted.name, kind)  # type: ignore[operator]
    return reads


def _columns(expressions: list[exp.Expr]) -> list[str]:
    return [
        c.name
        for e in expressions
        for c in ([e] if isinstance(e, exp.Column) else e.find_all(exp.Column))
    ]
