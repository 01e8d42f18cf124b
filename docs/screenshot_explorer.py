"""Write docs/explorer.png: the bundled example's lineage explorer with its pull request
overlaid (what `lineage demo` writes to lineage-demo-explorer.html).

Run it after changing how the explorer looks:

    .venv/bin/python docs/screenshot_explorer.py

It builds the example before and after its pull request, writes the explorer of the head with
the impact overlaid into a temporary folder, opens it from `file://` in Debian's headless
Chromium (Playwright with `/usr/bin/chromium`; `bash scripts/test.sh` installs both) in the
light scheme, 1440 x 900, with every request other than the file itself blocked, focuses on
`int_orders_enriched` at depth 1 (the model whose filter the pull request changes, between the
staging model that breaks and the marts that are skipped) with its details open, and saves the
window.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Route, sync_playwright

from lineage.cli_impact import example_states
from lineage.report.explorer_html import explorer_html

SCREENSHOT = Path(__file__).with_name("explorer.png")
CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1440, 900
FOCUS = """() => {
  const x = window.lineageExplorer;
  const node = x.M.nodeByText("model.shop.int_orders_enriched");
  x.setState({select: "int_orders_enriched", depth: 1, node: node, column: -1, view: "focus"});
}"""


def _only_files(route: Route) -> None:
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def screenshot(page_file: Path, output: Path) -> None:
    """Save the explorer page `page_file`, focused as FOCUS says, to `output` (PNG)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--disable-dev-shm-usage", "--disable-gpu"]
        )
        context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            color_scheme="light",
            device_scale_factor=1,
        )
        context.route("**/*", _only_files)
        page = context.new_page()
        page.goto(page_file.resolve().as_uri(), wait_until="load")
        page.wait_for_function("window.lineageExplorer && window.lineageExplorer.ready")
        page.evaluate(FOCUS)
        page.wait_for_timeout(300)
        page.screenshot(path=str(output), animations="disabled", caret="hide")
        browser.close()


def main() -> int:
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} is missing: run `bash scripts/test.sh`, which installs it.")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        report, head = example_states(Path(folder) / "states")
        page_file = Path(folder) / "lineage.html"
        page_file.write_text(explorer_html(head, report), encoding="utf-8")
        screenshot(page_file, SCREENSHOT)
    print(f"wrote {SCREENSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
