"""Plain, JSON-ready dictionaries of the frozen values, shared by every JSON output."""

from __future__ import annotations

from typing import Any

from lineage.entities import (
    BlindSpot,
    Column,
    ColumnRef,
    Consumer,
    DataTest,
    Diagnostic,
    Edge,
    Location,
    Owner,
    Relation,
)


def location(value: Location | None) -> dict[str, Any] | None:
    return None if value is None else {"path": value.path, "line": value.line}


def ref(value: ColumnRef) -> dict[str, Any]:
    return {"relation": value.relation, "column": value.column}


def column(value: Column) -> dict[str, Any]:
    return {
        "name": value.name,
        "type": value.data_type,
        "location": location(value.location),
        "inferred": value.inferred,
        "dropped": value.dropped,
        "nullable": value.nullable,
        "former_names": list(value.former_names),
        "description": value.description,
    }


def relation(value: Relation) -> dict[str, Any]:
    return {
        "name": value.name,
        "kind": value.kind.value,
        "location": location(value.location),
        "dropped": value.dropped,
        "columns_complete": value.columns_complete,
        "columns": [column(c) for c in value.columns],
        "contract": value.contract,
        "version": value.version,
        "owner": None if value.owner is None else owner(value.owner),
        "tests": [data_test(t) for t in value.tests],
        "former_names": list(value.former_names),
        "description": value.description,
        "tags": list(value.tags),
    }


def data_test(value: DataTest) -> dict[str, Any]:
    return {"name": value.name, "column": value.column, "location": location(value.location)}


def edge(value: Edge) -> dict[str, Any]:
    return {
        "source": ref(value.source),
        "target": ref(value.target),
        "kind": value.kind.value,
        "direct": value.kind.is_direct,
        "expression": value.expression,
        "location": location(value.location),
        "inner": list(value.inner),
    }


def blind_spot(value: BlindSpot) -> dict[str, Any]:
    return {
        "target": ref(value.target),
        "reason": value.reason,
        "location": location(value.location),
        "upstream": list(value.upstream),
    }


def diagnostic(value: Diagnostic) -> dict[str, Any]:
    return {
        "code": value.code.value,
        "severity": value.severity.name.lower(),
        "message": value.message,
        "location": location(value.location),
        "relation": value.relation,
    }


def owner(value: Owner) -> dict[str, Any]:
    return {"name": value.name, "email": value.email}


def consumer(value: Consumer) -> dict[str, Any]:
    return {
        "id": value.id,
        "kind": value.kind.value,
        "name": value.name,
        "owner": owner(value.owner),
        "level": value.level.value,
        "reads": [ref(r) for r in value.reads],
        "location": location(value.location),
        "url": value.url,
        "maturity": value.maturity,
        "origin": value.origin,
    }
