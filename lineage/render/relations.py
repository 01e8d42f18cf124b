"""Relations and columns as templates see them: `this`, `ref()`, `source()`, adapter columns.

They behave like dbt's `Relation` and `Column` objects, read-only: a relation prints as its
(quoted where configured) `database.schema.identifier` and is a mapping, so package macros
that check `relation is mapping` accept it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

#: dbt adapter type for each sqlglot dialect that differs by name.
_ADAPTER_TYPES = {"tsql": "sqlserver"}
#: Adapters whose macros fall back to a parent adapter's before `default__` (dbt plugins).
_PARENT_ADAPTERS = {"redshift": ("postgres",), "databricks": ("spark",)}
_BACKTICK_ADAPTERS = frozenset({"bigquery", "databricks", "spark", "mysql"})
#: Adapters that quote nothing by default (dbt's default quoting is on elsewhere).
_UNQUOTED_ADAPTERS = frozenset({"snowflake", "databricks", "spark"})

_STRING_TYPES = {
    "bigquery": "string",
    "databricks": "string",
    "spark": "string",
    "snowflake": "varchar",
    "redshift": "varchar",
    "trino": "varchar",
    "sqlserver": "varchar(8000)",
    "mysql": "char",
    "clickhouse": "String",
}


def adapter_type(dialect: str) -> str:
    """The dbt adapter type (`target.type`) for a sqlglot dialect name."""
    return _ADAPTER_TYPES.get(dialect, dialect)


def adapter_prefixes(adapter: str) -> tuple[str, ...]:
    """Macro name prefixes adapter.dispatch tries, in order: the adapter, its parents, default."""
    return (adapter, *_PARENT_ADAPTERS.get(adapter, ()), "default")


def quote_character(adapter: str) -> str:
    return "`" if adapter in _BACKTICK_ADAPTERS else '"'


def string_type(adapter: str) -> str:
    return _STRING_TYPES.get(adapter, "text")


def quote_policy(adapter: str, quoting: Mapping[str, Any]) -> tuple[bool, bool, bool]:
    """(database, schema, identifier) quoting from project or source `quoting:` settings."""
    default = adapter not in _UNQUOTED_ADAPTERS
    return (
        bool(quoting.get("database", default)),
        bool(quoting.get("schema", default)),
        bool(quoting.get("identifier", default)),
    )


def quote(name: str, character: str = '"') -> str:
    return f"{character}{name.replace(character, character * 2)}{character}"


_KEYS = ("database", "schema", "identifier", "type", "metadata", "quote_policy", "include_policy")


@dataclass(frozen=True)
class RelationRef(Mapping[str, Any]):
    """A relation: what `this`, `ref()` and `source()` return inside templates.

    >>> str(RelationRef("model.shop.orders", "analytics", "dbt", "orders"))
    'analytics.dbt.orders'
    """

    unique_id: str
    database: str | None
    schema: str
    identifier: str
    quote_policy: tuple[bool, bool, bool] = (False, False, False)
    quote_character: str = '"'
    type: str | None = None
    include_policy: tuple[bool, bool, bool] = (True, True, True)

    lineage_printable = True

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        parts = (self.database, self.schema, self.identifier)
        shown = [
            quote(part, self.quote_character) if quoted else part
            for part, quoted, included in zip(
                parts, self.quote_policy, self.include_policy, strict=True
            )
            if included and part
        ]
        return ".".join(shown)

    # Mapping, so that `relation is mapping` and `relation.get(...)` work like dbt's.
    def __getitem__(self, key: str) -> Any:
        if key == "metadata":
            return {"type": "LineageRelation"}
        if key in _KEYS:
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    @property
    def name(self) -> str:
        return self.identifier

    @property
    def table(self) -> str:
        return self.identifier

    @property
    def path(self) -> dict[str, str | None]:
        return {"database": self.database, "schema": self.schema, "identifier": self.identifier}

    @property
    def is_table(self) -> bool:
        return self.type == "table"

    @property
    def is_view(self) -> bool:
        return self.type == "view"

    @property
    def is_materialized_view(self) -> bool:
        return self.type == "materialized_view"

    @property
    def is_cte(self) -> bool:
        return self.type == "cte"

    def include(
        self,
        database: bool | None = None,
        schema: bool | None = None,
        identifier: bool | None = None,
    ) -> RelationRef:
        old = self.include_policy
        new = (
            old[0] if database is None else database,
            old[1] if schema is None else schema,
            old[2] if identifier is None else identifier,
        )
        return replace(self, include_policy=new)

    def quote(
        self,
        database: bool | None = None,
        schema: bool | None = None,
        identifier: bool | None = None,
    ) -> RelationRef:
        old = self.quote_policy
        new = (
            old[0] if database is None else database,
            old[1] if schema is None else schema,
            old[2] if identifier is None else identifier,
        )
        return replace(self, quote_policy=new)

    def incorporate(
        self, path: Mapping[str, Any] | None = None, type: str | None = None
    ) -> RelationRef:
        path = path or {}
        return replace(
            self,
            database=path.get("database", self.database),
            schema=path.get("schema", self.schema),
            identifier=path.get("identifier", self.identifier),
            type=type or self.type,
        )

    def without_identifier(self) -> RelationRef:
        return self.include(identifier=False)


@dataclass(frozen=True)
class Column:
    """A column as `adapter.get_columns_in_relation` returns it, like dbt's `Column`.

    `dtype` is None when the type is unknown; `data_type` then answers the adapter's string
    type so that generated casts stay valid SQL.
    """

    column: str
    dtype: str | None
    quote_character: str = '"'
    unknown_type: str = "text"

    lineage_printable = True

    def __str__(self) -> str:
        return self.column

    @property
    def name(self) -> str:
        return self.column

    @property
    def data_type(self) -> str:
        return self.dtype or self.unknown_type

    @property
    def quoted(self) -> str:
        return quote(self.column, self.quote_character)

    def is_string(self) -> bool:
        return self.data_type.lower().startswith(("varchar", "text", "string", "char"))

    def is_number(self) -> bool:
        return self.is_integer() or self.is_float() or self.is_numeric()

    def is_integer(self) -> bool:
        return self.data_type.lower() in {
            "int",
            "integer",
            "bigint",
            "smallint",
            "int64",
            "tinyint",
        }

    def is_float(self) -> bool:
        return self.data_type.lower() in {"float", "float64", "double", "real", "double precision"}

    def is_numeric(self) -> bool:
        return self.data_type.lower().startswith(("numeric", "decimal", "number"))
