"""Get a query ready for the column walk: normalize identifiers, give every relation it reads
an opaque single-part key (so one flat schema serves tables named with one, two or three
parts), and qualify it once against the schemas known so far."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify_columns import qualify_columns as qualify_columns_step
from sqlglot.optimizer.qualify_tables import qualify_tables
from sqlglot.schema import MappingSchema

from lineage.dialects import LATERAL_ALIAS_DIALECTS
from lineage.sql.reads import KEY_PREFIX, TableInfo


@dataclass(frozen=True)
class Prepared:
    query: exp.Expr
    tables: dict[str, TableInfo]
    error: str | None = None


def relation_name(table: exp.Table) -> str:
    """The dotted name of a (normalized) table reference: `catalog.db.name` as written."""
    return ".".join(part.name for part in table.parts)


def prepare(
    query: exp.Expr, dialect: str, columns_of: Callable[[str], list[str] | None]
) -> Prepared:
    """Key and qualify `query` (already normalized) in place. `columns_of(relation)` gives the known
    columns of a relation in order, or None when they are not known."""
    _inline_named_windows(query)
    tables = _key_tables(query, columns_of)
    schema = MappingSchema(
        {
            key: dict.fromkeys(info.columns_ordered, "UNKNOWN")
            for key, info in tables.items()
            if info.columns_ordered is not None
        },
        dialect=dialect,
        normalize=False,
    )
    try:
        query = _qualify(query, dialect, schema, qualify_columns=True)
    except SqlglotError:
        # Columns sqlglot will not place (unknown sources around a correlated subquery): keep
        # what it did place and let the column walk resolve or report the rest.
        try:
            query = _qualify(query, dialect, schema, qualify_columns=False)
        except (SqlglotError, ValueError, KeyError, IndexError, AttributeError) as error:
            return Prepared(query, _infos(tables), f"cannot qualify: {error}")
    except (ValueError, KeyError, IndexError, AttributeError) as error:
        return Prepared(query, _infos(tables), f"cannot qualify: {error}")
    return Prepared(query, _infos(tables))


def _qualify(
    query: exp.Expr, dialect: str, schema: MappingSchema, qualify_columns: bool
) -> exp.Expr:
    """sqlglot expands select aliases in every dialect; where the warehouse does not, the
    column walk resolves alias names itself (ORDER BY / GROUP BY / HAVING only)."""
    # The statement is normalized once when parsed, so qualify's own first step (normalizing
    # again) is skipped: its other two steps are called directly.
    query = qualify_tables(query, dialect=dialect)
    if not qualify_columns:
        return query
    return qualify_columns_step(
        query,
        schema,
        expand_alias_refs=dialect in LATERAL_ALIAS_DIALECTS,
        allow_partial_qualification=True,
        dialect=dialect,
    )


@dataclass(frozen=True)
class _Keyed:
    relation: str
    columns_ordered: list[str] | None


def _infos(tables: dict[str, _Keyed]) -> dict[str, TableInfo]:
    return {
        key: TableInfo(k.relation, None if k.columns_ordered is None else tuple(k.columns_ordered))
        for key, k in tables.items()
    }


def _key_tables(
    query: exp.Expr, columns_of: Callable[[str], list[str] | None]
) -> dict[str, _Keyed]:
    found = list(query.find_all(exp.Table, exp.CTE))
    cte_names = {node.alias_or_name for node in found if isinstance(node, exp.CTE)}
    keys: dict[str, str] = {}
    tables: dict[str, _Keyed] = {}
    for table in found:
        if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
            continue
        if not table.db and table.name in cte_names:
            continue
        name = relation_name(table)
        key = keys.setdefault(name, f"{KEY_PREFIX}{len(keys)}")
        tables.setdefault(key, _Keyed(name, columns_of(name)))
        position = dict(table.this.meta)  # keep the name's place in the file
        if not table.alias:  # the warehouse names an unaliased table by its last part
            alias = exp.to_identifier(table.name)
            alias.meta.update(position)
            table.set("alias", exp.TableAlias(this=alias))
        keyed = exp.to_identifier(key, quoted=True)
        keyed.meta.update(position)
        table.set("this", keyed)
        table.set("db", None)
        table.set("catalog", None)
    return tables


def _inline_named_windows(query: exp.Expr) -> None:
    """`OVER w` with `WINDOW w AS (PARTITION BY ...)`: copy the definition into each use."""
    if query.find(exp.Window) is None:
        return
    for select in query.find_all(exp.Select):
        definitions = {w.name: w for w in select.args.get("windows") or []}
        if not definitions:
            continue
        for window in select.find_all(exp.Window):
            named = window.args.get("alias")
            definition = definitions.get(named.name) if named is not None else None
            if definition is None or window.parent is None or window in definitions.values():
                continue
            for key in ("partition_by", "order", "spec"):
                if not window.args.get(key) and definition.args.get(key):
                    window.set(
                        key,
                        definition.args[key].copy()
                        if isinstance(definition.args[key], exp.Expr)
                        else [e.copy() for e in definition.args[key]],
                    )
