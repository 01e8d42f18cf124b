"""The coverage line every building command prints, and its JSON form."""

from __future__ import annotations

from typing import Any

from lineage.entities import Project


def coverage_line(project: Project) -> str:
    """One line: what was analysed, of the totals, and where the diagnostics are.

    Example: `coverage: 12 of 13 statements parsed and analysed; 40 of 42 columns resolved;
    3 diagnostics (run `lineage diagnostics` to list them)`. Diagnostics counted are warnings
    and errors; informational ones are listed by `lineage diagnostics` only.
    """
    c = project.coverage
    problems = c.diagnostics
    where = " (run `lineage diagnostics` to list them)" if problems else ""
    done = "rendered, parsed and analysed" if c.unit == "models" else "parsed and analysed"
    return (
        f"coverage: {c.statements_analysed} of {c.statements} {c.unit} {done}; "
        f"{c.columns_resolved} of {c.columns} columns resolved; "
        f"{problems} diagnostic{'s' if problems != 1 else ''}{where}"
    )


def coverage_document(project: Project) -> dict[str, Any]:
    c = project.coverage
    return {
        "files": c.files,
        "unit": c.unit,
        "statements": c.statements,
        "statements_analysed": c.statements_analysed,
        "columns": c.columns,
        "columns_resolved": c.columns_resolved,
        "diagnostics": c.diagnostics,
    }
