"""The explorer's overview layout: exact small layouts worked out by hand, invariants on a
generated 2,000-relation graph, and the bundled dbt example.

Hand layouts use the module's geometry: a box is `min(len(label), 32) * 7 + 2 * 8` wide and 20
high; boxes in a layer are 28 apart (20 + a gap of 8); a layer starts 60 after the widest box of
the one before; the margin is 12; each layer is centred on the tallest: its top is
`12 + (tallest - size) * 28 // 2`.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from collections import defaultdict
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

from lineage.config import load_config
from lineage.entities import (
    Column,
    ColumnRef,
    Consumer,
    ConsumerKind,
    Coverage,
    Edge,
    EdgeKind,
    Location,
    Owner,
    Project,
    ReadLevel,
    Relation,
    RelationKind,
)
from lineage.explorer_layout import (
    OverviewGroup,
    OverviewLayout,
    OverviewNode,
    overview_group,
    overview_layout,
)
from lineage.projects import build

ROOT = Path(__file__).parent.parent
SHOP = ROOT / "fixtures" / "shop"
TABLE = RelationKind.TABLE
AT = Location("x.sql", 1)


def relation(name: str, kind: RelationKind = TABLE, path: str | None = None) -> Relation:
    columns = (Column("id", "integer", None), Column("email", "text", None))
    return Relation(name, kind, columns, Location(path, 1) if path else None)


def link(source: str, target: str, column: str | None = "id") -> Edge:
    """An edge from `source.id` to `target.<column>` (`None`: the target's rows)."""
    return Edge(ColumnRef(source, "id"), ColumnRef(target, column), EdgeKind.IDENTITY, "id", AT)


def project(
    relations: list[Relation], edges: list[Edge], consumers: tuple[Consumer, ...] = ()
) -> Project:
    coverage = Coverage(0, 0, 0, 0, 0, 0)
    return Project("p", "postgres", tuple(relations), tuple(edges), (), (), coverage, consumers)


def consumer(id: str, name: str, reads: list[ColumnRef]) -> Consumer:
    return Consumer(
        id, ConsumerKind.DASHBOARD, name, Owner("o"), ReadLevel.COLUMN, tuple(reads), None
    )


def tables(*names: str) -> list[Relation]:
    return [relation(name) for name in names]


# Exact layouts ------------------------------------------------------------------------------


def test_diamond() -> None:
    # a -> b, a -> c, b -> d, c -> d; b and c tie (both under a, both over d): name order.
    # Labels of one character: 23 wide. Layers at x 12, 12+23+60=95, 95+23+60=178.
    # The tallest layer has 2 boxes: a and d are centred at 12 + 28//2 = 26.
    edges = [link("a", "b"), link("a", "c"), link("b", "d"), link("c", "d")]
    edges += [link("a", "b", "email"), link("a", "b", None)]  # the same relation link again
    layout = overview_layout(project(tables("d", "c", "b", "a"), edges))
    assert layout == OverviewLayout(
        nodes=(
            ("a", "a", "table", "table", 0, 12, 26, 23, 20),
            ("b", "b", "table", "table", 1, 95, 12, 23, 20),
            ("c", "c", "table", "table", 1, 95, 40, 23, 20),
            ("d", "d", "table", "table", 2, 178, 26, 23, 20),
        ),
        edges=(0, 1, 0, 2, 1, 3, 2, 3),
        reversed_edges=(),
        layers=3,
        width=12 + 23 + 60 + 23 + 60 + 23 + 12,
        height=12 + 2 * 28 - 8 + 12,
    )


def test_chain_with_dbt_names_and_a_capped_label() -> None:
    # source:app.users (16 characters: 128 wide) -> stg_users (9: 79) -> a 42-character name,
    # capped at 32 characters: 240 wide. Layers at x 12, 12+128+60=200, 200+79+60=339.
    long_name = "a_very_long_model_name_that_goes_on_and_on"
    assert len(long_name) == 42
    relations = [
        relation("source.shop.app.users", RelationKind.SOURCE, "models/staging/_sources.yml"),
        relation("model.shop.stg_users", RelationKind.MODEL, "models/staging/stg_users.sql"),
        relation(f"model.shop.{long_name}", RelationKind.MODEL, "models/marts/long.sql"),
    ]
    edges = [link("model.shop.stg_users", f"model.shop.{long_name}")]
    edges += [link("source.shop.app.users", "model.shop.stg_users")]
    layout = overview_layout(project(relations, edges))
    assert layout.nodes == (
        (f"model.shop.{long_name}", long_name, "model", "marts", 2, 339, 12, 240, 20),
        ("model.shop.stg_users", "stg_users", "model", "staging", 1, 200, 12, 79, 20),
        ("source.shop.app.users", "source:app.users", "source", "source", 0, 12, 12, 128, 20),
    )
    assert layout.edges == (1, 0, 2, 1)
    assert (layout.layers, layout.width, layout.height) == (3, 339 + 240 + 12, 12 + 20 + 12)


def test_cycle_is_broken_by_reversing_the_back_edge() -> None:
    # A depth-first search from a (first by name) walks a -> b -> c and finds c -> a going
    # back: drawn as a -> c, so a, b, c take layers 0, 1, 2. A column of a read by another
    # column of a is no link between relations.
    edges = [link("a", "b"), link("b", "c"), link("c", "a"), link("a", "a", "email")]
    layout = overview_layout(project(tables("a", "b", "c"), edges))
    assert layout.nodes == (
        ("a", "a", "table", "table", 0, 12, 12, 23, 20),
        ("b", "b", "table", "table", 1, 95, 12, 23, 20),
        ("c", "c", "table", "table", 2, 178, 12, 23, 20),
    )
    assert layout.edges == (0, 1, 1, 2, 2, 0)
    assert layout.reversed_edges == (2, 0)


def test_two_way_link_reverses_one_direction() -> None:
    layout = overview_layout(project(tables("a", "b"), [link("a", "b"), link("b", "a")]))
    assert [(n.id, n.layer) for n in layout.nodes] == [("a", 0), ("b", 1)]
    assert (layout.edges, layout.reversed_edges) == ((0, 1, 1, 0), (1, 0))


def test_disconnected_pair_is_uncrossed() -> None:
    # a -> y and b -> x: in name order (a over b, x over y) the two edges cross; the first
    # sweep down puts y (under a, at 1/4) over x (under b, at 3/4), and nothing moves after.
    layout = overview_layout(project(tables("a", "b", "x", "y"), [link("a", "y"), link("b", "x")]))
    assert layout.nodes == (
        ("a", "a", "table", "table", 0, 12, 12, 23, 20),
        ("b", "b", "table", "table", 0, 12, 40, 23, 20),
        ("x", "x", "table", "table", 1, 95, 40, 23, 20),
        ("y", "y", "table", "table", 1, 95, 12, 23, 20),
    )
    assert layout.edges == (0, 3, 1, 2)
    assert (layout.width, layout.height) == (12 + 23 + 60 + 23 + 12, 12 + 2 * 28 - 8 + 12)


def test_consumer_is_a_child_of_the_relations_it_reads() -> None:
    # app:shop.users -> source:app.users -> stg_users; the dashboard reads two columns of
    # stg_users (one link) and one of the source: its longest path puts it in layer 3.
    # Widths: app:shop.users 14*7+16=114, source:app.users 128, stg_users 79, Dash 44.
    # x: 12, 12+114+60=186, 186+128+60=374, 374+79+60=513.
    app, source, stg = "app:shop.users", "source.shop.app.users", "model.shop.stg_users"
    relations = [
        relation(stg, RelationKind.MODEL, "models/staging/app/stg_users.sql"),
        relation(app, RelationKind.APP_TABLE, "../shop_app/db/V1__users.sql"),
        relation(source, RelationKind.SOURCE, "models/staging/app/_sources.yml"),
    ]
    reads = [ColumnRef(stg, "email"), ColumnRef(stg, "id"), ColumnRef(source, "id")]
    dashboard = consumer("exposure.shop.dash", "Dash", reads)
    layout = overview_layout(
        project(relations, [link(app, source), link(source, stg)], (dashboard,))
    )
    assert layout.nodes == (
        ("app:shop.users", "app:shop.users", "app_table", "app_table", 0, 12, 12, 114, 20),
        ("exposure.shop.dash", "Dash", "dashboard", "consumer", 3, 513, 12, 44, 20),
        ("model.shop.stg_users", "stg_users", "model", "staging", 2, 374, 12, 79, 20),
        ("source.shop.app.users", "source:app.users", "source", "source", 1, 186, 12, 128, 20),
    )
    assert layout.edges == (0, 3, 2, 1, 3, 1, 3, 2)
    assert (layout.layers, layout.width, layout.height) == (4, 513 + 44 + 12, 44)


def test_undefined_relations_are_external_and_unreferenced_dropped_ones_left_out() -> None:
    dropped = Relation("old", TABLE, (), None, dropped=True)
    kept = Relation("gone", TABLE, (), None, dropped=True)
    edges = [link("raw.missing", "b"), link("gone", "b")]
    reads = [ColumnRef("nowhere", "id")]
    layout = overview_layout(
        project([dropped, kept, relation("b")], edges, (consumer("c", "C", reads),))
    )
    assert [(n.id, n.kind, n.group, n.layer) for n in layout.nodes] == [
        ("b", "table", "table", 1),
        ("c", "dashboard", "consumer", 1),
        ("gone", "table", "table", 0),
        ("nowhere", "external", "external", 0),
        ("raw.missing", "external", "external", 0),
    ]


def test_consumer_and_relation_with_the_same_id_are_two_boxes() -> None:
    layout = overview_layout(
        project(tables("x"), [], (consumer("x", "X", [ColumnRef("x", "id")]),))
    )
    assert [(n.id, n.kind) for n in layout.nodes] == [("x", "table"), ("x", "dashboard")]
    assert layout.edges == (0, 1)


def test_empty_project() -> None:
    assert overview_layout(project([], [])) == OverviewLayout((), (), (), 0, 24, 24)


@pytest.mark.parametrize(
    ("name", "kind", "path", "group"),
    [
        ("app:shop.users", RelationKind.APP_TABLE, "migrations/V1.sql", OverviewGroup.APP_TABLE),
        ("source.s.app.users", RelationKind.SOURCE, "models/staging/x.yml", OverviewGroup.SOURCE),
        ("seed.s.codes", RelationKind.SEED, "seeds/codes.csv", OverviewGroup.SEED),
        ("snapshot.s.snap", RelationKind.SNAPSHOT, "snapshots/s.sql", OverviewGroup.SNAPSHOT),
        ("model.s.users", RelationKind.MODEL, "models/staging/app/u.sql", OverviewGroup.STAGING),
        (
            "model.s.x",
            RelationKind.MODEL,
            "models/intermediate/a/x.sql",
            OverviewGroup.INTERMEDIATE,
        ),
        ("model.s.x", RelationKind.MODEL, "models/marts/core/x.sql", OverviewGroup.MARTS),
        # the deepest conventional folder wins, then the name's dbt prefix, then the kind
        ("model.s.x", RelationKind.MODEL, "models/marts/staging/x.sql", OverviewGroup.STAGING),
        ("model.s.fct_orders", RelationKind.MODEL, "models/core/f.sql", OverviewGroup.MARTS),
        ("model.s.dim_users.v2", RelationKind.MODEL, "models/core/d.sql", OverviewGroup.MARTS),
        ("model.s.int_x", RelationKind.MODEL, None, OverviewGroup.INTERMEDIATE),
        ("model.s.orders", RelationKind.MODEL, "models/core/o.sql", OverviewGroup.MODEL),
        # plain SQL: numbered folders, then the schema
        ("staging.stg_orders", RelationKind.VIEW, "2_staging/10_v.sql", OverviewGroup.STAGING),
        ("raw.users", TABLE, "1_raw/01_tables.sql", OverviewGroup.SOURCE),
        ("marts.users", TABLE, None, OverviewGroup.MARTS),
        ("ops.jobs", TABLE, "4_ops/50_jobs.sql", OverviewGroup.TABLE),
        ("x", RelationKind.EXTERNAL, None, OverviewGroup.EXTERNAL),
    ],
)
def test_group(name: str, kind: RelationKind, path: str | None, group: OverviewGroup) -> None:
    assert overview_group(relation(name, kind, path)) is group


# Invariants on a generated graph -----------------------------------------------------------


def generated_project(size: int = 2000, seed: int = 7) -> Project:
    """dbt-like layers (10% sources, 30% staging, 40% intermediate, 20% marts) with 1-4 parents
    each in the layers before, by column or rows edges; 20 marts linked back to an ancestor one
    to three hops up (cycles); 20 consumers reading marts."""
    rng = random.Random(seed)
    shares = (("source", 0.1), ("stg", 0.3), ("int", 0.4), ("fct", 0.2))
    names: list[str] = []
    parents: dict[str, list[str]] = {}
    edges: list[Edge] = []
    for prefix, share in shares:
        count = int(size * share)
        layer = [f"model.g.{prefix}_{n:04d}_{'x' * rng.randint(0, 30)}" for n in range(count)]
        for name in layer:
            parents[name] = rng.sample(names, min(rng.randint(1, 4), len(names)))
            edges += [link(p, name, rng.choice(["id", "email", None])) for p in parents[name]]
        names += layer
    marts = names[-int(size * 0.2) :]
    for mart in rng.sample(marts, 20):
        ancestor = mart
        for _ in range(rng.randint(1, 3)):
            ancestor = rng.choice(parents[ancestor] or [ancestor])
        edges.append(link(mart, ancestor))
    relations = [relation(n, RelationKind.MODEL, f"models/{n[8:11]}/m.sql") for n in names]
    consumers = tuple(
        consumer(f"exposure.g.c{n}", f"C{n}", [ColumnRef(rng.choice(marts), "id")])
        for n in range(20)
    )
    return project(relations, edges, consumers)


@cache
def generated() -> tuple[Project, OverviewLayout]:
    graph = generated_project()
    return graph, overview_layout(graph)


def test_generated_edges_point_right_once_cycles_are_broken() -> None:
    _, layout = generated()
    pairs = set(zip(layout.edges[::2], layout.edges[1::2], strict=True))
    back = set(zip(layout.reversed_edges[::2], layout.reversed_edges[1::2], strict=True))
    assert back and back <= pairs
    for source, target in pairs:
        low, high = (target, source) if (source, target) in back else (source, target)
        assert layout.nodes[low].layer < layout.nodes[high].layer, (source, target)


def test_generated_every_relation_and_consumer_once_sorted() -> None:
    graph, layout = generated()
    ids = [n.id for n in layout.nodes]
    assert ids == sorted([r.name for r in graph.relations] + [c.id for c in graph.consumers])
    links = {(e.source.relation, e.target.relation) for e in graph.edges}
    links |= {(r.relation, c.id) for c in graph.consumers for r in c.reads}
    pairs = list(zip(layout.edges[::2], layout.edges[1::2], strict=True))
    assert pairs == sorted(pairs)
    assert {(ids[s], ids[t]) for s, t in pairs} == links


def test_generated_boxes_do_not_overlap_and_fit() -> None:
    _, layout = generated()
    by_layer: dict[int, list[OverviewNode]] = defaultdict(list)
    for node in layout.nodes:
        by_layer[node.layer].append(node)
        assert node.w <= 32 * 7 + 16 and node.h == 20
        assert node.x > 0 and node.x + node.w < layout.width
        assert node.y > 0 and node.y + node.h < layout.height
    assert sorted(by_layer) == list(range(layout.layers))
    right = 0
    for number in range(layout.layers):
        boxes = sorted(by_layer[number], key=lambda n: n.y)
        assert len({n.x for n in boxes}) == 1 and boxes[0].x > right
        right = max(n.x + n.w for n in boxes)
        for upper, lower in pairwise(boxes):
            assert upper.y + upper.h < lower.y


def test_generated_is_deterministic_whatever_the_input_order() -> None:
    graph, layout = generated()
    rng = random.Random(3)
    shuffled = [list(graph.relations), list(graph.edges)]
    for items in shuffled:
        rng.shuffle(items)
    again = project(shuffled[0], shuffled[1], graph.consumers[::-1])
    assert overview_layout(again) == layout


DETERMINISM = """
import hashlib
from test_explorer_layout import generated_project
from lineage.explorer_layout import overview_layout
print(hashlib.sha256(repr(overview_layout(generated_project(600))).encode()).hexdigest())
"""


def test_same_layout_under_different_hash_seeds() -> None:
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-c", DETERMINISM],
            cwd=Path(__file__).parent,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
            text=True,
        )
        outputs.add(done.stdout)
    expected = repr(overview_layout(generated_project(600))).encode()
    assert outputs == {hashlib.sha256(expected).hexdigest() + "\n"}


# The bundled dbt example -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop() -> tuple[Project, OverviewLayout]:
    graph = build(SHOP, load_config(SHOP))
    return graph, overview_layout(graph)


def test_shop_places_every_relation_and_consumer(shop: tuple[Project, OverviewLayout]) -> None:
    graph, layout = shop
    placed = {(n.id, n.group == "consumer") for n in layout.nodes}
    expected = {(r.name, False) for r in graph.relations} | {(c.id, True) for c in graph.consumers}
    assert placed == expected and len(layout.nodes) == len(expected)
    assert layout.reversed_edges == ()  # dbt's graph has no cycle
    for source, target in zip(layout.edges[::2], layout.edges[1::2], strict=True):
        assert layout.nodes[source].layer < layout.nodes[target].layer


def test_shop_sources_and_app_tables_come_first(shop: tuple[Project, OverviewLayout]) -> None:
    _, layout = shop
    layer = {n.id: n.layer for n in layout.nodes}
    group = {n.id: n.group for n in layout.nodes}
    # lineage.yml binds the applications' tables to the `app` source: app tables, then the
    # `app` source tables; hubspot's source tables have nothing upstream.
    assert {layer[i] for i in layer if i.startswith("app:")} == {0}
    assert {layer[i] for i in layer if i.startswith("source.shop.app.")} == {1}
    assert {layer[i] for i in layer if i.startswith("source.shop.hubspot.")} == {0}
    assert (
        layer["model.shop.stg_app__users"] == 2 and layer["model.shop.stg_hubspot__contacts"] == 1
    )
    first = {group[i] for i in layer if layer[i] == 0}
    assert {"app_table", "source", "seed"} <= first and "staging" not in first
    assert group["model.shop.stg_app__users"] == "staging"
    assert group["model.shop.int_orders_enriched"] == "intermediate"
    assert group["model.shop.fct_orders"] == "marts"
    assert group["snapshot.shop.snap_app__users"] == "snapshot"


def test_a_python_model_is_placed_after_what_its_blind_spot_names(
    shop: tuple[Project, OverviewLayout],
) -> None:
    """churn_predictions (a Python model, never analysed) reads customer_churn_features; its
    blind spot names that upstream, so it is drawn after it, as the selectors see it."""
    _, layout = shop
    layer = {n.id: n.layer for n in layout.nodes}
    assert layer["model.shop.churn_predictions"] > layer["model.shop.customer_churn_features"]
