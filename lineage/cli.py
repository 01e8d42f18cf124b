"""The command line: a thin layer over build -> graph -> report.

Exit codes: 0 success; 1 internal error; 2 bad request (unknown name, bad option or config);
3 the answer has blind spots on its paths (it may be incomplete).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from lineage import __version__, projects
from lineage.cli_explore import explore_command
from lineage.cli_impact import diff_command, example_states, impact_command, report_options
from lineage.config import BuildOptions, Config, load_config
from lineage.entities import ColumnRef, Project
from lineage.errors import LineageError, UsageError
from lineage.examples import copy_example
from lineage.graph import Answer, LineageGraph
from lineage.names import resolve, resolve_in
from lineage.project_cache import StoredMiss
from lineage.report.answers import ANSWER_FORMATS
from lineage.report.consumers import CONSUMER_FORMATS
from lineage.report.coverage import coverage_line
from lineage.report.graph_formats import GRAPH_FORMATS

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(command: F) -> F:
    """One error handler: people see a sentence and an exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LineageError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # the last line of defence for the user
            if os.environ.get("LINEAGE_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error}\n"
                "This is a bug in lineage; set LINEAGE_DEBUG=1 for details and "
                "please report it.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class ProjectRequest:
    """Which project to build and how: --project-dir, --dialect, --vars, --manifest, and
    --jobs, --cache, --no-cache."""

    project_dir: Path
    dialect: str | None = None
    variables: str | None = None  # YAML text, checked when the project is built
    manifest: Path | None = None
    options: BuildOptions = field(default_factory=BuildOptions)


def _project_options(command: F) -> F:
    """Add --project-dir, --dialect, --vars, --manifest, --jobs, --cache and --no-cache; the
    command receives `request`."""
    inner = command

    @wraps(inner)
    def with_request(
        *args: Any,
        project_dir: Path,
        dialect: str | None,
        variables: str | None,
        manifest: Path | None,
        jobs: int | None,
        cache: Path | None,
        no_cache: bool,
        **kwargs: Any,
    ) -> Any:
        options = BuildOptions(jobs, cache, no_cache)
        request = ProjectRequest(project_dir, dialect, variables, manifest, options)
        return inner(*args, request=request, **kwargs)

    command = click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help="Build the project and analyse every dbt model afresh: do not read or write "
        "the cache.",
    )(with_request)  # type: ignore[assignment]
    command = click.option(
        "--cache",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="PATH",
        help="The cache file: built projects and dbt model analyses (default: `cache` in "
        "lineage.yml, else .lineage/cache.db in the project; LINEAGE_CACHE overrides "
        "lineage.yml).",
    )(command)
    command = click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Processes analysing dbt models (default: `jobs` in lineage.yml, else one per "
        "core; 1: no worker processes).",
    )(command)
    command = click.option(
        "--manifest",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="A dbt manifest.json to read compiled SQL from (default: target/manifest.json "
        "when it exists). The project's files are used without it.",
    )(command)
    command = click.option(
        "--vars",
        "variables",
        default=None,
        metavar="YAML",
        help="dbt vars as a YAML mapping, e.g. '{start_date: 2024-01-01}'; they win over "
        "dbt_project.yml.",
    )(command)
    command = click.option(
        "--dialect",
        default=None,
        metavar="NAME",
        help="SQL dialect (snowflake, bigquery, postgres, ...). "
        "Default: `dialect` in lineage.yml, else postgres.",
    )(command)
    command = click.option(
        "--project-dir",
        "project_dir",
        default=".",
        show_default=True,
        type=click.Path(exists=True, file_okay=True, path_type=Path),
        help="The project: a directory (or one .sql file).",
    )(command)
    return command


def _build(request: ProjectRequest) -> Project:
    notes: list[str] = []
    project = projects.build(request.project_dir, _config(request), _variables(request.variables),
                             notes)  # fmt: skip
    _tell(notes)
    click.echo(coverage_line(project), err=True)
    return project


def _config(request: ProjectRequest) -> Config:
    config = request.options.apply(load_config(request.project_dir, request.dialect))
    if request.manifest is not None:
        config = replace(config, manifest=str(request.manifest.resolve()))
    return config


def _tell(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"lineage: {note}", err=True)


def _variables(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"--vars is not valid YAML: {error}") from None
    if not isinstance(value, dict):
        raise UsageError("--vars must be a YAML mapping, e.g. '{start_date: 2024-01-01}'")
    return value


def _write(text: str | Iterable[str], output: Path | None) -> None:
    """Write `text` (or its pieces, one after the other) to `output`, else standard output."""
    pieces = (text,) if isinstance(text, str) else text
    if output is None:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    try:
        with output.open("w", encoding="utf-8") as handle:
            handle.writelines(pieces)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"wrote {output}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lineage")
def main() -> None:
    """Column-level lineage of SQL projects: what reads a column, and where it comes from.

    Every command that builds prints one coverage line on standard error. Exit codes: 0 done;
    1 internal error; 2 bad request (unknown name, option or configuration); 3 the answer
    has blind spots on its paths.
    """


@main.command()
@_project_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(GRAPH_FORMATS)),
    default="json",
    show_default=True,
    help="json (documented, versioned schema) or dot (Graphviz).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
@_handle_errors
def graph(request: ProjectRequest, fmt: str, output: Path | None) -> None:
    """The whole lineage graph: relations, columns, edges, blind spots, diagnostics."""
    project = _build(request)
    _write(GRAPH_FORMATS[fmt](project), output)


@main.command()
@_project_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("lineage-state.json"),
    show_default=True,
    help="The state file to write.",
)
@_handle_errors
def snapshot(request: ProjectRequest, output: Path) -> None:
    """Write the project's full lineage state to a file, for other repositories to read.

    The state file is the graph document of `lineage graph --format json`, byte for byte.
    An analytics repository's CI publishes it (as an artifact, or committed); an application
    repository names it under `downstream:` in its lineage.yml, and then who-uses and diff
    there see the dbt models, dashboards and features its tables feed.
    """
    project = _build(request)
    _write(GRAPH_FORMATS["json"](project), output)


def _answer_command() -> Callable[[F], F]:
    """The options `who-uses` and `trace` share."""

    def decorate(command: F) -> F:
        command = _handle_errors(command)
        command = click.option(
            "--format",
            "fmt",
            type=click.Choice(sorted(ANSWER_FORMATS)),
            default="text",
            show_default=True,
        )(command)
        command = click.option(
            "--direct-only",
            is_flag=True,
            help="Follow only direct edges (identity, transformation, "
            "aggregation), not filter/join/group-by.",
        )(command)
        command = click.option(
            "--depth",
            type=click.IntRange(min=1),
            default=None,
            help="Stop after this many hops (default: no limit).",
        )(command)
        command = _project_options(command)
        return click.argument("name")(command)

    return decorate


@main.command("who-uses")
@_answer_command()
def who_uses(
    name: str,
    request: ProjectRequest,
    depth: int | None,
    direct_only: bool,
    fmt: str,
) -> None:
    """What reads NAME (RELATION.COLUMN, or RELATION for all its columns), hop by hop."""
    _answer(name, request, depth, direct_only, fmt, "downstream")


@main.command()
@_answer_command()
def trace(
    name: str,
    request: ProjectRequest,
    depth: int | None,
    direct_only: bool,
    fmt: str,
) -> None:
    """Where NAME comes from: every column it is computed from, hop by hop."""
    _answer(name, request, depth, direct_only, fmt, "upstream")


def _answer(
    name: str,
    request: ProjectRequest,
    depth: int | None,
    direct_only: bool,
    fmt: str,
    direction: str,
) -> None:
    answer, text = _stored_answer(name, request, depth, direct_only, fmt, direction) or _query(
        _build(request), name, depth, direct_only, fmt, direction
    )
    click.echo(text, nl=False)
    if not answer.complete:
        sys.exit(EXIT_INCOMPLETE)


def _stored_answer(
    name: str,
    request: ProjectRequest,
    depth: int | None,
    direct_only: bool,
    fmt: str,
    direction: str,
) -> tuple[Answer, str] | None:
    """The answer from the project cache, without loading the project; None when the cache
    holds no state for the project as it is now."""
    notes: list[str] = []
    variables = _variables(request.variables)
    failure: UsageError | None = None
    config = _config(request)
    try:
        with projects.stored_state(request.project_dir, config, variables, notes) as state:
            if state is None:
                return None  # the build says what was wrong with the cache, if anything
            try:
                start = resolve_in(state.names, state.project.dialect, name)
                graph = LineageGraph(state.project, state.index)
                found = _walk(graph, start, depth, direct_only, direction)
            except UsageError as error:  # reported after the coverage line, as a build does
                failure = error
    except StoredMiss:
        return None  # a stored value did not read back (the state is deleted): build
    _tell(notes)
    click.echo(coverage_line(state.project), err=True)
    if failure is not None:
        raise failure
    return found, ANSWER_FORMATS[fmt](state.project, found, direction)


def _query(
    project: Project, name: str, depth: int | None, direct_only: bool, fmt: str, direction: str
) -> tuple[Answer, str]:
    start = resolve(project, name)
    answer = _walk(LineageGraph(project), start, depth, direct_only, direction)
    return answer, ANSWER_FORMATS[fmt](project, answer, direction)


def _walk(
    graph: LineageGraph, start: list[ColumnRef], depth: int | None, direct_only: bool, way: str
) -> Answer:
    query = graph.downstream if way == "downstream" else graph.upstream
    return query(start, depth=depth, direct_only=direct_only)


@main.command()
@_project_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(CONSUMER_FORMATS)),
    default="text",
    show_default=True,
)
@_handle_errors
def consumers(request: ProjectRequest, fmt: str) -> None:
    """Every consumer (dashboards, notebooks, ML and product features) with its owner, what
    it reads and how precisely: column-level, model-level, or unresolved."""
    project = _build(request)
    click.echo(CONSUMER_FORMATS[fmt](project), nl=False)


@main.command()
@_project_options
@_handle_errors
def diagnostics(request: ProjectRequest) -> None:
    """Every blind spot and diagnostic of the project, with file:line and reason."""
    project = _build(request)
    for diagnostic in project.diagnostics:
        click.echo(str(diagnostic))
    for spot in project.blind_spots:
        target = spot.target.column or "*"
        click.echo(f"{spot.location}: blind spot: {spot.target.relation}.{target}: {spot.reason}")
    if not project.diagnostics and not project.blind_spots:
        click.echo("no diagnostics: every statement and column was analysed")


@main.command()
@_project_options
@click.option(
    "--change",
    "changes",
    multiple=True,
    metavar="KIND:NAME[=VALUE]",
    help="A change to assess; repeatable. drop:COLUMN or drop:RELATION, "
    "rename:COLUMN=NEW or rename:RELATION=NEW, type:COLUMN=TYPE, expr:COLUMN (its logic "
    "changes), filter:RELATION (its rows change).",
)
@report_options
@_handle_errors
def impact(
    request: ProjectRequest,
    changes: tuple[str, ...],
    fmt: str,
    output: Path | None,
    fail_on: str,
    writes: tuple[tuple[str, Path], ...],
) -> None:
    """What the given changes break and for whom: every affected column, consumer and dbt
    test, with a severity (Breaks, Changes rows, Changes values, Additive, Unknown), the path
    from the change and its owner."""
    impact_command(request, changes, fmt, output, fail_on, writes)


@main.command()
@_project_options
@click.option(
    "--base",
    required=True,
    metavar="REF",
    help="The git ref the change is compared with, e.g. origin/main.",
)
@click.option(
    "--head",
    default=None,
    metavar="REF",
    help="The git ref with the change (default: the working tree, uncommitted edits included).",
)
@report_options
@_handle_errors
def diff(
    request: ProjectRequest,
    base: str,
    head: str | None,
    fmt: str,
    output: Path | None,
    fail_on: str,
    writes: tuple[tuple[str, Path], ...],
) -> None:
    """Compare the project at --base with --head (or the working tree) and report what the
    differences break and for whom: application schema changes, dbt model columns removed,
    renamed, retyped or recomputed, filter, join and grain changes, consumer changes."""
    diff_command(request, base, head, fmt, output, fail_on, writes)


@main.command()
@_project_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("lineage.html"),
    show_default=True,
    help="The HTML file to write.",
)
@click.option(
    "--base",
    default=None,
    metavar="REF",
    help="Overlay the impact of the differences from this git ref (as `lineage diff`).",
)
@click.option(
    "--head",
    default=None,
    metavar="REF",
    help="With --base: the git ref with the change (default: the working tree).",
)
@click.option(
    "--compress",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Embed the data as gzip (inflated by the browser): auto does it above 256 KiB.",
)
@_handle_errors
def explore(
    request: ProjectRequest, output: Path, base: str | None, head: str | None, compress: str
) -> None:
    """Write the lineage explorer: one self-contained HTML page (no server, no network) to
    browse the whole project's column-level lineage, search it, focus on a relation or a
    column with dbt-style selectors, and follow a column's path. Publish it as it is (for
    example on GitHub Pages). docs/explorer.md describes it."""
    explore_command(request, base, head, output, compress)


#: The bundled examples `lineage demo` can show.
DEMOS = {
    "dbt": (
        "lineage.shop",
        "app:shop.users.email",
        "a shop's application schema and its dbt project of 38 models",
    ),
    "sql": ("lineage.example", "raw.users.email", "plain SQL scripts of a small shop's warehouse"),
}


@main.command()
@click.option(
    "--column",
    default=None,
    help="The column whose downstream the demo shows. Default: the application's users.email "
    "(app:shop.users.email in the dbt example, raw.users.email in the SQL one).",
)
@click.option(
    "--example",
    type=click.Choice(sorted(DEMOS)),
    default="dbt",
    show_default=True,
    help="Which bundled example: a dbt project, or plain SQL scripts.",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the example pull request's impact as the sticky pull-request comment "
    "(Markdown) to this file.",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("lineage-demo-impact.html"),
    show_default=True,
    help="With the dbt example, write the example pull request's impact as the HTML report "
    "to this file.",
)
@click.option(
    "--explorer",
    "explorer_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("lineage-demo-explorer.html"),
    show_default=True,
    help="With the dbt example, write the lineage explorer of the example with its pull "
    "request's impact overlaid (as `lineage explore --base`) to this file.",
)
@_handle_errors
def demo(
    column: str | None,
    example: str,
    report_file: Path | None,
    html_file: Path,
    explorer_file: Path,
) -> None:
    """Analyse a bundled example project and show who uses one of its columns; with the dbt
    example, then show what the example's pull request (an application migration renaming
    users.email and changing payments.amount to dollars, a model dropping a column, a changed
    filter) breaks and for whom.

    Everything is printed whole, blind spots included; the demo exits 0 either way.
    """
    package, default_column, about = DEMOS[example]
    with tempfile.TemporaryDirectory() as folder:
        root = copy_example(package, Path(folder) / "example")
        click.echo(f"lineage {__version__}: analysing the bundled example ({about})\n", err=True)
        project = _build(ProjectRequest(root))
        _, text = _query(project, column or default_column, None, False, "text", "downstream")
        click.echo(text, nl=False)
        if example == "dbt":
            folder_path = Path(folder) / "pull-request"
            _demo_pull_request(folder_path, report_file, html_file, explorer_file)


def _demo_pull_request(
    folder: Path, report_file: Path | None, html_file: Path, explorer_file: Path
) -> None:
    from lineage.report.explorer_html import explorer_html
    from lineage.report.impact_formats import IMPACT_FORMATS

    click.echo("\nThe example's pull request (fixtures/shop_pr), compared with main:\n")
    report, head = example_states(folder)
    click.echo(IMPACT_FORMATS["text"](report), nl=False)
    if report_file is not None:
        _write(IMPACT_FORMATS["md"](report), report_file)
    _write(IMPACT_FORMATS["html"](report), html_file)
    _write(explorer_html(head, report), explorer_file)
    click.echo(f"\nThe HTML report, to open in a browser: {html_file.resolve().as_uri()}")
    click.echo(f"The lineage explorer, with the pull request: {explorer_file.resolve().as_uri()}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--pr",
    "number",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="The pull request. Default: pull_request.number in the event file GITHUB_EVENT_PATH.",
)
@click.option(
    "--token-env",
    default="GITHUB_TOKEN",
    show_default=True,
    metavar="NAME",
    help="The environment variable holding the token (never printed).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read the pull request's comments and say what would be done; write nothing.",
)
@_handle_errors
def comment(file: Path, number: int | None, token_env: str, dry_run: bool) -> None:
    """Post FILE (from `lineage diff --format md`) as one sticky pull-request comment.

    The comment is updated in place on later runs, and left alone when unchanged. Reads
    GITHUB_REPOSITORY, GITHUB_EVENT_PATH and GITHUB_API_URL as GitHub Actions sets them.
    Outside a pull request it says so and exits 0.
    """
    from lineage import github

    body = github.read_comment_body(file)
    pull = github.pull_request_from_environment(os.environ, number)
    if pull is None:
        click.echo("not a pull request (no --pr, no pull_request in GITHUB_EVENT_PATH): no comment")
        return
    connection = github.connection_from_environment(os.environ, token_env)
    click.echo(github.publish_comment(connection, pull, body, dry_run=dry_run).describe())
