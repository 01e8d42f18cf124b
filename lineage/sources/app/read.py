"""Read one configured application's schema with the reader its files call for."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from lineage.config import AppConfig
from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.app.tables import AppColumn, AppFormat, AppSchema

_SKIPPED = {".git", ".venv", "venv", "node_modules", "__pycache__"}


def read_application(root: Path, app: AppConfig, dialect: str) -> AppSchema:
    """The schema of `app`, whose `path` is relative to the project `root`. A path outside
    the repository holding the project, or that does not exist, is a diagnostic."""
    path = (root / app.path).resolve()
    problem = _check_path(root, path, app)
    if problem is not None:
        return AppSchema(AppFormat.SQL_MIGRATIONS, (), (problem,))
    kind = AppFormat(app.format) if app.format else detect_format(path)
    schema = _read(kind, path, app.dialect or dialect)
    schema = replace(schema, diagnostics=tuple(schema_problem(d) for d in schema.diagnostics))
    return _rebased(schema, path if path.is_dir() else path.parent, root)


def schema_problem(diagnostic: Diagnostic) -> Diagnostic:
    """A statement or field an application's schema reader could not follow leaves a gap in
    that application's tables, not a hidden reader of warehouse data: it is an `app-schema`
    warning (the message keeps the detail), which does not make who-uses incomplete."""
    if diagnostic.code in (DiagnosticCode.CONFIG_ERROR, DiagnosticCode.SCHEMA_DRIFT):
        return diagnostic
    severity = min(diagnostic.severity, Severity.WARNING)
    return replace(diagnostic, code=DiagnosticCode.APP_SCHEMA, severity=severity)


def detect_format(path: Path) -> AppFormat:
    """Which reader a folder or file needs, from the names of its files."""
    if path.is_file():
        return _format_of_file(path)
    names = {p.name for p in _files(path)}
    if "schema.prisma" in names:
        return AppFormat.PRISMA
    if "schema.rb" in names:
        return AppFormat.RAILS
    if "models.py" in names or any(p.parent.name == "models" for p in _files(path)):
        return AppFormat.DJANGO
    if any(p.suffix == ".py" and "sqlalchemy" in _head(p) for p in _files(path)):
        return AppFormat.SQLALCHEMY
    return AppFormat.SQL_MIGRATIONS


def _format_of_file(path: Path) -> AppFormat:
    if path.name.endswith(".prisma"):
        return AppFormat.PRISMA
    if path.suffix == ".rb":
        return AppFormat.RAILS
    return AppFormat.SCHEMA_DUMP


def _read(kind: AppFormat, path: Path, dialect: str) -> AppSchema:
    if kind is AppFormat.DJANGO:
        from lineage.sources.app.django_models import read_django

        return read_django(path)
    if kind is AppFormat.SQLALCHEMY:
        from lineage.sources.app.sqlalchemy_models import read_sqlalchemy

        return read_sqlalchemy(path)
    if kind is AppFormat.PRISMA:
        from lineage.sources.app.prisma import read_prisma

        return read_prisma(path if path.is_file() else path / "schema.prisma")
    if kind is AppFormat.RAILS:
        from lineage.sources.app.rails import read_rails_schema

        return read_rails_schema(path if path.is_file() else path / "schema.rb")
    from lineage.sources.app.migrations import read_migrations

    return read_migrations(path, dialect)


def _check_path(root: Path, path: Path, app: AppConfig) -> Diagnostic | None:
    boundary = _repository_root(root.resolve())
    if not path.is_relative_to(boundary):
        reason = "is outside the repository of the project and is not read"
    elif not path.exists():
        reason = "does not exist"
    else:
        return None
    return Diagnostic(
        Location("lineage.yml", 1),
        DiagnosticCode.CONFIG_ERROR,
        Severity.WARNING,
        f"application {app.name}: path '{app.path}' {reason}",
    )


def _repository_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _files(path: Path) -> list[Path]:
    found: list[Path] = []
    for child in sorted(path.iterdir()):
        if child.is_symlink() or child.name in _SKIPPED:
            continue
        if child.is_dir():
            found.extend(_files(child))
        elif child.is_file():
            found.append(child)
    return found


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(4096).decode("utf-8", errors="replace").lower()
    except OSError:
        return ""


def _rebased(schema: AppSchema, base: Path, root: Path) -> AppSchema:
    """Locations relative to the project root, like every other path in the outputs."""

    def where(location: Location | None) -> Location | None:
        if location is None:
            return None
        absolute = (base / location.path).resolve()
        return Location(_relative(absolute, root.resolve()), location.line)

    tables = tuple(
        replace(
            t,
            location=where(t.location),
            columns=tuple(
                AppColumn(c.name, c.data_type, c.nullable, where(c.location), c.renamed_from)
                for c in t.columns
            ),
            dropped=tuple((name, where(at) or at) for name, at in t.dropped),
        )
        for t in schema.tables
    )
    diagnostics = tuple(
        replace(d, location=where(d.location) or d.location) for d in schema.diagnostics
    )
    return replace(schema, tables=tables, diagnostics=diagnostics)


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
