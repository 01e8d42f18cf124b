"""`lineage diff` and `lineage impact` output formats: each renders an `ImpactReport`.

- `text`: for the terminal (`lineage.report.impact_text`);
- `json`: the versioned document of docs/impact-report.md (`lineage.report.impact_json`);
- `md`: one sticky pull-request comment (`lineage.report.impact_markdown`);
- `sarif`: SARIF 2.1.0 annotations for code scanning (`lineage.report.impact_sarif`);
- `html`: one self-contained page for a reviewer (`lineage.report.impact_html`).
"""

from __future__ import annotations

from collections.abc import Callable

from lineage.changes import ImpactReport
from lineage.report.impact_html import impact_html
from lineage.report.impact_json import impact_json
from lineage.report.impact_markdown import impact_markdown
from lineage.report.impact_sarif import impact_sarif
from lineage.report.impact_text import impact_text

IMPACT_FORMATS: dict[str, Callable[[ImpactReport], str]] = {
    "text": impact_text,
    "json": impact_json,
    "md": impact_markdown,
    "sarif": impact_sarif,
    "html": impact_html,
}
