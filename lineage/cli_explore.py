"""`lineage explore`: the whole project's lineage as one HTML page to browse and publish."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click


def explore_command(
    request: Any, base: str | None, head: str | None, output: Path, compress: str
) -> None:
    """Build the project (and with `base`, the impact of base -> head) and write the page."""
    from lineage.cli import _build, _variables, _write
    from lineage.cli_impact import _command_line, diff_states

    started = time.perf_counter()
    if base is None:
        if head is not None:
            raise click.UsageError("--head needs --base: the diff overlay compares two refs.")
        report, project = None, _build(request)
    else:
        options = [("--base", base)] + ([("--head", head)] if head else [])
        command = _command_line("diff", request.project_dir, options)
        variables = _variables(request.variables)
        report, project = diff_states(
            request.project_dir,
            base,
            head,
            request.dialect,
            variables,
            command,
            options=request.options,
        )
    from lineage.report.explorer_html import explorer_html  # a large module: loaded when used

    built = time.perf_counter()
    forced = {"auto": None, "always": True, "never": False}[compress]
    page = explorer_html(project, report, forced)
    _write(page, output)
    took = time.perf_counter() - built
    size = len(page.encode("utf-8"))
    click.echo(
        f"explorer: {len(project.relations)} relations, {len(project.consumers)} consumers, "
        f"{size / 1_000_000:.1f} MB in {took:.1f} s "
        f"(build {built - started:.1f} s); open {output.resolve().as_uri()}",
        err=True,
    )
