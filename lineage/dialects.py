"""Dialect names and identifier normalization: `Email`, `EMAIL` and `"email"` match exactly
where the warehouse would match them."""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from lineage.errors import UsageError

#: Dialects we test; any other dialect sqlglot knows is accepted as well.
TESTED_DIALECTS = (
    "bigquery", "clickhouse", "databricks", "duckdb", "mysql", "postgres", "redshift",
    "snowflake", "spark", "trino", "tsql",
)  # fmt: skip


#: Dialects whose select list may use an alias defined earlier in the same list
#: (`SELECT a + 1 AS x, x * 2 AS y`). Elsewhere `x` names a source column.
LATERAL_ALIAS_DIALECTS = frozenset(
    {"snowflake", "databricks", "spark", "duckdb", "redshift", "clickhouse", "teradata"}
)


def known_dialects() -> tuple[str, ...]:
    """Every dialect name sqlglot can read."""
    return tuple(sorted(d for d in Dialect.classes if d))


def check_dialect(name: str) -> str:
    """Return `name` when sqlglot knows it, else raise UsageError with suggestions."""
    if name in Dialect.classes and name:
        return name
    from difflib import get_close_matches

    close = get_close_matches(name, known_dialects(), n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"unknown dialect '{name}'.{hint} Known: {', '.join(TESTED_DIALECTS)}.")


@cache
def normalize_name(name: str, dialect: str) -> str:
    """Normalize a dotted name a person typed (`Stg_Users.Email`) the way `dialect` would.

    >>> normalize_name('Raw.Users', 'snowflake')
    'RAW.USERS'
    """
    try:
        column = sqlglot.parse_one(name, into=exp.Column, dialect=dialect)
    except sqlglot.errors.ParseError:
        return name
    column = normalize_identifiers(column, dialect=dialect)
    return ".".join(part.name for part in column.parts)


def normalize_identifier(identifier: exp.Identifier, dialect: str) -> str:
    """The name of one identifier as the warehouse resolves it."""
    return str(normalize_identifiers(identifier.copy(), dialect=dialect).name)
