"""The explorer's focus view, column path and details panel (static/explorer/50_focus.js,
60_draw.js, 70_details.js) in a real headless Chromium.

The page is driven through `window.lineageExplorer.setState` (the view state S of the
contract) and by real clicks; what it draws is read through the stable test hooks
(`g.relation[data-node]`, `g.column[data-column]`, `path.edge[data-kind]`, `.badge`,
`#details [data-field]`). Every expectation comes from the Project itself: the relations
Python's `lineage.selectors.select` gives for the same expression, the column walk of
`select(project, "+rel.col+")`, the kinds of the Project's edges, the Edge that defines a
column, the impact report's severities.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Page
except ImportError as missing:  # fail, never skip: CI must run these tests
    raise ImportError(f"{missing}: run `bash scripts/test.sh`, which installs Playwright") from None

from lineage import projects
from lineage.changes import ImpactReport
from lineage.config import load_config
from lineage.entities import ColumnRef, Edge, EdgeKind, Project, RelationKind
from lineage.names import display_name
from lineage.selectors import select

from .conftest import Watched, write_explorer

OpenPage = Callable[..., Watched]

FCT_ORDERS = "model.shop.fct_orders"
CHURN = "model.shop.churn_predictions"
#: What the per-hop badges say for each edge kind.
WORDS = {
    "identity": "copy",
    "transformation": "calc",
    "aggregation": "agg",
    "filter": "filter",
    "join": "join",
    "group_by": "group",
    "sort": "sort",
    "window": "window",
    "conditional": "case",
}

#: Everything the focus view draws, with its classes.
READ_FOCUS = """() => {
  const svg = document.getElementById('focus');
  const classes = (e) => Array.from(e.classList);
  return {
    relations: Array.from(svg.querySelectorAll('g.relation')).map(g => g.dataset.node),
    consumers: Array.from(svg.querySelectorAll('g.consumer')).map(g => g.dataset.node),
    columns: Array.from(svg.querySelectorAll('g.column'))
      .map(g => ({key: g.dataset.column, classes: classes(g)})),
    edges: Array.from(svg.querySelectorAll('path.edge')).map(e => ({
      kind: e.dataset.kind, source: e.dataset.source, target: e.dataset.target,
      classes: classes(e)})),
    badges: Array.from(svg.querySelectorAll('.badge'))
      .map(b => ({kind: b.dataset.kind, text: b.textContent})),
    chains: Array.from(svg.querySelectorAll('.chain'))
      .map(b => ({hidden: b.dataset.hidden, text: b.querySelector('text').textContent})),
  };
}"""

#: Sets the state; `node` and `column` may be given by graph id and column name.
SET_STATE = """([patch, node, column]) => {
  const L = window.lineageExplorer;
  if (node !== null) patch.node = L.M.nodeByText(node);
  if (column !== null) {
    const n = L.M.nodeByText(column[0]);
    patch.column = column[1] === null ? L.M.rowsOf(n) : L.M.columnByName(n, column[1]);
    patch.node = n;
  }
  L.setState(Object.assign({view: 'focus'}, patch));
}"""


def key(ref: ColumnRef) -> str:
    """A column's `data-column`: `<graph id>|<column>` (rows: nothing after the bar)."""
    return f"{ref.relation}|{ref.column or ''}"


def open_explorer(open_page: OpenPage, path: Path) -> Page:
    watched = open_page(path)
    page = watched.page
    deadline = time.monotonic() + 5
    ready = "() => Boolean(window.lineageExplorer && window.lineageExplorer.ready)"
    while not page.evaluate(ready):
        assert time.monotonic() < deadline, f"the explorer never got ready: {watched.problems()}"
        page.wait_for_timeout(20)
    page.watched = watched  # type: ignore[attr-defined]
    return page


def set_state(
    page: Page,
    node: str | None = None,
    col: tuple[str, str | None] | None = None,
    **patch: Any,
) -> dict[str, Any]:
    """Set the state (`node` by graph id, `col` as (graph id, column name)); what is drawn."""
    page.evaluate(SET_STATE, [patch, node, list(col) if col else None])
    drawn: dict[str, Any] = page.evaluate(READ_FOCUS)
    return drawn


def on_path(drawn: dict[str, Any]) -> set[str]:
    return {c["key"] for c in drawn["columns"] if "on-path" in c["classes"]}


def no_problems(page: Page) -> None:
    assert page.watched.problems() == []  # type: ignore[attr-defined]


@pytest.fixture
def shop(open_page: OpenPage, explorer_page: Path) -> Page:
    return open_explorer(open_page, explorer_page)


def defining_edge(project: Project, ref: ColumnRef) -> Edge:
    """The edge whose expression defines a column: its first direct incoming edge."""
    into = sorted((e for e in project.edges if e.target == ref), key=lambda e: e.sort_key)
    return next((e for e in into if e.kind.is_direct), into[0])


# -- focus and depth --------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2])
def test_focus_shows_the_relations_of_the_python_selector(
    shop: Page, shop_project: Project, depth: int
) -> None:
    drawn = set_state(shop, select="fct_orders", depth=depth)
    expected = select(shop_project, f"{depth}+fct_orders+{depth}")
    assert sorted(drawn["relations"]) == list(expected.relations)
    assert sorted(drawn["consumers"]) == list(expected.consumers)
    no_problems(shop)


def test_each_relation_lists_its_columns_and_rows_only_with_edges(
    shop: Page, shop_project: Project
) -> None:
    drawn = set_state(shop, select="fct_orders", depth=1)
    relation = next(r for r in shop_project.relations if r.name == FCT_ORDERS)
    listed = [c["key"] for c in drawn["columns"] if c["key"].startswith(FCT_ORDERS + "|")]
    declared = [key(ColumnRef(FCT_ORDERS, c.name)) for c in relation.columns if not c.dropped]
    assert [k for k in listed if not k.endswith("|")] == declared
    # the rows pseudo-column is drawn exactly when a drawn edge touches it
    ends = {e["source"] for e in drawn["edges"]} | {e["target"] for e in drawn["edges"]}
    rows = [c["key"] for c in drawn["columns"] if c["key"].endswith("|")]
    assert rows and all(r in ends for r in rows)
    title = shop.locator(f'#focus g.column[data-column="{FCT_ORDERS}|amount"] > title')
    assert "amount" in title.text_content()


# -- the column path --------------------------------------------------------------------------


def test_clicking_a_column_highlights_its_whole_column_walk(
    shop: Page, shop_project: Project
) -> None:
    before = set_state(shop, select="fct_orders", depth=1)
    assert on_path(before) == set()
    shop.locator(f'#focus g.column[data-column="{FCT_ORDERS}|amount"]').click()
    drawn = shop.evaluate(READ_FOCUS)
    walk = select(shop_project, "+fct_orders.amount+")
    assert on_path(drawn) == {key(c) for c in walk.columns}
    # relations on the path are added beyond the depth
    on_path_relations = {c.relation for c in walk.columns}
    assert on_path_relations <= set(drawn["relations"])
    assert on_path_relations - set(select(shop_project, "1+fct_orders+1").relations)
    selected = [c["key"] for c in drawn["columns"] if "selected" in c["classes"]]
    assert selected == [f"{FCT_ORDERS}|amount"]
    # clicking it again clears the highlight
    shop.locator(f'#focus g.column[data-column="{FCT_ORDERS}|amount"]').click()
    shop.mouse.move(1, 1)  # else the column now under the pointer previews its own path
    assert on_path(shop.evaluate(READ_FOCUS)) == set()
    no_problems(shop)


def test_path_edges_and_their_badges(shop: Page, shop_project: Project) -> None:
    drawn = set_state(shop, select="fct_orders", depth=1, col=(FCT_ORDERS, "amount"))
    walk = {key(c) for c in select(shop_project, "+fct_orders.amount+").columns}
    highlighted = [e for e in drawn["edges"] if "on-path" in e["classes"]]
    assert highlighted
    for edge in highlighted:
        # every highlighted hop starts on the path; it ends on it, or on the rows of a
        # relation with a column on the path (a filter or join deciding its rows)
        assert edge["source"] in walk
        relation = edge["target"].split("|")[0]
        assert edge["target"] in walk or (
            edge["target"].endswith("|") and any(k.startswith(relation + "|") for k in walk)
        )
    assert sorted((b["kind"], b["text"]) for b in drawn["badges"]) == sorted(
        (e["kind"], WORDS[e["kind"]]) for e in highlighted
    )
    # an edge between two columns on the path is highlighted
    for edge in drawn["edges"]:
        if edge["source"] in walk and edge["target"] in walk:
            assert "on-path" in edge["classes"], edge


def test_edges_are_the_projects_with_direct_and_indirect_classes(
    shop: Page, shop_project: Project
) -> None:
    drawn = set_state(shop, select="fct_orders", depth=1)
    shown = {c["key"] for c in drawn["columns"]}
    project_edges = {
        (key(e.source), key(e.target), e.kind.value)
        for e in shop_project.edges
        if key(e.source) in shown and key(e.target) in shown
    }
    drawn_edges = {(e["source"], e["target"], e["kind"]) for e in drawn["edges"]}
    assert drawn_edges == project_edges
    kinds = set()
    for edge in drawn["edges"]:
        kind = EdgeKind(edge["kind"])
        kinds.add(kind.is_direct)
        assert ("direct" in edge["classes"]) == kind.is_direct
        assert ("indirect" in edge["classes"]) == (not kind.is_direct)
    assert kinds == {True, False}  # the example has both


def test_hover_previews_a_path_and_the_lock_keeps_the_highlight(
    shop: Page, shop_project: Project
) -> None:
    drawn = set_state(shop, select="fct_orders", depth=1, col=(FCT_ORDERS, "amount"))
    amount = on_path(drawn)
    other = f"{FCT_ORDERS}|order_status"
    shop.locator(f'#focus g.column[data-column="{other}"]').hover()
    preview = on_path(shop.evaluate(READ_FOCUS))
    assert preview == {key(c) for c in select(shop_project, "+fct_orders.order_status+").columns}
    shop.mouse.move(1, 1)
    set_state(shop, lock=True)
    shop.locator(f'#focus g.column[data-column="{other}"]').hover()
    assert on_path(shop.evaluate(READ_FOCUS)) == amount  # no preview while locked
    # focusing another relation keeps the locked highlight (and its relations)
    other_relation = "model.shop.stg_hubspot__contacts"
    assert other_relation not in {
        c.relation for c in select(shop_project, "+fct_orders.amount+").columns
    }
    drawn = set_state(shop, select="stg_hubspot__contacts", depth=0, node=other_relation, column=-1)
    assert other_relation in drawn["relations"]
    assert on_path(drawn) == amount
    assert FCT_ORDERS in drawn["relations"]
    shop.mouse.move(1, 1)
    drawn = set_state(shop, lock=False)
    assert on_path(drawn) == set()


# -- details ----------------------------------------------------------------------------------


def field(page: Page, name: str) -> str:
    """The text of a details field, without its heading."""
    parts = page.locator(f'#details [data-field="{name}"] > :not(h3)').all_inner_texts()
    return "\n".join(parts)


def test_details_of_a_column(shop: Page, shop_project: Project) -> None:
    ref = ColumnRef(FCT_ORDERS, "amount_usd")
    set_state(shop, select="fct_orders", depth=1, col=(FCT_ORDERS, "amount_usd"))
    edge = defining_edge(shop_project, ref)
    assert edge.expression in field(shop, "expression")
    assert f"{edge.location.path}:{edge.location.line}" in field(shop, "location")
    up = select(shop_project, "+fct_orders.amount_usd").columns
    down = select(shop_project, "fct_orders.amount_usd+")
    counts = shop.evaluate(
        """() => ['ancestors', 'descendants', 'consumers'].map(f =>
             Number(document.querySelector(`#details [data-field="${f}"]`).dataset.count))"""
    )
    assert counts == [len(up) - 1, len(down.columns) - 1, len(down.consumers)]
    consumers = shop.locator('#details [data-field="consumers"] [data-node]')
    assert sorted(consumers.evaluate_all("els => els.map(e => e.dataset.node)")) == list(
        down.consumers
    )
    relation = next(r for r in shop_project.relations if r.name == FCT_ORDERS)
    tests = [t.name for t in relation.tests if t.column == "amount_usd"]
    text = field(shop, "tests")
    assert all(name in text for name in tests)
    no_problems(shop)


def test_details_of_a_relation_with_tests_and_an_owner(shop: Page, shop_project: Project) -> None:
    relation = min(
        (r for r in shop_project.relations if r.tests and r.owner and r.owner.name),
        key=lambda r: r.name,
    )
    set_state(shop, select=display_name(relation.name), depth=1, node=relation.name, column=-1)
    assert field(shop, "owner") == str(relation.owner)
    tests = field(shop, "tests")
    for test in relation.tests:
        assert test.name in tests
    count = shop.locator('#details [data-field="tests"]').get_attribute("data-count")
    assert count == str(len(relation.tests))
    assert f"{relation.location.path}:{relation.location.line}" in field(shop, "location")
    if relation.description:
        assert field(shop, "description").strip().endswith(relation.description.strip()[-20:])


def test_details_summary_without_a_selection(shop: Page, shop_project: Project) -> None:
    shop.evaluate("() => window.lineageExplorer.setState({select: '', node: -1, column: -1})")
    from lineage.report.coverage import coverage_line

    assert coverage_line(shop_project) in field(shop, "coverage")


# -- noise ------------------------------------------------------------------------------------


def test_hiding_sources_and_consumers(shop: Page, shop_project: Project) -> None:
    kinds = {r.name: r.kind for r in shop_project.relations}
    sources = {RelationKind.SOURCE, RelationKind.APP_TABLE}
    drawn = set_state(shop, select="+fct_orders", depth=0, hide=[])
    assert {n for n in drawn["relations"] if kinds.get(n) in sources}
    drawn = set_state(shop, hide=["sources"])
    expected = [
        n for n in select(shop_project, "+fct_orders").relations if kinds.get(n) not in sources
    ]
    assert sorted(drawn["relations"]) == expected
    drawn = set_state(shop, select="fct_orders+", depth=0, hide=[])
    assert sorted(drawn["consumers"]) == list(select(shop_project, "fct_orders+").consumers)
    assert drawn["consumers"]
    drawn = set_state(shop, hide=["consumers"])
    assert drawn["consumers"] == []
    # a consumer that is the selection itself stays
    drawn = set_state(shop, select="exposure:revenue_dashboard", depth=1, hide=["consumers"])
    assert drawn["consumers"] == ["exposure.shop.revenue_dashboard"]
    set_state(shop, hide=[])


def test_hiding_tests_removes_the_test_badges(shop: Page) -> None:
    set_state(shop, select="fct_orders", depth=0, hide=[])
    assert shop.locator("#focus .tests").count() > 0
    set_state(shop, hide=["tests"])
    assert shop.locator("#focus .tests").count() == 0
    set_state(shop, hide=[])


CHAIN = {
    "a": "select 1 as id, 'x' as name",
    "b": "select * from {{ ref('a') }}",
    "c": "select * from {{ ref('b') }}",
    "d": "select id, upper(name) as name_upper from {{ ref('c') }} where id > 0",
}


@pytest.fixture(scope="module")
def chain_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dbt project a -> b -> c -> d where b and c are `select *` pass-throughs of a."""
    root = tmp_path_factory.mktemp("chain")
    (root / "dbt_project.yml").write_text(
        "name: chain\nversion: '1.0'\nprofile: chain\nmodel-paths: ['models']\n"
    )
    (root / "models").mkdir()
    for name, sql in CHAIN.items():
        (root / "models" / f"{name}.sql").write_text(sql + "\n")
    project = projects.build(root, load_config(root))
    # the project really is the chain: b and c copy every column of their parent
    for name, parent in (("b", "a"), ("c", "b")):
        into = [e for e in project.edges if e.target.relation == f"model.chain.{name}"]
        assert {(e.source.relation, e.kind) for e in into} == {
            (f"model.chain.{parent}", EdgeKind.IDENTITY)
        }
        assert {e.target.column for e in into} == {"id", "name"}
    return write_explorer(project, root)


def test_collapsing_a_pass_through_chain(open_page: OpenPage, chain_page: Path) -> None:
    page = open_explorer(open_page, chain_page)
    drawn = set_state(page, select="d", depth=3, collapse=False)
    assert sorted(drawn["relations"]) == [f"model.chain.{n}" for n in "abcd"]
    assert drawn["chains"] == []
    drawn = set_state(page, collapse=True)
    assert sorted(drawn["relations"]) == ["model.chain.a", "model.chain.d"]
    # a's edges go straight to d, through the chain, with a badge saying how many it hides
    assert {(e["source"], e["target"]) for e in drawn["edges"]} >= {
        ("model.chain.a|id", "model.chain.d|id"),
        ("model.chain.a|name", "model.chain.d|name_upper"),
    }
    assert drawn["chains"] == [
        {"hidden": "model.chain.b model.chain.c", "text": "⋯ 2 pass-through"}
    ]
    # a selected pass-through is never collapsed
    drawn = set_state(page, select="c", depth=3, collapse=True)
    assert "model.chain.c" in drawn["relations"]
    assert "model.chain.b" not in drawn["relations"]
    no_problems(page)


# -- grouping and blind spots -----------------------------------------------------------------


def test_grouping_by_folder_frames_each_run(shop: Page, shop_project: Project) -> None:
    drawn = set_state(shop, select="fct_orders", depth=2, group="folder", hide=[])
    folders = {
        r.name: r.location.path.rpartition("/")[0] for r in shop_project.relations if r.location
    }
    frames = shop.evaluate(
        """() => {
          const box = (e) => {
            const b = e.getBBox();
            return [b.x, b.y, b.x + b.width, b.y + b.height];
          };
          const frames = Array.from(document.querySelectorAll('#focus g.group')).map(g =>
            ({label: g.dataset.group, box: box(g.querySelector('rect'))}));
          const nodes = Array.from(document.querySelectorAll('#focus g.relation')).map(g =>
            ({node: g.dataset.node, box: box(g.querySelector('rect.box'))}));
          return {frames, nodes};
        }"""
    )
    assert {f["label"] for f in frames["frames"]} >= {
        folders[n] for n in drawn["relations"] if n in folders
    }
    for node in frames["nodes"]:
        if node["node"] not in folders:
            continue
        x1, y1, x2, y2 = node["box"]
        assert any(
            f["label"] == folders[node["node"]]
            and f["box"][0] <= x1
            and f["box"][1] <= y1
            and x2 <= f["box"][2]
            and y2 <= f["box"][3]
            for f in frames["frames"]
        ), node
    drawn = set_state(shop, group="none")
    assert shop.locator("#focus g.group").count() == 0


def test_blind_spots_are_hatched_with_their_reason(shop: Page, shop_project: Project) -> None:
    set_state(shop, select="churn_predictions", depth=0)
    box = shop.locator(f'#focus g.relation[data-node="{CHURN}"]')
    assert "blind" in (box.get_attribute("class") or "").split()
    assert box.locator('rect[fill="url(#hatch)"]').count() >= 1
    assert shop.locator("#focus pattern#hatch").count() == 1
    reasons = [b.reason for b in shop_project.blind_spots if b.target.relation == CHURN]
    assert reasons
    title = box.locator(".header > title").text_content() or ""
    assert all(reason in title for reason in reasons)


# -- the diff overlay -------------------------------------------------------------------------


def test_diff_overlay_statuses_glyphs_and_ghost_rows(
    open_page: OpenPage,
    explorer_diff_page: Path,
    example_states: tuple[ImpactReport, Project],
) -> None:
    report, _ = example_states
    email = ColumnRef("model.shop.stg_app__users", "email")
    assert min(a.severity for a in report.affected if a.ref == email).slug == "breaks"
    page = open_explorer(open_page, explorer_diff_page)
    set_state(page, select="stg_app__users", depth=0)
    column = page.locator(f'#focus g.column[data-column="{key(email)}"]')
    assert "sev-breaks" in (column.get_attribute("class") or "").split()
    assert column.locator(".glyph").text_content() == "✖"
    relation = page.locator('#focus g.relation[data-node="model.shop.stg_app__users"]')
    assert "sev-breaks" in (relation.get_attribute("class") or "").split()

    # removed columns are struck-through ghost rows with their status: one the head still
    # names (a consumer reads it) and one it no longer has at all (renamed away)
    removed = {
        ("model.shop.product_affinity", "related_product_name", "product_affinity"),
        ("app:shop.users", "email", "app:shop.users"),
    }
    for relation, name, selector in removed:
        changed = [c for c in report.changes if c.relation == relation and c.column == name]
        assert {c.kind.value for c in changed} <= {"column_removed", "column_renamed"}
        assert changed
        set_state(page, select=selector, depth=0)
        ghost = page.locator(f'#focus g.ghost[data-column="{relation}|{name}"]')
        assert ghost.count() == 1
        status = ghost.get_attribute("data-status")
        assert status in {"breaks", "rows", "values", "additive", "unknown", "changed"}
        assert f"sev-{status}" in (ghost.get_attribute("class") or "").split()
        cname = ghost.locator(".cname")
        assert cname.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
        assert cname.text_content() == name
    no_problems(page)


# -- untrusted strings ------------------------------------------------------------------------


def test_project_strings_are_text(open_page: OpenPage, tmp_path: Path) -> None:
    root = tmp_path / "evil"
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: evil\nversion: '1.0'\nprofile: evil\nmodel-paths: ['models']\n"
    )
    (root / "models" / "m.sql").write_text("select 1 as id\n")
    evil = "<img src=x onerror=alert(1)>"
    (root / "models" / "schema.yml").write_text(
        "version: 2\nmodels:\n  - name: m\n    description: '" + evil + "'\n"
        "    columns:\n      - name: id\n        description: '" + evil + "'\n"
    )
    project = projects.build(root, load_config(root))
    page = open_explorer(open_page, write_explorer(project, root))
    set_state(page, select="m", depth=0, node="model.evil.m")
    assert evil in field(page, "description")
    set_state(page, col=("model.evil.m", "id"))
    assert evil in field(page, "description")
    assert page.locator("img").count() == 0
    no_problems(page)
