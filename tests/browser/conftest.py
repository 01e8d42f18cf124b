"""A real headless Chromium for the HTML report tests: Debian's `chromium`, driven by
Playwright with the system executable (no browser is ever downloaded).

One browser per test session (per xdist worker), a fresh context and page per test. Every
page is watched: console errors, uncaught page errors, dialogs (`alert`) and every request
are recorded, and any request that is not a `file://` URL is aborted, so a page that tries
to reach the network both fails to and is caught trying.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page, Route

    from lineage.changes import ImpactReport
    from lineage.entities import Project

#: Debian's Chromium (`apt-get install chromium`); scripts/test.sh installs it when missing.
CHROMIUM = Path("/usr/bin/chromium")
MISSING = (
    "the browser tests need Chromium at {path} and Playwright's Python package: "
    "run `bash scripts/test.sh`, which installs both ({reason})"
)
#: Fail fast: nothing on these pages should take more than a moment.
TIMEOUT_MS = 5_000


@dataclass
class Watched:
    """A page and what it did since it was opened."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything that should never happen on a report page, one line each."""
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"page error: {text}" for text in self.page_errors),
            *(f"dialog: {text}" for text in self.dialogs),
            *(f"request: {url}" for url in self.requests if url != self.url),
        ]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; the tests fail (never skip) when it is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(MISSING.format(path=CHROMIUM, reason="no such file"), pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        pytest.fail(MISSING.format(path=CHROMIUM, reason=error), pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
        )
        yield chromium
        chromium.close()


def _only_files(route: Route) -> None:
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[Path], Watched]]:
    """`open_page(path)` opens a local file in a fresh light-scheme page, 1280 px wide, and
    returns it watched. A test may open several; all are closed at its end."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        color_scheme="light",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", _only_files)

    def opener(path: Path, fragment: str = "") -> Watched:
        page = context.new_page()
        watched = Watched(page, path.resolve().as_uri())
        page.on("request", lambda request: watched.requests.append(request.url))
        page.on(
            "console",
            lambda message: (
                watched.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: watched.page_errors.append(str(error)))

        def on_dialog(dialog: Dialog) -> None:
            watched.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(watched.url + fragment, wait_until="load")
        return watched

    yield opener
    context.close()


@pytest.fixture(scope="session")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> ImpactReport:
    """The impact of the bundled example's pull request (built once per session: ~2 s)."""
    from lineage.cli_impact import example_pull_request

    return example_pull_request(tmp_path_factory.mktemp("example-states"))


def write_report(report: ImpactReport, folder: Path) -> Path:
    """`report` as the HTML page `lineage ... --format html` writes, in `folder`."""
    from lineage.report.impact_html import impact_html

    page = folder / "impact.html"
    page.write_text(impact_html(report), encoding="utf-8")
    return page


@pytest.fixture(scope="session")
def example_page(example_report: ImpactReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's report page, written once per session."""
    return write_report(example_report, tmp_path_factory.mktemp("example-page"))


# -- the explorer (`lineage explore`) ---------------------------------------------------------

SHOP = Path(__file__).resolve().parents[2] / "fixtures" / "shop"


def write_explorer(
    project: Project,
    folder: Path,
    report: ImpactReport | None = None,
    compress: bool | None = None,
) -> Path:
    """The explorer page `lineage explore` writes for `project`, in `folder`."""
    from lineage.report.explorer_html import explorer_html

    page = folder / "lineage.html"
    page.write_text(explorer_html(project, report, compress), encoding="utf-8")
    return page


@pytest.fixture(scope="session")
def shop_project() -> Project:
    """fixtures/shop, built once per session."""
    from lineage import projects
    from lineage.config import load_config

    return projects.build(SHOP, load_config(SHOP))


@pytest.fixture(scope="session")
def explorer_page(shop_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's explorer, its data embedded as JSON."""
    return write_explorer(shop_project, tmp_path_factory.mktemp("explorer"), compress=False)


@pytest.fixture(scope="session")
def explorer_page_compressed(
    shop_project: Project, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The example's explorer, its data embedded as gzip in base64."""
    folder = tmp_path_factory.mktemp("explorer-compressed")
    return write_explorer(shop_project, folder, compress=True)


@pytest.fixture(scope="session")
def example_states(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ImpactReport, Project]:
    """The example pull request's impact report and the head state (the example with the
    pull request applied), built once per session."""
    from lineage.cli_impact import example_states as build

    return build(tmp_path_factory.mktemp("explorer-states"))


@pytest.fixture(scope="session")
def explorer_diff_page(
    example_states: tuple[ImpactReport, Project], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The explorer of the example pull request's head, with the diff overlay."""
    report, head = example_states
    return write_explorer(head, tmp_path_factory.mktemp("explorer-diff"), report)
