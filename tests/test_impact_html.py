"""The HTML impact report without a browser: the page's structure (the DOM contract the browser
tests rely on), escaping of hostile project strings, determinism, size, and the graph layout
computed in Python. Browser behaviour (clicks, sorting in a real Chromium) is tested elsewhere."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import impact_samples as s
import pytest
from click.testing import CliRunner

from lineage.changes import (
    Affected,
    AffectedConsumer,
    Change,
    ChangeKind,
    ImpactReport,
    ImpactSeverity,
    PathStep,
)
from lineage.cli import main
from lineage.cli_impact import REPORT_FORMATS, example_pull_request
from lineage.entities import ColumnRef, EdgeKind, Owner
from lineage.report import impact_html as page_module
from lineage.report.impact_formats import IMPACT_FORMATS
from lineage.report.impact_html import impact_html, script_json
from lineage.report.impact_json import impact_document
from lineage.report.impact_layout import MAX_COLUMNS, GraphColumn, GraphLayout, impact_layout
from lineage.report.impact_text import verdict_sentence

ROOT = Path(__file__).parent.parent
REPORT_DIR = ROOT / "lineage" / "report"
SECTIONS = ["changes", "affected", "consumers", "graph", "tests", "blind-spots", "reproduce"]
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
END = "</script>"
STATUSES = ("breaks", "rows", "values", "additive", "unknown", "changed", "none")


# -- a small DOM, enough to check the page's structure ---------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            n
            for n in self.walk()
            if (tag is None or n.tag == tag) and all(n.attrs.get(k) == v for k, v in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def with_class(self, name: str, tag: str | None = None) -> list[Node]:
        return [n for n in self.walk() if name in n.classes() and tag in (None, n.tag)]


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def table_rows(dom: Node) -> list[Node]:
    """The rows of the affected table."""
    return dom.find("table", id="affected-table").find("tbody").find_all("tr")


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> ImpactReport:
    """The example scenario's report (builds two copies of the bundled example)."""
    return example_pull_request(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def example_html(example: ImpactReport) -> str:
    return impact_html(example)


SAMPLES = {
    "rename_break": s.RENAME_BREAK,
    "values_change": s.VALUES_CHANGE,
    "rows_change": s.ROWS_CHANGE,
    "narrowing": s.NARROWING_WITH_BLIND_SPOT,
    "mixed": s.MIXED,
    "empty": s.EMPTY,
    "hostile": s.HOSTILE,
}


# -- the page and its contract ---------------------------------------------------------------


def test_html_is_a_registered_format_and_a_cli_choice() -> None:
    assert IMPACT_FORMATS["html"] is impact_html
    assert "html" in REPORT_FORMATS


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_page_head_is_self_contained(name: str) -> None:
    html = impact_html(SAMPLES[name])
    dom = parse(html)
    assert html.startswith("<!DOCTYPE html>\n") and html.endswith("</html>\n")
    assert dom.find("html").attrs["lang"] == "en"
    assert dom.find("meta", name="color-scheme").attrs["content"] == "light dark"
    assert dom.find("meta", http_equiv="Content-Security-Policy").attrs["content"] == CSP
    assert len(dom.find_all("style")) == 1
    scripts = dom.find_all("script")
    assert [x.attrs.get("type") for x in scripts] == ["application/json", None]
    assert scripts[0].attrs["id"] == "impact-data" and "src" not in scripts[1].attrs
    for node in dom.walk():
        for attribute in ("src", "href"):
            value = node.attrs.get(attribute)
            if value is None or value.startswith(("#", "data:")):
                continue
            # only links to the project's own consumers, never loaded
            assert node.tag == "a" and node.attrs["rel"] == "noopener noreferrer", node.attrs


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_embedded_data_is_the_json_document(name: str) -> None:
    report = SAMPLES[name]
    script = parse(impact_html(report)).find("script", id="impact-data")
    assert json.loads(script.text()) == impact_document(report)


def test_toc_verdict_and_folded_sections() -> None:
    dom = parse(impact_html(s.MIXED))
    toc = dom.find("nav", id="toc")
    assert toc.attrs["aria-label"] == "Contents"
    links = [a.attrs["href"] for a in toc.find_all("a")]
    assert links == ["#verdict"] + [f"#{section}" for section in SECTIONS]
    header = dom.find("header", id="verdict")
    assert header.find("p", class_="verdict-sentence").text() == verdict_sentence(s.MIXED)
    assert header.find_all(data_worst="breaks")
    assert "origin/main" in header.text() and "working tree" in header.text()
    for section in SECTIONS:
        fold = dom.find("section", id=section).children
        details = [c for c in fold if isinstance(c, Node)]
        assert details[0].tag == "details" and "fold" in details[0].classes()
        assert "open" in details[0].attrs
        assert next(c for c in details[0].children if isinstance(c, Node)).tag == "summary"


@pytest.mark.parametrize(
    ("report", "worst"),
    [
        (s.RENAME_BREAK, "breaks"),
        (s.ROWS_CHANGE, "rows"),
        (s.VALUES_CHANGE, "values"),
        (replace(s.NARROWING_WITH_BLIND_SPOT, affected=()), "unknown"),
        (s.EMPTY, "none"),
    ],
)
def test_worst_severity_is_marked(report: ImpactReport, worst: str) -> None:
    dom = parse(impact_html(report))
    assert [n.attrs["data-worst"] for n in dom.find_all() if "data-worst" in n.attrs] == [worst]


def test_affected_table_controls() -> None:
    dom = parse(impact_html(s.MIXED))
    search = dom.find("input", id="affected-search")
    assert search.attrs["type"] == "search" and search.attrs["aria-label"]
    select = dom.find("select", id="affected-severity")
    assert select.attrs["aria-label"]
    options = [o.attrs["value"] for o in select.find_all("option")]
    assert options == ["all", "breaks", "rows", "values", "additive", "unknown"]
    total = len(s.MIXED.affected)
    assert dom.find("output", id="affected-count").text() == f"{total} of {total}"
    table = dom.find("table", id="affected-table")
    sorts = [b.attrs["data-sort"] for b in table.find_all("button")]
    assert sorts == ["severity", "hops", "relation", "column", "owner", "consumers"]
    sorted_by = [th for th in table.find_all("th") if "aria-sort" in th.attrs]
    assert [(th.text(), th.attrs["aria-sort"]) for th in sorted_by] == [("Severity", "descending")]
    # rendered on the server: every row is there without JavaScript; the controls, which
    # need it, are shown by the script
    assert len(table.find("tbody").find_all("tr")) == total
    assert "hidden" in dom.find(id="affected-controls").attrs


def test_affected_rows_default_order_and_attributes() -> None:
    # RENAME_BREAK: both consumers read dim_customers.v2.email, whose path runs through
    # stg_app__users.email; is_internal_user and the join into int_touches__email reach none.
    rows = table_rows(parse(impact_html(s.RENAME_BREAK)))
    got = [
        (
            r.attrs["id"],
            r.attrs["data-severity"],
            r.attrs["data-relation"],
            r.attrs["data-column"],
            r.attrs["data-hops"],
            r.attrs["data-consumers"],
            r.attrs["data-owner"],
        )
        for r in rows
    ]
    platform = "Data Platform <data-platform@shop.example>"
    assert got == [
        ("affected-1", "breaks", "stg_app__users", "email", "2", "2", platform),
        ("affected-2", "breaks", "dim_customers.v2", "email", "3", "2", platform),
        ("affected-3", "breaks", "stg_app__users", "is_internal_user", "2", "0", platform),
        ("affected-4", "breaks", "int_touches__email", "(rows)", "3", "0", ""),
    ]
    first = rows[0]
    link = first.find("a", class_="permalink")
    assert link.attrs["href"] == "#affected-1" and link.attrs["aria-label"]
    badge = first.find("span", class_="sev sev-breaks")
    assert badge.text() == "✖ Breaks"  # a glyph and a word, not colour alone
    cells = [c.text() for c in first.find_all("td")]
    assert "identity → transformation" in cells  # how: the edge kinds along the path
    assert "app:shop.users.email" in cells[6] and "stg_app__users.email" in cells[6]
    assert "not_null" in cells[8]  # the test on stg_app__users.email


def test_default_order_is_severity_then_consumers_then_hops() -> None:
    rows = table_rows(parse(impact_html(s.MIXED)))
    rank = {slug: n for n, slug in enumerate(["breaks", "rows", "values", "additive", "unknown"])}
    keys = [
        (rank[r.attrs["data-severity"]], -int(r.attrs["data-consumers"]), int(r.attrs["data-hops"]))
        for r in rows
    ]
    assert keys == sorted(keys)
    assert [r.attrs["id"] for r in rows] == [f"affected-{n}" for n in range(1, len(rows) + 1)]


def test_severity_glyphs() -> None:
    dom = parse(impact_html(s.MIXED))
    legend = {b.classes()[1]: b.text() for b in dom.find("ul", class_="legend").with_class("sev")}
    assert legend["sev-breaks"] == "✖ Breaks"
    assert legend["sev-rows"] == "≡ Changes rows"
    assert legend["sev-values"] == "~ Changes values"
    assert legend["sev-additive"] == "+ Additive"
    assert legend["sev-unknown"] == "? Unknown"


def test_changes_show_before_after_and_fold_long_sql() -> None:
    dom = parse(impact_html(s.MIXED))
    changes = dom.find("section", id="changes")
    rename = changes.find("tr", id="change-1")
    assert [c.text() for c in rename.find_all("td")][1:5] == [
        "email",
        "column renamed",
        "email",
        "email_address",
    ]
    narrowing = [c.text() for c in changes.find("tr", id="change-2").find_all("td")]
    assert narrowing[2:5] == ["column type changed (narrowing)", "bigint", "integer"]
    assert narrowing[6] == "../shop_app/shop/db/migrations/V14__narrow_order_items_quantity.sql:1"
    # the filter's conditions fit on a line: shown as they are
    condition = changes.find("tr", id="change-3")
    assert not condition.find_all("details")
    assert s.FILTER_CHANGE.new_expression in [c.text() for c in condition.find_all("code")]
    # a multi-line expression is folded, whole inside
    amount = changes.find("tr", id="change-4")
    assert amount.find_all("details")[-1].find("pre").text() == s.AMOUNT_CHANGE.new_expression


def test_long_expressions_are_folded() -> None:
    long = "CASE WHEN " + " OR ".join(f"status = 'state_{n}'" for n in range(8)) + " END"
    report = replace(s.ROWS_CHANGE, changes=(replace(s.FILTER_CHANGE, new_expression=long),))
    row = parse(impact_html(report)).find("tr", id="change-1")
    before, after = [c for c in row.find_all("td")][3:5]
    assert not before.find_all("details")  # short: shown as it is
    assert after.find("details").find("pre").text() == long


def test_consumers_grouped_by_kind_own_product_first() -> None:
    section = parse(impact_html(s.MIXED)).find("section", id="consumers")
    titles = [h.text() for h in section.find_all("h3")]
    assert titles == [
        "1 application your own product",
        "1 product feature your own product",
        "2 dashboards",
        "1 chart",
        "1 ML model",
    ]
    also_bought = section.find("a", href="https://shop.example.com/products/42")
    assert also_bought.attrs["rel"] == "noopener noreferrer"
    chart = next(r for r in section.find_all("tr") if "Daily revenue by country" in r.text())
    assert not chart.find_all("a", rel="noopener noreferrer")  # it has no address
    assert "fct_daily_revenue.revenue_usd" in chart.text() and "no owner" in chart.text()


def test_tests_will_fail_first_then_rerun() -> None:
    section = parse(impact_html(s.MIXED)).find("section", id="tests")
    assert [h.text() for h in section.find_all("h3")] == ["Will fail (1)", "Worth re-running (3)"]
    first = section.find("tr", id="test-1")
    assert "not_null" in first.text() and "stg_app__users.email" in first.text()


def test_blind_spots_are_never_hidden() -> None:
    none = parse(impact_html(s.RENAME_BREAK)).find("section", id="blind-spots")
    assert "None: every hop was analysed (12 of 12 downstream relations analysed)" in none.text()
    found = parse(impact_html(s.NARROWING_WITH_BLIND_SPOT)).find("section", id="blind-spots")
    row = found.find("tr", id="blind-spot-1")
    assert "int_sessions_attributed (rows)" in row.text()
    assert "models/intermediate/marketing/int_sessions_attributed.sql:5" in row.text()
    assert s.STAR.meaning in row.text() and "49 of 50" in found.text()
    graph = parse(impact_html(s.NARROWING_WITH_BLIND_SPOT)).find("section", id="graph")
    assert "1 blind spot on these paths is not drawn" in graph.text()


def test_reproduce_shows_the_exact_command() -> None:
    section = parse(impact_html(s.MIXED)).find("section", id="reproduce")
    assert section.find("pre").text() == s.COMMAND


def test_empty_report() -> None:
    dom = parse(impact_html(s.EMPTY))
    assert dom.find("p", class_="verdict-sentence").text() == "No changes: nothing to analyse"
    assert not dom.find_all("table", id="affected-table")
    assert not dom.find_all("svg")
    assert "Nothing to draw" in dom.find("section", id="graph").text()


# -- escaping --------------------------------------------------------------------------------


def hostile_report() -> ImpactReport:
    """Every kind of project string carries the three payloads."""
    payload = f"x{SCRIPT}y{IMG}z{END}w"
    relation = f"model.shop.{payload}"
    affected = replace(
        s.EVIL_AFFECTED,
        ref=ColumnRef(relation, payload),
        reason=payload,
        fix=payload,
        owner=Owner(payload, payload),
        path=(
            *s.EVIL_AFFECTED.path[:-1],
            PathStep(ColumnRef(relation, payload), EdgeKind.JOIN, None, payload),
        ),
    )
    change = replace(
        s.FILTER_CHANGE,
        relation=relation,
        reason=payload,
        old_expression=payload,
        new_expression=payload * 3,
    )
    who = replace(
        s.EVIL_CONSUMER, name=payload, owner=Owner(payload, None), url=f"javascript:{payload}"
    )
    return replace(
        s.HOSTILE,
        changes=(*s.HOSTILE.changes, change),
        affected=(*s.HOSTILE.affected, affected),
        consumers=(
            *s.HOSTILE.consumers,
            AffectedConsumer(
                who, ImpactSeverity.BREAKS, affected.ref, 3, affected.path, affected.cause, payload
            ),
        ),
        tests=(
            replace(
                s.RENAME_BREAK.tests[0],
                relation=relation,
                column=payload,
                name=payload,
                reason=payload,
            ),
        ),
        unknowns=(replace(s.STAR, ref=ColumnRef(relation, None), reason=payload, meaning=payload),),
        base=replace(s.BASE, label=payload),
        head=replace(s.HEAD, label=payload),
        command=f"lineage diff --base '{payload}'",
    )


@pytest.mark.parametrize(
    ("report", "shown"),
    [(s.HOSTILE, [SCRIPT]), (hostile_report(), [SCRIPT, IMG, END])],
    ids=["samples", "everywhere"],
)
def test_hostile_strings_are_escaped(report: ImpactReport, shown: list[str]) -> None:
    html = impact_html(report)
    for raw in (SCRIPT, IMG, "<img", "<b>", "<!--", s.EVIL_NAME):
        assert raw not in html, raw
    assert html.count("<script") == 2 and html.count(END) == 2  # the page's own two
    dom = parse(html)
    for node in dom.walk():
        assert node.tag not in ("img", "iframe", "object", "embed"), node.tag
        assert not any(name.startswith("on") for name in node.attrs), node.attrs
        href = node.attrs.get("href", "")
        assert not href.lower().startswith(("javascript:", "data:text")), href
    # shown as written, and the embedded data keeps every string whole
    assert all(raw in dom.find("main").text() for raw in shown)
    assert json.loads(dom.find("script", id="impact-data").text()) == impact_document(report)


def test_hostile_names_in_the_graph_are_text() -> None:
    report = hostile_report()
    dom = parse(impact_html(report))
    svg = dom.find("svg", id="impact-graph")
    refs = [g.attrs["data-ref"] for g in svg.with_class("column") if SCRIPT in g.attrs["data-ref"]]
    assert refs  # the attribute holds the name, escaped in the source
    assert SCRIPT in svg.text()
    assert not svg.find_all("script")


def test_script_json_escapes_what_ends_a_script() -> None:
    text = str(script_json({"a": "</script><!--\u2028\u2029&"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!--\u2028\u2029&"}


def test_bidi_controls_are_shown_not_obeyed() -> None:
    report = replace(s.RENAME_BREAK, base=replace(s.BASE, label="main\u202egnp.exe"))
    html = impact_html(report)
    dom = parse(html)
    assert "\u202e" not in dom.find("header", id="verdict").text()
    assert "main\\u202egnp.exe" in dom.find("header", id="verdict").text()


def test_templates_are_autoescaped_and_strict() -> None:
    environment = page_module._environment()
    assert environment.autoescape is True
    from jinja2 import StrictUndefined, UndefinedError

    assert environment.undefined is StrictUndefined
    with pytest.raises(UndefinedError):
        environment.from_string("{{ missing }}").render()


def test_static_assets_cannot_end_their_element() -> None:
    for name in ("palette.css", "impact.css", "impact.js"):
        text = (REPORT_DIR / "static" / name).read_text(encoding="utf-8")
        assert "</" not in text and "http" not in text, name


# -- quality bars ----------------------------------------------------------------------------


def test_same_report_same_bytes() -> None:
    assert impact_html(s.MIXED) == impact_html(s.MIXED)


DETERMINISM = """
import sys
sys.path.insert(0, "tests")
import impact_samples as s
from lineage.report.impact_html import impact_html
for report in (s.MIXED, s.HOSTILE, s.huge_report(300, 5)):
    sys.stdout.write(impact_html(report))
"""


def test_same_bytes_across_processes() -> None:
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-c", DETERMINISM],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_example_report_is_under_one_megabyte(example_html: str) -> None:
    size = len(example_html.encode("utf-8"))
    assert size < 1_000_000, size


def test_example_report_structure(example: ImpactReport, example_html: str) -> None:
    dom = parse(example_html)
    assert len(table_rows(dom)) == len(example.affected)
    svg = dom.find("svg", id="impact-graph")
    relations = {g.attrs["data-relation"] for g in svg.with_class("relation")}
    assert {"app:shop.users", "stg_app__users", "product_affinity", "fct_orders"} <= relations
    # only involved columns: stg_app__users lists what the rename reaches, not its 10 others
    stg = svg.find("g", data_relation="stg_app__users")
    assert [g.attrs["data-ref"] for g in stg.with_class("column")] == [
        "stg_app__users.email",
        "stg_app__users.is_internal_user",
    ]
    assert "Python model" in dom.find("section", id="blind-spots").text()


def test_printable_and_both_colour_schemes() -> None:
    palette = (REPORT_DIR / "static" / "palette.css").read_text(encoding="utf-8")
    assert "@media (prefers-color-scheme: dark)" in palette
    css = (REPORT_DIR / "static" / "impact.css").read_text(encoding="utf-8")
    page = impact_html(s.MIXED)
    assert palette in page and css in page  # the palette first, then the report's own
    assert page.index(palette) < page.index(css)
    printed = css[css.index("@media print") :]
    assert "#toc" in printed and "display: none" in printed


# -- the graph -------------------------------------------------------------------------------


def columns(layout: GraphLayout) -> dict[str, GraphColumn]:
    return {c.ref: c for box in layout.boxes for c in box.columns}


def test_graph_elements_follow_the_contract() -> None:
    svg = parse(impact_html(s.MIXED)).find("svg", id="impact-graph")
    assert svg.attrs["role"] == "img" and svg.attrs["aria-label"]
    ids = {n.attrs["id"] for n in svg.walk() if "id" in n.attrs}
    refs = set()
    for column in svg.with_class("column", "g"):
        refs.add(column.attrs["data-ref"])
        assert column.attrs["tabindex"] == "0" and column.attrs["role"] == "button"
        assert column.attrs["aria-label"].startswith(column.attrs["data-ref"])
        assert column.attrs["data-severity"] in STATUSES
        assert set(column.attrs["data-path"].split()) <= ids
    edges = svg.with_class("edge", "path")
    assert edges and all({e.attrs["data-source"], e.attrs["data-target"]} <= refs for e in edges)
    join = [e for e in edges if e.attrs["data-target"] == "int_touches__email (rows)"]
    assert [e.classes() for e in join] == [["edge", "indirect"]]


def test_layers_follow_hop_depth_and_edges_point_right() -> None:
    layout = impact_layout(s.RENAME_BREAK)
    x = {box.name: box.x for box in layout.boxes}
    assert x["app:shop.users"] < x["source:app.users"] < x["stg_app__users"]
    assert x["stg_app__users"] < x["dim_customers.v2"] == x["int_touches__email"]
    for edge in layout.edges:
        start, end = re.findall(r"(\d+),\d+", edge.d)[0::3]
        assert int(start) < int(end), edge


def test_boxes_do_not_overlap(example: ImpactReport) -> None:
    boxes = impact_layout(example).boxes
    for a in boxes:
        for b in boxes:
            if a is not b and a.x == b.x:
                assert a.y + a.height <= b.y or b.y + b.height <= a.y, (a.name, b.name)


def test_path_set_is_upstream_and_downstream() -> None:
    layout = impact_layout(s.RENAME_BREAK)
    ids = {c.ref: c.id for c in columns(layout).values()}
    edges = {(e.source, e.target): e.id for e in layout.edges}
    stg = columns(layout)["stg_app__users.email"]
    on_path = set(stg.path.split())
    expected = {
        ids["app:shop.users.email"],
        ids["source:app.users.email"],
        ids["stg_app__users.email"],
        ids["dim_customers.v2.email"],
        ids["int_touches__email (rows)"],
        edges["app:shop.users.email", "source:app.users.email"],
        edges["source:app.users.email", "stg_app__users.email"],
        edges["stg_app__users.email", "dim_customers.v2.email"],
        edges["stg_app__users.email", "int_touches__email (rows)"],
    }
    assert on_path == expected  # not is_internal_user, nor the edge into it


def chain_report(length: int) -> ImpactReport:
    """`a.x` changes; `length` models pass it through by identity; `b` sums it."""
    hops = [ColumnRef(f"model.shop.p{i}", "x") for i in range(1, length + 1)]
    start = ColumnRef("model.shop.a", "x")
    path = [PathStep(start, None, None)]
    affected = []
    for depth, ref in enumerate([*hops, ColumnRef("model.shop.b", "total")], 1):
        kind = EdgeKind.IDENTITY if ref in hops else EdgeKind.AGGREGATION
        path.append(PathStep(ref, kind, None))
        affected.append(Affected(ref, ImpactSeverity.VALUES, "flows", depth, tuple(path), start))
    change = Change(ChangeKind.COLUMN_EXPRESSION_CHANGED, start.relation, "x", "new logic")
    return replace(s.EMPTY, changes=(change,), affected=tuple(affected))


def test_pass_through_chains_are_collapsed() -> None:
    layout = impact_layout(chain_report(3))
    collapsed = [b for b in layout.boxes if b.collapsed]
    assert [(b.name, [n for n, _ in b.hidden]) for b in collapsed] == [
        ("collapsed:1", ["p1", "p2", "p3"])
    ]
    assert [b.name for b in layout.boxes if not b.collapsed] == ["a", "b"]
    assert [(e.source, e.target) for e in layout.edges] == [
        ("a.x", "collapsed:1"),
        ("collapsed:1", "b.total"),
    ]
    b = columns(layout)["b.total"]
    assert collapsed[0].id in b.path.split()
    dom = parse(impact_html(chain_report(3)))
    assert dom.find("g", class_="collapsed sev-values").attrs["data-hidden"] == "3"


def test_one_pass_through_stays_visible() -> None:
    layout = impact_layout(chain_report(1))
    assert [b.name for b in layout.boxes] == ["a", "p1", "b"]


def test_barycenter_ordering_uncrosses_edges() -> None:
    # a feeds y and b feeds x: by name x would sit above y and the two edges would cross
    changes, affected = [], []
    for source, target in (("a", "y"), ("b", "x")):
        start = ColumnRef(f"model.shop.{source}", "c")
        changes.append(Change(ChangeKind.COLUMN_EXPRESSION_CHANGED, start.relation, "c", "new"))
        path = (
            PathStep(start, None, None),
            PathStep(ColumnRef(f"model.shop.{target}", "c"), EdgeKind.IDENTITY, None),
        )
        affected.append(Affected(path[1].ref, ImpactSeverity.VALUES, "flows", 1, path, start))
    layout = impact_layout(replace(s.EMPTY, changes=tuple(changes), affected=tuple(affected)))
    y = {box.name: box.y for box in layout.boxes}
    assert y["a"] < y["b"] and y["y"] < y["x"]


def test_long_reports_draw_the_nearest_columns_and_say_so() -> None:
    layout = impact_layout(s.MIXED, max_columns=3)
    assert (layout.drawn, layout.total) == (3, 15)
    dom = parse(impact_html(s.huge_report(400, 5)))
    assert len(dom.find("svg").with_class("column")) == MAX_COLUMNS
    assert f"shows the {MAX_COLUMNS} columns nearest the changes" in dom.find(id="graph").text()
    assert len(table_rows(dom)) == 400  # the table lists every one


# -- packaging and the command line ----------------------------------------------------------


def test_templates_and_static_files_are_package_data() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    patterns = setuptools["package-data"]["lineage.report"]
    assert "templates/**/*" in patterns and "static/*" in patterns
    static = [p.relative_to(REPORT_DIR) for p in (REPORT_DIR / "static").rglob("*") if p.is_file()]
    assert {"static/impact.css", "static/impact.js"} <= {p.as_posix() for p in static}
    # setuptools globs: `*` stays within one folder, so each folder needs its own pattern
    for path in static:
        assert any(path.match(pattern) for pattern in patterns), f"{path} is not package data"


def test_impact_command_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "impact.html"
    args = ["impact", "--project-dir", str(ROOT / "fixtures" / "example")]
    args += ["--change", "drop:raw.users.email", "--format", "html", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    dom = parse(out.read_text(encoding="utf-8"))
    assert "Breaks" in dom.find("p", class_="verdict-sentence").text()
    command = dom.find(id="reproduce-command").text()
    assert command.startswith("lineage impact --change drop:raw.users.email --project-dir")


def test_demo_writes_the_html_report(tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    result = CliRunner().invoke(main, ["demo", "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert out.resolve().as_uri() in result.stdout
    dom = parse(out.read_text(encoding="utf-8"))
    assert dom.find(id="reproduce-command").text() == "lineage demo"
    assert dom.find_all("svg", id="impact-graph")
