"""The fingerprint of everything a build reads: two builds with the same fingerprint make the
same project, so a stored project can stand in for a build (lineage/project_cache.py).

What goes in:

* the tool: lineage's version and a hash of its own source files, sqlglot's version;
* the configuration as loaded (lineage.yml with the command line's options applied; the
  number of processes and the cache's own path left out: they do not change the result) and
  the `--vars`;
* every file under the project directory, by path relative to it and content (not by time:
  a fresh checkout of the same commit has the same fingerprint). Left out: `.git` folders,
  lineage's own `.lineage` folder at the top, and the cache file with its journal files;
* every path the configuration names outside the project directory (application schemas,
  consumer exports, downstream state files, a manifest), the same way, or that it is missing;
* the CODEOWNERS file of the repository holding the project and where the project sits in it.

Symbolic links are followed, as the readers follow them (each real folder once). A file that
cannot be read counts as its error message, so it changes the fingerprint when it becomes
readable.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from lineage import __version__
from lineage.analysis_cache import engine_fingerprint
from lineage.config import Config
from lineage.owners import codeowners_inputs

#: Changes whenever what goes into the fingerprint changes.
_FORMAT = "lineage-project-inputs/1"
_CHUNK = 1024 * 1024
_SKIPPED_FOLDERS = frozenset({".git"})
_CACHE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def inputs_key(
    root: Path, config: Config, variables: Mapping[str, Any], cache_file: Path | None
) -> str:
    """sha256 of everything a build of `root` with `config` and `variables` reads."""
    digest = hashlib.sha256()

    def feed(*parts: str) -> None:
        for part in parts:
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")

    feed(_FORMAT, __version__, engine_fingerprint(), _sqlglot_version())
    feed(repr(replace(config, jobs=None, cache=None)))
    feed(json.dumps(variables, sort_keys=True, default=repr))
    base = root if root.is_dir() else root.parent
    skipped = _cache_files(cache_file)
    feed("project")
    for relative, found in _files(root, skipped, top=root):
        feed(relative)
        _feed_file(digest, found)
    for named in _named_paths(config):
        outside = (base / named).resolve()
        if _inside(outside, base.resolve()):
            continue  # hashed with the project's files
        feed("named", named)
        if not outside.exists():
            feed("missing")
        for relative, found in _files(outside, skipped, top=outside):
            feed(relative)
            _feed_file(digest, found)
    feed("codeowners", *codeowners_inputs(base))
    return digest.hexdigest()


def _sqlglot_version() -> str:
    try:
        return version("sqlglot")
    except PackageNotFoundError:  # pragma: no cover - sqlglot is a dependency
        return "unknown"


def _named_paths(config: Config) -> list[str]:
    """The paths the configuration names, relative to the project (or absolute)."""
    consumers = config.consumers
    named = [app.path for app in config.applications]
    named += [p for p in (consumers.file, consumers.superset, consumers.looker) if p]
    named += [p for p in (consumers.metabase,) if p]
    named += list(consumers.code)
    named += [d.path for d in config.downstream]
    named += [config.manifest] if config.manifest else []
    return named


def _cache_files(cache_file: Path | None) -> frozenset[Path]:
    if cache_file is None:
        return frozenset()
    resolved = cache_file.resolve()
    return frozenset(resolved.with_name(resolved.name + suffix) for suffix in _CACHE_SUFFIXES)


def _files(start: Path, skipped: frozenset[Path], top: Path) -> Iterator[tuple[str, str]]:
    """(path relative to `top`, path) of every file under `start` (or `start` itself), in a
    fixed order."""
    if start.is_file():
        yield start.name, str(start)
        return
    names = {path.name for path in skipped}
    seen: set[str] = set()
    prefix = len(str(top)) + 1
    for folder, folders, files in os.walk(start, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a link back to a folder already walked
            folders[:] = []
            continue
        seen.add(real)
        at_top = folder == str(start)
        folders[:] = sorted(
            f for f in folders if f not in _SKIPPED_FOLDERS and not (at_top and f == ".lineage")
        )
        for name in sorted(files):
            path = os.path.join(folder, name)
            if name in names and Path(path).resolve() in skipped:
                continue
            yield path[prefix:].replace(os.sep, "/"), path


def _feed_file(digest: Any, path: str) -> None:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        digest.update(b"\0ok\0")
    except OSError as error:
        digest.update(f"\0unreadable: {error.strerror or error}\0".encode())


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
