"""Plain SQL scripts: a file or a directory of `.sql` files, applied in path order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity

#: Files larger than this are reported and skipped (configurable as `max_file_bytes`).
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024

_SKIPPED_DIRS = frozenset(
    {".git", ".venv", "venv", "node_modules", "target", "dbt_packages", "__pycache__", ".lineage"}
)


@dataclass(frozen=True)
class SourceFile:
    """The text of one SQL file; `path` is relative to the project root, with `/`."""

    path: str
    text: str


@dataclass(frozen=True)
class LoadedFiles:
    files: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def discover(root: Path, paths: tuple[str, ...] = (), exclude: tuple[Path, ...] = ()) -> list[Path]:
    """The `.sql` files under `root` (or under each of `paths`), sorted by relative path,
    leaving out those under `exclude` (an application's migrations are not warehouse SQL)."""
    if root.is_file():
        return [root]
    bases = [root / p for p in paths] if paths else [root]
    found: set[Path] = set()
    for base in bases:
        if base.is_file():
            found.add(base)
        elif base.is_dir():
            found.update(_walk(base))
    skipped = [e.resolve() for e in exclude]
    kept = (p for p in found if not any(p.resolve().is_relative_to(e) for e in skipped))
    return sorted(kept, key=lambda p: _relative(p, root))


def _walk(base: Path) -> Iterator[Path]:
    for path in sorted(base.iterdir()):
        if path.is_dir() and not path.is_symlink():
            if path.name not in _SKIPPED_DIRS:
                yield from _walk(path)
        elif path.suffix.lower() == ".sql" and path.is_file() and not path.is_symlink():
            yield path


def _relative(path: Path, root: Path) -> str:
    base = root if root.is_dir() else root.parent
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def load(
    root: Path,
    paths: tuple[str, ...] = (),
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    exclude: tuple[Path, ...] = (),
) -> LoadedFiles:
    """Read every SQL file; unreadable, undecodable or oversized files become diagnostics."""
    files: list[SourceFile] = []
    kept, problems = _checked_paths(root, paths)
    diagnostics: list[Diagnostic] = list(problems)
    # all entries wrong: read none
    found = discover(root, kept, exclude) if kept or not paths else []
    for path in found:
        name = _relative(path, root)
        text, problem = read_source_file(path, name, max_file_bytes)
        if problem:
            diagnostics.append(problem)
        if text is not None:
            files.append(SourceFile(name, text))
    return LoadedFiles(tuple(files), tuple(diagnostics))


def _checked_paths(
    root: Path, paths: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[Diagnostic, ...]]:
    """Configured paths that exist inside the project; the others are reported, not read."""
    if not paths or root.is_file():
        return paths, ()
    base = root.resolve()
    kept: list[str] = []
    problems: list[Diagnostic] = []
    for path in paths:
        target = (root / path).resolve()
        if not target.is_relative_to(base):
            reason = "is outside the project directory and is not read"
        elif not target.exists():
            reason = "does not exist"
        else:
            kept.append(path)
            continue
        problems.append(
            Diagnostic(
                Location("lineage.yml", 1),
                DiagnosticCode.CONFIG_ERROR,
                Severity.WARNING,
                f"sql_paths entry '{path}' {reason}",
            )
        )
    return tuple(kept), tuple(problems)


def read_source_file(
    path: Path, name: str, max_bytes: int, limit_named: str = "max_file_bytes in lineage.yml"
) -> tuple[str | None, Diagnostic | None]:
    """A project file's text, or None and why: too large (over `max_bytes`, whose setting is
    `limit_named`), unreadable; bad UTF-8 is replaced and said. Reported at `name`:1."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, _diagnostic(
                name,
                1,
                DiagnosticCode.FILE_TOO_LARGE,
                f"skipped: {size / 1e6:.1f} MB is over the limit of "
                f"{max_bytes / 1e6:.1f} MB ({limit_named})",
            )
        data = path.read_bytes()
    except OSError as error:
        return None, _diagnostic(
            name, 1, DiagnosticCode.UNREADABLE_FILE, f"cannot read file: {error.strerror or error}"
        )
    return decode(name, data)


def decode(name: str, data: bytes) -> tuple[str, Diagnostic | None]:
    """Decode UTF-8 (with or without BOM); bad bytes are replaced and reported with their line."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        text = data.decode("utf-8-sig", errors="replace")
        return text, _diagnostic(
            name,
            line,
            DiagnosticCode.UNREADABLE_FILE,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset "
            f"{error.start}); undecodable bytes were replaced with U+FFFD",
            Severity.WARNING,
        )


def _diagnostic(
    path: str, line: int, code: DiagnosticCode, message: str, severity: Severity = Severity.ERROR
) -> Diagnostic:
    return Diagnostic(Location(path, line), code, severity, message)
