"""How an expression uses a column: the innermost operator or function applied to it
(docs/changes.md, "How a reader uses a column"). Pure SQL analysis: whether a type change
breaks that use is judged in `lineage.type_compat`.

>>> column_use("LOWER(TRIM(source.email))", "email", "postgres")
<ColumnUse.STRING_FUNCTION: 'string_function'>
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from sqlglot import exp

from lineage.sql.equivalence import parse_edge_expression


class ColumnUse(Enum):
    """What a reader's expression does with a column (the innermost operator applied)."""

    PASS_THROUGH = "pass_through"
    ARITHMETIC = "arithmetic"
    COMPARISON = "comparison"  # also: used as a condition (`WHERE flag`, `NOT flag`)
    CAST = "cast"
    STRING_FUNCTION = "string_function"
    AGGREGATE = "aggregate"  # SUM, AVG, MIN, MAX...; COUNT and ARRAY_AGG are other functions
    OTHER_FUNCTION = "other_function"  # any other function, grouping and ordering keys
    UNKNOWN = "unknown"  # the expression does not parse or does not name the column


#: Most type-sensitive first: with several uses, the first one found here counts.
_SENSITIVITY = (
    ColumnUse.ARITHMETIC,
    ColumnUse.COMPARISON,
    ColumnUse.AGGREGATE,
    ColumnUse.STRING_FUNCTION,
    ColumnUse.CAST,
    ColumnUse.OTHER_FUNCTION,
    ColumnUse.PASS_THROUGH,
)


def _classes(names: str) -> tuple[type[exp.Expr], ...]:
    return tuple(getattr(exp, name) for name in names.split())


_TRANSPARENT = _classes("Paren Distinct")
_CONDITIONS = _classes("Where Having Qualify Not And Or Xor")
_COMPARISONS = _classes("EQ NEQ GT GTE LT LTE NullSafeEQ NullSafeNEQ Between In")
_ARITHMETIC = _classes(
    "Add Sub Mul Div IntDiv Mod Pow Neg BitwiseAnd BitwiseOr BitwiseXor BitwiseNot "
    "BitwiseLeftShift BitwiseRightShift Abs Round Floor Ceil Sqrt Cbrt Ln Log Exp Sign"
)
_STRINGS = _classes(
    "Upper Lower Trim Substring Length Like ILike RegexpLike RegexpILike RegexpExtract "
    "RegexpReplace RegexpSplit Initcap Left Right Pad StrPosition Split SplitPart Levenshtein "
    "Ascii MD5 SHA SHA2 StartsWith EndsWith SimilarTo Glob GroupConcat Replace Translate"
)
_STRING_NAMES = frozenset({"listagg", "regexp_substr", "lcase", "ucase", "ltrim", "rtrim"})
_CONCATENATION = _classes("Concat ConcatWs DPipe")
_ANY_TYPE_AGGREGATES = _classes(
    "Count CountIf ApproxDistinct ArrayAgg AnyValue First Last FirstValue LastValue NthValue "
    "Lag Lead"
)


@lru_cache(maxsize=16384)
def column_use(expression: str, column: str, dialect: str) -> ColumnUse:
    """How `expression` uses the column named `column` (most type-sensitive use first).

    >>> column_use("SUM(a.amount) / 100", "amount", "postgres")
    <ColumnUse.AGGREGATE: 'aggregate'>
    """
    tree = parse_edge_expression(expression, dialect)
    if tree is None:
        return ColumnUse.UNKNOWN
    wanted = column.casefold()
    uses = {_use(c, dialect) for c in tree.find_all(exp.Column) if c.name.casefold() == wanted}
    return min(uses, key=_SENSITIVITY.index, default=ColumnUse.UNKNOWN)


def _use(column: exp.Column, dialect: str) -> ColumnUse:
    child: exp.Expr = column
    parent = column.parent
    while isinstance(parent, _TRANSPARENT):
        child, parent = parent, parent.parent
    if parent is None:
        return ColumnUse.PASS_THROUGH
    if isinstance(parent, _CONDITIONS) or (isinstance(parent, exp.If) and child.arg_key == "this"):
        return ColumnUse.COMPARISON
    if isinstance(parent, exp.Case) and child.arg_key == "this":
        return ColumnUse.COMPARISON  # CASE x WHEN 1 THEN ...
    if isinstance(parent, exp.Is):
        is_null = isinstance(parent.expression, exp.Null)
        return ColumnUse.OTHER_FUNCTION if is_null else ColumnUse.COMPARISON
    return _function_use(parent, dialect)


def _function_use(parent: exp.Expr, dialect: str) -> ColumnUse:
    if isinstance(parent, _COMPARISONS):
        return ColumnUse.COMPARISON
    if isinstance(parent, _ARITHMETIC):
        return ColumnUse.ARITHMETIC
    if isinstance(parent, (exp.Cast, exp.TryCast)):
        return ColumnUse.CAST
    if isinstance(parent, _STRINGS):
        return ColumnUse.STRING_FUNCTION
    if isinstance(parent, exp.Anonymous) and str(parent.this).lower() in _STRING_NAMES:
        return ColumnUse.STRING_FUNCTION
    if isinstance(parent, _CONCATENATION):  # most dialects convert any value to text here
        return ColumnUse.STRING_FUNCTION if dialect == "bigquery" else ColumnUse.OTHER_FUNCTION
    if isinstance(parent, exp.AggFunc) and not isinstance(parent, _ANY_TYPE_AGGREGATES):
        return ColumnUse.AGGREGATE
    return ColumnUse.OTHER_FUNCTION
