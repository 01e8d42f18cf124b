"""Reading one application schema file (schema.prisma, db/schema.rb) safely."""

from __future__ import annotations

from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES, decode


def shown_path(path: Path, base: Path) -> str:
    """`path` relative to `base` when it is inside it, as diagnostics and locations show it."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def read_schema_file(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's text (None when it cannot be read) and what went wrong, at `shown`:1.
    Symlinks and files over the size limit are not read; bad UTF-8 is replaced and said."""
    try:
        if path.is_symlink() or path.stat().st_size > DEFAULT_MAX_FILE_BYTES:
            return None, [
                _warning(shown, "skipped: a symlink or too large", DiagnosticCode.FILE_TOO_LARGE)
            ]
        data = path.read_bytes()
    except OSError as error:
        return None, [
            _warning(
                shown,
                f"cannot read file: {error.strerror or error}",
                DiagnosticCode.UNREADABLE_FILE,
            )
        ]
    text, problem = decode(shown, data)
    return text, [problem] if problem is not None else []


def _warning(shown: str, message: str, code: DiagnosticCode) -> Diagnostic:
    return Diagnostic(Location(shown, 1), code, Severity.WARNING, message)
