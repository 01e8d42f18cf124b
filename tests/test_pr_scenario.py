"""The example's pull request (fixtures/shop_pr) as a real git history: `lineage diff` finds
each change and its whole impact. Expectations come from what dbt and the warehouse would do
after the merge; the golden files pin the exact JSON and Markdown."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lineage.cli import main
from lineage.examples import apply_pull_request, copy_example

GOLDEN = Path(__file__).parent / "golden"
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@shop.example",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@shop.example",
    "GIT_AUTHOR_DATE": "2026-11-02T10:00:00Z",
    "GIT_COMMITTER_DATE": "2026-11-02T10:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
}


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, **_GIT_ENV}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: the example as it is; HEAD: the pull request on top of it."""
    root = tmp_path_factory.mktemp("shop-repo")
    copy_example("lineage.shop", root, mark_root=False)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The shop as it is")
    git(root, "checkout", "-q", "-b", "rename-email")
    apply_pull_request(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Login email, amounts in dollars, leaner affinity")
    return root


def diff(repo: Path, fmt: str, *extra: str) -> tuple[int, str]:
    runner = CliRunner()
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        result = runner.invoke(
            main,
            [
                "diff",
                "--base",
                "main",
                "--head",
                "HEAD",
                "--project-dir",
                "shop",
                "--format",
                fmt,
                *extra,
            ],
        )
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def report(repo: Path) -> dict[str, Any]:
    code, out = diff(repo, "json")
    assert code == 0, out
    document: dict[str, Any] = json.loads(out)
    return document


_ORDER = ["unknown", "additive", "values", "rows", "breaks"]


def severities(report: dict[str, Any]) -> dict[str, str]:
    """The worst severity of each affected column or relation, over every cause."""
    worst: dict[str, str] = {}
    for entry in report["affected"]:
        ref, severity = _ref(entry["ref"]), entry["severity"]
        if _ORDER.index(severity) > _ORDER.index(worst.get(ref, "unknown")):
            worst[ref] = severity
    return worst


def causes(report: dict[str, Any], ref: str) -> dict[str, str]:
    """Each cause reaching `ref`, with its severity."""
    return {_ref(a["cause"]): a["severity"] for a in report["affected"] if _ref(a["ref"]) == ref}


def _ref(ref: dict[str, Any]) -> str:
    return ref["relation"] + ("." + ref["column"] if ref["column"] else " (rows)")


def test_the_changes_are_found_and_nothing_else(report: dict[str, Any]) -> None:
    changes = {(c["kind"], _ref(c["ref"])) for c in report["changes"]}
    assert ("column_renamed", "app:shop.users.email") in changes
    assert ("column_type_changed", "app:shop.payments.amount") in changes
    assert ("column_removed", "model.shop.product_affinity.related_product_name") in changes
    assert ("filter_changed", "model.shop.int_orders_enriched (rows)") in changes
    renamed = next(c for c in report["changes"] if c["kind"] == "column_renamed")
    assert renamed["new_name"] == "login_email"
    assert renamed["location"]["path"].endswith("V13__rename_users_email_to_login_email.sql")
    retyped = next(c for c in report["changes"] if c["kind"] == "column_type_changed")
    # integer and numeric(12, 2), as sqlglot spells them for PostgreSQL
    assert (retyped["old_type"], retyped["new_type"]) == ("int", "decimal(12, 2)")
    assert retyped["compatibility"] == "widening"


def test_the_renamed_email_breaks_every_model_still_reading_it(report: dict[str, Any]) -> None:
    found = severities(report)
    # stg_app__users reads `email` twice (lines 13 and 17); the snapshot selects it (line 18)
    assert found["model.shop.stg_app__users.email"] == "breaks"
    assert found["model.shop.stg_app__users.is_internal_user"] == "breaks"
    assert found["snapshot.shop.snap_app__users.email"] == "breaks"
    reading = next(
        a for a in report["affected"] if _ref(a["ref"]) == "model.shop.stg_app__users.email"
    )
    assert reading["location"] == {"path": "models/staging/app/stg_app__users.sql", "line": 13}
    assert "login_email" in reading["fix"]
    # every model built on stg_app__users is skipped by dbt
    assert found["model.shop.dim_customers.v2 (rows)"] == "breaks"


def test_amounts_in_dollars_change_values_downstream_never_safe(report: dict[str, Any]) -> None:
    found = severities(report)
    # integer -> numeric(12, 2) is a widening: nothing fails, but stg_app__payments still
    # divides by 100, so every amount below it is a hundred times too small.
    assert found["model.shop.stg_app__payments.amount"] == "values"
    assert found["model.shop.fct_payments.amount"] in ("values", "rows", "breaks")


def test_the_dropped_column_breaks_the_shops_own_feature(report: dict[str, Any]) -> None:
    consumers = {c["id"]: c["severity"] for c in report["consumers"]}
    assert consumers["exposure.shop.product_recommendations"] == "breaks"
    assert consumers["consumer.customers_also_bought"] == "breaks"


def test_the_filter_changes_the_rows_of_the_revenue_models(report: dict[str, Any]) -> None:
    # Cancelled orders leave int_orders_enriched and every revenue model built on it. The
    # email rename also makes dbt skip these models; each cause is reported on its own, so
    # the rows change is still there once the break is fixed.
    filtered = "model.shop.int_orders_enriched (rows)"
    both = {filtered: "rows", "app:shop.users.email": "breaks"}
    for relation in ("int_orders_enriched", "fct_orders", "int_customer_order_history"):
        assert causes(report, f"model.shop.{relation} (rows)") == both
    # fct_daily_revenue keeps `WHERE orders.is_paid`, and is_paid is `amount > 0`: the
    # amounts in dollars change its rows too
    assert causes(report, "model.shop.fct_daily_revenue (rows)") == {
        **both,
        "app:shop.payments.amount": "rows",
    }
    # fct_payments filters on nothing that changed: only its values change
    assert causes(report, "model.shop.fct_payments (rows)") == {}


def test_golden_json_and_markdown(repo: Path, report: dict[str, Any]) -> None:
    for fmt, name in (("json", "pr_scenario.json"), ("md", "pr_scenario.md")):
        code, out = diff(repo, fmt)
        assert code == 0
        golden = GOLDEN / name
        if os.environ.get("LINEAGE_UPDATE_GOLDEN"):
            golden.write_text(out, encoding="utf-8")
        assert out == golden.read_text(encoding="utf-8"), f"{name} differs from the golden file"


def test_fail_on_breaks_exits_4_after_writing_the_report(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "impact.md"
    code, _ = diff(repo, "md", "--fail-on", "breaks", "-o", str(out))
    assert code == 4
    assert out.read_text(encoding="utf-8").startswith("<!-- lineage:impact-report -->")
    assert diff(repo, "md", "--fail-on", "never")[0] == 0


def test_an_unknown_ref_is_a_usage_error(repo: Path) -> None:
    runner = CliRunner()
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        result = runner.invoke(main, ["diff", "--base", "no-such-branch", "--project-dir", "shop"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2
    assert "no-such-branch" in result.output


def test_sarif_annotates_the_lines_that_cause_the_breaks(repo: Path) -> None:
    code, out = diff(repo, "sarif")
    assert code == 0
    log = json.loads(out)
    errors = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in log["runs"][0]["results"]
        if r["level"] == "error"
    }
    # paths from the repository root, as code scanning matches them against the checkout
    assert ("shop_app/shop/db/migrations/V13__rename_users_email_to_login_email.sql", 2) in errors
    assert ("shop/models/staging/app/stg_app__users.sql", 13) in errors
    assert ("shop/models/staging/app/stg_app__users.sql", 17) in errors
    assert ("shop/snapshots/snap_app__users.sql", 18) in errors
    assert ("shop/models/marts/product/product_affinity.sql", 66) in errors
    for uri, _ in errors:
        assert (repo / uri).is_file(), uri


def test_one_analysis_writes_several_formats(repo: Path, tmp_path: Path) -> None:
    md, js = tmp_path / "impact.md", tmp_path / "impact.json"
    code, _ = diff(repo, "md", "-o", str(md), "--write", f"json={js}")
    assert code == 0
    assert md.read_text(encoding="utf-8") == (GOLDEN / "pr_scenario.md").read_text("utf-8")
    assert js.read_text(encoding="utf-8") == (GOLDEN / "pr_scenario.json").read_text("utf-8")
    code, _ = diff(repo, "md", "--write", f"pdf={tmp_path / 'impact.pdf'}")
    assert code == 2  # not a format
    assert not (tmp_path / "impact.pdf").exists()


def test_lineage_explore_overlays_the_diff_of_two_refs(repo: Path, tmp_path: Path) -> None:
    page = tmp_path / "explorer.html"
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(
            main,
            [
                *("explore", "--base", "main", "--head", "HEAD", "--project-dir", "shop"),
                *("-o", str(page), "--compress", "never", "--no-cache"),
            ],
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    start = text.index('data-encoding="json">') + len('data-encoding="json">')
    document = json.loads(text[start : text.index("</script>", start)])
    diff = document["diff"]
    assert diff["base"].startswith("main (") and diff["head"].startswith("HEAD (")
    # the head's stg_app__users.sql:13 still reads the renamed `email`: a Break
    names = document["strings"]
    breaks = diff["statuses"].index("breaks")
    broken = {
        names[document["nodes"]["id"][node]]
        for node, status in zip(diff["nodes"][::2], diff["nodes"][1::2], strict=True)
        if status == breaks
    }
    assert "model.shop.stg_app__users" in broken
    assert "app:shop.users" not in broken  # it is changed, not broken
