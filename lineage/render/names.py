"""Where a node is built: dbt's generate_database_name / generate_schema_name /
generate_alias_name, or the project's (or the node's package's) overrides of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from lineage.render.macros import MacroProxy
from lineage.sources.dbt.nodes import DbtNode, ResourceType

if TYPE_CHECKING:
    from lineage.render.context import Session

_RELATION_TYPES = {
    "table": "table", "incremental": "table", "seed": "table", "snapshot": "table",
    "view": "view", "ephemeral": "cte", "materialized_view": "materialized_view",
}  # fmt: skip


def relation_type(config: Mapping[str, Any]) -> str | None:
    return _RELATION_TYPES.get(str(config.get("materialized", "")))


def default_database(session: Session, custom: Any, node: DbtNode) -> str | None:
    database = session.builtins()["target"]["database"]
    return str(custom).strip() if custom else database


def default_schema(session: Session, custom: Any, node: DbtNode) -> str:
    schema = str(session.builtins()["target"]["schema"])
    return f"{schema}_{str(custom).strip()}" if custom else schema


def default_alias(session: Session, custom: Any, node: DbtNode) -> str:
    if custom:
        return str(custom).strip()
    if node.version:
        return f"{node.name}_v{node.version.replace('.', '_')}"
    return node.name


def relation_parts(
    session: Session, node: DbtNode, config: Mapping[str, Any]
) -> tuple[str | None, str, str]:
    """(database, schema, identifier) for a node, as dbt would name it."""
    if node.resource_type is ResourceType.SNAPSHOT and config.get("target_schema"):
        database = config.get("target_database") or default_database(session, None, node)
        alias = _generate(session, node, "generate_alias_name", config.get("alias"), default_alias)
        return database, str(config["target_schema"]), str(alias)
    database = _generate(
        session, node, "generate_database_name", config.get("database"), default_database
    )
    schema = _generate(session, node, "generate_schema_name", config.get("schema"), default_schema)
    alias = _generate(session, node, "generate_alias_name", config.get("alias"), default_alias)
    return (str(database) if database else None), str(schema), str(alias)


def _generate(
    session: Session,
    node: DbtNode,
    macro_name: str,
    custom: Any,
    default: Callable[[Session, Any, DbtNode], Any],
) -> Any:
    override = _override(session, node, macro_name)
    if override is None:
        return default(session, custom, node)
    try:
        result = override(custom, session.builtins()["model"])
    except Exception as error:
        session.warn(f"{macro_name} failed ({error}); dbt's default naming used")
        return default(session, custom, node)
    text = str(result).strip()
    return text or default(session, custom, node)


def _override(session: Session, node: DbtNode, macro_name: str) -> MacroProxy | None:
    """The root project's macro wins, then one in the node's own package."""
    for package in (session.root_package, node.package):
        found = session.find_macro(package, macro_name)
        if found is not None:
            return found
    return None
