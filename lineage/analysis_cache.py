"""The model cache: each model's `ModelAnalysis` in an SQLite file, keyed by what it depends
on (the tool's and sqlglot's versions, the dialect, the rendered SQL, the parents' schemas).

Opened and written only by the main process of a build. Several builds may use one file at
once (WAL journal, a busy timeout, `INSERT OR IGNORE`). A value is compressed JSON, never a
pickle: the file sits in the project directory, so it is read as untrusted input, and a value
that does not decode into a valid analysis is a miss (and is replaced). A cache file tracked by
git is not used (a pull request could plant wrong answers). Any problem with the file turns
the cache off for the build, with one diagnostic; the build itself goes on.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sqlite3
import subprocess
import time
import zlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lineage import __version__
from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.model_analysis import (
    AnalysisDecodeError,
    ModelAnalysis,
    ModelJob,
    decode_analysis,
    encode_analysis,
)

#: The default cache file, relative to the project directory.
DEFAULT_CACHE = ".lineage/cache.db"

#: Seconds a build waits for another build holding the file's write lock.
BUSY_TIMEOUT_S = 30.0

#: A stored value larger than this once decompressed is refused (a compression bomb).
MAX_VALUE_BYTES = 64 * 1024 * 1024

#: Changes whenever the key or the value format changes.
_KEY_FORMAT = "lineage-model-analysis/1"

_TRACKED = (
    "the file is tracked by git, so a commit could plant wrong answers in it (remove it from "
    "git and add `.lineage/` to .gitignore)"
)
try:
    _SQLGLOT_VERSION = version("sqlglot")
except PackageNotFoundError:  # pragma: no cover - sqlglot is a dependency
    _SQLGLOT_VERSION = "unknown"

_SCHEMA = "CREATE TABLE IF NOT EXISTS analysis (key TEXT PRIMARY KEY, value BLOB NOT NULL)"


@functools.cache
def engine_fingerprint() -> str:
    """sha256 of lineage's own source files: a development build (same version number,
    different code) never reads another build's analyses."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_key(job: ModelJob) -> str:
    """The key of a model's analysis: sha256 of everything the analysis depends on (the
    rendered SQL, the parents' schemas, the dialect, the tool's version and code, sqlglot's
    version)."""
    schemas = [[name, None if cols is None else list(cols)] for name, cols in job.schemas]
    material = [
        _KEY_FORMAT,
        __version__,
        engine_fingerprint(),
        _SQLGLOT_VERSION,
        job.dialect,
        job.sql,
        schemas,
    ]
    text = json.dumps(material, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CacheProblem(Exception):
    """Why the cache cannot be used in this build."""


class AnalysisCache:
    """A session on one cache file. Every method degrades to "no cache" on a problem, which
    `diagnostics` then reports (once)."""

    def __init__(
        self, shown: str, connection: sqlite3.Connection | None, problem: str = ""
    ) -> None:
        self.shown = shown  # the file's path as the diagnostics show it
        self.hits = 0
        self.diagnostics: list[Diagnostic] = []
        self._pending: dict[str, bytes] = {}
        self._replace: set[str] = set()  # keys whose stored value did not decode
        self._bad_reason = ""
        self._connection = connection
        if problem:
            self._disable(problem)

    @property
    def active(self) -> bool:
        return self._connection is not None

    def get(self, job: ModelJob, key: str | None = None) -> ModelAnalysis | None:
        """The stored analysis of `job`, or None (a miss)."""
        if self._connection is None:
            return None
        key = key or cache_key(job)
        try:
            row = self._connection.execute(
                "SELECT value FROM analysis WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error as error:
            self._disable(f"cannot read it ({error})")
            return None
        if row is None:
            return None
        try:
            analysis = decode_analysis(inflate(row[0]))
        except AnalysisDecodeError as error:
            self._replace.add(key)  # a bad value is a miss, and is written again
            self._bad_reason = self._bad_reason or str(error)
            return None
        self.hits += 1
        return analysis

    def put(self, job: ModelJob, analysis: ModelAnalysis, key: str | None = None) -> None:
        """Remember `analysis` for `job` (written by the next `flush`)."""
        if self._connection is not None:
            self._pending[key or cache_key(job)] = zlib.compress(encode_analysis(analysis), 6)

    def flush(self) -> None:
        """Write what `put` collected, in one transaction."""
        connection = self._connection
        if connection is None or not self._pending:
            self._pending.clear()
            return
        fresh = [(k, v) for k, v in self._pending.items() if k not in self._replace]
        replaced = [(k, v) for k, v in self._pending.items() if k in self._replace]
        self._pending.clear()
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("INSERT OR IGNORE INTO analysis VALUES (?, ?)", fresh)
            connection.executemany("INSERT OR REPLACE INTO analysis VALUES (?, ?)", replaced)
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            _rollback(connection)
            self._disable(f"cannot write it ({error})")

    def close(self) -> None:
        """Write what is pending and close the file."""
        self.flush()
        if self._replace:
            self.diagnostics.append(
                self._diagnostic(
                    f"{len(self._replace)} stored model analyses could not be read "
                    f"({self._bad_reason}); those models were analysed again"
                )
            )
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _disable(self, reason: str) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._pending.clear()
        self.diagnostics.append(self._diagnostic(f"the model cache is not used: {reason}"))

    def _diagnostic(self, message: str) -> Diagnostic:
        return Diagnostic(
            Location(self.shown, 1), DiagnosticCode.CONFIG_ERROR, Severity.WARNING, message
        )


def open_cache(path: Path, root: Path) -> AnalysisCache:
    """A session on the cache file `path` (created if needed); `root` is the project, to show
    the path relative to it."""
    try:
        shown = str(path.resolve().relative_to(root.resolve()))
    except (ValueError, OSError):
        shown = str(path)
    if tracked_by_git(path):
        return AnalysisCache(shown, None, _TRACKED)
    try:
        return AnalysisCache(shown, _open(path))
    except CacheProblem as problem:
        return AnalysisCache(shown, None, str(problem))


def tracked_by_git(path: Path) -> bool:
    """Whether git tracks `path` (False outside a repository, or without git)."""
    folder = path.parent
    if not folder.is_dir():
        return False
    try:
        done = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "ls-files", "--error-unmatch", "--", path.name],
            cwd=folder,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)


def _open(path: Path) -> sqlite3.Connection:
    try:
        fresh = not path.parent.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh and path.parent.name == ".lineage":
            (path.parent / ".gitignore").write_text("# written by lineage\n*\n", encoding="utf-8")
    except OSError as error:
        raise CacheProblem(f"cannot create its folder ({error.strerror or error})") from None
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return _prepare(path)
        except _Busy:  # another process is setting the file up: its journal, its tables
            if time.monotonic() > deadline:
                raise CacheProblem("another process kept it locked") from None
            time.sleep(0.05)


class _Busy(Exception):
    """The file was locked while being set up (SQLite does not wait for some of those locks)."""


def _prepare(path: Path) -> sqlite3.Connection:
    connection: sqlite3.Connection | None = None
    try:
        connection = _connect(path)
        connection.execute("PRAGMA trusted_schema = OFF")
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(_SCHEMA)
        columns = [row[1] for row in connection.execute("PRAGMA table_info(analysis)")]
        if columns != ["key", "value"]:
            raise CacheProblem("its `analysis` table is not the one lineage writes")
        connection.execute("SELECT value FROM analysis LIMIT 1").fetchall()
    except (sqlite3.Error, CacheProblem) as error:
        if connection is not None:
            connection.close()
        if isinstance(error, CacheProblem):
            raise
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            raise _Busy from None
        raise CacheProblem(
            f"cannot open it as an SQLite database ({error}); delete the file to start a new one"
        ) from None
    return connection


def inflate(value: object, limit: int = MAX_VALUE_BYTES) -> bytes:
    """A stored value decompressed; b"" (which no reader accepts: a miss) for anything that
    is not zlib data or would be larger than `limit` (a compression bomb)."""
    if not isinstance(value, bytes):
        return b""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(value, limit)
    except zlib.error:
        return b""
    return b"" if inflater.unconsumed_tail else data


def _rollback(connection: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        connection.execute("ROLLBACK")
