"""The impact report formats (text, json, md, sarif) on hand-built reports (impact_samples).

Expected verdicts are counted by hand from the samples: which relations and consumers each
severity reaches, and the share of downstream relations analysed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import impact_samples as s
import pytest
from test_docs import Validator

from lineage import projects
from lineage.changes import (
    ChangeKind,
    ImpactReport,
    ImpactSeverity,
    TypeCompatibility,
)
from lineage.changes import DataTestOutcome as Outcome
from lineage.config import load_config
from lineage.entities import ConsumerKind, EdgeKind
from lineage.names import display_name, resolve
from lineage.report.impact_formats import IMPACT_FORMATS
from lineage.report.impact_json import IMPACT_SCHEMA_VERSION, impact_json
from lineage.report.impact_markdown import (
    COMMENT_BUDGET,
    COMMENT_MARKER,
    DETAIL_STEPS,
    impact_markdown,
    render_comment,
)
from lineage.report.impact_sarif import impact_sarif
from lineage.report.impact_text import impact_text, verdict_sentence

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
SAMPLES = {
    "rename_break": s.RENAME_BREAK,
    "values_change": s.VALUES_CHANGE,
    "rows_change": s.ROWS_CHANGE,
    "narrowing": s.NARROWING_WITH_BLIND_SPOT,
    "mixed": s.MIXED,
    "empty": s.EMPTY,
    "hostile": s.HOSTILE,
}
MIXED_VERDICT = (
    "Breaks 1 model (and 2 more skipped downstream) · changes rows of 1 model"
    " · changes values in 4 columns across 3 models"
    " · reaches 2 dashboards, 1 chart, 1 ML model, 1 application and 1 product feature"
    " · unknown at 1 hop · 98% of downstream relations analysed"
)
VERDICTS = {
    # stg_app__users breaks; dbt skips dim_customers.v2 and int_touches__email.
    "rename_break": "Breaks 1 model (and 2 more skipped downstream)"
    " · reaches 1 dashboard and 1 product feature"
    " · 100% of downstream relations analysed",
    "values_change": "Changes values in 2 columns across 2 models"
    " · reaches 1 dashboard, 1 chart and 1 ML model · 100% of downstream relations analysed",
    "rows_change": "Changes rows of 1 model · changes values in 1 column across 1 model"
    " · reaches 1 dashboard · 100% of downstream relations analysed",
    "narrowing": "Changes values in 1 column across 1 model · unknown at 1 hop"
    " · 98% of downstream relations analysed",
    "mixed": MIXED_VERDICT,
    "empty": "No changes: nothing to analyse",
}
SECTIONS = [
    "### Does it break?",
    "### Whose numbers change?",
    "### Who must be told?",
    "### What changed",
    "### dbt tests",
    "### Blind spots",
    "### Reproduce",
]


def all_formats(report: ImpactReport) -> dict[str, str]:
    return {name: render(report) for name, render in IMPACT_FORMATS.items()}


# -- shared wording --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graph_id", "shown"),
    [
        ("model.shop.stg_app__users", "stg_app__users"),
        ("model.shop.dim_customers.v2", "dim_customers.v2"),
        ("seed.shop.country_codes", "country_codes"),
        ("snapshot.shop.snap_app__users", "snap_app__users"),
        ("source.shop.app.users", "source:app.users"),
        ("app:shop.users", "app:shop.users"),
        ("raw.users", "raw.users"),
        ("marts.dim_users", "marts.dim_users"),
        ("model.orphan", "model.orphan"),
    ],
)
def test_names_are_shown_short(graph_id: str, shown: str) -> None:
    assert display_name(graph_id) == shown


def test_every_short_name_of_the_shop_resolves_back_to_its_relation() -> None:
    shop = ROOT / "fixtures" / "shop"
    project = projects.build(shop, load_config(shop))
    for relation in project.relations:
        found = {r.relation for r in resolve(project, display_name(relation.name))}
        assert found == {relation.name}, relation.name


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_verdict_sentence(name: str) -> None:
    assert verdict_sentence(SAMPLES[name]) == VERDICTS[name]


def test_verdict_names_a_consumer_only_severity_and_reaches_the_others() -> None:
    # The product feature reads the renamed application column itself: nothing between.
    feature = replace(s.RENAME_BREAK.consumers[1], via=s.USERS_EMAIL, depth=1)
    report = replace(
        s.VALUES_CHANGE, changes=(s.RENAME,), consumers=(feature, *s.VALUES_CHANGE.consumers)
    )
    assert verdict_sentence(report) == (
        "Breaks 1 product feature · changes values in 2 columns across 2 models"
        " · reaches 1 dashboard, 1 chart and 1 ML model · 100% of downstream relations analysed"
    )


def test_verdict_of_changes_that_reach_nothing() -> None:
    report = replace(s.EMPTY, changes=(s.RENAME,))
    assert verdict_sentence(report) == (
        "No impact: nothing downstream reads what changed · nothing downstream to analyse"
    )


def test_verdict_with_only_blind_spots_starts_with_unknown() -> None:
    report = replace(s.NARROWING_WITH_BLIND_SPOT, affected=())
    assert verdict_sentence(report).startswith("Unknown at 1 hop · ")


def test_coverage_is_rounded_down() -> None:
    report = replace(s.MIXED, downstream_relations=1000, downstream_analysed=999)
    assert verdict_sentence(report).endswith(" · 99% of downstream relations analysed")


# -- text ------------------------------------------------------------------------------------


def test_every_format_shows_a_nullability_change() -> None:
    change = replace(
        s.RENAME,
        kind=ChangeKind.COLUMN_NULLABILITY_CHANGED,
        new_name=None,
        nullable=False,
        reason="`email` is NOT NULL now",
    )
    report = replace(s.EMPTY, changes=(change,))
    text = impact_text(report)
    assert "  column nullability changed  app:shop.users.email now NOT NULL  at " in text
    assert "**column nullability changed** `app:shop.users.email` now NOT NULL at " in (
        impact_markdown(report)
    )
    assert json.loads(impact_json(report))["changes"][0]["nullable"] is False


def test_text_starts_with_the_comparison_and_the_verdict() -> None:
    lines = impact_text(s.MIXED).splitlines()
    assert lines[:2] == ["lineage impact: origin/main -> working tree (4 changes)", MIXED_VERDICT]


def test_text_sections_in_order() -> None:
    text = impact_text(s.MIXED)
    heads = [
        "\nBreaks (4)\n",
        "\nChanges rows (1)\n",
        "\nChanges values (4)\n",
        "\nWho must be told (6 consumers)\n",
        "\nWhat changed (4 changes)\n",
        "\ndbt tests (4 tests)\n",
        "\nBlind spots (1; 49 of 50 downstream relations analysed)\n",
        "\nReproduce: lineage diff --base origin/main --project-dir fixtures/shop\n",
    ]
    positions = [text.index(h) for h in heads]
    assert positions == sorted(positions)


def test_text_break_names_the_reading_line_the_fix_and_the_owner() -> None:
    lines = impact_text(s.RENAME_BREAK).splitlines()
    at = lines.index("  stg_app__users.email  at models/staging/app/stg_app__users.sql:13")
    assert lines[at + 1] == (
        "      selects `email`, which no longer exists: it is now `email_address`; "
        "fix: read `email_address`; owner Data Platform <data-platform@shop.example> "
        "(2 hops, transformation)"
    )


def test_text_puts_your_own_product_first() -> None:
    text = impact_text(s.MIXED)
    assert text.index("  your own product\n") < text.index("  Lena Fischer <")
    assert text.index("  Tomás Ribeiro <") < text.index("  no owner\n")


def test_text_always_shows_blind_spots() -> None:
    assert (
        "\nBlind spots: none: every hop was analysed (0 of 0 downstream relations analysed)\n"
        in (impact_text(s.EMPTY))
    )


def test_text_shows_control_characters_instead_of_obeying_them() -> None:
    report = replace(
        s.RENAME_BREAK,
        affected=(replace(s.STG_EMAIL, reason="clear \x1b[2J screen \u202eesrever\r"),),
    )
    text = impact_text(report)
    assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert "clear \\x1b[2J screen \\u202eesrever" in text


# -- json ------------------------------------------------------------------------------------


def impact_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DOCS / "impact-schema.json").read_text("utf-8"))
    return loaded


def schema_objects(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if "properties" in node else []
        return own + [o for value in node.values() for o in schema_objects(value)]
    if isinstance(node, list):
        return [o for value in node for o in schema_objects(value)]
    return []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_json_matches_the_documented_schema(name: str) -> None:
    schema = impact_schema()
    document = json.loads(impact_json(SAMPLES[name]))
    assert Validator(schema).errors(document, schema) == []


def test_json_huge_report_matches_the_schema() -> None:
    schema = impact_schema()
    document = json.loads(impact_json(s.huge_report(300)))
    assert Validator(schema).errors(document, schema) == []


def test_json_is_sorted_indented_utf8_with_a_final_newline() -> None:
    text = impact_json(s.MIXED)
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "Tomás Ribeiro" in text
    assert document["schema_version"] == IMPACT_SCHEMA_VERSION == "1.0"
    assert document["tool"]["name"] == "lineage"


def test_json_verdict_counts() -> None:
    verdict = json.loads(impact_json(s.MIXED))["verdict"]
    assert verdict["worst"] == "breaks" and verdict["label"] == "Breaks"
    assert verdict["summary"] == MIXED_VERDICT
    assert verdict["unknowns"] == 1
    assert verdict["counts"] == {
        # stg_app__users.email and .is_internal_user, dim_customers.v2.email; + touches rows
        "breaks": {"columns": 3, "relations": 3, "consumers": 2},
        "rows": {"columns": 0, "relations": 1, "consumers": 0},
        # fct_payments.amount_usd, fct_daily_revenue.{order_count,revenue_usd}, quantity
        "values": {"columns": 4, "relations": 3, "consumers": 4},
        "additive": {"columns": 0, "relations": 0, "consumers": 0},
        "unknown": {"columns": 0, "relations": 0, "consumers": 0},
    }


def test_json_empty_report() -> None:
    document = json.loads(impact_json(s.EMPTY))
    assert document["verdict"]["worst"] is None
    assert document["changes"] == document["affected"] == document["unknowns"] == []
    assert document["coverage"] == {
        "downstream_relations": 0,
        "downstream_analysed": 0,
        "complete": True,
    }


def test_json_keeps_full_ids_paths_and_the_fix() -> None:
    document = json.loads(impact_json(s.RENAME_BREAK))
    entry = next(a for a in document["affected"] if a["ref"]["column"] == "is_internal_user")
    assert entry["ref"] == {"relation": "model.shop.stg_app__users", "column": "is_internal_user"}
    assert entry["severity"] == "breaks" and entry["severity_label"] == "Breaks"
    assert entry["fix"] == "read `email_address`"
    assert entry["location"] == {"path": "models/staging/app/stg_app__users.sql", "line": 17}
    assert [step["kind"] for step in entry["path"]] == [None, "identity", "transformation"]
    assert entry["cause"] == {"relation": "app:shop.users", "column": "email"}
    feature = next(c for c in document["consumers"] if c["kind"] == "feature")
    assert feature["owner"] == {"name": "Shop App Team", "email": "shop-app@shop.example.com"}
    assert feature["via"] == {"relation": "model.shop.dim_customers.v2", "column": "email"}
    outcomes = {t["name"]: t["outcome"] for t in document["tests"]}
    assert outcomes == {"not_null": "will_fail", "dbt_utils.expression_is_true": "rerun"}


def test_every_schema_key_is_required_and_documented() -> None:
    text = (DOCS / "impact-report.md").read_text("utf-8")
    for node in schema_objects(impact_schema()):
        if "type" not in node:  # the $defs container
            continue
        assert set(node["required"]) == set(node["properties"])
        for key in node["properties"]:
            assert f"| `{key}` |" in text, f"key {key!r} has no row in impact-report.md"


def test_schema_enums_and_version_match_the_code() -> None:
    schema = impact_schema()
    defs = schema["$defs"]
    assert defs["severity"]["enum"] == [v.slug for v in sorted(ImpactSeverity, reverse=True)]
    assert defs["severity_label"]["enum"] == [v.label for v in sorted(ImpactSeverity, reverse=True)]
    assert defs["edge_kind"]["enum"] == [k.value for k in EdgeKind]
    assert defs["change"]["properties"]["kind"]["enum"] == [k.value for k in ChangeKind]
    compatibility = defs["change"]["properties"]["compatibility"]["enum"]
    assert compatibility == [*(c.value for c in TypeCompatibility), None]
    consumer_kinds = defs["affected_consumer"]["properties"]["kind"]["enum"]
    assert consumer_kinds == [k.value for k in ConsumerKind]
    assert defs["test"]["properties"]["outcome"]["enum"] == [o.value for o in Outcome]
    assert defs["test"]["properties"]["outcome_label"]["enum"] == [o.label for o in Outcome]
    assert schema["properties"]["schema_version"]["const"] == IMPACT_SCHEMA_VERSION
    text = (DOCS / "impact-report.md").read_text("utf-8")
    assert f"Impact document schema version: **{IMPACT_SCHEMA_VERSION}**" in text


# -- md: structure ---------------------------------------------------------------------------


def strip_code_spans(line: str) -> str:
    """`line` without its inline code spans (CommonMark: a run of n backticks closes at the
    next run of exactly n). Fails on a backtick run that opens a span nothing closes."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            out.append(line[i : i + 2])
            i += 2
            continue
        if line[i] != "`":
            out.append(line[i])
            i += 1
            continue
        run = re.match(r"`+", line[i:])
        assert run is not None
        fence = run.group()
        close = re.compile(rf"(?<!`){fence}(?!`)")
        end = close.search(line, i + len(fence))
        assert end is not None, f"unclosed code span in: {line}"
        i = end.end()
    return "".join(out)


def prose_lines(markdown: str) -> list[str]:
    """The lines outside fenced code blocks; asserts that every fence is closed."""
    lines, fence = [], ""
    for line in markdown.splitlines():
        if fence:
            if re.fullmatch(rf"{fence}`*", line):
                fence = ""
            continue
        opener = re.match(r"(`{3,})[^`]*$", line)
        if opener:
            fence = opener.group(1)
            continue
        lines.append(line)
    assert not fence, "a fenced code block is never closed"
    return lines


def check_structure(markdown: str) -> None:
    """Fences closed, <details> balanced and separated by blank lines, table rows with as many
    cells as their header, no raw `<` outside code and lineage's own tags."""
    lines = prose_lines(markdown)
    depth = 0
    for index, line in enumerate(lines):
        if line.startswith("<details>"):
            assert re.fullmatch(r"<details><summary>[\w ,:()&;-]*</summary>", line), line
            assert lines[index + 1] == "", "markdown inside <details> needs a blank line"
            depth += 1
        if line == "</details>":
            depth -= 1
            assert depth >= 0
            assert index + 1 == len(lines) or lines[index + 1] == "", "text after </details>"
    assert depth == 0, "a <details> block is never closed"
    table_cells = 0
    for line in lines[1:]:
        if line.startswith("|"):
            cells = len(re.findall(r"(?<!\\)\|", line))
            table_cells = table_cells or cells
            assert cells == table_cells, f"a name broke the table: {line}"
        else:
            table_cells = 0
        text = strip_code_spans(line)
        if not text.startswith(("<details><summary>", "</details>")):
            assert not re.search(r"(?<!\\)[<>]", text.replace("→", "")), line


@pytest.mark.parametrize(
    "broken",
    [
        "<details><summary>x</summary>\n\n- a\n\n</details>\n**swallowed by the HTML block**",
        "<details><summary>x</summary>\n- a\n\n</details>",
        "<details><summary>x</summary>\n\n- a",
        "```sh\nnever closed",
        "| a | b |\n|---|---|\n| `x|y` | z |",
        "text <!-- hides the rest",
        "an ``unclosed code span",
    ],
)
def test_the_structure_check_catches_broken_markdown(broken: str) -> None:
    with pytest.raises(AssertionError):
        check_structure(COMMENT_MARKER + "\n" + broken + "\n")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_markdown_structure(name: str) -> None:
    markdown = impact_markdown(SAMPLES[name])
    check_structure(markdown)
    lines = markdown.splitlines()
    assert lines[0] == COMMENT_MARKER
    assert lines[1].startswith("## lineage: ")
    positions = [lines.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    assert len(markdown) <= COMMENT_BUDGET


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_markdown_title_is_the_verdict(name: str) -> None:
    assert impact_markdown(SAMPLES[name]).splitlines()[1] == f"## lineage: {VERDICTS[name]}"


def section(markdown: str, heading: str) -> str:
    start = markdown.index(heading + "\n")
    following = [markdown.find(h + "\n", start + 1) for h in SECTIONS]
    return markdown[start : min([f for f in following if f > start], default=len(markdown))]


# -- md: content -----------------------------------------------------------------------------


def test_markdown_break_row_has_the_reading_line_and_the_fix() -> None:
    breaks = section(impact_markdown(s.RENAME_BREAK), "### Does it break?")
    assert (
        "| `stg_app__users.email` | `models/staging/app/stg_app__users.sql:13` | selects "
        "`email`, which no longer exists: it is now `email_address` | read `email_address` "
        "| Data Platform \\<data-platform@shop.example\\> |"
    ) in breaks.splitlines()
    assert breaks.count("| `stg_app__users.") == 2  # the direct reads only
    assert "dbt then skips 2 models downstream" in breaks
    assert "`dim_customers.v2`, `int_touches__email`" in breaks
    assert "It breaks 1 dashboard and 1 product feature" in breaks


def test_markdown_says_no_when_nothing_breaks() -> None:
    breaks = section(impact_markdown(s.VALUES_CHANGE), "### Does it break?")
    assert "**No.** Nothing still reads what this change removes or renames." in breaks
    blind = section(impact_markdown(s.NARROWING_WITH_BLIND_SPOT), "### Does it break?")
    assert "on the paths that were analysed (see Blind spots)" in blind


def test_markdown_numbers_section_lists_rows_then_values() -> None:
    numbers = section(impact_markdown(s.MIXED), "### Whose numbers change?")
    rows = numbers.index("**Changes rows**: 1 model.")
    values = numbers.index("**Changes values**: 4 columns across 3 models.")
    assert rows < values
    assert (
        "| `fct_daily_revenue.revenue_usd` | 2 | aggregation | "
        "`models/marts/finance/fct_daily_revenue.sql:21` | sums `amount_usd` | "
        "Finance Analytics \\<finance@shop.example\\> |"
    ) in numbers.splitlines()


def test_markdown_tells_your_own_product_first_then_owners() -> None:
    who = section(impact_markdown(s.MIXED), "### Who must be told?")
    own = who.index("**Your own product**")
    assert (
        own < who.index("**Lena Fischer") < who.index("**Tomás Ribeiro") < who.index("**no owner**")
    )
    assert who.index("[customers\\_also\\_bought](https://shop.example.com/products/42)") > own
    assert who.index("recommendations](https://github.com/shop-example/") < who.index(
        "**Lena Fischer"
    )
    assert "Daily revenue by country (chart)" in who  # no url: no link


def test_markdown_changes_tests_and_reproduce() -> None:
    markdown = impact_markdown(s.MIXED)
    changed = section(markdown, "### What changed")
    assert (
        "- **column renamed** `app:shop.users.email` → `email_address` at "
        "`../shop_app/shop/db/migrations/V13__rename_users_email.sql:2`: "
        "`ALTER TABLE users RENAME COLUMN email TO email_address` in V13."
    ) in changed.splitlines()
    assert "`bigint` → `integer` (narrowing)" in changed
    assert "amount_cents / 100.0\n  * fx.rate_to_usd\n```" in changed
    tests = section(markdown, "### dbt tests")
    assert tests.index("**Will fail** (1):") < tests.index("**Worth re-running** (3):")
    assert markdown.endswith(
        "### Reproduce\n\n```sh\nlineage diff --base origin/main --project-dir fixtures/shop\n```\n"
    )


def test_markdown_blind_spots_are_always_shown() -> None:
    empty = section(impact_markdown(s.EMPTY), "### Blind spots")
    assert "none: every hop was analysed (0 of 0 downstream relations analysed)." in empty
    blind = section(impact_markdown(s.NARROWING_WITH_BLIND_SPOT), "### Blind spots")
    assert "1 hop could not be analysed (49 of 50 downstream relations analysed)" in blind
    assert "| `int_sessions_attributed (rows)` | " in blind


def test_markdown_escapes_hostile_names() -> None:
    markdown = impact_markdown(s.HOSTILE)
    check_structure(markdown)
    outside_code = "\n".join(strip_code_spans(line) for line in prose_lines(markdown))
    assert outside_code.count("<!--") == 1  # the marker
    assert re.findall(r"(?<!\\)-->", outside_code) == ["-->"]  # the marker's end
    assert "<script>" not in outside_code
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)  # `\[x\](javascript:` is text
    assert "](https://bi.example/a%20b%29%28%3Cscript%3E)" in markdown
    # The name is inline code fenced by more backticks than it holds, `|` escaped in tables.
    assert "| ```evil\\|`tick`<script>alert(1)</script>-->.col\\|``x``<!--``` |" in markdown
    assert "**Mallory \\<img src=x onerror=alert(1)\\>**:" in markdown
    assert markdown.endswith(
        "````sh\nlineage diff --base 'origin/main```'\n```\n</details>\n````\n"
    )


# -- md: size --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge() -> ImpactReport:
    return s.huge_report(5_000, 120)


def test_huge_report_fits_the_comment_budget(huge: ImpactReport) -> None:
    markdown = impact_markdown(huge)
    assert len(markdown) <= COMMENT_BUDGET
    check_structure(markdown)
    lines = markdown.splitlines()
    assert lines[0] == COMMENT_MARKER
    assert lines[1] == f"## lineage: {verdict_sentence(huge)}"
    assert lines[1].startswith("## lineage: Breaks 500 models · ")
    assert "_Shortened to fit a comment: " in markdown
    blind = section(markdown, "### Blind spots")
    assert "200 hops could not be analysed (500 of 700 downstream relations analysed)" in blind
    assert all(heading in lines for heading in SECTIONS)


def test_huge_report_counts_what_it_leaves_out(huge: ImpactReport) -> None:
    breaks = section(impact_markdown(huge), "### Does it break?")
    direct = sum(1 for a in huge.affected if a.severity is ImpactSeverity.BREAKS and a.direct)
    shown = sum(1 for line in breaks.splitlines() if line.startswith("| `mart_"))
    more = re.search(r"^… ([\d,]+) more rows in the JSON or HTML report\.$", breaks, re.M)
    assert more is not None
    assert shown + int(more.group(1).replace(",", "")) == direct == 1667


def test_the_first_step_drops_only_the_paths() -> None:
    full = render_comment(s.MIXED, DETAIL_STEPS[0])
    shorter = impact_markdown(s.MIXED, budget=len(full) - 1)
    assert "<summary>Paths" in full and "<summary>Paths" not in shorter
    assert "_Shortened to fit a comment: the paths are in the JSON or HTML report._" in shorter
    assert shorter == render_comment(s.MIXED, DETAIL_STEPS[1])
    check_structure(shorter)


def test_every_detail_step_is_well_formed(huge: ImpactReport) -> None:
    small = s.huge_report(60, 10)
    for detail in DETAIL_STEPS:
        check_structure(render_comment(small, detail))


def test_one_enormous_name_is_cut() -> None:
    giant = replace(s.STG_EMAIL, ref=s.ref("model.shop.x", "c" * 100_000))
    markdown = impact_markdown(replace(s.RENAME_BREAK, affected=(giant,)))
    assert len(markdown) < 20_000
    assert "c…`" in markdown


# -- sarif -----------------------------------------------------------------------------------

LEVELS = {"none", "note", "warning", "error"}
#: Properties SARIF 2.1.0 defines for the objects lineage writes (§3.13, 3.14, 3.19, 3.27,
#: 3.28, 3.29, 3.30, 3.4, 3.49, 3.20); `properties` is the property bag every object may have.
KNOWN_KEYS = {
    "log": {"$schema", "version", "runs", "inlineExternalProperties", "properties"},
    "run": {
        "tool", "invocations", "conversion", "language", "versionControlProvenance",
        "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results",
        "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
        "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
        "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
        "translations", "policies", "webRequests", "webResponses", "specialLocations",
        "properties",
    },
    "result": {
        "ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget",
        "locations", "guid", "correlationGuid", "occurrenceCount", "partialFingerprints",
        "fingerprints", "stacks", "codeFlows", "graphs", "graphTraversals",
        "relatedLocations", "suppressions", "baselineState", "rank", "attachments",
        "hostedViewerUri", "workItemUris", "provenance", "fixes", "taxa", "webRequest",
        "webResponse", "properties",
    },
}  # fmt: skip


def sarif_errors(log: dict[str, Any]) -> list[str]:
    """The required properties and constraints of SARIF 2.1.0 that lineage's logs touch."""
    errors = []
    if log.get("version") != "2.1.0":
        errors.append("sarifLog.version must be 2.1.0 (§3.13.2)")
    if not isinstance(log.get("runs"), list):
        errors.append("sarifLog.runs is required (§3.13.4)")
    errors += [f"unknown sarifLog key {k}" for k in set(log) - KNOWN_KEYS["log"]]
    for run in log.get("runs") or []:
        errors += [f"unknown run key {k}" for k in set(run) - KNOWN_KEYS["run"]]
        driver = run.get("tool", {}).get("driver", {})
        if not isinstance(driver.get("name"), str) or not driver["name"]:
            errors.append("run.tool.driver.name is required (§3.18.2, §3.19.8)")
        rules = driver.get("rules", [])
        ids = [rule.get("id") for rule in rules]
        if not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
            errors.append("each reportingDescriptor needs a unique string id (§3.49.3)")
        for rule in rules:
            errors += _rule_errors(rule)
        for invocation in run.get("invocations", []):
            if not isinstance(invocation.get("executionSuccessful"), bool):
                errors.append("invocation.executionSuccessful is required (§3.20.14)")
        for result in run.get("results", []):
            errors += _result_errors(result, rules)
    return errors


def _rule_errors(rule: dict[str, Any]) -> list[str]:
    errors = []
    for key in ("shortDescription", "fullDescription"):
        if key in rule and not isinstance(rule[key].get("text"), str):
            errors.append(f"{key} is a multiformatMessageString with text (§3.12.3)")
    level = rule.get("defaultConfiguration", {}).get("level", "warning")
    if level not in LEVELS:
        errors.append(f"defaultConfiguration.level {level!r} (§3.50.3)")
    return errors


def _result_errors(result: dict[str, Any], rules: list[dict[str, Any]]) -> list[str]:
    errors = [f"unknown result key {k}" for k in set(result) - KNOWN_KEYS["result"]]
    if not isinstance(result.get("message", {}).get("text"), str) or not result["message"]["text"]:
        errors.append("result.message with text is required (§3.27.11, §3.11.8)")
    if result.get("level", "warning") not in LEVELS:
        errors.append(f"result.level {result.get('level')!r} (§3.27.10)")
    index = result.get("ruleIndex")
    if index is not None and (
        not isinstance(index, int) or not 0 <= index < len(rules)
        or rules[index]["id"] != result.get("ruleId")
    ):  # fmt: skip
        errors.append("ruleIndex must point at the rule named by ruleId (§3.27.6)")
    for location in result.get("locations", []):
        physical = location.get("physicalLocation", {})
        artifact = physical.get("artifactLocation")
        if not artifact or not isinstance(artifact.get("uri"), str):
            errors.append("physicalLocation needs artifactLocation.uri (§3.29.3, §3.4.3)")
            continue
        uri = artifact["uri"]
        if "uriBaseId" in artifact and (uri.startswith("/") or re.match(r"^\w+:", uri)):
            errors.append(f"a uri with a uriBaseId must be relative: {uri}")
        if re.search(r"[\s\\<>|\"{}^`]", uri):
            errors.append(f"not a valid URI reference: {uri!r} (§3.4.3)")
        line = physical.get("region", {}).get("startLine")
        if not isinstance(line, int) or line < 1:
            errors.append("region.startLine must be an integer >= 1 (§3.30.5)")
    return errors


def sarif_results(report: ImpactReport, root: str = "") -> set[tuple[str, str, str, int, str]]:
    log = json.loads(impact_sarif(report, root))
    return {
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["properties"]["role"],
        )
        for r in log["runs"][0]["results"]
    }


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sarif_is_valid(name: str) -> None:
    log = json.loads(impact_sarif(SAMPLES[name]))
    assert sarif_errors(log) == []
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(log["runs"]) == 1
    assert log["runs"][0]["tool"]["driver"]["name"] == "lineage"


def test_sarif_checks_catch_a_broken_log() -> None:
    log = json.loads(impact_sarif(s.RENAME_BREAK))
    result = log["runs"][0]["results"][0]
    result["ruleIndex"] = 3
    result["level"] = "fatal"
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del log["version"]
    assert len(sarif_errors(log)) == 4


def test_sarif_annotates_the_cause_the_readers_and_the_broken_consumers() -> None:
    assert sarif_results(s.RENAME_BREAK) == {
        ("breaks", "error", "../shop_app/shop/db/migrations/V13__rename_users_email.sql", 2,
         "cause"),
        ("breaks", "error", "models/staging/app/stg_app__users.sql", 13, "reader"),
        ("breaks", "error", "models/staging/app/stg_app__users.sql", 17, "reader"),
        ("breaks", "error", "models/exposures.yml", 21, "consumer"),
        ("breaks", "error", "../shop_app/shop/app/recommendations.py", 46, "consumer"),
    }  # fmt: skip


def test_sarif_cause_message_names_the_readers() -> None:
    log = json.loads(impact_sarif(s.RENAME_BREAK))
    cause = next(r for r in log["runs"][0]["results"] if r["properties"]["role"] == "cause")
    assert cause["message"]["text"] == (
        "Column renamed app:shop.users.email -> email_address: Breaks 1 model (and 2 more "
        "skipped downstream) · reaches 1 "
        "dashboard and 1 product feature. Still read at models/staging/app/stg_app__users.sql:13, "
        "models/staging/app/stg_app__users.sql:17. `ALTER TABLE users RENAME COLUMN email TO "
        "email_address` in V13."
    )


def test_sarif_rows_warn_and_values_note_at_the_change() -> None:
    assert sarif_results(s.ROWS_CHANGE) == {
        ("changes-rows", "warning", "models/intermediate/orders/int_orders_enriched.sql", 63,
         "cause"),
    }  # fmt: skip
    assert sarif_results(s.VALUES_CHANGE) == {
        ("changes-values", "note", "models/staging/app/stg_app__payments.sql", 12, "cause"),
    }
    assert sarif_results(s.NARROWING_WITH_BLIND_SPOT) == {
        ("changes-values", "note", "../shop_app/shop/db/migrations/"
         "V14__narrow_order_items_quantity.sql", 1, "cause"),
        ("unknown", "note", "models/intermediate/marketing/int_sessions_attributed.sql", 5,
         "blind-spot"),
    }  # fmt: skip
    assert sarif_results(s.EMPTY) == set()


def test_sarif_paths_join_the_source_root_and_are_encoded() -> None:
    uris = {uri for _, _, uri, _, _ in sarif_results(s.RENAME_BREAK, "fixtures/shop")}
    assert "fixtures/shop_app/shop/db/migrations/V13__rename_users_email.sql" in uris
    assert "fixtures/shop/models/exposures.yml" in uris
    hostile = {uri for _, _, uri, _, _ in sarif_results(s.HOSTILE)}
    assert "models/evil%20%3Cb%3E%7C%3C/b%3E.sql" in hostile


def test_sarif_rules_follow_the_severities() -> None:
    rules = json.loads(impact_sarif(s.EMPTY))["runs"][0]["tool"]["driver"]["rules"]
    assert [(r["id"], r["defaultConfiguration"]["level"]) for r in rules] == [
        ("breaks", "error"),
        ("changes-rows", "warning"),
        ("changes-values", "note"),
        ("unknown", "note"),
    ]
    assert [r["shortDescription"]["text"] for r in rules] == [
        "Breaks",
        "Changes rows",
        "Changes values",
        "Unknown",
    ]


# -- every format ----------------------------------------------------------------------------


def test_the_registry_has_every_format() -> None:
    assert sorted(IMPACT_FORMATS) == ["html", "json", "md", "sarif", "text"]
    for text in all_formats(s.MIXED).values():
        assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_severity_words_are_the_labels(name: str) -> None:
    outputs = all_formats(SAMPLES[name])
    for text in outputs.values():
        for wrong in ("Changes Rows", "changes-values ", "Breaking", "Broken"):
            assert wrong not in text


DETERMINISM = """
import sys
sys.path.insert(0, "tests")
import impact_samples as s
from lineage.report.impact_formats import IMPACT_FORMATS
for report in (s.MIXED, s.HOSTILE, s.huge_report(200, 5)):
    for name in sorted(IMPACT_FORMATS):
        sys.stdout.write(IMPACT_FORMATS[name](report))
"""


def test_same_report_same_bytes_across_processes() -> None:
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", DETERMINISM],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    rebuilt = replace(s.MIXED, changes=tuple(s.MIXED.changes))
    assert all_formats(rebuilt) == all_formats(s.MIXED)
