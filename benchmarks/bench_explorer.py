"""Benchmark the lineage explorer (`lineage explore`) against the budgets of issue 8.

For each size (dbt models; default 1,000, 5,000 and 20,000) it builds a synthetic project with
`explorer_project.py` (about ``--columns`` columns per relation), then, in a fresh Python
process per size (so each size's peak RSS is its own), times the generation: building the
explorer document (`lineage.explorer_data.explorer_document`) and rendering the page
(`lineage.report.explorer_html.explorer_page`: JSON, gzip, base64, template); it writes the
page and reports its size and the size of the document's JSON before compression.

Then it opens the page in headless Chromium (Debian's ``/usr/bin/chromium`` through
Playwright, as tests/browser/conftest.py does) ``--repeat`` times, each time in a fresh
context, and measures:

* first useful paint: the ``lineage:ready`` performance mark (its ``startTime``, from
  navigation start; the page sets it once the overview map is drawn), with the page's own
  ``lineage:*`` marks and measures as a breakdown, and the JavaScript heap once ready;
* interactions, each timed inside the page (`performance.now()`) from the dispatch of the
  event (or the `window.lineageExplorer.setState` call) until its effect is in the DOM and one
  animation frame has passed (``requestAnimationFrame`` then a zero timeout, so the render of
  that frame is included). Times are therefore quantized to display frames (16.7 ms at 60 Hz):
  anything up to about 20 ms fitted in one frame. An interaction whose control is missing, or
  whose effect does not show within ``--timeout`` ms, is reported as n/a with the reason (the
  front end may be incomplete: the script measures what exists and never fails on it).

Interactions, in this order on one page: a keystroke in the search box (its results), the
focus view of a mart at depth 2 (`setState`), raising the depth to 3 (the depth control),
clicking a column of the mart (its whole path highlighted), clicking another relation (the
details panel), toggling a noise control (consumers), the selectors ``+<mart>+`` and
``tag:<tag>`` (the selector form; also `selectExpression` alone when the page exposes it),
applying a URL hash saved earlier, exporting CSV and SVG, zooming the overview map one step.
Once per repeat a second page is opened with that URL hash (first paint of a shared link).

It prints the tables in Markdown and one JSON line per size. Example::

    python benchmarks/bench_explorer.py --sizes 1000 5000 20000 --repeat 3 --keep /tmp/pages
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
BUDGET_FILE_MB = 6.0
BUDGET_READY_MS = 1000.0
BUDGET_INTERACTION_MS = 100.0
#: (key, label) of the browser measures, in table order.
MEASURES = (
    ("ready", "first useful paint (`lineage:ready`)"),
    ("ready_with_hash", "first paint of a shared link (URL hash)"),
    ("search", "search: one keystroke, results shown"),
    ("focus", "focus view of a mart, depth 2"),
    ("depth", "depth 2 -> 3"),
    ("column_path", "click a column: its path highlighted"),
    ("details", "click a relation: details panel"),
    ("noise", "toggle a noise control (consumers)"),
    ("select_mart", "selector `+mart+` (form)"),
    ("select_tag", "selector `tag:...` (form)"),
    ("select_compute", "`selectExpression('+mart+')` alone"),
    ("hash", "apply a URL hash"),
    ("export_csv", "export CSV"),
    ("export_svg", "export SVG"),
    ("zoom", "zoom the overview map one step"),
)


# -- generation (in a child process per size) ------------------------------------------------


def generate(size: int, columns: int, seed: int, folder: Path) -> dict[str, Any]:
    """Build the project, the document and the page; the figures and the browser targets."""
    from explorer_project import explorer_project

    from lineage.explorer_data import explorer_document
    from lineage.report.explorer_html import embedded_data, explorer_page

    clock = time.perf_counter()
    project = explorer_project(size, columns, seed)
    built = time.perf_counter()
    document = explorer_document(project)
    documented = time.perf_counter()
    page = explorer_page(document)
    rendered = time.perf_counter()
    path = folder / f"explorer-{size}.html"
    path.write_text(page, encoding="utf-8")
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    encoding, _ = embedded_data(document, None)
    return {
        "size": size,
        "page": str(path),
        "relations": len(project.relations),
        "columns": sum(len(r.columns) for r in project.relations),
        "column_edges": len(project.edges),
        "document_edges": len(document["edges"]["target"]),
        "consumers": len(project.consumers),
        "strings": len(document["strings"]),
        "project_s": round(built - clock, 3),
        "document_s": round(documented - built, 3),
        "page_s": round(rendered - documented, 3),
        "generation_s": round(rendered - built, 3),
        "json_mb": round(len(text.encode("utf-8")) / 1e6, 2),
        "file_mb": round(path.stat().st_size / 1e6, 2),
        "encoding": encoding,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "targets": targets(project),
    }


def targets(project: Any) -> dict[str, Any]:
    """What the interactions act on: the mart with the most parents among those a consumer
    reads, its key column, a search query, and the tag of median frequency."""
    from lineage.edge_index import relation_links
    from lineage.names import display_name

    read = {r.relation for c in project.consumers for r in c.reads}
    parents: dict[str, int] = {}
    for _, child in relation_links(project):
        parents[child] = parents.get(child, 0) + 1
    mart = min(sorted(read), key=lambda name: -parents.get(name, 0))
    relation = project.relation(mart)
    label = display_name(mart)
    tags: dict[str, int] = {}
    for r in project.relations:
        for tag in r.tags:
            tags[tag] = tags.get(tag, 0) + 1
    ranked = sorted(tags, key=lambda t: (tags[t], t))
    tag = ranked[len(ranked) // 2] if ranked else ""
    entity = label.split("__", 1)[-1].split("_", 1)[0]
    return {
        "mart": mart,
        "label": label,
        "mart_parents": parents.get(mart, 0),
        "column": relation.columns[0].name if relation and relation.columns else "",
        "query": entity[:8],
        "tag": tag,
        "tag_relations": tags.get(tag, 0),
    }


def generate_in_child(size: int, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--generate-one",
        str(size),
        "--columns",
        str(args.columns),
        "--seed",
        str(args.seed),
        "--keep",
        str(folder),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"generating {size} models failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the browser ---------------------------------------------------------------------------

MARKS_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0] || {};
  const pick = (type, value) => performance.getEntriesByType(type)
    .filter((e) => e.name.startsWith("lineage:")).map((e) => [e.name, e[value]]);
  const X = window.lineageExplorer || {};
  return {
    marks: pick("mark", "startTime"),
    measures: pick("measure", "duration"),
    paint: performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]),
    dom_content_loaded: nav.domContentLoadedEventEnd || null,
    load: nav.loadEventEnd || null,
    heap_mb: performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null,
    timings: X.timings || null,
    nodes: X.M ? X.M.nodeCount : null,
    columns: X.M ? X.M.columnCount : null,
    edges: X.M ? X.M.edgeCount : null,
  };
}"""

INTERACTIONS_JS = """async (T) => {
  const X = window.lineageExplorer;
  const out = {};
  const $ = (selector) => document.querySelector(selector);
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const esc = (text) => (window.CSS && CSS.escape ? CSS.escape(text) : text);
  window.addEventListener("submit", (e) => e.preventDefault());  // never navigate away
  function watch(selectors) {
    const seen = { changed: false };
    const observer = new MutationObserver(() => { seen.changed = true; });
    for (const s of selectors) {
      const el = $(s);
      if (el) observer.observe(el, { childList: true, subtree: true, attributes: true,
                                     characterData: true });
    }
    seen.stop = () => observer.disconnect();
    return seen;
  }
  async function settle() { for (let i = 0; i < 3; i++) await frame(); }
  async function measure(name, act, done) {
    try {
      await settle();
      const t0 = performance.now();
      const acted = act();
      const sync = performance.now() - t0;
      if (typeof acted === "string") { out[name] = { ms: null, note: acted }; return; }
      await frame();
      while (!done()) {
        if (performance.now() - t0 > T.timeout) {
          out[name] = { ms: null, note: "no visible effect within " + T.timeout + " ms" };
          return;
        }
        await frame();
      }
      out[name] = { ms: performance.now() - t0, sync_ms: sync };
    } catch (error) {
      out[name] = { ms: null, note: "error: " + (error && error.message || error) };
    }
  }
  function click(el) {  // on a relation: its header (the part that opens it)
    const inner = el.matches("g.relation") ? el.querySelector(".header") || el : el;
    inner.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, view: window }));
  }
  const relationCount = () => document.querySelectorAll("svg#focus g.relation").length;
  const martBox = () => $('svg#focus g.relation[data-node="' + esc(T.mart) + '"]');
  const focusShown = () => !!martBox() && !($("#focus-view") || {}).hidden;

  // search: type all but the last character, then time the last keystroke
  let w = watch(["#search-results"]);
  const search = $("#search");
  if (search) {
    search.focus();
    search.value = T.query.slice(0, -1);
    search.dispatchEvent(new Event("input", { bubbles: true }));
    for (let i = 0; i < 30 && !w.changed; i++) await frame();
  }
  w.stop();
  w = watch(["#search-results"]);
  await measure("search", () => {
    if (!search) return "no #search";
    search.value = T.query;
    search.dispatchEvent(new InputEvent("input", { bubbles: true, data: T.query.slice(-1),
                                                   inputType: "insertText" }));
  }, () => w.changed && !!$("#search-results li[role=option]"));
  w.stop();
  out.search_results = document.querySelectorAll("#search-results li[role=option]").length;
  if (search) { search.value = ""; search.dispatchEvent(new Event("input", { bubbles: true })); }

  // the focus view of the mart at depth 2
  await measure("focus", () => {
    if (!X || typeof X.setState !== "function") return "no lineageExplorer.setState";
    const node = X.M && X.M.nodeByText ? X.M.nodeByText(T.mart) : -1;
    X.setState({ select: T.label, depth: 2, node: node, column: -1, view: "focus" });
  }, focusShown);
  out.focus_relations = relationCount();
  out.depth_count = ($("#depth-count") || {}).textContent || null;

  // depth 3 through the depth control
  w = watch(["svg#focus", "#depth-count"]);
  await measure("depth", () => {
    const depth = $("#depth");
    if (!depth) return "no #depth";
    depth.value = "3";
    depth.dispatchEvent(new Event("input", { bubbles: true }));
    depth.dispatchEvent(new Event("change", { bubbles: true }));
  }, () => w.changed);
  w.stop();
  out.depth3_relations = relationCount();
  out.depth3_count = ($("#depth-count") || {}).textContent || null;

  // click a column of the mart: its whole path
  await measure("column_path", () => {
    const box = martBox();
    if (!box) return "the mart is not in the focus view";
    const column = box.querySelector('g.column[data-column="' + esc(T.mart + "|" + T.column) + '"]')
      || box.querySelector('g.column:not([data-column$="|"])');
    if (!column) return "no g.column in the mart's box";
    click(column);
  }, () => !!$("svg#focus .on-path") || !!$("svg#focus g.column.selected"));
  out.path_columns = document.querySelectorAll("svg#focus g.column.on-path").length;
  out.path_relations = relationCount();
  const savedHash = location.hash;

  // click another relation: its details
  w = watch(["#details"]);
  await measure("details", () => {
    const other = [...document.querySelectorAll("svg#focus g.relation")]
      .find((g) => g.getAttribute("data-node") !== T.mart);
    if (!other) return "no other relation in the focus view";
    click(other);
  }, () => w.changed && !!$("#details [data-field]"));
  w.stop();

  // a noise control
  const toggle = $("#show-consumers");
  w = watch(["svg#focus"]);
  await measure("noise", () => {
    if (!toggle) return "no #show-consumers";
    toggle.click();
  }, () => w.changed);
  w.stop();
  if (toggle) { toggle.click(); await settle(); }

  // selectors through the form
  async function selector(name, text) {
    const input = $("#select");
    const form = $("#select-form");
    const error = $("#select-error");
    const before = error ? error.textContent : "";
    w = watch(["svg#focus", "#select-error"]);
    await measure(name, () => {
      if (!input || !form) return "no #select-form";
      input.value = text;
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit"));
    }, () => w.changed);
    w.stop();
    out[name + "_relations"] = relationCount();
    const message = error ? error.textContent : "";
    if (message && message !== before && out[name]) out[name].note = "page says: " + message;
  }
  await selector("select_mart", "+" + T.label + "+");
  await selector("select_tag", "tag:" + T.tag);
  const compute = X && X.selectExpression;
  if (compute && X.M) {
    const t0 = performance.now();
    const result = compute(X.M, "+" + T.label + "+", 2);
    out.select_compute = { ms: performance.now() - t0 };
    out.select_compute_nodes = result && result.nodes ? result.nodes.length : null;
    out.select_compute_error = result ? result.error : null;
  } else {
    out.select_compute = { ms: null, note: "no lineageExplorer.selectExpression" };
  }

  // apply the URL hash saved after the column click
  await measure("hash", () => {
    if (!savedHash) return "the page wrote no URL hash";
    location.hash = savedHash;
  }, focusShown);
  out.saved_hash = savedHash;

  // exports: done when the page hands a file to the browser
  async function exporter(name, id) {
    const original = URL.createObjectURL;
    const anchorClick = HTMLAnchorElement.prototype.click;
    let handed = false;
    URL.createObjectURL = function (blob) { handed = true; return original.call(URL, blob); };
    HTMLAnchorElement.prototype.click = function () {
      if (this.download) handed = true;
      return anchorClick.call(this);
    };
    try {
      await measure(name, () => {
        const button = $(id);
        if (!button) return "no " + id;
        button.click();
      }, () => handed);
    } finally {
      URL.createObjectURL = original;
      HTMLAnchorElement.prototype.click = anchorClick;
    }
  }
  await exporter("export_csv", "#export-csv");
  await exporter("export_svg", "#export-svg");

  // the overview map: back to the map, then one wheel step
  const map = $("#show-map");
  if (map) map.click(); else if (X && X.setState) X.setState({ view: "map" });
  await settle();
  const canvas = $("canvas#overview");
  const picture = () => (canvas && canvas.width ? canvas.toDataURL() : "");
  const before = picture();
  await measure("zoom", () => {
    if (!canvas || !canvas.width) return "no drawn canvas#overview";
    const box = canvas.getBoundingClientRect();
    canvas.dispatchEvent(new WheelEvent("wheel", { deltaY: -100, bubbles: true, cancelable: true,
      clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 }));
  }, () => true);
  if (out.zoom && out.zoom.ms !== null && picture() === before) {
    out.zoom = { ms: null, note: "the map did not change within one frame" };
  }
  return out;
}"""


def browse(
    pages: list[dict[str, Any]], args: argparse.Namespace
) -> tuple[dict[int, dict[str, Any]], str]:
    """Open each page `--repeat` times: per size, the runs (each measure, the page's facts);
    and Chromium's version."""
    found: dict[int, dict[str, Any]] = {g["size"]: {"runs": [], "error": None} for g in pages}
    if not CHROMIUM.is_file():
        for entry in found.values():
            entry["error"] = f"no Chromium at {CHROMIUM}"
        return found, "n/a"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        for entry in found.values():
            entry["error"] = f"no Playwright: {error}"
        return found, "n/a"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
        )
        version = browser.version
        for generated in pages:
            entry = found[generated["size"]]
            for _ in range(args.repeat):
                try:
                    entry["runs"].append(one_run(browser, generated, args))
                except Exception as error:  # the page may be unfinished: report, never stop
                    entry["runs"].append({"error": f"{type(error).__name__}: {error}"})
        browser.close()
    return found, version


def one_run(browser: Any, generated: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    url = Path(generated["page"]).resolve().as_uri()
    run: dict[str, Any] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.route("**/*", only_files)
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.goto(url, wait_until="load", timeout=120_000)
        ready = wait_ready(page, args.timeout * 50)
        facts = page.evaluate(MARKS_JS)
        run["facts"] = facts
        run["ready"] = (
            {"ms": mark(facts, "lineage:ready")}
            if ready
            else {"ms": None, "note": "window.lineageExplorer.ready never set"}
        )
        if ready:
            measured = page.evaluate(
                INTERACTIONS_JS, {**generated["targets"], "timeout": args.timeout}
            )
            run.update(measured)
            saved = measured.get("saved_hash")
            run["ready_with_hash"] = (
                linked(context, url, saved, args)
                if saved
                else {"ms": None, "note": "the page wrote no URL hash"}
            )
        run["problems"] = problems[:20]
    finally:
        context.close()
    return run


def only_files(route: Any) -> None:
    """Nothing but the page itself may load (the page must need no network)."""
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def wait_ready(page: Any, timeout_ms: int) -> bool:
    try:
        page.wait_for_function(
            "() => window.lineageExplorer && window.lineageExplorer.ready", timeout=timeout_ms
        )
    except Exception:
        return False
    return True


def mark(facts: dict[str, Any], name: str) -> float | None:
    return next((time for found, time in facts["marks"] if found == name), None)


def linked(context: Any, url: str, fragment: str, args: argparse.Namespace) -> dict[str, Any]:
    """First paint of the page opened with a URL hash (a shared link)."""
    page = context.new_page()
    try:
        page.goto(url + fragment, wait_until="load", timeout=120_000)
        if not wait_ready(page, args.timeout * 50):
            return {"ms": None, "note": "not ready"}
        return {"ms": mark(page.evaluate(MARKS_JS), "lineage:ready")}
    finally:
        page.close()


# -- reporting -----------------------------------------------------------------------------


def summary(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """Best and median of one measure over the runs, or the first reason it is n/a."""
    values = [
        r[key]["ms"] for r in runs if isinstance(r.get(key), dict) and r[key]["ms"] is not None
    ]
    if not values:
        notes = [r[key].get("note") for r in runs if isinstance(r.get(key), dict)]
        errors = [r["error"] for r in runs if "error" in r]
        return {"best": None, "median": None, "note": next(iter(notes + errors), "not measured")}
    return {
        "best": round(min(values), 1),
        "median": round(statistics.median(values), 1),
        "runs": [round(v, 1) for v in values],
    }


def cell(figures: dict[str, Any]) -> str:
    if figures["best"] is None:
        return "n/a"
    return f"{figures['median']:.0f} ({figures['best']:.0f})"


def report(generated: list[dict[str, Any]], browsed: dict[int, Any], chromium: str) -> None:
    print()
    print(
        "| models | relations | columns | column edges | consumers | project s | "
        "document s | page s | JSON MB | file MB | peak RSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for g in generated:
        print(
            f"| {g['size']:,} | {g['relations']:,} | {g['columns']:,} | {g['column_edges']:,} | "
            f"{g['consumers']:,} | {g['project_s']:.2f} | {g['document_s']:.2f} | "
            f"{g['page_s']:.2f} | {g['json_mb']:.1f} | {g['file_mb']:.2f} | {g['peak_rss_mb']} |"
        )
    sizes = [g["size"] for g in generated]
    print()
    print("Browser, ms: median (best) of the runs; n/a: not measurable yet (see the JSON notes).")
    print()
    print("| measure | budget | " + " | ".join(f"{s:,}" for s in sizes) + " |")
    print("|---|---:|" + "---:|" * len(sizes))
    for key, label in MEASURES:
        budget = BUDGET_READY_MS if key.startswith("ready") else BUDGET_INTERACTION_MS
        cells = [cell(summary(browsed[s]["runs"], key)) for s in sizes]
        print(f"| {label} | < {budget:.0f} | " + " | ".join(cells) + " |")
    print()
    for g in generated:
        entry = browsed[g["size"]]
        runs = entry["runs"]
        line = {
            "size": g["size"],
            "generation": {k: v for k, v in g.items() if k not in ("page",)},
            "chromium": chromium,
            "browser": {key: summary(runs, key) for key, _ in MEASURES},
            "facts": runs[0].get("facts") if runs else None,
            "counts": {
                k: v
                for k, v in (runs[0] if runs else {}).items()
                if not isinstance(v, dict) and k not in ("problems", "error")
            },
            "problems": sorted({p for r in runs for p in r.get("problems", [])})[:10],
            "error": entry["error"] or next((r["error"] for r in runs if "error" in r), None),
        }
        print(json.dumps(line, sort_keys=True))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=3000, help="ms per interaction")
    parser.add_argument("--keep", type=Path, help="write the pages here and keep them")
    parser.add_argument("--generate-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate_one:  # the child process of one size
        print(json.dumps(generate(args.generate_one, args.columns, args.seed, args.keep)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-explorer-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        generated = []
        for size in args.sizes:
            generated.append(generate_in_child(size, args, folder))
            g = generated[-1]
            print(
                f"{size:,} models: document {g['document_s']:.2f} s, page {g['page_s']:.2f} s, "
                f"{g['file_mb']:.2f} MB ({g['json_mb']:.1f} MB of JSON), "
                f"peak RSS {g['peak_rss_mb']} MB",
                flush=True,
            )
        browsed, chromium = browse(generated, args)
        print(f"Chromium {chromium}, Python {platform.python_version()}")
        report(generated, browsed, chromium)


if __name__ == "__main__":
    main()
