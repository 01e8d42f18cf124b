"""`lineage impact` and `lineage diff`: what a change breaks, and for whom.

Registered on the main command group by `lineage.cli`. Exit status: 0, or 4 when the
impact reaches the `--fail-on` severity (2 for a bad request, 1 for an internal error).
"""

from __future__ import annotations

import shlex
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from lineage import projects
from lineage.change_specs import parse_change
from lineage.changes import ImpactReport, ImpactSeverity
from lineage.config import BuildOptions, cache_path, load_config
from lineage.entities import Project
from lineage.git_states import checkout
from lineage.report.coverage import coverage_line

EXIT_FAIL_ON = 4

#: --fail-on thresholds: the least severity that fails the run (`any`: anything at all).
FAIL_ON = {
    "breaks": ImpactSeverity.BREAKS,
    "rows": ImpactSeverity.ROWS,
    "values": ImpactSeverity.VALUES,
    "any": ImpactSeverity.UNKNOWN,
    "never": None,
}

F = TypeVar("F", bound=Callable[..., Any])

#: The formats of lineage.report.impact_formats.IMPACT_FORMATS (checked by the tests).
REPORT_FORMATS = ("html", "json", "md", "sarif", "text")


def report_options(command: F) -> F:
    """--format, -o, --write and --fail-on, shared by `impact` and `diff`."""
    command = click.option(
        "--write",
        "writes",
        multiple=True,
        metavar="FORMAT=FILE",
        callback=_check_writes,
        help="Also write the report in FORMAT to FILE, from the same analysis; repeatable "
        "(e.g. --write json=impact.json --write sarif=impact.sarif).",
    )(command)
    command = click.option(
        "--fail-on",
        type=click.Choice(list(FAIL_ON)),
        default="never",
        show_default=True,
        help="Exit with status 4 when the impact reaches this severity: breaks (Breaks), "
        "rows (Changes rows or worse), values (Changes values or worse), any (any change "
        "or unknown), never.",
    )(command)
    command = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write the report to this file instead of standard output.",
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(REPORT_FORMATS),
        default="text",
        show_default=True,
        help="text (terminal), json (documented schema), md (one sticky pull-request "
        "comment), sarif (code-scanning annotations on the lines that cause a break) or html "
        "(one self-contained page for the reviewer).",
    )(command)


def _check_writes(
    context: click.Context, parameter: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, Path], ...]:
    checked = []
    for value in values:
        fmt, equals, path = value.partition("=")
        if not equals or fmt not in REPORT_FORMATS or not path:
            raise click.BadParameter(
                f"'{value}' is not FORMAT=FILE with FORMAT one of {', '.join(REPORT_FORMATS)}"
            )
        checked.append((fmt, Path(path)))
    return tuple(checked)


def render(report: ImpactReport, fmt: str, project_dir: Path) -> str:
    """The report in one format; SARIF paths start at the repository's root, as code
    scanning matches them against the checkout."""
    from lineage.report.impact_formats import IMPACT_FORMATS
    from lineage.report.impact_sarif import impact_sarif

    if fmt == "sarif":
        return impact_sarif(report, source_root(project_dir))
    return IMPACT_FORMATS[fmt](report)


def fails(report: ImpactReport, fail_on: str) -> bool:
    """Whether the report reaches the --fail-on threshold."""
    threshold = FAIL_ON[fail_on]
    if threshold is None:
        return False
    if threshold is ImpactSeverity.UNKNOWN:
        return bool(report.changes or report.unknowns)
    worst = report.worst
    return worst is not None and worst >= threshold


def build_state(
    project_dir: Path,
    dialect: str | None,
    variables: dict[str, Any],
    downstream_from: Path | None = None,
    options: BuildOptions | None = None,
    keep: bool = True,
) -> Project:
    """Build one state of the project with its own configuration. With `downstream_from`,
    the downstream state files are those of that directory's configuration (the working
    tree's, fetched by CI: the other repository is the same for both sides of a diff).
    `options` (--jobs, --cache) win over the state's configuration; `keep=False` does not
    store a fresh build in the project cache."""
    config = (options or BuildOptions()).apply(load_config(project_dir, dialect))
    if downstream_from is not None:
        current = load_config(downstream_from, dialect).downstream
        shared = tuple(replace(d, path=str((downstream_from / d.path).resolve())) for d in current)
        config = replace(config, downstream=shared)
    return projects.build(project_dir, config, variables, keep=keep)


def shared_options(project_dir: Path, dialect: str | None, options: BuildOptions) -> BuildOptions:
    """`options` with the working tree's model cache named explicitly (an absolute path), so
    a state checked out elsewhere uses it too; no cache if the working tree has none."""
    config = options.apply(load_config(project_dir, dialect))
    path = cache_path(config, project_dir)
    return BuildOptions(config.jobs, path.resolve() if path else None, path is None)


def emit(
    report: ImpactReport,
    fmt: str,
    output: Path | None,
    fail_on: str,
    project_dir: Path,
    writes: tuple[tuple[str, Path], ...] = (),
) -> None:
    """Write the report (and each --write copy), then exit by --fail-on."""
    from lineage.cli import _write

    for extra_fmt, path in writes:
        _write(render(report, extra_fmt, project_dir), path)
    _write(render(report, fmt, project_dir), output)
    if fails(report, fail_on):
        worst = report.worst
        label = worst.label if worst is not None else "a change"
        click.echo(f"--fail-on {fail_on}: the impact reaches {label}", err=True)
        sys.exit(EXIT_FAIL_ON)


def impact_command(
    request: Any,
    changes: tuple[str, ...],
    fmt: str,
    output: Path | None,
    fail_on: str,
    writes: tuple[tuple[str, Path], ...] = (),
) -> None:
    from lineage.cli import _build
    from lineage.impact_report import impact_report

    if not changes:
        raise click.UsageError("give at least one --change, e.g. --change drop:users.email")
    project = _build(request)
    parsed = [parse_change(project, spec) for spec in changes]
    command = _command_line("impact", request.project_dir, [("--change", c) for c in changes])
    report = impact_report(parsed, project, project, ("current", "with the changes"), command)
    emit(report, fmt, output, fail_on, request.project_dir, writes)


def diff_command(
    request: Any,
    base: str,
    head: str | None,
    fmt: str,
    output: Path | None,
    fail_on: str,
    writes: tuple[tuple[str, Path], ...] = (),
) -> None:
    from lineage.cli import _variables

    variables = _variables(request.variables)
    options = [("--base", base)] + ([("--head", head)] if head else [])
    command = _command_line("diff", request.project_dir, options)
    report = diff_report(
        request.project_dir, base, head, request.dialect, variables, command,
        options=request.options,
    )  # fmt: skip
    emit(report, fmt, output, fail_on, request.project_dir, writes)


def diff_report(
    project_dir: Path,
    base: str,
    head: str | None,
    dialect: str | None,
    variables: dict[str, Any],
    command: str,
    manifest: Path | None = None,
    options: BuildOptions | None = None,
) -> ImpactReport:
    """Build the project at `base` and at `head` (default: the working tree) and report the
    impact of every difference."""
    return diff_states(project_dir, base, head, dialect, variables, command, manifest, options)[0]


def diff_states(
    project_dir: Path,
    base: str,
    head: str | None,
    dialect: str | None,
    variables: dict[str, Any],
    command: str,
    manifest: Path | None = None,
    options: BuildOptions | None = None,
) -> tuple[ImpactReport, Project]:
    """The impact report of `base` -> `head`, and the head state's project. Both states use
    the working tree's model cache (so each side's unchanged models hit the other's)."""
    from lineage.diff import diff_projects
    from lineage.impact_report import impact_report

    shared = shared_options(project_dir, dialect, options or BuildOptions())
    with tempfile.TemporaryDirectory(prefix="lineage-diff-") as folder:
        states = []
        for side, ref in (("base", base), ("head", head)):
            state = checkout(project_dir, ref, Path(folder) / side)
            keep = not (side == "head" and ref is None)  # the working tree changes again
            project = build_state(
                state.project_dir, dialect, variables, project_dir, shared, keep=keep
            )
            if side == "head" and ref is None and manifest is not None:
                config = replace(load_config(project_dir, dialect), manifest=str(manifest))
                project = projects.build(project_dir, shared.apply(config), variables, keep=False)
            click.echo(f"{side} ({state.label}): {coverage_line(project)}", err=True)
            states.append((state.label, project))
        (base_label, base_project), (head_label, head_project) = states
        changes = diff_projects(base_project, head_project)
        labels = (base_label, head_label)
        return impact_report(changes, base_project, head_project, labels, command), head_project


def source_root(project_dir: Path) -> str:
    """The project directory relative to the root of its repository ("" at the root)."""
    start = project_dir.resolve()
    start = start if start.is_dir() else start.parent
    root = next((f for f in (start, *start.parents) if (f / ".git").exists()), start)
    relative = start.relative_to(root).as_posix()
    return "" if relative == "." else relative


def _command_line(name: str, project_dir: Path, options: list[tuple[str, str]]) -> str:
    words = ["lineage", name]
    for option, value in options:
        words += [option, value]
    if str(project_dir) != ".":
        words += ["--project-dir", str(project_dir)]
    return shlex.join(words)


def example_pull_request(folder: Path) -> ImpactReport:
    """The impact of the bundled example's pull request (fixtures/shop_pr), built from two
    copies of the example: before and after the pull request (no git needed)."""
    return example_states(folder)[0]


def example_states(folder: Path) -> tuple[ImpactReport, Project]:
    """The example pull request's impact report, and the example with it applied."""
    from lineage.diff import diff_projects
    from lineage.examples import apply_pull_request, copy_example
    from lineage.impact_report import impact_report

    states = []
    for side in ("base", "head"):
        root = copy_example("lineage.shop", folder / side)
        if side == "head":
            apply_pull_request(folder / side)
        states.append(build_state(root, None, {}))
    base, head = states
    command = "lineage demo"
    changes = diff_projects(base, head)
    labels = ("main", "the example pull request")
    return impact_report(changes, base, head, labels, command), head
