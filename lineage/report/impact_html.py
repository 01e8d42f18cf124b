"""The impact report as one self-contained HTML page (`--format html`).

Python computes, the templates present: this module turns an `ImpactReport` into plain view
values (the rows of each table and the consumer groups, built by
`lineage.report.impact_html_rows`; the graph laid out by `lineage.report.impact_layout`) with
every project string made visible (`impact_text.clean`: control and bidi characters shown as
escapes). The Jinja templates of templates/impact/ only print them, autoescaped, with
`StrictUndefined`. The stylesheet and the script (static/) are inlined and the report's JSON
document (`impact_json.impact_document`) is embedded, escaped for a script element: the page
loads nothing and opens from `file://`.
The page's ids, classes and data attributes are described in docs/impact-report.md.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from lineage import __version__
from lineage.changes import SEVERITY_ORDER, ImpactReport, ImpactSeverity
from lineage.report.impact_html_rows import (
    affected_rows,
    blind_spot_rows,
    change_groups,
    consumer_groups,
    test_groups,
)
from lineage.report.impact_json import impact_document
from lineage.report.impact_layout import GLYPHS, impact_layout
from lineage.report.impact_text import clean, plural, verdict_sentence, visible

#: Characters a script element's JSON must not hold as they are.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_SCRIPT_ESCAPES.update({"\u2028": "\\u2028", "\u2029": "\\u2029"})


def impact_html(report: ImpactReport) -> str:
    """The whole report as one HTML page: no external resource, same bytes for the same report.

    >>> html = impact_html(report)  # doctest: +SKIP
    >>> Path("impact.html").write_text(html, encoding="utf-8")  # doctest: +SKIP
    """
    page = _environment().get_template("impact/page.html.j2")
    return page.render(**page_context(report))


def page_context(report: ImpactReport) -> dict[str, Any]:
    """Everything the page template prints, computed."""
    worst = report.worst
    document = impact_document(report)
    return {
        "verdict": verdict_sentence(report),
        "worst": "none" if worst is None else worst.slug,
        "base": clean(report.base.label),
        "head": clean(report.head.label),
        "version": __version__,
        "counts": _counts(document["verdict"]["counts"]),
        "changes": change_groups(report.changes),
        "change_count": len(report.changes),
        "affected": affected_rows(report),
        "consumers": consumer_groups(report.consumers),
        "consumer_count": len({c.consumer.id for c in report.consumers}),
        "graph": impact_layout(report),
        "tests": test_groups(report.tests),
        "test_count": len(report.tests),
        "blind_spots": blind_spot_rows(report),
        "analysed": f"{report.downstream_analysed} of "
        f"{plural(report.downstream_relations, 'downstream relation')} analysed",
        "command": visible(report.command),
        "data": script_json(document),
        "severities": [s.slug for s in SEVERITY_ORDER],
    }


def _counts(counts: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    """`("breaks", "18 relations, 5 columns, 20 consumers")` for each severity reached."""
    shown = []
    for slug in (s.slug for s in SEVERITY_ORDER):
        nouns = ("relation", "column", "consumer")
        parts = [plural(counts[slug][f"{n}s"], n) for n in nouns if counts[slug][f"{n}s"]]
        shown += [(slug, ", ".join(parts))] if parts else []
    return shown


def script_json(document: Any) -> Markup:
    """`document` as JSON that can sit inside a <script> element: `<`, `>`, `&` and the line
    separators U+2028/U+2029 written as \\u escapes, so no string can end the element."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Markup("".join(_SCRIPT_ESCAPES.get(char, char) for char in text))


@cache
def _environment() -> Environment:
    """Our own templates (not the dbt sandbox): autoescaped, undefined names are errors."""
    environment = Environment(
        loader=PackageLoader("lineage.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        glyphs=GLYPHS,
        labels={**{s.slug: s.label for s in ImpactSeverity}, "changed": "changed", "none": ""},
        style=Markup(_asset("palette.css") + _asset("impact.css")),
        script=Markup(_asset("impact.js")),
    )
    return environment


def _asset(name: str) -> str:
    text = files("lineage.report").joinpath("static", name).read_text(encoding="utf-8")
    if "</" in text:  # would end the <style> or <script> element it is inlined in
        raise ValueError(f"static/{name} must not contain '</'")
    return text
