"""Frozen values every application-schema reader produces.

A reader takes a folder (or file) of one application and returns an `AppSchema`: the tables
as they stand after every migration (or as the models declare them), each column with its
type, nullability and the file:line that defines it (the migration line or the model field),
plus diagnostics for what could not be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from lineage.entities import Diagnostic, Location


class AppFormat(Enum):
    """Where an application's schema is read from."""

    SQL_MIGRATIONS = "sql"  # Flyway, golang-migrate, dbmate, Prisma migrations, plain .sql
    SCHEMA_DUMP = "dump"  # Rails db/structure.sql, schema.sql, pg_dump / mysqldump
    DJANGO = "django"
    SQLALCHEMY = "sqlalchemy"
    PRISMA = "prisma"
    RAILS = "rails"  # db/schema.rb


@dataclass(frozen=True)
class AppColumn:
    name: str  # as the database names it (db_column, @map, ...)
    data_type: str | None  # as written / mapped to SQL (e.g. "varchar(255)", "bigint")
    nullable: bool | None  # None when the source does not say
    location: Location | None  # the migration line, or the model field, that defines it
    renamed_from: tuple[str, ...] = ()  # earlier names, oldest first (RENAME COLUMN history)


@dataclass(frozen=True)
class AppTable:
    name: str  # the table's name in the application database (schema-qualified if written so)
    columns: tuple[AppColumn, ...]
    location: Location | None
    renamed_from: tuple[str, ...] = ()
    kind: str = "table"  # table, view, materialized_view, enum (CREATE TYPE ... AS ENUM)
    dropped: tuple[tuple[str, Location], ...] = ()  # columns dropped since: name, DROP line


@dataclass(frozen=True)
class AppSchema:
    """One application's tables after replaying its definitions, in name order."""

    format: AppFormat
    tables: tuple[AppTable, ...]
    diagnostics: tuple[Diagnostic, ...]
    applied: tuple[str, ...] = ()  # the files read, in the order applied
