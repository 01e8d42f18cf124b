"""The engine's name for a relation as dbt renders it (dbt relations are named by unique id
when the build is assembled: see `lineage.build.assemble`)."""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from lineage.sql.prepare import relation_name


@functools.lru_cache(maxsize=1 << 17)
def engine_name(relation: str, dialect: str) -> str:
    """The name the engine gives a relation written `relation` (normalized, dotted).
    Remembered: a build asks for each relation's name many times (a sqlglot parse each)."""
    try:
        table = sqlglot.parse_one(relation, into=exp.Table, dialect=dialect)
    except SqlglotError:
        return relation
    return relation_name(normalize_identifiers(table, dialect=dialect))
