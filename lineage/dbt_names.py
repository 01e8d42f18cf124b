"""Rename a built project's relations from warehouse names to dbt unique ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from lineage.entities import BlindSpot, ColumnRef, Diagnostic, Edge, Project, Relation
from lineage.sql.prepare import relation_name


def rename_relations(project: Project, names: Mapping[str, str]) -> Project:
    """`names` maps engine relation names to unique ids; other relations keep their name."""

    def name(relation: str) -> str:
        return names.get(relation, relation)

    refs: dict[ColumnRef, ColumnRef] = {}

    def ref(value: ColumnRef) -> ColumnRef:
        found = refs.get(value)
        if found is None:
            found = refs[value] = ColumnRef(name(value.relation), value.column)
        return found

    relations = tuple(
        sorted((replace(r, name=name(r.name)) for r in project.relations), key=_by_name)
    )
    edges = tuple(
        sorted(
            (
                Edge(ref(e.source), ref(e.target), e.kind, e.expression, e.location)
                for e in project.edges
            ),
            key=_edge_key,
        )
    )
    spots = tuple(
        sorted(
            (
                BlindSpot(ref(b.target), b.reason, b.location, tuple(name(u) for u in b.upstream))
                for b in project.blind_spots
            ),
            key=lambda b: (b.target.sort_key, b.location, b.reason),
        )
    )
    diagnostics = tuple(
        sorted(
            _renamed_diagnostic(d, name(d.relation)) if d.relation else d
            for d in project.diagnostics
        )
    )
    return replace(
        project, relations=relations, edges=edges, blind_spots=spots, diagnostics=diagnostics
    )


def _by_name(relation: Relation) -> str:
    return relation.name


def _edge_key(edge: Edge) -> tuple[object, ...]:
    return edge.sort_key


def _renamed_diagnostic(diagnostic: Diagnostic, relation: str) -> Diagnostic:
    return replace(diagnostic, relation=relation)


def engine_name(relation: str, dialect: str) -> str:
    """The name the engine gives a relation written `relation` (normalized, dotted)."""
    try:
        table = sqlglot.parse_one(relation, into=exp.Table, dialect=dialect)
    except SqlglotError:
        return relation
    return relation_name(normalize_identifiers(table, dialect=dialect))
