"""`adapter`, `api`, `config`, `exceptions` and query results, as templates see them.

Each object keeps its render session in a private attribute: the sandbox refuses `_` names,
so templates reach only the public methods below.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from lineage.render import crossdb
from lineage.render.macros import CompilerError
from lineage.render.relations import Column, RelationRef

if TYPE_CHECKING:
    from lineage.render.context import Session

_MERGED_LISTS = ("tags", "pre-hook", "post-hook")
_MERGED_DICTS = ("meta", "grants", "docs", "persist_docs")


def merge_config(config: dict[str, Any], updates: Mapping[str, Any]) -> None:
    """Apply one `config(...)` call the way dbt merges it: lists append, dicts update."""
    for raw_key, value in updates.items():
        key = raw_key.replace("_", "-") if raw_key in ("pre_hook", "post_hook") else raw_key
        if key in _MERGED_LISTS:
            items = [value] if isinstance(value, str) else list(value or [])
            old = config.get(key) or []
            old = [old] if isinstance(old, str) else list(old)
            config[key] = old + [i for i in items if i not in old]
        elif key in _MERGED_DICTS and isinstance(value, Mapping):
            config[key] = {**(config.get(key) or {}), **value}
        else:
            config[key] = value


class ConfigObject:
    """`config(...)` records settings; `config.get`/`config.require` read them."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        updates = dict(args[0]) if args and isinstance(args[0], Mapping) else {}
        merge_config(self._session.config, {**updates, **kwargs})
        return ""

    def get(self, name: str, default: Any = None, validator: Any = None) -> Any:
        return self._session.config.get(name, default)

    def require(self, name: str, validator: Any = None) -> Any:
        if name not in self._session.config:
            raise CompilerError(f"config '{name}' is required but not set")
        return self._session.config[name]

    def meta_get(self, name: str, default: Any = None) -> Any:
        return (self._session.config.get("meta") or {}).get(name, default)

    def meta_require(self, name: str) -> Any:
        meta = self._session.config.get("meta") or {}
        if name not in meta:
            raise CompilerError(f"config meta '{name}' is required but not set")
        return meta[name]

    def set(self, name: str, value: Any) -> str:
        merge_config(self._session.config, {name: value})
        return ""


class EmptyColumn:
    name = ""

    def values(self) -> list[Any]:
        return []

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0


class EmptyColumns:
    """`table.columns`: any index or name answers an empty column."""

    def __getitem__(self, key: Any) -> EmptyColumn:
        return EmptyColumn()

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def values(self) -> list[Any]:
        return []


class EmptyTable:
    """What `run_query` and `load_result(...).table` answer: no warehouse, no rows."""

    columns = EmptyColumns()
    rows: tuple[Any, ...] = ()
    column_names: tuple[str, ...] = ()
    column_types: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __getitem__(self, key: Any) -> Any:
        return EmptyColumn()

    def print_table(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {}


def empty_result() -> dict[str, Any]:
    return {"data": [], "table": EmptyTable(), "response": None}


class Adapter:
    """`adapter`: dispatch, quoting and column lookups answered from the project's knowledge."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def dispatch(self, macro_name: str, macro_namespace: str | None = None, **kw: Any) -> Any:
        return self._session.dispatch(macro_name, macro_namespace or kw.get("packages"))

    def quote(self, identifier: Any) -> str:
        return self._session.quote(str(identifier))

    def quote_as_configured(self, identifier: Any, quote_key: str) -> str:
        policy = dict(
            zip(("database", "schema", "identifier"), self._session.quote_policy, strict=True)
        )
        return self.quote(identifier) if policy.get(quote_key) else str(identifier)

    def quote_seed_column(self, column: Any, quote_config: Any = None) -> str:
        return self.quote(column) if quote_config else str(column)

    def type(self) -> str:
        return self._session.adapter_type

    def get_columns_in_relation(self, relation: Any) -> list[Column]:
        if not self._session.execute:
            return []
        return self._session.columns_of(relation, "adapter.get_columns_in_relation") or []

    def get_missing_columns(self, from_relation: Any, to_relation: Any) -> list[Column]:
        source = self.get_columns_in_relation(from_relation)
        target = {c.column.lower() for c in self.get_columns_in_relation(to_relation)}
        return [c for c in source if c.column.lower() not in target]

    def get_relation(self, database: Any, schema: Any, identifier: Any) -> RelationRef:
        return self._session.make_relation(database, schema, identifier)

    def load_relation(self, relation: Any) -> Any:
        return relation

    def already_exists(self, schema: Any, identifier: Any) -> bool:
        return False

    def check_schema_exists(self, database: Any, schema: Any) -> bool:
        return False

    def list_relations_without_caching(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    def list_schemas(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []


class RelationFactory:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self,
        database: Any = None,
        schema: Any = None,
        identifier: Any = None,
        type: Any = None,
        **kwargs: Any,
    ) -> RelationRef:
        relation = self._session.make_relation(database, schema, identifier)
        return relation.incorporate(type=type) if type else relation


class ColumnFactory:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(self, name: str, label_or_dtype: str | None = None) -> Column:
        return self._session.make_column(str(name), label_or_dtype)

    def translate_type(self, dtype: str) -> str:
        kinds = {"string": "string", "text": "string", "integer": "int", "int": "int",
                 "bigint": "bigint", "float": "float", "numeric": "numeric",
                 "timestamp": "timestamp", "boolean": "boolean"}  # fmt: skip
        kind = kinds.get(str(dtype).lower())
        return crossdb.type_name(self._session.adapter_type, kind) if kind else str(dtype)

    def string_type(self, size: int) -> str:
        return f"varchar({size})"

    def numeric_type(self, dtype: str, precision: Any, scale: Any) -> str:
        return f"{dtype}({precision},{scale})" if precision is not None else str(dtype)


class Api:
    def __init__(self, session: Session) -> None:
        self.Relation = RelationFactory(session)
        self.Column = ColumnFactory(session)


class Exceptions:
    """`exceptions.raise_compiler_error(...)` fails the node; `exceptions.warn(...)` notes it."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def warn(self, message: Any, node: Any = None) -> str:
        self._session.warn(f"exceptions.warn: {message}")
        return ""

    def raise_compiler_error(self, message: Any, node: Any = None) -> None:
        raise CompilerError(str(message))

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("raise_"):
            raise AttributeError(name)

        def raiser(*args: Any, **kwargs: Any) -> None:
            raise CompilerError(f"{name}: {args[0] if args else ''}")

        return raiser
