"""The explorer's selectors (static/explorer/20_selectors.js) in a real headless Chromium.

The page evaluates each expression with `window.lineageExplorer.selectExpression(M, text,
depth)`; the expectation is what Python's `lineage.selectors.select(project, text)` answers on
the same project (the semantics docs/selectors.md describes and tests/test_selectors.py checks
against the SQL of fixtures/shop), mapped onto the page's document: relations and consumers by
graph id to node indexes, `ColumnRef`s by (relation, column) to column indexes (None: the
relation's rows pseudo-column), a `UsageError` to the same sentence as `error`. At depth N, an
atom written without `+` or `@` must select what Python's explicit `N+atom+N` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Browser, Page, Route
except ImportError as missing:  # fail, never skip: CI must run these tests
    raise ImportError(f"{missing}: run `bash scripts/test.sh`, which installs Playwright") from None

from test_selectors import _project as selector_project

from lineage.entities import (
    Project,
)
from lineage.errors import UsageError
from lineage.explorer_data import explorer_document
from lineage.explorer_encoding import column_names
from lineage.selectors import select

from .conftest import write_explorer

Result = dict[str, Any]

#: Evaluates [[text, depth], ...] in the page, in one round trip.
EVALUATE = """(cases) => {
  const explorer = window.lineageExplorer;
  return cases.map(([text, depth]) => explorer.selectExpression(explorer.M, text, depth));
}"""

#: fixtures/shop at depth 0: every form of docs/selectors.md, checked against Python.
SHOP_CASES = [
    # names: short names, graph ids, versions, sources, app tables, seeds, case folding
    "stg_app__users",
    "model.shop.stg_app__users",
    "dim_customers.v2",
    "source:app.users",
    "app:shop.users",
    "country_codes",
    "STG_APP__USERS",
    "Model.Shop.Fct_Orders",
    "Source:App.Users",
    # wildcards (fnmatch: `*`, `?`, and `[...]` sets once a wildcard is there)
    "stg_hubspot__*",
    "dim_customers.v?",
    "*orders*",
    "model.shop.fct_*",
    "source:app.*",
    "stg_[!a]*",
    "fct_[o-p]*",
    "*[z-a]*",
    # graph operators
    "+fct_orders",
    "fct_orders+",
    "2+fct_orders",
    "fct_orders+1",
    "1+int_orders_enriched+1",
    "+fct_orders+",
    "0+fct_orders+0",
    "@dim_customers.v2",
    "@stg_app__users+",
    "customer_churn_features+",
    "+churn_predictions",
    # methods
    "path:models/marts/finance",
    "path:./models/marts/finance/",
    "path:models/staging/hubspot",
    "path:seeds/country_codes.csv",
    "path:models/marts/*/fct_*",
    "path:models/**/finance/**/fct_refunds.sql",
    "path:**/finance",
    "path:models/*/core",
    "path:models/marts/fin",
    "path:models/staging/app/_app__sources.yml",
    "+path:models/marts/finance",
    "kind:seed",
    "kind:SEED",
    "resource_type:snapshot",
    "kind:app_table",
    "kind:view",
    "tag:finance",
    "tag:pii",
    "tag:f*",
    "tag:*",
    "tag:Finance",
    "tag:nightly",
    "+tag:ml",
    "tag:marts,tag:finance",
    "tag:ml,path:models/marts/ml",
    "source:app",
    "source:hubspot.contact",
    "source:shop.app.users",
    "source:hubspot.email_*",
    "source:app.users+1",
    "+source:hubspot",
    "exposure:churn_dashboard",
    "exposure:shop.churn_dashboard",
    "+exposure:churn_dashboard",
    "exposure:churn_dashboard+",
    "1+exposure:churn_dashboard",
    "@exposure:churn_dashboard",
    "exposure:*",
    "exposure:*revenue*",
    # unions and intersections
    "+fct_orders,stg_*",
    "fct_refunds kind:seed",
    "+fct_payments,+fct_orders",
    "source:app+1,kind:snapshot fct_refunds,path:models/marts",
    "fct_orders fct_orders",
    "kind:view path:models/marts/fin kind:view",
    "kind:view,path:models/marts/fin",
    "+fct_orders,exposure:*",
    "fct_orders+,kind:model",
    # the column form, down, up, both, `@`, depths, mixed with relation forms
    "source:app.users.email+1",
    "+stg_app__users.email",
    "stg_app__users.email+",
    "stg_app__users.email+2",
    "2+fct_orders.amount_usd",
    "+fct_orders.amount_usd+",
    "@stg_app__users.email",
    "STG_APP__USERS.EMAIL+",
    "app:shop.users.email+",
    "app:shop.users.is_deleted+",
    "app:shop.users.is_deleted+1",
    "dim_customers.v2.customer_id+",
    "+dim_customers.v2.customer_id",
    "model.shop.dim_customers.v2.email+1",
    "churn_predictions.churn_probability+",
    "churn_predictions.churn_probability+1",
    "stg_app__users.email+,path:models/marts",
    "stg_app__users.email+,+fct_orders",
    "stg_app__users.email+ fct_refunds",
    "stg_app__users.email+1,stg_app__users.email+2",
    "stg_app__users.email+,+dim_customers.v2.email",
    "fct_orders.amount_usd fct_orders",
    # errors: the same sentence as Python's UsageError
    "stg_app__usres",
    "+fct_ordrs+",
    "stg_nothing_*",
    "fct_orders.amount_eur+",
    "int_order_items_summed",
    "dim_customer",
    "",
    "   ",
    "+",
    "@",
    "a++",
    "a+b",
    "a@b",
    "1+@fct_orders",
    "@+fct_orders",
    "@2+fct_orders",
    "fct_orders,",
    ",fct_orders",
    "fct_orders,,kind:seed",
    "fct_orders, kind:seed",
    "config:materialized",
    "KIND:seed",
    ":fct_orders",
    "path:",
    "kind:exposure",
    "source:ap",
    "source:app.user",
    "source:app.users.emial",
    "source:a.b.c.d",
    "exposure:churn_dashbord",
    "app:shop.userz",
    "app:shop.users.referral_code",
    "fct_orders.",
    "fct_orders.amount_usd.x",
    "fct_orders fct_ordrs",
    "kind:view nothing_here",
]

#: (as typed, depth, what Python must answer for it): a plain atom gets `depth` hops each way.
DEPTH_CASES = [
    ("fct_orders", 1, "1+fct_orders+1"),
    ("fct_orders", 2, "2+fct_orders+2"),
    ("int_orders_enriched", 3, "3+int_orders_enriched+3"),
    ("stg_app__users.email", 1, "1+stg_app__users.email+1"),
    ("source:app.users.email", 2, "2+source:app.users.email+2"),
    ("path:models/marts/finance", 1, "1+path:models/marts/finance+1"),
    ("exposure:churn_dashboard", 1, "1+exposure:churn_dashboard+1"),
    ("kind:seed", 2, "2+kind:seed+2"),
    ("tag:finance", 1, "1+tag:finance+1"),
    ("fct_orders+ stg_app__users", 2, "fct_orders+ 2+stg_app__users+2"),
    ("@stg_app__users,kind:model", 2, "@stg_app__users,2+kind:model+2"),
    ("0+fct_orders", 3, "fct_orders"),
    ("fct_orders+0", 3, "fct_orders"),
    ("+fct_orders", 1, "+fct_orders"),
    ("fct_orders", 0, "fct_orders"),
    ("kind:view", 2, "kind:view"),
    ("stg_app__usres", 2, "stg_app__usres"),
]


# -- the page and the expectations -------------------------------------------------------------


@dataclass
class Explorer:
    """An open explorer page and its document's indexes."""

    page: Page
    nodes: dict[tuple[str, bool], int]  # (graph id, is a consumer) -> node index
    columns: dict[tuple[str, str | None], int]  # (graph id, column or None) -> column index
    page_errors: list[str] = field(default_factory=list)

    def evaluate(self, cases: list[tuple[str, int]]) -> list[Result]:
        results: list[Result] = self.page.evaluate(EVALUATE, [list(case) for case in cases])
        return results

    def expected(self, project: Project, expression: str) -> Result:
        """Python's answer, as the page's indexes."""
        try:
            selection = select(project, expression)
        except UsageError as error:
            return {"nodes": [], "columns": [], "notes": [], "error": str(error)}
        nodes = [self.nodes[r, False] for r in selection.relations]
        nodes += [self.nodes[c, True] for c in selection.consumers]
        columns = [self.columns[c.relation, c.column] for c in selection.columns]
        notes = list(selection.notes)
        return {"nodes": sorted(nodes), "columns": sorted(columns), "notes": notes, "error": None}


def _document_indexes(
    project: Project,
) -> tuple[dict[tuple[str, bool], int], dict[tuple[str, str | None], int]]:
    """The node and column indexes of the page's document, by graph id and column name."""
    document = explorer_document(project)
    strings, nodes = document["strings"], document["nodes"]
    consumer = document["groups"].index("consumer")
    by_node = {
        (strings[s], group == consumer): i
        for i, (s, group) in enumerate(zip(nodes["id"], nodes["group"], strict=True))
    }
    by_column: dict[tuple[str, str | None], int] = {}
    names = column_names(document)
    for s, first, count in zip(nodes["id"], nodes["first"], nodes["count"], strict=True):
        for c in range(first, first + count):  # the first is the rows pseudo-column
            by_column[strings[s], names[c] if c > first else None] = c
    return by_node, by_column


def _only_files(route: Route) -> None:
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def _open(browser: Browser, path: Path, project: Project) -> Iterator[Explorer]:
    context = browser.new_context()
    context.set_default_timeout(5_000)
    context.route("**/*", _only_files)
    page = context.new_page()
    nodes, columns = _document_indexes(project)
    explorer = Explorer(page, nodes, columns)
    page.on("pageerror", lambda error: explorer.page_errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            explorer.page_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("() => window.lineageExplorer && window.lineageExplorer.ready")
    has = page.evaluate("() => typeof window.lineageExplorer.selectExpression")
    assert has == "function", "window.lineageExplorer.selectExpression is not exposed"
    yield explorer
    context.close()


@pytest.fixture(scope="module")
def shop(browser: Browser, explorer_page: Path, shop_project: Project) -> Iterator[Explorer]:
    yield from _open(browser, explorer_page, shop_project)


def _table(explorer: Explorer, cases: list[str]) -> dict[str, Result]:
    results = explorer.evaluate([(text, 0) for text in cases])
    return dict(zip(cases, results, strict=True))


@pytest.fixture(scope="module")
def shop_results(shop: Explorer) -> dict[str, Result]:
    return _table(shop, SHOP_CASES)


def _comparable(result: Result) -> Result:
    """A page result with `columns: null` (no column form) as Python's empty tuple."""
    return {**result, "columns": result["columns"] or []}


# -- the example, expression by expression -----------------------------------------------------


@pytest.mark.parametrize("expression", SHOP_CASES)
def test_an_expression_selects_what_python_selects(
    shop: Explorer, shop_project: Project, shop_results: dict[str, Result], expression: str
) -> None:
    assert _comparable(shop_results[expression]) == shop.expected(shop_project, expression)


def test_the_table_covers_every_kind_of_answer(shop_results: dict[str, Result]) -> None:
    """The cases are not all errors or all empty: each kind of answer occurs."""
    results = list(shop_results.values())
    assert sum(1 for r in results if r["error"] is None and r["nodes"]) >= 60
    assert sum(1 for r in results if r["error"] is not None) >= 30
    assert sum(1 for r in results if r["notes"]) >= 3
    assert sum(1 for r in results if r["columns"]) >= 15
    assert any("Did you mean:" in (r["error"] or "") for r in results)


@pytest.mark.parametrize(
    ("expression", "has_columns"),
    [
        ("fct_orders", False),
        ("+fct_orders,kind:model", False),
        ("stg_app__users.email", True),
        ("stg_app__users.email+ fct_orders", True),
        ("stg_app__users.email,+fct_refunds", True),
    ],
)
def test_columns_are_null_only_without_a_column_form(
    shop: Explorer, expression: str, has_columns: bool
) -> None:
    [result] = shop.evaluate([(expression, 0)])
    assert (result["columns"] is not None) == has_columns
    assert result["error"] is None


def test_results_are_sorted_and_distinct(shop_results: dict[str, Result]) -> None:
    for expression, result in shop_results.items():
        for key in ("nodes", "columns"):
            values = result[key] or []
            assert values == sorted(set(values)), (expression, key)


@pytest.mark.parametrize(("typed", "depth", "explicit"), DEPTH_CASES)
def test_depth_expands_a_plain_atom_both_ways(
    shop: Explorer, shop_project: Project, typed: str, depth: int, explicit: str
) -> None:
    [result] = shop.evaluate([(typed, depth)])
    wanted = shop.expected(shop_project, explicit)
    if wanted["error"] is not None:
        wanted["error"] = shop.expected(shop_project, typed)["error"]
    assert _comparable(result) == wanted


def test_depth_grows_the_selection_of_a_plain_name(shop: Explorer) -> None:
    sizes = [len(r["nodes"]) for r in shop.evaluate([("fct_orders", d) for d in range(5)])]
    assert sizes[0] == 1
    assert sizes == sorted(sizes)
    assert sizes[2] > sizes[1] > sizes[0]


@pytest.mark.parametrize(
    ("argument", "depth", "error"),
    [
        ("null", "0", "the selector is empty"),
        ("undefined", "2", "the selector is empty"),
        ("'fct_orders'", "-3", None),
        ("'fct_orders'", "'x'", None),
    ],
)
def test_odd_arguments_never_throw(
    shop: Explorer, argument: str, depth: str, error: str | None
) -> None:
    script = f"""() => {{
      const explorer = window.lineageExplorer;
      return explorer.selectExpression(explorer.M, {argument}, {depth});
    }}"""
    result = shop.page.evaluate(script)
    if error is None:
        assert result["error"] is None
        assert len(result["nodes"]) == 1  # depth 0
    else:
        assert error in result["error"]
        assert result["nodes"] == []


def test_the_page_reports_no_errors(shop: Explorer, shop_results: dict[str, Result]) -> None:
    assert shop_results
    assert shop.page_errors == []


# -- hand-made projects: ambiguity, shadowing, case, rows and readers ---------------------------


def _project(*links: str, consumers: dict[str, list[str]] | None = None) -> Project:
    """tests/test_selectors.py's hand-made project (`a.x>b.y`: b.y computed from a.x;
    `a.x>b.*`: a.x filters b's rows), rooted in a folder named `handmade`."""
    return replace(selector_project(*links, consumers=consumers), root="handmade")


#: Two packages' `users`, a relation `s.t` beside column t of `s`, columns differing by case,
#: a filter deciding rows, a cycle, and exposures reading at different depths.
HANDMADE = _project(
    "model.p.users.x>model.q.users.x",
    "s.t>u.v",
    "s.t.x>u.w",
    "a.flag>b.*",
    "b.x>c.x",
    "b.y>d.y",
    "a.v>b.x",
    "w.v>b.y",
    "c.x>cyc.x",
    "cyc.x>c.x",
    "k.Email>k2.x",
    "k.email>k2.y",
    consumers={"dash": ["c.x"], "other": ["d.y"], "wide": ["a.flag", "u.w"]},
)

HANDMADE_CASES = [
    "users",
    "USERS",
    "model.p.users",
    "model.p.users+",
    "+model.q.users",
    "users.x",
    "model.p.users.x+",
    "model.q.*",
    "*users",
    "s.t",
    "s.t+",
    "s.t.x+",
    "u.v,+u.w",
    "a.flag+",
    "a.flag+1",
    "a.flag+2",
    "+b.x",
    "+b.y+",
    "@b.x",
    "a.flag+,+d.y",
    "c+",
    "+c",
    "@c",
    "c.x+",
    "+cyc.x",
    "k.Email+",
    "k.email+",
    "k.EMAIL+",
    "k.emial",
    "exposure:dash",
    "+exposure:dash",
    "exposure:dash+",
    "exposure:*",
    "exposure:p.*",
    "exposure:nothing",
    "a+1",
    "a+2",
    "a+3",
    "source:x",
    "path:models/a.sql",
    "path:models/*.sql,+c",
    "kind:model,c+1",
]


@pytest.fixture(scope="module")
def handmade(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Explorer]:
    path = write_explorer(HANDMADE, tmp_path_factory.mktemp("explorer-selectors"))
    yield from _open(browser, path, HANDMADE)


@pytest.fixture(scope="module")
def handmade_results(handmade: Explorer) -> dict[str, Result]:
    return _table(handmade, HANDMADE_CASES)


@pytest.mark.parametrize("expression", HANDMADE_CASES)
def test_a_handmade_project_selects_what_python_selects(
    handmade: Explorer, handmade_results: dict[str, Result], expression: str
) -> None:
    assert _comparable(handmade_results[expression]) == handmade.expected(HANDMADE, expression)


def test_a_shared_short_name_is_an_error_naming_both(handmade_results: dict[str, Result]) -> None:
    assert handmade_results["users"]["error"] == (
        "'users' is ambiguous: it could be model.p.users, model.q.users. Use the graph id."
    )


def test_a_column_spelled_two_ways_needs_the_exact_case(
    handmade: Explorer, handmade_results: dict[str, Result]
) -> None:
    exact = handmade_results["k.email+"]
    assert exact["error"] is None
    assert handmade.columns["k", "email"] in exact["columns"]
    assert handmade.columns["k", "Email"] not in exact["columns"]
    assert "k has no column 'EMAIL'" in handmade_results["k.EMAIL+"]["error"]
