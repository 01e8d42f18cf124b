"""Which edge kind each column occurrence in an expression gets, and how kinds compose.

A column inside `SUM(...)` is an aggregation, inside a `CASE WHEN` condition it is
conditional, inside `OVER (PARTITION BY ...)` it is a window input; a bare column is identity.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from lineage.entities import EdgeKind

_DIRECT_ORDER = {EdgeKind.IDENTITY: 0, EdgeKind.TRANSFORMATION: 1, EdgeKind.AGGREGATION: 2}

#: Window functions that fetch another row's value instead of aggregating several.
NAVIGATION = (exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.NthValue)

#: Expressions that open a new query scope: their columns are walked with their own scope.
QUERY_NODES = (exp.Query, exp.Subquery)


def compose(outer: EdgeKind, inner: EdgeKind) -> EdgeKind:
    """The kind of a two-hop path: an indirect hop makes the path indirect (outer first),
    otherwise the strongest direct kind wins.

    >>> compose(EdgeKind.IDENTITY, EdgeKind.AGGREGATION)
    <EdgeKind.AGGREGATION: 'aggregation'>
    """
    if not outer.is_direct:
        return outer
    if not inner.is_direct:
        return inner
    return outer if _DIRECT_ORDER[outer] >= _DIRECT_ORDER[inner] else inner


def occurrences(
    expression: exp.Expr, context: EdgeKind | None = None
) -> Iterator[tuple[exp.Expr, EdgeKind]]:
    """Yield each column and each nested query in `expression` with the kind of its position.

    `context=None` means `expression` is a whole projection: a bare column there is identity.
    Nested queries are yielded, not entered: they are separate scopes.
    """
    if isinstance(expression, exp.Column):
        yield expression, context or EdgeKind.IDENTITY
        return
    if isinstance(expression, QUERY_NODES):
        yield expression, context or EdgeKind.IDENTITY
        return
    yield from _children(expression, _inside(expression, context))


def _inside(expression: exp.Expr, context: EdgeKind | None) -> EdgeKind:
    if context is not None and not context.is_direct:
        return context
    aggregates = isinstance(expression, exp.AggFunc) and not isinstance(expression, NAVIGATION)
    if aggregates or context is EdgeKind.AGGREGATION:
        return EdgeKind.AGGREGATION
    if isinstance(expression, exp.Paren) and context is None:
        return EdgeKind.IDENTITY
    return EdgeKind.TRANSFORMATION


def _children(expression: exp.Expr, context: EdgeKind) -> Iterator[tuple[exp.Expr, EdgeKind]]:
    indirect = _indirect_args(expression)
    for key, value in expression.args.items():
        kind = indirect.get(key, context) if context.is_direct else context
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, exp.Expr):
                yield from occurrences(child, kind)


def _indirect_args(expression: exp.Expr) -> dict[str, EdgeKind]:
    """Arguments of `expression` whose columns decide rather than carry the value."""
    if isinstance(expression, exp.Window):
        return {"partition_by": EdgeKind.WINDOW, "order": EdgeKind.WINDOW}
    if isinstance(expression, exp.If):
        return {"this": EdgeKind.CONDITIONAL}
    if isinstance(expression, exp.Case):
        return {"this": EdgeKind.CONDITIONAL}
    if isinstance(expression, exp.Filter):
        return {"expression": EdgeKind.CONDITIONAL}
    return {}
