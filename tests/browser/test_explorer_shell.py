"""The explorer page's frame in a real headless Chromium: startup, the overview map, search,
the selector box and depth, URL state, exports, lists, footer, and hostile project strings.

Expectations come from the Project (Python's selectors, entities, coverage line) or from the
contract's rules applied to the page's own input data, never from what the page printed.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError as missing:  # fail, never skip: CI must run these tests
    raise ImportError(f"{missing}: run `bash scripts/test.sh`, which installs Playwright") from None

from lineage.changes import ImpactReport
from lineage.entities import (
    BlindSpot,
    Column,
    ColumnRef,
    Consumer,
    ConsumerKind,
    Coverage,
    DataTest,
    Diagnostic,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    Owner,
    Project,
    ReadLevel,
    Relation,
    RelationKind,
    Severity,
)
from lineage.names import display_name
from lineage.report.coverage import coverage_line
from lineage.selectors import select

from .conftest import Watched, write_explorer

OpenPage = Callable[..., Watched]

READY = "() => window.lineageExplorer !== undefined && window.lineageExplorer.ready === true"
CSV_HEADER = ["id", "name", "kind", "path", "line", "owner", "status"]
FCT_ORDERS = "model.shop.fct_orders"
LTV = ("model.shop.dim_customers.v2", "lifetime_value_usd")

#: The view state and what the page shows of it, by graph ids and names.
SNAPSHOT = """() => {
  const X = window.lineageExplorer, S = X.S, M = X.M, view = X.view();
  const value = id => document.getElementById(id).value;
  const checked = id => document.getElementById(id).checked;
  return {
    select: S.select, depth: S.depth, lock: S.lock, hide: Array.from(S.hide).sort(),
    collapse: S.collapse, group: S.group, colour: S.colour, view: S.view,
    node: S.node >= 0 ? M.nodeIdText(S.node) : null,
    column: S.column >= 0 ? M.nodeIdText(M.col.node[S.column]) + '|' + M.colName(S.column) : null,
    nodes: view ? view.nodes.map(i => M.nodeIdText(i)) : null,
    controls: {
      select: value('select'), depth: value('depth'), group: value('group'),
      colour: value('colour'), collapse: checked('collapse'),
      shown: ['tests', 'seeds', 'sources', 'consumers'].map(n => checked('show-' + n)),
      lock: document.getElementById('lock').getAttribute('aria-pressed'),
      count: document.getElementById('depth-count').textContent,
      map: !document.getElementById('map-view').hidden,
      focus: !document.getElementById('focus-view').hidden,
      drawn: Array.from(document.querySelectorAll('#focus-view:not([hidden]) g.relation'))
        .map(g => g.dataset.node).sort(),
    },
  };
}"""

#: How many pixels of the map differ from its top-left corner (the background).
PAINTED = """() => {
  const canvas = document.getElementById('overview');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let k = 0; k < data.length; k += 4) {
    if (data[k] !== data[0] || data[k + 1] !== data[1] || data[k + 2] !== data[2]) painted++;
  }
  return painted;
}"""

#: The colour of the map at a client point, and the background's.
PIXEL = """([x, y]) => {
  const canvas = document.getElementById('overview');
  const box = canvas.getBoundingClientRect();
  const ratio = canvas.width / box.width;
  const ctx = canvas.getContext('2d');
  const at = ctx.getImageData(Math.floor((x - box.left) * ratio),
                              Math.floor((y - box.top) * ratio), 1, 1).data;
  const corner = ctx.getImageData(0, 0, 1, 1).data;
  return [Array.from(at.slice(0, 3)), Array.from(corner.slice(0, 3))];
}"""

#: The search results as listed: a relation's graph id, or `id|column` for a column.
RESULTS = """() => Array.from(document.querySelectorAll('#search-results li[role=option]'))
  .map(li => li.dataset.node !== undefined ? li.dataset.node : li.dataset.column)"""

#: The page's input data, for expectations computed from the contract's rules.
DOCUMENT_NAMES = """() => {
  const M = window.lineageExplorer.M;
  const nodes = [], columns = [];
  for (let i = 0; i < M.nodeCount; i++) nodes.push([M.nodeIdText(i), M.nodeLabel(i)]);
  for (let c = 0; c < M.columnCount; c++) columns.push([M.col.node[c], M.colName(c)]);
  return {nodes, columns};
}"""


# -- helpers ---------------------------------------------------------------------------------


def opened(open_page: OpenPage, path: Path, fragment: str = "") -> Watched:
    """The page at `path`, once the explorer says it is ready."""
    watched = open_page(path, fragment)
    watched.page.wait_for_function(READY)
    return watched


def snapshot(page: Page) -> dict[str, Any]:
    return dict(page.evaluate(SNAPSHOT))


def choose(page: Page, expression: str) -> None:
    """Type a selector and submit it."""
    page.fill("#select", expression)
    page.click("#select-form button[type=submit]")


def count_shown(page: Page) -> int:
    text = page.text_content("#depth-count") or ""
    found = re.fullmatch(r"(\d+) nodes?", text.strip())
    assert found, f"#depth-count says {text!r}"
    return int(found[1])


def expected_count(project: Project, expression: str) -> int:
    selection = select(project, expression)
    return len(selection.relations) + len(selection.consumers)


def search_rank(text: str, query: str) -> int:
    """0 exact, 1 prefix, 2 substring, 3 none."""
    at = text.find(query)
    if at < 0:
        return 3
    return 2 if at > 0 else 0 if len(text) == len(query) else 1


def expected_results(names: dict[str, Any], query: str) -> list[str]:
    """The contract's ranking: exact > prefix > substring; relations before columns; shorter
    first; then name order; at most 50. Relations by short name or graph id; columns by name,
    and by `relation.column` when the query has a dot."""
    q = query.lower()
    entries: list[tuple[int, int, int, str, str]] = []
    for node_id, label in names["nodes"]:
        rank = min(search_rank(label.lower(), q), search_rank(node_id.lower(), q))
        if rank < 3:
            entries.append((rank, 0, len(label), label.lower(), node_id))
    for node, name in names["columns"]:
        if not name:
            continue  # a relation's rows
        node_id, label = names["nodes"][node]
        full = f"{label}.{name}"
        rank = search_rank(name.lower(), q)
        if "." in q:
            rank = min(rank, search_rank(full.lower(), q))
        if rank < 3:
            entries.append((rank, 1, len(full), full.lower(), f"{node_id}|{name}"))
    return [entry[4] for entry in sorted(entries)[:50]]


def download(page: Page, button: str) -> tuple[str, str]:
    """Click an export button: (suggested file name, the file's text)."""
    with page.expect_download() as started:
        page.click(button)
    done = started.value
    path = done.path()
    assert path is not None, done.failure()
    return done.suggested_filename, Path(path).read_bytes().decode("utf-8")


def node_row(project: Project, node_id: str) -> list[str]:
    """The CSV row the contract asks for, from the Project itself."""
    relations = {r.name: r for r in project.relations}
    consumers = {c.id: c for c in project.consumers}
    if node_id in relations:
        relation = relations[node_id]
        where, owner = relation.location, relation.owner
        name, kind = display_name(node_id), relation.kind.value
    else:
        consumer = consumers[node_id]
        where, owner, name, kind = (
            consumer.location,
            consumer.owner,
            consumer.name,
            consumer.kind.value,
        )
    owned = str(owner) if owner and (owner.name or owner.email) else ""
    path, line = (where.path, str(where.line) if where.line else "") if where else ("", "")
    return [defused(cell) for cell in (node_id, name, kind, path, line, owned, "")]


def defused(cell: str) -> str:
    """A spreadsheet would run a cell that starts with = + - or @: the export prefixes a '."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell


# -- opening ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["explorer_page", "explorer_page_compressed"])
def test_the_page_opens_with_no_error_and_no_request(
    open_page: OpenPage, request: pytest.FixtureRequest, which: str
):
    path: Path = request.getfixturevalue(which)
    watched = opened(open_page, path)
    page = watched.page
    page.wait_for_load_state("networkidle")
    assert watched.problems() == []
    assert watched.requests == [watched.url]
    encoding = page.get_attribute("#explorer-data", "data-encoding")
    assert encoding == ("json" if which == "explorer_page" else "gzip+base64")
    assert page.evaluate("() => performance.getEntriesByName('lineage:ready').length") == 1
    assert page.evaluate("() => document.getElementById('load-error').hidden")
    policy = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert policy is not None and "default-src 'none'" in policy
    state = snapshot(page)
    assert (state["view"], state["select"], state["node"], state["nodes"]) == (
        "map",
        "",
        None,
        None,
    )
    assert state["controls"]["map"] and not state["controls"]["focus"]


def test_every_control_has_a_label(open_page: OpenPage, explorer_page: Path):
    page = opened(open_page, explorer_page).page
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll(
          '#bar input, #bar select, #bar button, .map-tools button, #overview'))
          .filter(e => !(e.labels && e.labels.length)
          && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.id)"""
    )
    assert unlabelled == []


def test_undecodable_data_gives_a_message_not_a_blank_page(
    open_page: OpenPage, explorer_page_compressed: Path, tmp_path: Path
):
    broken = tmp_path / "broken.html"
    text = explorer_page_compressed.read_text(encoding="utf-8")
    start = text.index('data-encoding="gzip+base64">') + len('data-encoding="gzip+base64">')
    broken.write_text(text[:start] + "bm90IGd6aXA=" + text[text.index("</script>", start) :])
    watched = open_page(broken)
    message = watched.page.locator("#load-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("could not open its lineage data")
    assert watched.page_errors == []


def test_a_browser_without_decompression_streams_is_told_why(
    open_page: OpenPage, explorer_page_compressed: Path
):
    watched = opened(open_page, explorer_page_compressed)
    page = watched.page
    page.context.add_init_script("delete window.DecompressionStream")
    page.reload()
    message = page.locator("#load-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("DecompressionStream")
    assert watched.page_errors == []


# -- the overview map ------------------------------------------------------------------------


def test_the_map_is_drawn_and_a_box_opens_its_focus_view(open_page: OpenPage, explorer_page: Path):
    watched = opened(open_page, explorer_page)
    page = watched.page
    assert page.evaluate(PAINTED) > 2000
    left, top, width, height = page.evaluate(
        "id => window.lineageExplorer.mapRect(window.lineageExplorer.M.nodeByText(id))",
        FCT_ORDERS,
    )
    canvas = page.locator("#overview").bounding_box()
    assert canvas is not None and width > 2 and height > 2
    assert canvas["x"] <= left and left + width <= canvas["x"] + canvas["width"]
    assert canvas["y"] <= top and top + height <= canvas["y"] + canvas["height"]
    centre = (left + min(width / 2, 6), top + height / 2)
    colour, background = page.evaluate(PIXEL, list(centre))
    assert colour != background, "the box is not painted where the map says it is"

    page.mouse.move(*centre)
    expect(page.locator("#overview-tip")).to_be_visible()
    expect(page.locator("#overview-tip")).to_contain_text(display_name(FCT_ORDERS))
    page.mouse.click(*centre)
    state = snapshot(page)
    assert (state["node"], state["view"], state["select"]) == (FCT_ORDERS, "focus", "fct_orders")
    assert state["controls"]["focus"] and not state["controls"]["map"]
    expect(page.locator(f'svg#focus g.relation[data-node="{FCT_ORDERS}"]')).to_have_count(1)
    assert watched.problems() == []


def test_the_map_zooms_by_button_and_key_and_fits_again(open_page: OpenPage, explorer_page: Path):
    page = opened(open_page, explorer_page).page
    rect = "id => window.lineageExplorer.mapRect(window.lineageExplorer.M.nodeByText(id))"
    fitted = page.evaluate(rect, FCT_ORDERS)
    page.click("#map-zoom-in")
    zoomed = page.evaluate(rect, FCT_ORDERS)
    assert zoomed[3] == pytest.approx(fitted[3] * 1.5)
    page.focus("#overview")
    page.keyboard.press("-")
    assert page.evaluate(rect, FCT_ORDERS)[3] == pytest.approx(fitted[3])
    page.keyboard.press("+")
    page.click("#map-fit")
    assert page.evaluate(rect, FCT_ORDERS) == pytest.approx(fitted)


def test_the_map_colours_by_layer_folder_kind(open_page: OpenPage, explorer_page: Path):
    page = opened(open_page, explorer_page).page
    legends = {}
    for colour in ("layer", "folder", "kind"):
        page.select_option("#colour", colour)
        assert snapshot(page)["colour"] == colour
        legends[colour] = page.locator("#map-legend li").all_text_contents()
        assert page.evaluate(PAINTED) > 2000
    assert "staging" in legends["layer"] and "marts" in legends["layer"]
    assert "models/staging" in legends["folder"]
    assert {"model", "source", "seed", "dashboard"} <= set(legends["kind"])


# -- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["orders", "FCT_ORDERS", "customer_id", "dim_customers.v2.l"])
def test_search_ranks_relations_and_columns(open_page: OpenPage, explorer_page: Path, query: str):
    page = opened(open_page, explorer_page).page
    names = page.evaluate(DOCUMENT_NAMES)
    page.fill("#search", query)
    expected = expected_results(names, query)
    assert expected, "the query should match something"
    assert page.evaluate(RESULTS) == expected
    expect(page.locator("#search")).to_have_attribute("aria-expanded", "true")


def test_search_by_relation_with_the_keyboard(open_page: OpenPage, explorer_page: Path):
    page = opened(open_page, explorer_page).page
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("fct_order")
    options = page.locator("#search-results li[role=option]")
    expect(options.first).to_have_attribute("data-node", FCT_ORDERS)  # the shortest prefix match
    expect(options.nth(1)).to_be_attached()
    search = page.locator("#search")
    for key, active in (("ArrowDown", 0), ("ArrowDown", 1), ("ArrowUp", 0)):
        page.keyboard.press(key)
        expect(page.locator("#search-results li.active")).to_have_count(1)
        expect(options.nth(active)).to_have_class(re.compile(r"\bactive\b"))
        expect(search).to_have_attribute(
            "aria-activedescendant", options.nth(active).get_attribute("id") or ""
        )
    page.keyboard.press("Escape")
    expect(page.locator("#search-results")).to_be_hidden()
    expect(search).to_have_attribute("aria-expanded", "false")
    page.fill("#search", "fct_orders")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    state = snapshot(page)
    assert (state["select"], state["node"], state["column"], state["view"]) == (
        "fct_orders",
        FCT_ORDERS,
        None,
        "focus",
    )
    expect(page.locator(f'svg#focus g.relation[data-node="{FCT_ORDERS}"]')).to_have_count(1)
    expect(page.locator("#search-results")).to_be_hidden()


def test_search_by_column_with_the_keyboard_and_the_mouse(open_page: OpenPage, explorer_page: Path):
    page = opened(open_page, explorer_page).page
    relation, column = LTV
    key = f"{relation}|{column}"
    page.fill("#search", column)
    results = page.evaluate(RESULTS)
    assert key in results
    for _ in range(results.index(key) + 1):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#search-results li.active")).to_have_attribute("data-column", key)
    page.keyboard.press("Enter")
    state = snapshot(page)
    assert (state["select"], state["node"], state["column"], state["view"]) == (
        f"{display_name(relation)}.{column}",
        relation,
        key,
        "focus",
    )
    expect(page.locator(f'svg#focus g.column[data-column="{key}"]')).to_have_count(1)

    page.fill("#search", "int_orders_enriched.order_status")
    page.locator(
        '#search-results li[data-column="model.shop.int_orders_enriched|order_status"]'
    ).click()
    assert snapshot(page)["column"] == "model.shop.int_orders_enriched|order_status"


def test_a_search_that_matches_nothing_says_so(open_page: OpenPage, explorer_page: Path):
    page = opened(open_page, explorer_page).page
    page.fill("#search", "no such thing anywhere")
    expect(page.locator("#search-results")).to_contain_text("No relation or column matches")
    assert page.evaluate(RESULTS) == []
    page.keyboard.press("Enter")
    assert snapshot(page)["view"] == "map"


# -- selector and depth ----------------------------------------------------------------------


def test_the_depth_count_follows_the_depth(
    open_page: OpenPage, explorer_page: Path, shop_project: Project
):
    page = opened(open_page, explorer_page).page
    choose(page, "fct_orders")
    counts = []
    for depth in (0, 1, 2, 3):
        page.fill("#depth", str(depth))
        expected = expected_count(shop_project, f"{depth}+fct_orders+{depth}")
        expect(page.locator("#depth-count")).to_have_text(
            f"{expected} node" if expected == 1 else f"{expected} nodes"
        )
        counts.append(count_shown(page))
        assert snapshot(page)["depth"] == depth
    assert counts[0] == 1 and counts == sorted(counts) and counts[0] < counts[-1]


def test_a_bad_selector_is_explained_and_nothing_breaks(open_page: OpenPage, explorer_page: Path):
    watched = opened(open_page, explorer_page)
    page = watched.page
    choose(page, "no_such_model+")
    expect(page.locator("#select-error")).to_be_visible()
    expect(page.locator("#select-error")).to_contain_text("no_such_model")
    choose(page, "+fct_orders")
    expect(page.locator("#select-error")).to_be_hidden()
    assert watched.page_errors == []


# -- URL state -------------------------------------------------------------------------------


def test_the_url_restores_the_same_view_and_controls(open_page: OpenPage, explorer_page: Path):
    page = opened(open_page, explorer_page).page
    relation, column = LTV
    page.fill("#search", f"{display_name(relation)}.{column}")
    page.keyboard.press("Enter")
    page.fill("#depth", "1")
    page.uncheck("#show-tests")
    page.uncheck("#show-seeds")
    page.check("#collapse")
    page.select_option("#group", "folder")
    page.select_option("#colour", "kind")
    page.click("#lock")
    before = snapshot(page)
    assert before["column"] == f"{relation}|{column}" and before["lock"] and before["depth"] == 1
    url = page.url
    assert "#" in url and "lifetime_value_usd" in url
    assert not re.search(r"(^|[#&])(node|col)=\d", url.split("#", 1)[1]), "ids, not indexes"

    again = opened(open_page, explorer_page, "#" + url.split("#", 1)[1]).page
    assert snapshot(again) == before

    page.select_option("#colour", "layer")
    page.click("#show-map")
    shown = snapshot(page)
    assert shown["view"] == "map" and shown["controls"]["map"]
    third = opened(open_page, explorer_page, "#" + page.url.split("#", 1)[1]).page
    assert snapshot(third) == shown


def test_unknown_names_in_the_url_are_reported_not_thrown(open_page: OpenPage, explorer_page: Path):
    fragment = "#node=model.shop.gone&col=model.shop.fct_orders%1Fno_column&depth=x&view=focus"
    watched = opened(open_page, explorer_page, fragment)
    page = watched.page
    error = page.locator("#select-error")
    expect(error).to_contain_text("model.shop.gone")
    expect(error).to_contain_text("no_column")
    state = snapshot(page)
    assert (state["node"], state["column"], state["depth"]) == (None, None, 2)
    assert watched.page_errors == [] and watched.console_errors == []


def test_back_and_forward_walk_the_views(open_page: OpenPage, explorer_page: Path):
    page = opened(open_page, explorer_page).page
    visited = []
    for name in ("fct_orders", "dim_customers.v2"):
        page.fill("#search", name)
        page.keyboard.press("Enter")
        visited.append(snapshot(page))
    assert [s["select"] for s in visited] == ["fct_orders", "dim_customers.v2"]
    page.go_back()
    page.wait_for_function("() => window.lineageExplorer.S.select === 'fct_orders'")
    assert snapshot(page) == visited[0]
    page.go_back()
    page.wait_for_function("() => window.lineageExplorer.S.view === 'map'")
    assert snapshot(page)["nodes"] is None
    page.go_forward()
    page.go_forward()
    page.wait_for_function("() => window.lineageExplorer.S.select === 'dim_customers.v2'")
    assert snapshot(page) == visited[1]


# -- exports ---------------------------------------------------------------------------------


def test_svg_export_is_a_standalone_svg_of_the_focus_view(open_page: OpenPage, explorer_page: Path):
    watched = opened(open_page, explorer_page)
    page = watched.page
    expect(page.locator("#export-svg")).to_be_disabled()
    choose(page, "fct_orders")
    name, text = download(page, "#export-svg")
    assert name == "lineage-shop.svg"
    root = ElementTree.fromstring(text)  # well formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = page.evaluate(
        "() => window.lineageExplorer.view().nodes.map(i => window.lineageExplorer.M.nodeLabel(i))"
    )
    assert "fct_orders" in labels and len(labels) > 3
    drawn = "".join(root.itertext())
    assert [label for label in labels if label[:20] not in drawn] == []
    assert "<script" not in text
    assert watched.problems() == []


def test_csv_export_lists_the_focus_view_nodes(
    open_page: OpenPage, explorer_page: Path, shop_project: Project
):
    page = opened(open_page, explorer_page).page
    choose(page, "+fct_orders+")
    name, text = download(page, "#export-csv")
    assert name == "lineage-shop.csv"
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == CSV_HEADER
    ids = snapshot(page)["nodes"]
    assert [row[0] for row in rows[1:]] == ids
    assert rows[1:] == [node_row(shop_project, node_id) for node_id in ids]
    assert any(row[5].startswith("'@") for row in rows), "the example has @team owners"


# -- lists and footer ------------------------------------------------------------------------


def test_lists_and_the_coverage_footer(
    open_page: OpenPage, explorer_page: Path, shop_project: Project
):
    page = opened(open_page, explorer_page).page
    blind = shop_project.blind_spots
    expect(page.locator("#coverage")).to_have_text(
        f"{coverage_line(shop_project)} · {len(blind)} blind spot" + ("s" if len(blind) > 1 else "")
    )
    items = page.locator("#blind-spot-list > li")
    expect(items).to_have_count(len(blind))
    for item, spot in zip(items.all(), blind, strict=True):
        text = item.text_content() or ""
        assert spot.reason in text and display_name(spot.target.relation) in text
        assert f"{spot.location.path}:{spot.location.line}" in text
    page.locator("#diagnostics > summary").click()
    diagnostics = page.locator("#diagnostic-list > li")
    expect(diagnostics).to_have_count(len(shop_project.diagnostics))
    texts = diagnostics.all_text_contents()
    for diagnostic in shop_project.diagnostics:
        assert any(diagnostic.message in text for text in texts), diagnostic.message
    expect(page.locator("#changes")).to_be_hidden()
    expect(page.locator("#diff-legend")).to_be_hidden()

    items.first.locator("button.open").click()
    state = snapshot(page)
    assert (state["node"], state["view"]) == (blind[0].target.relation, "focus")


def test_the_diff_overlay_has_a_status_legend_and_a_change_list(
    open_page: OpenPage,
    explorer_diff_page: Path,
    example_states: tuple[ImpactReport, Project],
):
    report, _ = example_states
    watched = opened(open_page, explorer_diff_page)
    page = watched.page
    assert watched.problems() == []
    legend = page.locator("#diff-legend")
    expect(legend).to_be_visible()
    for glyph, word in (
        ("✖", "Breaks"),
        ("≡", "Changes rows"),
        ("~", "Changes values"),
        ("+", "Additive"),
        ("?", "Unknown"),
    ):
        expect(legend.locator(".sev").filter(has_text=word).first).to_contain_text(glyph)
    assert snapshot(page)["colour"] == "status"
    expect(page.locator("#colour option[value=status]")).to_have_count(1)
    expect(page.locator("#changes")).to_be_visible()
    changes = page.locator("#change-list > li").all_text_contents()
    assert len(changes) >= len(report.changes)
    for change in report.changes:
        assert any(change.kind.label in text for text in changes), change.kind.label
    map_legend = page.locator("#map-legend").text_content() or ""
    assert "✖ Breaks" in map_legend
    assert page.evaluate(PAINTED) > 2000


# -- hostile strings -------------------------------------------------------------------------

IMAGE = "<img src=x onerror=alert(1)>"
END = "</script>"
QUOTES = "\"'`"
HOSTILE = f"{IMAGE}{END}{QUOTES}"
FORMULA = '=HYPERLINK("https://evil.example","x")'


def hostile_project(root: Path) -> Project:
    """A project whose every string (names, columns, types, descriptions, tags, owners, paths,
    expressions, reasons, messages) carries markup, a script end and quotes."""
    where = Location(f"models/{HOSTILE}.sql", 3)
    up = f"model.evil.up{IMAGE}"
    down = f"model.evil.down{END}"
    owner = Owner(FORMULA, f"eve{IMAGE}@example.com")
    column = Column(f"c{HOSTILE}", f"text{IMAGE}", where, description=f"about {HOSTILE}")
    relations = (
        Relation(
            up,
            RelationKind.MODEL,
            (column,),
            where,
            owner=owner,
            tags=(f"t{HOSTILE}",),
            description=f"desc {HOSTILE}",
            tests=(DataTest(f"test{IMAGE}", column.name, where),),
        ),
        Relation(
            down,
            RelationKind.MODEL,
            (Column(f"d{QUOTES}", None, where),),
            where,
            owner=Owner(f"@team{IMAGE}"),
        ),
    )
    edges = (
        Edge(
            ColumnRef(up, column.name),
            ColumnRef(down, f"d{QUOTES}"),
            EdgeKind.TRANSFORMATION,
            f"UPPER({HOSTILE})",
            where,
        ),
        Edge(
            ColumnRef(up, column.name),
            ColumnRef(down, None),
            EdgeKind.FILTER,
            f"WHERE x = '{HOSTILE}'",
            where,
        ),
    )
    consumer = Consumer(
        f"exposure.evil.dash{IMAGE}",
        ConsumerKind.DASHBOARD,
        f"Dash {HOSTILE}",
        owner,
        ReadLevel.COLUMN,
        (ColumnRef(down, f"d{QUOTES}"),),
        where,
        url=f"javascript:alert('{IMAGE}')",
    )
    return Project(
        root=str(root),
        dialect="postgres",
        relations=relations,
        edges=edges,
        blind_spots=(BlindSpot(ColumnRef(down, None), f"blind {HOSTILE}", where, (up,)),),
        diagnostics=(
            Diagnostic(
                where,
                DiagnosticCode.UNRESOLVED_COLUMN,
                Severity.WARNING,
                f"message {HOSTILE}",
                down,
            ),
        ),
        coverage=Coverage(1, 1, 1, 1, 1, 1),
        consumers=(consumer,),
    )


@pytest.mark.parametrize("compress", [False, True])
def test_hostile_strings_are_shown_as_text_and_nothing_runs(
    open_page: OpenPage, tmp_path: Path, compress: bool
):
    root = tmp_path / f"evil{QUOTES}<b>x"
    root.mkdir()
    page_path = write_explorer(hostile_project(root), tmp_path, compress=compress)
    watched = opened(open_page, page_path)
    page = watched.page
    page.fill("#search", "up<img")
    page.keyboard.press("Enter")
    expect(page.locator("#focus-view")).to_be_visible()
    page.locator("#diagnostics > summary").click()
    page.fill("#search", "c<img")  # a column: its path, expression and description
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert watched.problems() == []
    assert page.evaluate("() => document.querySelectorAll('img, [onerror]').length") == 0
    scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.id)")
    assert scripts == ["explorer-data", ""]
    text = page.evaluate("() => document.body.innerText")
    for shown in (f"c{HOSTILE}", f"blind {HOSTILE}", f"message {HOSTILE}", f"about {HOSTILE}"):
        assert shown in text, shown
    svg = page.evaluate("() => document.getElementById('focus').textContent")
    assert f"c{HOSTILE}"[:12] in svg
    assert page.title() == f"lineage explorer: evil{QUOTES}<b>x"

    _, exported = download(page, "#export-csv")
    rows = list(csv.reader(io.StringIO(exported, newline="")))
    owners = {row[5] for row in rows[1:]}
    assert f"'{FORMULA} <eve{IMAGE}@example.com>" in owners  # a formula is defused
    assert f"'@team{IMAGE}" in owners
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)
    _, svg_text = download(page, "#export-svg")
    ElementTree.fromstring(svg_text)
    assert watched.problems() == []
