"""What makes large dbt builds fast without changing their result: a parse shipped from a worker
is the parse this process would make, a relation is named again whenever its node or config
changes, edges are sorted and deduplicated as `Edge.sort_key` says, and assembling a dbt build
names its relations by unique id everywhere a name appears."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from lineage.build import Counts, assemble
from lineage.entities import (
    ColumnRef,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    RelationKind,
)
from lineage.model_analysis import (
    AnalysisDecodeError,
    ModelAnalysis,
    decode_analysis,
    encode_analysis,
)
from lineage.render import RelationRef, Renderer
from lineage.sources.dbt.nodes import DbtNode, DbtProject, ResourceType
from lineage.sql.reads import OutputColumn, QueryLineage, Read
from lineage.sql.recorder import Recorder, sorted_unique_edges


class _Resolver:
    def ref(
        self, package: str | None, name: str, version: str | None, caller: DbtNode
    ) -> RelationRef | None:
        return RelationRef(f"model.shop.{name}", "analytics", "dbt", name)

    def source(self, source_name: str, table_name: str, caller: DbtNode) -> RelationRef | None:
        return None

    def columns(self, relation: RelationRef) -> list[tuple[str, str | None]] | None:
        return [("id", "integer"), ("name", None)]


def _project(**overrides: Any) -> DbtProject:
    fields: dict[str, Any] = {
        "name": "shop", "root": "/project", "profile": "shop", "version_config": {}, "vars": {},
        "dispatch": (), "quoting": {}, "packages": (), "nodes": (), "sources": (),
        "exposures": (), "groups": (), "semantic_models": (), "metrics": (), "macro_files": (),
        "diagnostics": (),
    }  # fmt: skip
    fields.update(overrides)
    return DbtProject(**fields)


def _node(sql: str, **overrides: Any) -> DbtNode:
    fields: dict[str, Any] = {
        "unique_id": "model.shop.m", "resource_type": ResourceType.MODEL, "package": "shop",
        "name": "m", "path": "models/m.sql", "raw_code": sql, "config": {"materialized": "view"},
    }  # fmt: skip
    fields.update(overrides)
    return DbtNode(**fields)


MODEL = """{{ config(materialized='table', alias='orders_' ~ var('suffix', 'x'), tags=['a']) }}
select o.id, {{ dbt_utils.star(ref('customers'), except=['name']) }}
from {{ ref('orders') }} o
{% if execute %}where o.id > 0{% endif %}
"""


def test_a_shipped_parse_renders_as_this_process_would_parse_and_render_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    node = _node(MODEL)
    here = Renderer(_project(), "postgres", _Resolver())
    expected_parse = here.parse(node)
    expected_render = here.render(node, expected_parse.config)
    assert expected_render.sql is not None and "analytics.dbt.orders" in expected_render.sql

    worker = Renderer(_project(), "postgres", _Resolver())  # as a forked worker holds it
    shipped = pickle.loads(pickle.dumps(worker.ship(node)))  # through the pipe
    adopting = Renderer(_project(), "postgres", _Resolver())
    compiled: list[str] = []
    original = Renderer._compile

    def counting(self: Renderer, compiled_node: DbtNode) -> object:
        compiled.append(compiled_node.unique_id)
        return original(self, compiled_node)

    monkeypatch.setattr(Renderer, "_compile", counting)
    parsed = adopting.adopt(node, shipped)
    assert parsed == expected_parse
    assert adopting.relation(node, parsed.config) == here.relation(node, expected_parse.config)
    assert adopting.render(node, parsed.config) == expected_render
    assert compiled == []  # the template came compiled


def test_a_parse_whose_config_holds_an_object_is_not_shipped() -> None:
    node = _node("{{ config(meta={'built_as': this}) }}select 1 as id")
    assert Renderer(_project(), "postgres", _Resolver()).ship(node) is None


def test_a_relation_is_named_again_when_its_node_or_its_config_changes() -> None:
    renderer = Renderer(_project(), "postgres", _Resolver())
    node = _node("select 1 as id")
    assert renderer.relation(node, {}).identifier == "m"
    assert renderer.relation(node, {"alias": "renamed"}).identifier == "renamed"
    assert renderer.relation(node, {}).identifier == "m"
    other = _node("select 1 as id", name="n")  # the same unique id, another node
    assert renderer.relation(other, {}).identifier == "n"


def _edge(target: str, source: str, kind: EdgeKind = EdgeKind.IDENTITY, line: int = 1) -> Edge:
    relation, _, column = target.partition(".")
    source_relation, _, source_column = source.partition(".")
    return Edge(
        ColumnRef(source_relation, source_column or None),
        ColumnRef(relation, column or None),
        kind,
        source,
        Location("m.sql", line),
    )


def test_edges_are_sorted_by_their_sort_key_without_duplicates() -> None:
    edges = [
        _edge("b.x", "a.x"),
        _edge("a.y", "s.y", line=3),
        _edge("b.x", "a.x"),
        _edge("a", "s.k", EdgeKind.FILTER),
        _edge("a.y", "s.y", line=2),
        _edge("a.y", "s.y", EdgeKind.TRANSFORMATION, line=2),
    ]
    expected = sorted(set(edges), key=lambda e: e.sort_key)
    assert sorted_unique_edges(edges) == tuple(expected)
    assert sorted_unique_edges(expected) == tuple(expected)
    assert [e.target.column for e in expected][:1] == [None]  # the rows sort first


def test_a_dbt_build_is_assembled_under_unique_ids() -> None:
    recorder = Recorder("postgres")
    recorder.path = "models/b.sql"
    a = recorder.define("analytics.dbt.a", RelationKind.MODEL, 1, [("id", None, None)])
    b = recorder.define("analytics.dbt.b", RelationKind.MODEL, 1, [("id", None, None)])
    target = recorder.column(b, "id", 1)
    recorder.edge(
        Read("analytics.dbt.a", "id", EdgeKind.TRANSFORMATION, "id + 1", 2, ("x",)), target
    )
    recorder.blind_spot((b.id, None), "a * could not be expanded", 1, ("analytics.dbt.a",))
    recorder.diagnose(1, DiagnosticCode.UNKNOWN_COLUMN, "no such column", "analytics.dbt.a")
    names = {"analytics.dbt.a": "model.p.a", "analytics.dbt.b": "model.p.b"}
    assert a.id != b.id

    built = assemble(recorder, ".", 2, Counts(), names, inner=False)

    assert [r.name for r in built.relations] == ["model.p.a", "model.p.b"]
    [edge] = built.edges
    assert (str(edge.source), str(edge.target), edge.inner) == ("model.p.a.id", "model.p.b.id", ())
    [spot] = built.blind_spots
    assert (spot.target, spot.upstream) == (ColumnRef("model.p.b", None), ("model.p.a",))
    assert [d.relation for d in built.diagnostics] == ["model.p.a"]
    kept = assemble(recorder, ".", 2, Counts())
    assert [e.inner for e in kept.edges] == [("x",)]
    assert [r.name for r in kept.relations] == ["analytics.dbt.a", "analytics.dbt.b"]


def _analysis(line: Any) -> ModelAnalysis:
    read = Read("raw.t", "id", EdgeKind.IDENTITY, "id", 1)
    output = OutputColumn("id", (read,), (), line)
    return ModelAnalysis(None, 1, (), ("raw.t",), None, QueryLineage((output,), (read,), ()))


def test_a_stored_analysis_decodes_to_the_same_values_and_a_malformed_one_is_refused() -> None:
    analysis = _analysis(1)
    assert decode_analysis(encode_analysis(analysis)) == analysis
    data = encode_analysis(analysis).replace(b'"id",1,[]', b'"id",true,[]')
    with pytest.raises(AnalysisDecodeError, match="expected an integer"):
        decode_analysis(data)
    data = encode_analysis(analysis).replace(b'"identity"', b'"sideways"')
    with pytest.raises(AnalysisDecodeError, match="unknown edge kind"):
        decode_analysis(data)
