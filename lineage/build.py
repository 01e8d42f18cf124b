"""The pipeline in order: read files -> split -> parse -> apply each statement -> Project.

Nothing here raises for a problem in the project: every file, statement and column that
cannot be analysed becomes a diagnostic, and the rest is still analysed.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from lineage.config import Config, load_config
from lineage.entities import (
    BlindSpot,
    Coverage,
    Diagnostic,
    DiagnosticCode,
    Location,
    Project,
    Relation,
    RelationKind,
    Severity,
)
from lineage.sources import sql_scripts
from lineage.sources.sql_scripts import SourceFile
from lineage.sql.recorder import Recorder
from lineage.sql.split import StatementText, split_statements
from lineage.sql.statements import Outcome, apply_statement
from lineage.sql_apps import record_sql_applications

#: A single statement longer than this is reported, not parsed (a data dump, not lineage).
MAX_STATEMENT_CHARS = 1_000_000

#: Statements analysed between two garbage collections.
GC_BATCH_STATEMENTS = 100

logging.getLogger("sqlglot").setLevel(logging.CRITICAL)


@dataclass
class Counts:
    statements: int = 0
    analysed: int = 0
    unit: str = "statements"


def build_project(root: Path, config: Config | None = None) -> Project:
    """Build the lineage of the project at `root` (a directory or one SQL file)."""
    config = config or load_config(root)
    applications = tuple(root / app.path for app in config.applications)
    loaded = sql_scripts.load(root, config.sql_paths, config.max_file_bytes, applications)
    return analyse_files(
        loaded.files,
        config.dialect,
        root=str(root),
        diagnostics=loaded.diagnostics + config.diagnostics + _project_kind(root),
        before=partial(record_sql_applications, root=root, config=config),
    )


def _project_kind(root: Path) -> tuple[Diagnostic, ...]:
    """A dbt project is not read as dbt yet: say so rather than misread its Jinja quietly."""
    if root.is_dir() and (root / "dbt_project.yml").is_file():
        return (
            Diagnostic(
                Location("dbt_project.yml", 1),
                DiagnosticCode.CONFIG_ERROR,
                Severity.WARNING,
                "this is a dbt project read here as plain SQL, so models using Jinja will "
                "not parse; lineage's commands read it as a dbt project",
            ),
        )
    return ()


def analyse_files(
    files: Sequence[SourceFile],
    dialect: str,
    root: str = ".",
    diagnostics: Sequence[Diagnostic] = (),
    before: Callable[[Recorder], None] | None = None,
) -> Project:
    """Replay the statements of `files` in path order and return the lineage.

    >>> p = analyse_files([SourceFile("a.sql", "create table t as select 1 as x")], "duckdb")
    >>> [r.name for r in p.relations]
    ['t']
    """
    recorder = Recorder(dialect)
    if before is not None:  # relations defined before any statement (application roots)
        before(recorder)
    recorder.diagnostics.extend(diagnostics)
    counts = Counts()
    with batched_garbage_collection():
        for source in sorted(files, key=lambda f: f.path):
            _analyse_file(recorder, source, counts)
        return assemble(recorder, root, len(files), counts)


def assemble(
    recorder: Recorder,
    root: str,
    files: int,
    counts: Counts,
    rename: Mapping[str, str] | None = None,
    inner: bool = True,
) -> Project:
    """The frozen result of a build from what `recorder` collected. `rename` names relations
    again (a dbt build: engine names to unique ids; others keep theirs); without `inner`,
    edges keep no inner expressions."""
    relations = recorder.catalog.freeze()
    diagnostics = recorder.diagnostics
    if rename:
        relations = tuple(
            sorted(
                (replace(r, name=rename.get(r.name, r.name)) for r in relations),
                key=lambda r: r.name,
            )
        )
        diagnostics = [
            replace(d, relation=rename.get(d.relation, d.relation)) if d.relation else d
            for d in diagnostics
        ]
    blind = recorder.final_blind_spots(rename)
    problems = sum(1 for d in diagnostics if d.severity >= Severity.WARNING)
    return Project(
        root=root,
        dialect=recorder.dialect,
        relations=relations,
        edges=recorder.final_edges(rename, inner),
        blind_spots=blind,
        diagnostics=tuple(sorted(diagnostics)),
        coverage=_coverage(files, counts, relations, blind, problems),
    )


@contextmanager
def batched_garbage_collection() -> Iterator[None]:
    """Syntax trees are reference cycles (children point at parents), so the collector runs
    often and finds little: run it once per batch of statements instead (see
    docs/performance.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyse_file(recorder: Recorder, source: SourceFile, counts: Counts) -> None:
    recorder.path = source.path
    if not source.text.strip():
        recorder.diagnostics.append(
            Diagnostic(
                Location(source.path, 1),
                DiagnosticCode.EMPTY_FILE,
                Severity.WARNING,
                "empty file: no statements",
            )
        )
        return
    split = split_statements(source.text, recorder.dialect)
    if split.error:
        recorder.diagnose(split.error_line, DiagnosticCode.PARSE_ERROR, split.error)
    for statement in split.statements:
        counts.statements += 1
        if counts.statements % GC_BATCH_STATEMENTS == 0:
            gc.collect(1)
        if _analyse_statement(recorder, statement, source.text) is not Outcome.FAILED:
            counts.analysed += 1


def _analyse_statement(recorder: Recorder, statement: StatementText, text: str) -> Outcome:
    if len(statement.sql) > MAX_STATEMENT_CHARS:
        recorder.diagnose(
            statement.line,
            DiagnosticCode.PARSE_ERROR,
            f"statement of {len(statement.sql):,} characters skipped (over "
            f"{MAX_STATEMENT_CHARS:,}): too large to be a transformation",
        )
        return Outcome.FAILED
    tree = parse_statement(recorder, statement, text)
    if tree is None:
        return Outcome.FAILED
    try:
        return apply_statement(recorder, tree, statement.line)
    except (
        SqlglotError,
        RecursionError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
    ) as error:
        recorder.diagnose(
            statement.line,
            DiagnosticCode.ANALYSIS_ERROR,
            f"statement could not be analysed ({type(error).__name__}: {_first_line(str(error))})",
        )
        return Outcome.FAILED


def parse_statement(recorder: Recorder, statement: StatementText, text: str) -> exp.Expr | None:
    """Parse one statement from its tokens (file lines), or from its text after a coarse split."""
    try:
        tree = _parse_tree(recorder.dialect, statement, text)
    except (ParseError, TokenError) as error:
        line, message = _parse_error(error)
        recorder.diagnose(
            line if statement.tokens else statement.line + line - 1,
            DiagnosticCode.PARSE_ERROR,
            f"cannot parse statement: {message}",
        )
        return None
    except (SqlglotError, RecursionError, ValueError) as error:
        recorder.diagnose(
            statement.line,
            DiagnosticCode.PARSE_ERROR,
            f"cannot parse statement: {_first_line(str(error))}",
        )
        return None
    if tree is None:
        return None
    return normalize_identifiers(tree, dialect=recorder.dialect)


def _parse_tree(dialect: str, statement: StatementText, text: str) -> exp.Expr | None:
    if not statement.tokens:
        return sqlglot.parse_one(statement.sql, dialect=dialect)
    trees = Dialect.get_or_raise(dialect).parser().parse(list(statement.tokens), text)
    return trees[0] if trees else None


def _parse_error(error: SqlglotError) -> tuple[int, str]:
    details = getattr(error, "errors", None) or []
    if details:
        first = details[0]
        return int(first.get("line") or 1), str(first.get("description") or error)
    return 1, _first_line(str(error))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "no detail"


def _coverage(
    files: int,
    counts: Counts,
    relations: tuple[Relation, ...],
    blind: tuple[BlindSpot, ...],
    diagnostics: int,
) -> Coverage:
    blind_targets = {(b.target.relation, b.target.column) for b in blind}
    total = resolved = 0
    for relation in relations:
        if relation.kind is RelationKind.EXTERNAL or relation.dropped:
            continue
        name = relation.name
        relation_blind = (name, None) in blind_targets
        if relation_blind:
            total += 1  # its unknown columns count once as unresolved
        for column in relation.columns:
            if column.dropped:
                continue
            total += 1
            if not relation_blind and (name, column.name) not in blind_targets:
                resolved += 1
    return Coverage(
        files, counts.statements, counts.analysed, total, resolved, diagnostics, counts.unit
    )
