"""Column types: their family, how a new type relates to an old one, and how a reader that
uses the column reacts to the change (docs/changes.md, "Type changes"); how an expression uses
a column is found by `lineage.sql.column_use`.

Types are parsed with sqlglot in the project's dialect, so `int4`, `integer` and `INT` are one
type, `varchar` and `character varying` too, and `timestamptz` is a timestamp with time zone.
What a type holds is modelled per dialect where the dialect says so: every integer type is
`NUMBER(38,0)` in Snowflake and `INT64` in BigQuery; a `varchar` without a length holds any
text in PostgreSQL.

>>> compatibility("int4", "bigint", "postgres")
<TypeCompatibility.WIDENING: 'widening'>
>>> type_change_severity("integer", "text", ColumnUse.ARITHMETIC, False, "postgres")[1]
'integer -> text is used in arithmetic'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from functools import lru_cache

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.expressions.datatypes import DType

from lineage.changes import ImpactSeverity, TypeCompatibility
from lineage.sql.column_use import ColumnUse

_INF = float("inf")


class TypeFamily(Enum):
    """What kind of value a type holds."""

    INTEGER = "integer"
    DECIMAL = "decimal"
    FLOAT = "float"
    TEXT = "text"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"
    TIMESTAMP_TZ = "timestamp_tz"
    TIME = "time"
    INTERVAL = "interval"
    JSON = "json"
    UUID = "uuid"
    BINARY = "binary"
    ARRAY = "array"
    STRUCT = "struct"
    OTHER = "other"


def _types(names: str) -> tuple[DType, ...]:
    return tuple(DType[name] for name in names.split())


_FAMILIES = {
    TypeFamily.INTEGER: _types(
        "TINYINT SMALLINT MEDIUMINT INT BIGINT INT128 INT256 UTINYINT USMALLINT UMEDIUMINT "
        "UINT UBIGINT UINT128 UINT256 SERIAL BIGSERIAL SMALLSERIAL"
    ),
    TypeFamily.DECIMAL: _types(
        "DECIMAL DECIMAL32 DECIMAL64 DECIMAL128 DECIMAL256 BIGDECIMAL UDECIMAL DECFLOAT MONEY "
        "SMALLMONEY"
    ),
    TypeFamily.FLOAT: _types("FLOAT DOUBLE UDOUBLE"),
    TypeFamily.TEXT: _types(
        "CHAR NCHAR VARCHAR NVARCHAR TEXT TINYTEXT MEDIUMTEXT LONGTEXT NAME BPCHAR FIXEDSTRING "
        "ENUM ENUM8 ENUM16"
    ),
    TypeFamily.BOOLEAN: _types("BOOLEAN"),
    TypeFamily.DATE: _types("DATE DATE32"),
    TypeFamily.TIMESTAMP: _types(
        "TIMESTAMP TIMESTAMPNTZ DATETIME DATETIME2 DATETIME64 SMALLDATETIME TIMESTAMP_S "
        "TIMESTAMP_MS TIMESTAMP_NS"
    ),
    TypeFamily.TIMESTAMP_TZ: _types("TIMESTAMPTZ TIMESTAMPLTZ"),
    TypeFamily.TIME: _types("TIME TIMETZ TIME_NS"),
    TypeFamily.INTERVAL: _types("INTERVAL"),
    TypeFamily.JSON: _types("JSON JSONB VARIANT SUPER"),
    TypeFamily.UUID: _types("UUID"),
    TypeFamily.BINARY: _types("BINARY VARBINARY BLOB TINYBLOB MEDIUMBLOB LONGBLOB IMAGE"),
    TypeFamily.ARRAY: _types("ARRAY LIST"),
    TypeFamily.STRUCT: _types("STRUCT OBJECT NESTED"),
}
_FAMILY_OF = {member: family for family, members in _FAMILIES.items() for member in members}


@lru_cache(maxsize=4096)
def _parsed(data_type: str, dialect: str) -> exp.DataType | None:
    if dialect == "mysql" and data_type.strip().lower() == "int8":
        data_type = "bigint"  # MySQL's INT8 is BIGINT (sqlglot reads an 8-bit integer)
    try:
        return exp.DataType.build(data_type, dialect=dialect)
    except (SqlglotError, ValueError):
        return None


def is_type(data_type: str, dialect: str) -> bool:
    """Whether `data_type` reads as a data type of `dialect` (`numeric(12, 2)`, `text`)."""
    return _parsed(data_type, dialect) is not None


def type_family(data_type: str | None, dialect: str) -> TypeFamily:
    """The family of a type as the dialect reads it; OTHER when unknown or not parsed.

    >>> type_family("int8", "postgres"), type_family("timestamptz", "postgres")
    (<TypeFamily.INTEGER: 'integer'>, <TypeFamily.TIMESTAMP_TZ: 'timestamp_tz'>)
    """
    parsed = _parsed(data_type, dialect) if data_type else None
    return TypeFamily.OTHER if parsed is None else _family(parsed)


def _family(parsed: exp.DataType) -> TypeFamily:
    if isinstance(parsed.this, exp.Interval):
        return TypeFamily.INTERVAL
    return _FAMILY_OF.get(parsed.this, TypeFamily.OTHER)


# -- what a type holds --------------------------------------------------------------------


@dataclass(frozen=True)
class _Exact:  # integers and decimals: bounds and digits after the point
    low: Fraction | float
    high: Fraction | float
    scale: float


@dataclass(frozen=True)
class _Float:
    mantissa: int  # bits


@dataclass(frozen=True)
class _Chars:  # text and binary strings
    binary: bool
    fixed: bool  # blank-padded to its length
    length: float


@dataclass(frozen=True)
class _Moment:  # dates, timestamps (rank 0, 1, 2 with time zone) and times (rank 1, 2)
    clock: bool  # a time of day, not a moment
    rank: int
    precision: int


_Model = _Exact | _Float | _Chars | _Moment

_BITS = (8, 16, 24, 32, 64, 128, 256)
_SIGNED_BITS = {
    **dict(zip(_types("TINYINT SMALLINT MEDIUMINT INT BIGINT INT128 INT256"), _BITS, strict=True)),
    **dict(zip(_types("SMALLSERIAL SERIAL BIGSERIAL"), (16, 32, 64), strict=True)),
}
_UNSIGNED_BITS = dict(
    zip(_types("UTINYINT USMALLINT UMEDIUMINT UINT UBIGINT UINT128 UINT256"), _BITS, strict=True)
)
_DECIMAL_DEFAULT = {"bigquery": (38, 9), "mysql": (10, 0), "spark": (10, 0), "databricks": (10, 0)}
_TEXT_LENGTH = {
    DType.TINYTEXT: 255,
    DType.MEDIUMTEXT: 16_777_215,
    DType.LONGTEXT: 4_294_967_295,
    DType.NAME: 63,
}
_BLOB_LENGTH = {DType.TINYBLOB: 255, DType.BLOB: 65_535, DType.MEDIUMBLOB: 16_777_215}
_PRECISION = {DType.TIMESTAMP_S: 0, DType.TIMESTAMP_MS: 3, DType.TIMESTAMP_NS: 9, DType.TIME_NS: 9}
_DEFAULT_PRECISION = {"snowflake": 9, "mysql": 0, "tsql": 7}
_MOMENT_RANK = {TypeFamily.DATE: 0, TypeFamily.TIMESTAMP: 1, TypeFamily.TIMESTAMP_TZ: 2}


def _params(parsed: exp.DataType) -> list[int | None]:
    """The numeric parameters (`varchar(20)`, `numeric(12,2)`); None for `MAX` and such."""
    return [int(p.name) if p.name.isdigit() else None for p in parsed.expressions]


def _model(parsed: exp.DataType, dialect: str) -> _Model | None:
    family = _family(parsed)
    if family in (TypeFamily.INTEGER, TypeFamily.DECIMAL):
        return _exact(parsed, family, dialect)
    if family is TypeFamily.FLOAT:
        single = parsed.this is DType.FLOAT and dialect not in ("snowflake", "bigquery")
        return _Float(24 if single else 53)
    if family in (TypeFamily.TEXT, TypeFamily.BINARY):
        return _chars(parsed, family is TypeFamily.BINARY, dialect)
    if family in _MOMENT_RANK or family is TypeFamily.TIME:
        return _moment(parsed, family, dialect)
    return None


def _exact(parsed: exp.DataType, family: TypeFamily, dialect: str) -> _Exact:
    if family is TypeFamily.INTEGER:
        if dialect == "snowflake":  # every integer type is NUMBER(38,0)
            return _decimal(38, 0, signed=True)
        bits = _UNSIGNED_BITS.get(parsed.this)
        if bits is not None:
            return _Exact(Fraction(0), Fraction(2**bits - 1), 0)
        bits = 64 if dialect == "bigquery" else _SIGNED_BITS.get(parsed.this, 64)
        return _Exact(Fraction(-(2 ** (bits - 1))), Fraction(2 ** (bits - 1) - 1), 0)
    if parsed.this in (DType.MONEY, DType.SMALLMONEY):
        scale = 4 if dialect == "tsql" or parsed.this is DType.SMALLMONEY else 2
        bits = 32 if parsed.this is DType.SMALLMONEY else 64
        return _Exact(
            Fraction(-(2 ** (bits - 1)), 10**scale), Fraction(2 ** (bits - 1), 10**scale), scale
        )
    params = [p for p in _params(parsed) if p is not None]
    if not params:
        if parsed.this is DType.BIGDECIMAL and dialect == "bigquery":
            params = [76, 38]
        elif parsed.this is not DType.DECFLOAT and dialect in _DECIMAL_DEFAULT:
            params = list(_DECIMAL_DEFAULT[dialect])
        else:
            return _Exact(-_INF, _INF, _INF)  # unconstrained NUMERIC
    precision, scale = params[0], (params[1] if len(params) > 1 else 0)
    return _decimal(precision, scale, signed=parsed.this is not DType.UDECIMAL)


def _decimal(precision: int, scale: int, signed: bool) -> _Exact:
    high = Fraction(10**precision - 1, 10**scale)
    return _Exact(-high if signed else Fraction(0), high, scale)


def _chars(parsed: exp.DataType, binary: bool, dialect: str) -> _Chars | None:
    if parsed.this in (DType.ENUM, DType.ENUM8, DType.ENUM16):
        return None
    fixed = parsed.this in (DType.CHAR, DType.NCHAR, DType.FIXEDSTRING) or (
        parsed.this is DType.BINARY and dialect in ("mysql", "tsql")
    )
    params = _params(parsed)
    if params:
        return _Chars(binary, fixed, _INF if params[0] is None else params[0])
    table = _BLOB_LENGTH if binary else _TEXT_LENGTH
    if parsed.this in table:
        return _Chars(binary, fixed, table[parsed.this])
    if fixed:
        return _Chars(binary, fixed, 1)  # CHAR is CHAR(1)
    if dialect == "mysql" and parsed.this is DType.TEXT:
        return _Chars(binary, fixed, 65_535)
    return _Chars(binary, fixed, 16_777_216 if dialect == "snowflake" else _INF)


def _moment(parsed: exp.DataType, family: TypeFamily, dialect: str) -> _Moment:
    params = [p for p in _params(parsed) if p is not None]
    if family is TypeFamily.DATE:
        precision = 0
    elif params:
        precision = params[0]
    else:
        precision = _PRECISION.get(parsed.this, _DEFAULT_PRECISION.get(dialect, 6))
    if family is TypeFamily.TIME:
        return _Moment(True, 2 if parsed.this is DType.TIMETZ else 1, precision)
    return _Moment(False, _MOMENT_RANK[family], precision)


def _fits(old: _Model, new: _Model) -> bool | None:
    """Does every value of `old` fit `new` unchanged? None: not comparable (other kinds)."""
    if isinstance(old, _Exact) and isinstance(new, _Exact):
        return new.low <= old.low and old.high <= new.high and old.scale <= new.scale
    if isinstance(old, _Float) and isinstance(new, _Float):
        return old.mantissa <= new.mantissa
    if isinstance(old, _Exact) and isinstance(new, _Float):
        return old.scale == 0 and max(-old.low, old.high) <= 2**new.mantissa
    if isinstance(old, _Float) and isinstance(new, _Exact):
        return False  # fractions, infinities and NaN
    if isinstance(old, _Chars) and isinstance(new, _Chars) and old.binary == new.binary:
        padded = new.fixed and not (old.fixed and old.length == new.length)
        return old.length <= new.length and not padded
    if isinstance(old, _Moment) and isinstance(new, _Moment) and old.clock == new.clock:
        return old.rank <= new.rank and old.precision <= new.precision
    return None


# -- compatibility ------------------------------------------------------------------------


def compatibility(old: str | None, new: str | None, dialect: str) -> TypeCompatibility:
    """How `new` relates to `old` (docs/changes.md has the rules and examples).

    >>> compatibility("varchar(50)", "text", "postgres").value
    'widening'
    >>> compatibility("numeric(12,2)", "numeric(10,2)", "postgres").value
    'narrowing'
    """
    if old is None or new is None:
        return TypeCompatibility.UNKNOWN
    if " ".join(old.lower().split()) == " ".join(new.lower().split()):
        return TypeCompatibility.SAME
    before, after = _parsed(old, dialect), _parsed(new, dialect)
    if before is None or after is None:
        return TypeCompatibility.UNKNOWN
    return _compare(before, after, dialect)


def _compare(old: exp.DataType, new: exp.DataType, dialect: str) -> TypeCompatibility:
    before, after = _model(old, dialect), _model(new, dialect)
    if before is not None and after is not None:
        forward, backward = _fits(before, after), _fits(after, before)
        if forward is None or backward is None:
            return TypeCompatibility.FAMILY_CHANGE
        if forward:
            return TypeCompatibility.SAME if backward else TypeCompatibility.WIDENING
        return TypeCompatibility.NARROWING
    if _family(old) is not _family(new):
        return TypeCompatibility.FAMILY_CHANGE
    if old == new:
        return TypeCompatibility.SAME
    if _family(old) is TypeFamily.ARRAY:
        return _compare_elements(old, new, dialect)
    if _family(old) is TypeFamily.STRUCT:
        return _compare_fields(old, new, dialect)
    return TypeCompatibility.UNKNOWN  # json -> jsonb, one enum -> another...


def _compare_elements(old: exp.DataType, new: exp.DataType, dialect: str) -> TypeCompatibility:
    before, after = old.expressions, new.expressions
    if len(before) != 1 or len(after) != 1:
        return TypeCompatibility.UNKNOWN
    if not isinstance(before[0], exp.DataType) or not isinstance(after[0], exp.DataType):
        return TypeCompatibility.UNKNOWN
    return _compare(before[0], after[0], dialect)


_WORST = (
    TypeCompatibility.FAMILY_CHANGE,
    TypeCompatibility.UNKNOWN,
    TypeCompatibility.NARROWING,
    TypeCompatibility.WIDENING,
    TypeCompatibility.SAME,
)


def _compare_fields(old: exp.DataType, new: exp.DataType, dialect: str) -> TypeCompatibility:
    """A struct: a field gone is a family change, one added is a widening."""
    before, after = _fields(old), _fields(new)
    if before is None or after is None:
        return TypeCompatibility.UNKNOWN
    found = [TypeCompatibility.WIDENING] if set(after) - set(before) else []
    for name, kind in before.items():
        other = after.get(name)
        found.append(
            TypeCompatibility.FAMILY_CHANGE if other is None else _compare(kind, other, dialect)
        )
    return min(found, key=_WORST.index, default=TypeCompatibility.SAME)


def _fields(parsed: exp.DataType) -> dict[str, exp.DataType] | None:
    fields = {}
    for item in parsed.expressions:
        kind = item.args.get("kind")
        if not isinstance(item, exp.ColumnDef) or not isinstance(kind, exp.DataType):
            return None
        fields[item.name] = kind
    return fields


# -- severity -----------------------------------------------------------------------------

_USE_WORDS = {
    ColumnUse.PASS_THROUGH: "passes through",
    ColumnUse.ARITHMETIC: "is used in arithmetic",
    ColumnUse.COMPARISON: "is compared",
    ColumnUse.CAST: "is cast",
    ColumnUse.STRING_FUNCTION: "is passed to a string function",
    ColumnUse.AGGREGATE: "is aggregated",
    ColumnUse.OTHER_FUNCTION: "is passed to a function",
    ColumnUse.UNKNOWN: "is used in a way not analysed",
}
_BREAKING_USES = frozenset({ColumnUse.ARITHMETIC, ColumnUse.COMPARISON, ColumnUse.AGGREGATE})


def type_change_severity(
    old_type: str | None, new_type: str | None, use: ColumnUse, join_key: bool, dialect: str
) -> tuple[ImpactSeverity, str]:
    """How a reader using a column by `use` (or as a join key) reacts to its type change.

    A change of family breaks arithmetic, comparisons, join keys, aggregates other than
    COUNT, and string functions once the type is no longer text; behind a cast it is
    unknown; anything else changes values.

    >>> type_change_severity("integer", "text", ColumnUse.CAST, False, "postgres")[0]
    <ImpactSeverity.UNKNOWN: 1>
    """
    change = compatibility(old_type, new_type, dialect)
    types = f"{old_type or 'unknown type'} -> {new_type or 'unknown type'}"
    words = "is compared as a join key" if join_key else _USE_WORDS[use]
    if change is TypeCompatibility.FAMILY_CHANGE:
        to_text = type_family(new_type, dialect) is TypeFamily.TEXT
        if join_key or use in _BREAKING_USES:
            return ImpactSeverity.BREAKS, f"{types} {words}"
        if use is ColumnUse.STRING_FUNCTION and not to_text:
            return ImpactSeverity.BREAKS, f"{types} {words}"
        if use is ColumnUse.CAST:
            return (
                ImpactSeverity.UNKNOWN,
                f"{types} {words}: the cast may not accept the new values",
            )
    return ImpactSeverity.VALUES, f"{types} ({change.value.replace('_', ' ')}) {words}"
