"""The HTML impact report of issue 7 in a real headless Chromium.

The page is the bundled example's pull-request report (`lineage demo`), opened from
`file://` with every request recorded and anything but `file://` blocked (see conftest.py).
The tests rely only on the report's DOM contract: the ids, classes and data attributes the
renderer keeps stable (`#affected-table`, `tr[data-severity]`, `g.column[data-ref]`, ...),
and check each behaviour against the report's own data, not against what the page prints.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import impact_samples as samples
import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError as missing:  # fail, never skip: CI must run these tests
    raise ImportError(f"{missing}: run `bash scripts/test.sh`, which installs Playwright") from None

from lineage.changes import (
    Affected,
    AffectedConsumer,
    AffectedTest,
    Change,
    ChangeKind,
    DataTestOutcome,
    ImpactReport,
    ImpactSeverity,
    PathStep,
    StateInfo,
    Unknown,
)
from lineage.entities import ColumnRef, ConsumerKind, EdgeKind, Location, Owner
from lineage.names import display_name, display_ref
from lineage.report.impact_text import verdict_sentence

from .conftest import Watched, write_report

OpenPage = Callable[..., Watched]

#: Worst first, as the contract's `data-severity` values and the severity filter's options.
SEVERITIES = ("breaks", "rows", "values", "additive", "unknown")
SECTIONS = ("changes", "affected", "consumers", "graph", "tests", "blind-spots", "reproduce")
#: Severity is shown by word and by glyph, never by colour alone.
GLYPHS = {"breaks": "✖", "rows": "≡", "values": "~", "additive": "+", "unknown": "?"}
SORT_KEYS = ("severity", "hops", "relation", "column", "owner", "consumers")
ONE_MEGABYTE = 1_000_000
ROWS_COLUMN = "(rows)"  # the data-column of a row about a relation's rows

#: What each affected row says about itself, and whether it is shown.
READ_ROWS = """() => Array.from(document.querySelectorAll('#affected-table tr[id^="affected-"]'))
  .map(row => ({
    id: row.id,
    severity: row.dataset.severity,
    hops: row.dataset.hops,
    relation: row.dataset.relation,
    column: row.dataset.column || '',
    owner: row.dataset.owner || '',
    consumers: row.dataset.consumers,
    hidden: row.hasAttribute('hidden'),
    rendered: row.getClientRects().length > 0,
  }))"""

#: Every column box and edge of the impact graph, with its classes.
READ_GRAPH = """() => ({
  columns: Array.from(document.querySelectorAll('#impact-graph g.column'))
    .map(g => ({ref: g.dataset.ref, classes: Array.from(g.classList)})),
  edges: Array.from(document.querySelectorAll('#impact-graph path.edge'))
    .map(e => ({source: e.dataset.source, target: e.dataset.target,
                classes: Array.from(e.classList)})),
})"""

#: The page's background as painted: the body's, else the root's.
BACKGROUND = """() => {
  const clear = c => c === 'transparent' || c === 'rgba(0, 0, 0, 0)';
  const body = getComputedStyle(document.body);
  const root = getComputedStyle(document.documentElement);
  return {
    background: clear(body.backgroundColor) ? root.backgroundColor : body.backgroundColor,
    color: body.color,
  };
}"""

#: Every string in the page's embedded JSON data, once parsed.
DATA_STRINGS = """() => {
  const strings = [];
  const walk = v => {
    if (typeof v === 'string') strings.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(document.getElementById('impact-data').textContent));
  return strings.join('\\n');
}"""

#: At `beforeprint`, records for each section whether its fold shows anything but its summary.
RECORD_PRINT = """(sections) => window.addEventListener('beforeprint', () => {
  // checkVisibility, unlike getClientRects, knows a closed fold's content is not rendered
  const shows = element => element.checkVisibility({visibilityProperty: true});
  window.printedSections = Object.fromEntries(sections.map(id => {
    const fold = document.querySelector('#' + id + ' details.fold');
    return [id, Array.from(fold.children).some(c => c.tagName !== 'SUMMARY' && shows(c))];
  }));
})"""

#: The text a reader sees as text: every text node outside scripts and styles.
TEXT = """(selector) => {
  const copy = document.querySelector(selector).cloneNode(true);
  copy.querySelectorAll('script, style').forEach(e => e.remove());
  return copy.textContent;
}"""


# -- helpers ---------------------------------------------------------------------------------


def rows(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate(READ_ROWS))


def shown(page: Page) -> list[dict[str, Any]]:
    """The rows a reader sees; a hidden row must be both `hidden` and not rendered."""
    every = rows(page)
    for row in every:
        assert row["hidden"] != row["rendered"], f"{row['id']}: hidden={row['hidden']}"
    return [row for row in every if not row["hidden"]]


def expected_rows(report: ImpactReport) -> Counter[tuple[str, str, str, str]]:
    """(severity, relation, column, hops) of each affected column, as rows should say it
    (a relation's rows as the column `(rows)`, as `display_ref` writes it)."""
    return Counter(
        (a.severity.slug, display_name(a.ref.relation), a.ref.column or ROWS_COLUMN, str(a.depth))
        for a in report.affected
    )


def row_key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return (row["severity"], row["relation"], row["column"], row["hops"])


def mentions(affected: Affected, term: str) -> bool:
    """Whether a search for `term` should find the row of `affected`: the term is in the
    name of a column on its path (which ends at the affected column itself)."""
    return any(term in display_ref(step.ref) for step in affected.path)


def expect_count(page: Page, visible: int, total: int) -> None:
    expect(page.locator("#affected-count")).to_have_text(
        re.compile(rf"(^|\D){visible} of {total}(\D|$)")
    )


def sort_value(key: str, row: dict[str, Any]) -> Any:
    if key == "severity":  # ImpactSeverity's order: a higher value is worse
        return ImpactSeverity[row["severity"].upper()].value
    if key in ("hops", "consumers"):
        return int(row[key])
    return row[key]


def directions(page: Page, values: list[Any]) -> set[str]:
    """The directions `values` are in order by: numbers by value, text by code points, by
    code points ignoring case, or by the browser's `localeCompare` (the contract leaves the
    collation to the page)."""
    if all(isinstance(v, int) for v in values):
        signs = [[(a > b) - (a < b) for a, b in pairwise(values)]]
    else:
        folded = [str(v).casefold() for v in values]
        signs = [
            [(a > b) - (a < b) for a, b in pairwise(values)],
            [(a > b) - (a < b) for a, b in pairwise(folded)],
            page.evaluate(
                "vs => vs.slice(1).map((v, i) => Math.sign(vs[i].localeCompare(v)))", values
            ),
        ]
    found = set()
    for each in signs:
        if all(sign <= 0 for sign in each):
            found.add("ascending")
        if all(sign >= 0 for sign in each):
            found.add("descending")
    return found


def graph(page: Page) -> dict[str, Any]:
    return dict(page.evaluate(READ_GRAPH))


def marked(items: list[dict[str, Any]], name: str) -> set[str]:
    return {
        item["ref"] if "ref" in item else f"{item['source']} -> {item['target']}"
        for item in items
        if name in item["classes"]
    }


def paths_through(report: ImpactReport, ref: str) -> list[list[str]]:
    """Every affected column's path (as display refs) that goes through `ref`."""
    paths = [[display_ref(step.ref) for step in a.path] for a in report.affected]
    return [path for path in paths if ref in path]


def column(page: Page, ref: str) -> Any:
    """The graph's box for column `ref` (matched by attribute value, whatever it contains)."""
    handle = page.evaluate_handle(
        "ref => Array.from(document.querySelectorAll('#impact-graph g.column'))"
        ".find(g => g.dataset.ref === ref) || null",
        ref,
    )
    element = handle.as_element()
    assert element is not None, f"the impact graph has no column with data-ref={ref!r}"
    return element


def luminance(css_color: str) -> float:
    red, green, blue = (int(c) for c in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def fold(page: Page, section: str) -> Any:
    return page.locator(f"#{section} details.fold").first


def shown_content(page: Page, section: str) -> Any:
    """What a reader sees of a section's fold besides its summary."""
    return fold(page, section).locator(":scope > :not(summary)").filter(visible=True)


# -- the watchers themselves -----------------------------------------------------------------


def test_the_watchers_catch_requests_dialogs_and_errors(open_page: OpenPage, tmp_path: Path):
    """The checks below can fail: a page that calls out, alerts and throws is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!doctype html><img src='https://example.com/pixel.png'>"
        "<script>alert('hi'); throw new Error('boom')</script>",
        encoding="utf-8",
    )
    watched = open_page(bad)
    watched.page.wait_for_load_state("networkidle")
    assert "https://example.com/pixel.png" in watched.requests
    assert watched.dialogs == ["alert: hi"]
    assert any("boom" in error for error in watched.page_errors)
    assert any("ERR_FAILED" in error for error in watched.console_errors)  # blocked


# -- opening the page ------------------------------------------------------------------------


def test_the_example_opens_with_no_error_and_no_request_but_the_file(
    open_page: OpenPage, example_page: Path
):
    watched = open_page(example_page)
    watched.page.wait_for_load_state("networkidle")
    assert watched.problems() == []
    assert watched.requests == [watched.url]
    loaded = watched.page.evaluate(
        "() => Array.from(document.querySelectorAll('[src], link[href]'))"
        ".map(e => e.getAttribute('src') || e.getAttribute('href'))"
        ".filter(url => !url.startsWith('data:'))"
    )
    assert loaded == []
    policy = watched.page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert policy is not None and "default-src 'none'" in policy


def test_the_page_weighs_under_one_megabyte(example_page: Path):
    assert example_page.stat().st_size < ONE_MEGABYTE


def test_the_contents_link_to_every_section_and_stay_in_view(
    open_page: OpenPage, example_page: Path
):
    page = open_page(example_page).page
    links = page.eval_on_selector_all("#toc a[href^='#']", "as => as.map(a => a.hash)")
    for target in ("verdict", *SECTIONS):
        assert f"#{target}" in links
        expect(page.locator(f"#{target}")).to_have_count(1)
    page.locator("#toc a[href='#reproduce']").click()
    expect(page.locator("#reproduce")).to_be_in_viewport()
    expect(page.locator("#verdict")).not_to_be_in_viewport()
    expect(page.locator("#toc")).to_be_in_viewport()  # sticky


def test_the_verdict_and_each_row_say_the_severity_in_words_and_glyphs(
    open_page: OpenPage, example_page: Path, example_report: ImpactReport
):
    page = open_page(example_page).page
    worst = example_report.worst
    assert worst is not None
    expect(page.locator("#verdict [data-worst]")).to_have_attribute("data-worst", worst.slug)
    expect(page.locator("#verdict .verdict-sentence")).to_have_text(
        verdict_sentence(example_report)
    )
    labels = page.evaluate(
        "() => Array.from(document.querySelectorAll('#affected-table tr[id^=\"affected-\"]'))"
        ".map(row => Array.from(row.querySelectorAll('span.sev.sev-' + row.dataset.severity))"
        ".map(span => span.textContent.trim()))"
    )
    for row, texts in zip(rows(page), labels, strict=True):
        severity = ImpactSeverity[row["severity"].upper()]
        assert len(texts) == 1, row["id"]
        assert GLYPHS[severity.slug] in texts[0] and severity.label in texts[0], row["id"]


# -- who is affected: rows, search, filter, sort ---------------------------------------------


def test_every_affected_column_has_a_row_in_the_default_order(
    open_page: OpenPage, example_page: Path, example_report: ImpactReport
):
    page = open_page(example_page).page
    every = shown(page)
    assert Counter(row_key(row) for row in every) == expected_rows(example_report)
    expect_count(page, len(every), len(every))
    order = [
        (SEVERITIES.index(row["severity"]), -int(row["consumers"]), int(row["hops"]))
        for row in every
    ]
    assert order == sorted(order), "default order: severity, then consumers reached, then hops"
    for row in every:
        link = page.locator(f"#{row['id']} a.permalink")
        expect(link).to_have_attribute("href", f"#{row['id']}")


@pytest.mark.parametrize("term", ["lifetime_value", "fct_refunds"])
def test_search_narrows_the_rows_and_the_count(
    open_page: OpenPage, example_page: Path, example_report: ImpactReport, term: str
):
    page = open_page(example_page).page
    every = rows(page)
    expected = [a for a in example_report.affected if mentions(a, term)]
    assert 0 < len(expected) < len(every)

    page.fill("#affected-search", term)
    expect_count(page, len(expected), len(every))
    assert Counter(row_key(row) for row in shown(page)) == expected_rows(
        replace(example_report, affected=tuple(expected))
    )

    page.fill("#affected-search", "")
    expect_count(page, len(every), len(every))
    assert len(shown(page)) == len(every)


def test_the_severity_filter_shows_only_that_severity(
    open_page: OpenPage, example_page: Path, example_report: ImpactReport
):
    page = open_page(example_page).page
    total = len(example_report.affected)
    counts = Counter(a.severity.slug for a in example_report.affected)
    for severity in SEVERITIES:
        page.select_option("#affected-severity", severity)
        expect_count(page, counts[severity], total)
        assert [row["severity"] for row in shown(page)] == [severity] * counts[severity]
    page.select_option("#affected-severity", "all")
    expect_count(page, total, total)
    assert len(shown(page)) == total


def test_search_and_filter_combine(
    open_page: OpenPage, example_page: Path, example_report: ImpactReport
):
    page = open_page(example_page).page
    total = len(example_report.affected)
    expected = [
        a
        for a in example_report.affected
        if a.severity is ImpactSeverity.BREAKS and mentions(a, "dim_customers")
    ]
    page.select_option("#affected-severity", "breaks")
    page.fill("#affected-search", "dim_customers")
    expect_count(page, len(expected), total)
    assert Counter(row_key(row) for row in shown(page)) == expected_rows(
        replace(example_report, affected=tuple(expected))
    )


@pytest.mark.parametrize("key", SORT_KEYS)
def test_each_sort_button_orders_the_rows_and_toggles(
    open_page: OpenPage, example_page: Path, key: str
):
    page = open_page(example_page).page
    button = page.locator(f'#affected-table th button[data-sort="{key}"]')
    header = page.locator("#affected-table th").filter(has=page.locator(f'[data-sort="{key}"]'))
    ids = sorted(row["id"] for row in rows(page))
    seen = []
    for _ in range(2):
        button.click()
        order = rows(page)
        assert sorted(row["id"] for row in order) == ids
        values = [sort_value(key, row) for row in order]
        sort = header.get_attribute("aria-sort")
        assert sort in ("ascending", "descending")
        others = page.locator("#affected-table th[aria-sort]").filter(
            has_not=page.locator(f'[data-sort="{key}"]')
        )
        assert set(others.evaluate_all("ths => ths.map(th => th.getAttribute('aria-sort'))")) <= {
            "none"
        }
        seen.append((sort, values))
    (first, before), (second, after) = seen
    assert first != second
    assert before != after
    assert first in directions(page, before), f"{key} {first}: {before}"
    assert second in directions(page, after), f"{key} {second}: {after}"


# -- the impact graph ------------------------------------------------------------------------

CLICKED = "int_orders_enriched.amount_usd"  # a column in the middle of the amount's paths
CHANGED = "app:shop.payments.amount"  # the change its paths start at
UNRELATED = ("product_affinity.related_product_name", "stg_app__users.email")


@pytest.fixture
def graph_page(open_page: OpenPage, example_page: Path) -> Iterator[Page]:
    watched = open_page(example_page)
    yield watched.page
    assert watched.problems() == []


def expected_path(report: ImpactReport, drawn: set[str]) -> tuple[set[str], set[str]]:
    """The drawn columns and edges on the paths through CLICKED, upstream and downstream."""
    paths = paths_through(report, CLICKED)
    assert paths and all(path[0] == CHANGED for path in paths)
    columns = {ref for path in paths for ref in path} & drawn
    edges = {f"{a} -> {b}" for path in paths for a, b in pairwise(path)}
    return columns, edges


def assert_highlighted(page: Page, report: ImpactReport) -> set[str]:
    drawn = graph(page)
    refs = {c["ref"] for c in drawn["columns"]}
    assert {CLICKED, CHANGED, *UNRELATED} <= refs
    columns, edges = expected_path(report, refs)
    on_columns = marked(drawn["columns"], "on-path")
    assert {CLICKED, CHANGED} <= on_columns
    assert on_columns == columns, (
        f"on-path but not on a path: {sorted(on_columns - columns)}; "
        f"on a path but not on-path: {sorted(columns - on_columns)}"
    )
    drawn_edges = {f"{e['source']} -> {e['target']}" for e in drawn["edges"]}
    on_edges = marked(drawn["edges"], "on-path")
    assert on_edges, "no edge marked on-path"
    assert on_edges == edges & drawn_edges
    dimmed = marked(drawn["columns"], "dimmed")
    assert set(UNRELATED) <= dimmed
    for item in (*drawn["columns"], *drawn["edges"]):
        assert ("on-path" in item["classes"]) != ("dimmed" in item["classes"]), item
    return on_columns | on_edges


def assert_cleared(page: Page) -> None:
    drawn = graph(page)
    for item in (*drawn["columns"], *drawn["edges"]):
        assert not {"on-path", "dimmed"} & set(item["classes"]), item


def test_clicking_a_column_highlights_its_whole_path(
    graph_page: Page, example_report: ImpactReport
):
    assert_cleared(graph_page)
    column(graph_page, CLICKED).click()
    assert_highlighted(graph_page, example_report)
    graph_page.keyboard.press("Escape")
    assert_cleared(graph_page)


def test_clicking_the_column_again_clears(graph_page: Page, example_report: ImpactReport):
    column(graph_page, CLICKED).click()
    assert_highlighted(graph_page, example_report)
    column(graph_page, CLICKED).click()
    assert_cleared(graph_page)


@pytest.mark.parametrize("key", ["Enter", " "])
def test_enter_or_space_on_a_focused_column_highlights_its_path(
    graph_page: Page, example_report: ImpactReport, key: str
):
    box = column(graph_page, CLICKED)
    assert box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "button"
    box.focus()
    graph_page.keyboard.press(key)
    by_keyboard = assert_highlighted(graph_page, example_report)
    graph_page.keyboard.press("Escape")
    assert_cleared(graph_page)
    column(graph_page, CLICKED).click()
    assert assert_highlighted(graph_page, example_report) == by_keyboard


# -- folds, permalinks, colour schemes, print ------------------------------------------------


def test_a_click_on_a_summary_folds_and_unfolds_its_section(
    open_page: OpenPage, example_page: Path
):
    page = open_page(example_page).page
    for section in SECTIONS:
        details, summary = fold(page, section), fold(page, section).locator(":scope > summary")
        assert details.evaluate("d => d.open") is True, section
        expect(shown_content(page, section).first).to_be_visible()
        summary.click()
        assert details.evaluate("d => d.open") is False, section
        expect(shown_content(page, section)).to_have_count(0)
        summary.click()
        assert details.evaluate("d => d.open") is True, section
        expect(shown_content(page, section).first).to_be_visible()


def test_a_permalink_targets_its_row(open_page: OpenPage, example_page: Path):
    every = rows(open_page(example_page).page)
    assert len({row["id"] for row in every}) == len(every)
    target = every[len(every) * 2 // 3]["id"]
    page = open_page(example_page, f"#{target}").page
    assert page.evaluate("() => document.querySelector(':target')?.id") == target
    expect(page.locator(f"#{target}")).to_be_in_viewport()
    other = every[1]["id"]
    page.locator(f"#{other} a.permalink").click()
    assert page.evaluate("() => location.hash") == f"#{other}"
    assert page.evaluate("() => document.querySelector(':target')?.id") == other


def test_dark_and_light_schemes_paint_different_backgrounds(
    open_page: OpenPage, example_page: Path
):
    page = open_page(example_page).page
    page.emulate_media(color_scheme="light")
    light = page.evaluate(BACKGROUND)
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate(BACKGROUND)
    assert light["background"] != dark["background"]
    assert luminance(dark["background"]) < luminance(light["background"])
    assert luminance(dark["color"]) > luminance(dark["background"])
    assert luminance(light["color"]) < luminance(light["background"])


def test_folded_sections_are_printed_open(open_page: OpenPage, example_page: Path):
    """A real print (`page.pdf()` fires `beforeprint` and `afterprint` as printing does) with
    print media: what each folded section shows at that moment is recorded by a listener added
    after the page's own."""
    page = open_page(example_page).page
    for section in SECTIONS:
        fold(page, section).locator(":scope > summary").click()
        expect(shown_content(page, section)).to_have_count(0)
    page.emulate_media(media="print")
    page.evaluate(RECORD_PRINT, list(SECTIONS))
    page.pdf()
    printed = page.evaluate("() => window.printedSections")
    assert printed is not None, "printing fired no beforeprint event"
    assert [section for section in SECTIONS if not printed[section]] == []


# -- hostile names ---------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
END = "</script>"
PAYLOADS = (SCRIPT, IMAGE, END)


def hostile_report() -> ImpactReport:
    """The samples' hostile report, plus a change whose every string from the project (names,
    reasons, owners, expressions, files, labels, the command) carries a payload, and a
    consumer whose link is a `javascript:` URL."""
    where = Location(f"models/{IMAGE}{END}.sql", 3)
    changed = ColumnRef(f"model.shop.evil{IMAGE}", f"col{SCRIPT}")
    reached = ColumnRef(f"model.shop.down{SCRIPT}", f"c{IMAGE}")
    change = Change(
        ChangeKind.COLUMN_EXPRESSION_CHANGED,
        changed.relation,
        changed.column,
        f"its expression changed {IMAGE} {END}",
        where,
        old_expression=f"'{SCRIPT}'",
        new_expression=f"'{END}{IMAGE}' || '{SCRIPT}'",
    )
    affected = Affected(
        reached,
        ImpactSeverity.VALUES,
        f"reads it {END}{SCRIPT}",
        depth=1,
        path=(
            PathStep(changed, None, where),
            PathStep(reached, EdgeKind.TRANSFORMATION, where, f"UPPER('{IMAGE}{END}')"),
        ),
        cause=changed,
        location=where,
        fix=f"fix {SCRIPT}",
        owner=Owner(f"Eve {IMAGE}", f"eve{END}@shop.example"),
    )
    script_link = samples.consumer(
        "exposure.shop.script_link",
        ConsumerKind.NOTEBOOK,
        "A notebook whose link is a script",
        Owner("Mallory", None),
        where,
        "javascript:alert(1)",
    )
    dashboard = samples.consumer(
        f"exposure.shop.dash{SCRIPT}",
        ConsumerKind.DASHBOARD,
        f"Dashboard {SCRIPT}{END}",
        Owner(f"Mallory {IMAGE}", None),
        where,
        f"https://bi.example/{IMAGE}",
    )
    hostile = samples.HOSTILE
    return replace(
        hostile,
        changes=(*hostile.changes, change),
        affected=(*hostile.affected, affected),
        consumers=(
            *hostile.consumers,
            AffectedConsumer(
                dashboard, ImpactSeverity.VALUES, reached, 2, affected.path, changed, IMAGE
            ),
            AffectedConsumer(
                script_link, ImpactSeverity.VALUES, reached, 2, affected.path, changed, END
            ),
        ),
        tests=(
            AffectedTest(
                reached.relation,
                reached.column,
                f"test{SCRIPT}",
                DataTestOutcome.RERUN,
                f"rerun {IMAGE}",
                where,
            ),
        ),
        unknowns=(
            Unknown(
                ColumnRef(f"model.shop.blind{END}", None),
                f"a `*` {SCRIPT}",
                f"it may read {IMAGE}",
                where,
                cause=changed,
            ),
        ),
        base=StateInfo(f"main{END}", 3, 3, "models"),
        head=StateInfo(f"head{IMAGE}", 3, 2, "models"),
        command=f"lineage diff --base '{SCRIPT}{IMAGE}'",
    )


def test_hostile_names_are_shown_as_text_and_nothing_runs(open_page: OpenPage, tmp_path: Path):
    report = hostile_report()
    watched = open_page(write_report(report, tmp_path))
    page = watched.page
    page.wait_for_load_state("networkidle")
    assert watched.problems() == []
    scripts = page.evaluate(
        "() => Array.from(document.scripts).map(s => [s.type, s.id, s.hasAttribute('src')])"
    )
    assert sorted(scripts) == [["", "", False], ["application/json", "impact-data", False]]
    assert page.evaluate("() => document.querySelectorAll('img, [onerror]').length") == 0
    links = page.eval_on_selector_all(
        "a[href]", "as => as.map(a => [a.protocol, a.getAttribute('rel') || ''])"
    )
    assert {protocol for protocol, _ in links} <= {"file:", "http:", "https:", "mailto:"}
    for protocol, rel in links:
        if protocol.startswith("http"):
            assert {"noopener", "noreferrer"} <= set(rel.split()), rel

    data = page.evaluate(DATA_STRINGS)
    text = page.evaluate(TEXT, "body")
    for payload in PAYLOADS:
        assert payload in data
        assert payload in text
    reached = report.affected[-1].ref
    assert f"c{IMAGE}" in page.evaluate(TEXT, "#affected-table")
    assert f"its expression changed {IMAGE} {END}" in page.evaluate(TEXT, "#changes")
    assert f"Dashboard {SCRIPT}{END}" in page.evaluate(TEXT, "#consumers")
    assert f"Mallory {IMAGE}" in page.evaluate(TEXT, "#consumers")
    assert f"it may read {IMAGE}" in page.evaluate(TEXT, "#blind-spots")
    assert report.command in page.evaluate(TEXT, "#reproduce")
    column(page, display_ref(reached)).click()  # the graph's script handles it as data

    page.fill("#affected-search", IMAGE)
    expect_count(page, 1, len(report.affected))
    assert [row["column"] for row in shown(page)] == [reached.column]
    assert watched.problems() == []
