"""MERGE as one SELECT per WHEN branch over `target JOIN source ON ...`.

The ON keys decide every written value (join); a branch's `AND condition` decides the
values it writes (conditional), or for `THEN DELETE` which rows remain (filter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from lineage.entities import EdgeKind


@dataclass(frozen=True)
class Branch:
    select: exp.Select
    names: list[str] | None  # None: the branch deletes rows instead of writing columns
    row_kind: Callable[[EdgeKind], EdgeKind]


def _conditional(kind: EdgeKind) -> EdgeKind:
    return EdgeKind.CONDITIONAL if kind is EdgeKind.FILTER else kind


def _same(kind: EdgeKind) -> EdgeKind:
    return kind


def merge_branches(tree: exp.Merge) -> list[Branch]:
    whens = tree.args.get("whens")
    branches = []
    for when in whens.expressions if whens is not None else []:
        branch = _branch(tree, when)
        if branch is not None:
            branches.append(branch)
    return branches


def _branch(tree: exp.Merge, when: exp.When) -> Branch | None:
    then = when.args.get("then")
    if isinstance(then, exp.Update):
        pairs = [(e.this.name, e.expression) for e in then.expressions if isinstance(e, exp.EQ)]
        return Branch(
            _select(tree, when, [v for _, v in pairs]), [n for n, _ in pairs], _conditional
        )
    if isinstance(then, exp.Insert) and isinstance(then.this, exp.Tuple):
        names = [c.name for c in then.this.expressions]
        values = then.expression.expressions if isinstance(then.expression, exp.Tuple) else []
        return Branch(_select(tree, when, values), names[: len(values)], _conditional)
    if isinstance(then, exp.Var) and then.name.upper() == "DELETE":
        return Branch(_select(tree, when, [exp.Literal.number(1)]), None, _same)
    return None


def _select(tree: exp.Merge, when: exp.When, values: list[exp.Expr]) -> exp.Select:
    select = exp.select(*[exp.alias_(v.copy(), f"_lineage_{i}") for i, v in enumerate(values)])
    select = select.from_(tree.this.copy())
    select = select.join(tree.args["using"].copy(), on=tree.args["on"].copy())
    if when.args.get("condition") is not None:
        select = select.where(when.args["condition"].copy())
    return select
