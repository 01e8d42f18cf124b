"""Write docs/impact-report.png: the top of the bundled example's HTML impact report.

Run it after changing how the report looks:

    .venv/bin/python docs/screenshot_impact.py

It builds the example's pull-request report (what `lineage demo` shows), writes the HTML
page into a temporary folder, opens it from `file://` in Debian's headless Chromium (driven
by Playwright with the system executable, `/usr/bin/chromium`; `bash scripts/test.sh`
installs both) in the light scheme, 1280 px wide, with every request other than the file
itself blocked, and saves the top of the page: the verdict, the contents and the table of
affected columns (its first rows).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Route, sync_playwright

from lineage.cli_impact import example_pull_request
from lineage.report.impact_html import impact_html

SCREENSHOT = Path(__file__).with_name("impact-report.png")
CHROMIUM = Path("/usr/bin/chromium")
WIDTH = 1280
#: How much of the affected table is shown, and the most the picture may be tall.
TABLE_ROWS = 5
MAX_HEIGHT = 2000
#: The bottom of the affected table's TABLE_ROWS-th row, in page coordinates.
BOTTOM = """(rows) => {
  const shown = Array.from(document.querySelectorAll('#affected-table tr[id^="affected-"]'))
    .filter(row => !row.hidden);
  const last = shown[Math.min(rows, shown.length) - 1]
    || document.querySelector('#affected-table') || document.body;
  return Math.ceil(last.getBoundingClientRect().bottom + window.scrollY);
}"""


def _only_files(route: Route) -> None:
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def screenshot(page_file: Path, output: Path) -> None:
    """Save the top of the report page `page_file` to `output` (PNG)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--disable-dev-shm-usage", "--disable-gpu"]
        )
        context = browser.new_context(
            viewport={"width": WIDTH, "height": 900}, color_scheme="light", device_scale_factor=1
        )
        context.route("**/*", _only_files)
        page = context.new_page()
        page.goto(page_file.resolve().as_uri(), wait_until="load")
        height = min(int(page.evaluate(BOTTOM, TABLE_ROWS)) + 16, MAX_HEIGHT)
        page.screenshot(
            path=str(output),
            full_page=True,
            clip={"x": 0, "y": 0, "width": WIDTH, "height": height},
            animations="disabled",
            caret="hide",
        )
        browser.close()


def main() -> int:
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} is missing: run `bash scripts/test.sh`, which installs it.")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        report = example_pull_request(Path(folder) / "states")
        page_file = Path(folder) / "impact.html"
        page_file.write_text(impact_html(report), encoding="utf-8")
        screenshot(page_file, SCREENSHOT)
    print(f"wrote {SCREENSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
