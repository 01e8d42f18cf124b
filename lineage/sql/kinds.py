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
    `context` indirect (a WHERE, a join key) makes every occurrence that kind. Nested queries
    are yielded, not entered: they are separate scopes.
    """
    if isinstance(expression, (exp.Column, *QUERY_NODES)):
        yield expression, _combine(context, None, aggregated=False, bare=True)
        return
    for node in expression.find_all(exp.Column, *QUERY_NODES):
        position = _position(node, expression)
        if position is not None:
            yield node, _combine(context, *position)


def _position(node: exp.Expr, root: exp.Expr) -> tuple[EdgeKind | None, bool, bool] | None:
    """Walk from `node` up to `root`: the outermost indirect kind on the way, whether an
    aggregate encloses it, and whether only parentheses do. None inside a nested query."""
    indirect: EdgeKind | None = None
    aggregated = False
    bare = True
    child, parent = node, node.parent
    while child is not root and parent is not None:
        if isinstance(parent, QUERY_NODES):
            return None
        found = _indirect_arg(parent, child.arg_key or "")
        if found is not None:
            indirect = found
        elif isinstance(parent, exp.AggFunc) and not isinstance(parent, NAVIGATION):
            aggregated = True
        bare = bare and isinstance(parent, exp.Paren)
        child, parent = parent, parent.parent
    return indirect, aggregated, bare


def _combine(
    context: EdgeKind | None, indirect: EdgeKind | None, aggregated: bool, bare: bool
) -> EdgeKind:
    if context is not None and not context.is_direct:
        return context
    if indirect is not None:
        return indirect
    if aggregated:
        own = EdgeKind.AGGREGATION
    else:
        own = EdgeKind.IDENTITY if bare else EdgeKind.TRANSFORMATION
    return own if context is None else compose(context, own)


def _indirect_arg(parent: exp.Expr, key: str) -> EdgeKind | None:
    """The kind of argument `key` of `parent` when its columns decide rather than carry the
    value: window keys, CASE / IF conditions, an aggregate's FILTER (WHERE ...)."""
    if isinstance(parent, exp.Window) and key in ("partition_by", "order"):
        return EdgeKind.WINDOW
    if isinstance(parent, (exp.If, exp.Case)) and key == "this":
        return EdgeKind.CONDITIONAL
    if isinstance(parent, exp.Filter) and key == "expression":
        return EdgeKind.CONDITIONAL
    return None
