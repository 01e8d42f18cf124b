"""Conservative equivalence of edge expressions: two texts are equivalent only when their
syntax trees are provably the same computation.

An expression is parsed in the project's dialect and brought to a canonical form:

- formatting, comments, keyword case and redundant parentheses disappear with the parse (a
  parenthesis is redundant when removing it gives the same tree: `(a + b) * c` keeps its own);
- identifiers are normalized as the dialect folds them (`Email` is `email` in PostgreSQL,
  `EMAIL` in Snowflake; a quoted `"Email"` stays case-sensitive);
- a table alias is renamed away when the expression reads through that one alias only
  (`LOWER(source.email)` and `LOWER(s.email)`); `canonical_reading` goes further with what the
  lineage graph knows: each alias resolved to the relation it reads;
- provably safe reorderings are undone: the operands of AND and OR, of `=` and `<>`, the
  items of an IN list and of a plain GROUP BY are sorted; `b > a` is written `a < b`.

Nothing else is assumed: `a + b` and `b + a` differ (`+` concatenates strings in some
dialects), and so do `1.0` and `1.00`. Text that does not parse is compared with its
whitespace collapsed. The canonical form is a structural dump of the tree, not SQL.

>>> equivalent("LOWER(TRIM(s.email))", "lower( trim(source.EMAIL) ) -- cleaned", "postgres")
True
>>> equivalent("a.x = 1 AND a.y = 2", "a.y = 2 AND a.x = 1", "postgres")
True
>>> equivalent("a.x + a.y", "a.y + a.x", "postgres")
False
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache

from sqlglot import exp, parse_one
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

#: Row edges of filters, groupings and orderings carry their clause (`WHERE x > 1`).
_CLAUSE = re.compile(r"\s*(WHERE|HAVING|QUALIFY|GROUP\s+BY|ORDER\s+BY)\b", re.IGNORECASE)
_CLAUSE_ARGS = {
    "WHERE": "where",
    "HAVING": "having",
    "QUALIFY": "qualify",
    "GROUP BY": "group",
    "ORDER BY": "order",
}
_SELECT_ARGS = frozenset({"expressions", "from_"})
_PLACEHOLDER = "?"  # the one table alias of an expression, whatever it is called

#: How the columns of an expression are renamed: (alias, column) -> (relation, column).
Names = Mapping[tuple[str, str], tuple[str, str]]
#: A column an expression is known to read (the source of a lineage edge): (relation, column).
Source = tuple[str, str]


@lru_cache(maxsize=16384)
def parse_edge_expression(text: str, dialect: str) -> exp.Expr | None:
    """The syntax tree of an edge expression, or None when it does not parse.

    A row edge's clause is part of the tree (`WHERE x > 1` gives a `Where` node). The tree is
    shared by every caller: copy it before changing it.
    """
    try:
        match = _CLAUSE.match(text)
        if match is None:
            return parse_one(text, read=dialect)
        return _clause(text, " ".join(match.group(1).upper().split()), dialect)
    except (SqlglotError, RecursionError, ValueError):
        return None


def _clause(text: str, clause: str, dialect: str) -> exp.Expr | None:
    select = parse_one(f"SELECT * FROM _lineage_clause {text}", read=dialect)
    key = _CLAUSE_ARGS[clause]
    used = {k for k, v in select.args.items() if v}
    if not isinstance(select, exp.Select) or not used <= _SELECT_ARGS | {key}:
        return None  # more than the one clause: not an edge expression
    found = select.args.get(key)
    return found if isinstance(found, exp.Expr) else None


@lru_cache(maxsize=16384)
def _prepared(text: str, dialect: str) -> exp.Expr | None:
    """Parsed, identifiers normalized, parentheses removed. Shared: copy before changing."""
    tree = parse_edge_expression(text, dialect)
    if tree is None:
        return None
    tree = normalize_identifiers(tree.copy(), dialect=dialect)
    while isinstance(tree, exp.Paren):
        tree = tree.this
    for paren in list(tree.find_all(exp.Paren)):
        paren.replace(paren.this)
    return tree


@lru_cache(maxsize=16384)
def qualified_columns(text: str, dialect: str) -> tuple[tuple[str, str], ...]:
    """The (alias, column) pairs an expression reads, normalized; the alias is "" for an
    unqualified column. Empty when the text does not parse or has a subquery (its aliases
    are scoped)."""
    tree = parse_edge_expression(text, dialect)
    if tree is None or _has_query(tree):
        return ()
    rules = Dialect.get_or_raise(dialect)
    pairs = set()
    for column in tree.find_all(exp.Column):
        parts = [column.args.get(k) for k in ("catalog", "db", "table")]
        alias = ".".join(_normal(p, rules) for p in parts if isinstance(p, exp.Identifier))
        name = _normal(column.this, rules) if isinstance(column.this, exp.Identifier) else ""
        pairs.add((alias, name or column.name))
    return tuple(sorted(pairs))


def _normal(identifier: exp.Identifier, rules: Dialect) -> str:
    return str(rules.normalize_identifier(identifier.copy()).name)


@lru_cache(maxsize=65536)
def canonical_expression(text: str, dialect: str) -> str:
    """The canonical form of an edge expression: equal forms are the same computation.

    >>> canonical_expression("b > a", "duckdb") == canonical_expression("(a) < b", "duckdb")
    True
    """
    return canonical_reading(text, dialect, {})


def canonical_reading(text: str, dialect: str, names: Names) -> str:
    """The canonical form, with the columns in `names` rewritten first: (alias, column) ->
    (relation, column), so that two expressions reading the same relations through other
    aliases, or a column since renamed, compare equal. Not cached: callers cache."""
    tree = _prepared(text, dialect)
    if tree is None:
        return "unparsed:" + " ".join(text.split())
    tree = tree.copy()
    if not _has_query(tree):
        _rename_columns(tree, names)
    return _dump(_ordered(tree))


def equivalent(a: str, b: str, dialect: str) -> bool:
    """True when `a` and `b` are provably the same computation (see the module docstring)."""
    return a == b or canonical_expression(a, dialect) == canonical_expression(b, dialect)


# -- aliases ------------------------------------------------------------------------------


def _has_query(tree: exp.Expr) -> bool:
    return isinstance(tree, exp.Query) or next(tree.find_all(exp.Query), None) is not None


def _qualifier(column: exp.Column) -> str:
    parts = (column.args.get(k) for k in ("catalog", "db", "table"))
    return ".".join(p.name for p in parts if isinstance(p, exp.Identifier))


def _rename_columns(tree: exp.Expr, names: Names) -> None:
    """Rewrite the columns `names` knows; when the rest read through one alias, that alias
    becomes a placeholder."""
    columns = [(c, _qualifier(c)) for c in tree.find_all(exp.Column)]
    rest = {q for c, q in columns if q and (q, c.name) not in names}
    for column, qualifier in columns:
        found = names.get((qualifier, column.name))
        if found is not None:
            _requalify(column, *found)
        elif qualifier and len(rest) == 1:
            _requalify(column, _PLACEHOLDER, column.name)


def _requalify(column: exp.Column, relation: str, name: str) -> None:
    column.set("catalog", None)
    column.set("db", None)
    column.set("table", exp.to_identifier(relation, quoted=True))
    column.set("this", exp.to_identifier(name, quoted=True))


def resolve_aliases(texts: Iterable[str], sources: Iterable[Source], dialect: str) -> Names:
    """(alias, column) -> the source it reads, for the aliases of `texts` (the expressions of
    one statement) that can be resolved: every column read through the alias comes from one
    relation among `sources`, and no other alias resolves to that relation (a self-join is
    left as written).

    >>> resolve_aliases(["u.id = o.user_id"], [("users", "id"), ("orders", "user_id")], "duckdb")
    {('o', 'user_id'): ('orders', 'user_id'), ('u', 'id'): ('users', 'id')}
    """
    by_name = _by_name(sources)
    read = {pair for text in texts for pair in qualified_columns(text, dialect)}
    through: dict[str, set[str]] = defaultdict(set)
    for alias, column in read:
        if alias:
            through[alias].add(column.casefold())
    found: dict[str, str] = {}
    for alias, columns in through.items():
        candidates = set.intersection(*({r for r, _ in by_name[c]} for c in columns))
        if len(candidates) == 1:
            found[alias] = candidates.pop()
    taken = [relation for relation in found.values()]
    names = {}
    for alias, column in sorted(read):
        relation = found.get(alias)
        if relation is not None and taken.count(relation) == 1:
            actual = next(c for r, c in by_name[column.casefold()] if r == relation)
            names[(alias, column)] = (relation, actual)
    return names


def resolve_unique(text: str, sources: Iterable[Source], known: Names, dialect: str) -> Names:
    """`known`, plus each column of `text` whose name is read through one alias only and
    belongs to exactly one of `sources` (the columns the expression is known to read)."""
    by_name = _by_name(sources)
    readers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for alias, column in qualified_columns(text, dialect):
        readers[column.casefold()].append((alias, column))
    extra = {
        read[0]: by_name[name][0]
        for name, read in readers.items()
        if len(read) == 1 and read[0] not in known and len(by_name[name]) == 1
    }
    return {**known, **extra} if extra else known


def _by_name(sources: Iterable[Source]) -> dict[str, list[Source]]:
    found: dict[str, list[Source]] = defaultdict(list)
    for source in sorted(set(sources)):
        found[source[1].casefold()].append(source)
    return found


# -- order --------------------------------------------------------------------------------

_SYMMETRIC = (exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.NullSafeNEQ)
_MIRRORED: dict[type[exp.Expr], type[exp.Expr]] = {exp.GT: exp.LT, exp.GTE: exp.LTE}
_GROUPING_ARGS = ("rollup", "cube", "grouping_sets", "totals", "all")


def _ordered(tree: exp.Expr) -> exp.Expr:
    """Undo the safe reorderings, innermost first; returns the (possibly new) root."""
    root = tree
    for node in reversed(list(tree.walk(bfs=True))):
        new = _order_node(node)
        if new is not node:
            if node is root:
                root = new
            else:
                node.replace(new)
    return root


def _order_node(node: exp.Expr) -> exp.Expr:
    if isinstance(node, (exp.And, exp.Or)):
        operands = sorted(node.flatten(), key=_dump)
        combined = operands[0]
        for operand in operands[1:]:
            combined = type(node)(this=combined, expression=operand)
        return combined
    if isinstance(node, _SYMMETRIC):
        low, high = sorted((node.this, node.expression), key=_dump)
        return type(node)(this=low, expression=high)
    mirrored = _MIRRORED.get(type(node))
    if mirrored is not None:
        return mirrored(this=node.expression, expression=node.this)
    if _is_set_of_items(node):
        node.set("expressions", sorted(node.expressions, key=_dump))
    return node


def _is_set_of_items(node: exp.Expr) -> bool:
    """An IN list, or a GROUP BY without ROLLUP, CUBE or GROUPING SETS: order is irrelevant."""
    if isinstance(node, exp.In):
        return not any(node.args.get(k) for k in ("query", "unnest", "field"))
    return isinstance(node, exp.Group) and not any(node.args.get(k) for k in _GROUPING_ARGS)


# -- dump ---------------------------------------------------------------------------------


def _dump(value: object) -> str:
    """A structural, unambiguous text of a tree (quoting and comments left out)."""
    if isinstance(value, exp.Identifier):
        return repr(value.name)
    if isinstance(value, (exp.Var, exp.Anonymous)) and isinstance(value.this, str):
        rest = "".join(f",{k}={_dump(v)}" for k, v in _args(value) if k != "this")
        return f"{type(value).__name__}({value.this.casefold()!r}{rest})"
    if isinstance(value, exp.Expr):
        inner = ",".join(f"{k}={_dump(v)}" for k, v in _args(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    return repr(value)


def _args(node: exp.Expr) -> list[tuple[str, object]]:
    return sorted(
        (k, v)
        for k, v in node.args.items()
        if v is not None and v is not False and not (isinstance(v, list) and not v)
    )
