"""SQL migrations and schema dumps: discover the files, order them by convention, replay them.

Conventions (each tool's documented naming rules):

- Flyway: `V<version>__<desc>.sql`, versions compared part by part numerically (`1_2 < 1_10`,
  `1.0 == 1`); `R__<desc>.sql` repeatables after every versioned one, by description;
  `U<version>__` undo files ignored.
- golang-migrate: `<version>_<title>.up.sql`; `.down.sql` ignored.
- dbmate: `<version>_<name>.sql` with `-- migrate:up` / `-- migrate:down`; only the up part.
- Prisma: `<timestamp>_<name>/migration.sql`, by folder name.
- Anything else: natural sort of the path; a single such file is a schema dump
  (Rails `db/structure.sql`, `schema.sql`, pg_dump, mysqldump).

Files are read safely (size limit, no symlinks, UTF-8 with replacement); nothing is executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.app.ddl import SchemaState, replay
from lineage.sources.app.tables import AppFormat, AppSchema
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES, decode

_SKIPPED_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".lineage"})
_FLYWAY = re.compile(r"^V(\d+(?:[._]\d+)*)__.*\.sql$")
_FLYWAY_REPEATABLE = re.compile(r"^R__(.*)\.sql$")
_FLYWAY_UNDO = re.compile(r"^U\d+(?:[._]\d+)*__.*\.sql$")
_GOLANG_UP = re.compile(r"^(\d+)_.*\.up\.sql$")
_GOLANG_DOWN = re.compile(r"^\d+_.*\.down\.sql$")
_NUMBERED = re.compile(r"^(\d+)(?:[_\-.].*)?\.sql$")
_PRISMA_FOLDER = re.compile(r"^\d+_.+$")
_DBMATE_UP = re.compile(r"^\s*--\s*migrate:up\b", re.MULTILINE)
_DBMATE_MARK = re.compile(r"^\s*--\s*migrate:(up|down)\b.*$")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class _Migration:
    """One file to apply: its convention, its sort key and, for versioned ones, its version."""

    path: str
    text: str
    convention: str  # flyway, flyway-repeatable, golang-migrate, dbmate, prisma, plain
    key: tuple[object, ...]
    version: tuple[int, ...] | None


def read_migrations(root: Path, dialect: str, *, relative_to: Path | None = None) -> AppSchema:
    """Replay the migrations under `root` (a folder, or one dump file) in their order.

    Paths in locations are relative to `relative_to` (default: `root`, or its folder for a
    file). An order that cannot be determined is an ERROR; the replay still proceeds.
    """
    base = relative_to or (root if root.is_dir() else root.parent)
    diagnostics: list[Diagnostic] = []
    migrations = _discover(root, base, diagnostics)
    ordered = sorted(migrations, key=lambda m: (_CONVENTION_ORDER[m.convention], m.key, m.path))
    diagnostics.extend(_conflicts(ordered))
    state = SchemaState()
    for migration in ordered:
        diagnostics.extend(replay(state, migration.path, migration.text, dialect))
    dump = root.is_file() or (len(ordered) == 1 and ordered[0].convention == "plain")
    return AppSchema(
        AppFormat.SCHEMA_DUMP if dump else AppFormat.SQL_MIGRATIONS,
        state.freeze(),
        tuple(diagnostics),
        tuple(m.path for m in ordered),
    )


_CONVENTION_ORDER = {
    "prisma": 0,
    "flyway": 1,
    "flyway-repeatable": 2,
    "golang-migrate": 3,
    "dbmate": 4,
    "plain": 5,
}


def _discover(root: Path, base: Path, diagnostics: list[Diagnostic]) -> list[_Migration]:
    found: list[_Migration] = []
    paths = [root] if root.is_file() else sorted(_walk(root))
    for path in paths:
        name = _relative(path, base)
        text = _read(path, name, diagnostics)
        if text is not None:
            migration = _classify(path, name, text)
            if migration is not None:
                found.append(migration)
    return found


def _walk(folder: Path) -> list[Path]:
    files: list[Path] = []
    for path in folder.iterdir():
        if path.is_symlink():
            continue
        if path.is_dir() and path.name not in _SKIPPED_DIRS:
            files.extend(_walk(path))
        elif path.is_file() and path.suffix.lower() == ".sql":
            files.append(path)
    return files


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _read(path: Path, name: str, diagnostics: list[Diagnostic]) -> str | None:
    try:
        if path.is_symlink():
            return None
        size = path.stat().st_size
        if size > DEFAULT_MAX_FILE_BYTES:
            diagnostics.append(
                _error(name, DiagnosticCode.FILE_TOO_LARGE, f"skipped: {size} bytes is too large")
            )
            return None
        data = path.read_bytes()
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}"
        diagnostics.append(_error(name, DiagnosticCode.UNREADABLE_FILE, message))
        return None
    text, problem = decode(name, data)
    if problem is not None:
        diagnostics.append(problem)
    return text


def _classify(path: Path, name: str, text: str) -> _Migration | None:
    """The file's convention and sort key; None for files that are never applied."""
    file = path.name
    if file == "migration.sql" and _PRISMA_FOLDER.match(path.parent.name):
        return _Migration(name, text, "prisma", (path.parent.name,), None)
    if _FLYWAY_UNDO.match(file) or _GOLANG_DOWN.match(file):
        return None
    if match := _FLYWAY.match(file):
        version = _version(match.group(1))
        return _Migration(name, text, "flyway", version, version)
    if match := _FLYWAY_REPEATABLE.match(file):
        return _Migration(name, text, "flyway-repeatable", (match.group(1),), None)
    if match := _GOLANG_UP.match(file):
        version = (int(match.group(1)),)
        return _Migration(name, text, "golang-migrate", version, version)
    numbered = _NUMBERED.match(file)
    if numbered and _DBMATE_UP.search(text):
        version = (int(numbered.group(1)),)
        return _Migration(name, _dbmate_up(text), "dbmate", version, version)
    plain_version = (int(numbered.group(1)),) if numbered else None
    return _Migration(name, text, "plain", _natural(name), plain_version)


def _version(text: str) -> tuple[int, ...]:
    """Flyway version parts as numbers, trailing zeros dropped (`1.0` is `1`)."""
    parts = [int(p) for p in re.split(r"[._]", text)]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _natural(name: str) -> tuple[object, ...]:
    """Natural sort key: digit runs compare as numbers (`2_x.sql` before `10_x.sql`)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(name)
    )


def _dbmate_up(text: str) -> str:
    """Only the `-- migrate:up` section; other lines are blanked so line numbers stay."""
    lines = text.split("\n")
    section = None
    kept: list[str] = []
    for line in lines:
        mark = _DBMATE_MARK.match(line)
        if mark:
            section = mark.group(1)
            kept.append("")
        else:
            kept.append(line if section == "up" else "")
    return "\n".join(kept)


def _conflicts(ordered: list[_Migration]) -> list[Diagnostic]:
    """Duplicate versions within a convention, and conventions that cannot be interleaved."""
    problems: list[Diagnostic] = []
    seen: dict[tuple[str, tuple[int, ...]], _Migration] = {}
    for migration in ordered:
        if migration.version is None:
            continue
        family = "flyway" if migration.convention == "flyway" else "numbered"
        first = seen.setdefault((family, migration.version), migration)
        if first is not migration:
            version = ".".join(str(p) for p in migration.version)
            problems.append(
                _error(
                    migration.path,
                    DiagnosticCode.CONFIG_ERROR,
                    f"migration order cannot be determined: '{first.path}' and "
                    f"'{migration.path}' have the same version {version}; "
                    "replayed in path order",
                )
            )
    problems.extend(_mixed(ordered))
    return problems


def _mixed(ordered: list[_Migration]) -> list[Diagnostic]:
    firsts: dict[str, _Migration] = {}
    for migration in ordered:
        family = "flyway" if migration.convention.startswith("flyway") else migration.convention
        firsts.setdefault(family, migration)
    if len(firsts) < 2:
        return []
    named = ", ".join(f"'{m.path}' ({family})" for family, m in firsts.items())
    first = next(iter(firsts.values()))
    return [
        _error(
            first.path,
            DiagnosticCode.CONFIG_ERROR,
            f"migration order cannot be determined: conventions that cannot be interleaved "
            f"are mixed: {named}; replayed one convention after the other",
        )
    ]


def _error(path: str, code: DiagnosticCode, message: str) -> Diagnostic:
    return Diagnostic(Location(path, 1), code, Severity.ERROR, message)
