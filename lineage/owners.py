"""Owners from CODEOWNERS: who owns a file of the repository.

GitHub's rules: the file is `.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS` at the
repository root; each line is a pattern and owners; the last matching line wins. Patterns
follow gitignore: a leading `/` anchors at the root, a trailing `/` means a directory and
everything in it, `*` matches within one path segment, `**` across segments, and a pattern
without a `/` (other than a trailing one) matches at any depth.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from lineage.entities import Owner

_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores larger CODEOWNERS files too


@dataclass(frozen=True)
class CodeOwners:
    """The rules of one CODEOWNERS file and the repository root they apply to."""

    root: Path
    rules: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]

    def owner_of(self, path: Path) -> Owner | None:
        """The owners of `path` (absolute, or relative to the current directory)."""
        try:
            relative = Path(os.path.relpath(path.resolve(), self.root)).as_posix()
        except ValueError:
            return None
        if relative.startswith(".."):
            return None
        for pattern, owners in reversed(self.rules):
            if pattern.search(relative):
                return _owner(owners) if owners else None
        return None


def read_codeowners(start: Path) -> CodeOwners | None:
    """The CODEOWNERS of the repository holding `start`, if it has one."""
    root = _repository_root(start.resolve())
    for name in _LOCATIONS:
        path = root / name
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= _MAX_BYTES:
            text = path.read_text(encoding="utf-8", errors="replace")
            return CodeOwners(root, tuple(_rules(text)))
    return None


def codeowners_inputs(start: Path) -> tuple[str, ...]:
    """What `read_codeowners(start)` reads, as text: where `start` sits in its repository and
    each CODEOWNERS file there (for the project fingerprint, lineage/project_inputs.py)."""
    root = _repository_root(start.resolve())
    parts = [Path(os.path.relpath(start.resolve(), root)).as_posix()]
    for name in _LOCATIONS:
        path = root / name
        try:
            parts += [name, path.read_text(encoding="utf-8", errors="replace")]
        except OSError as error:
            parts += [name, f"unreadable: {error.strerror or error}"]
    return tuple(parts)


def _rules(text: str) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    rules = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if parts:
            rules.append((_pattern(parts[0]), tuple(parts[1:])))
    return rules


def _pattern(glob: str) -> re.Pattern[str]:
    anchored = glob.startswith("/") or "/" in glob.rstrip("/")
    directory = glob.endswith("/")
    body = glob.strip("/")
    regex = ""
    index = 0
    while index < len(body):
        if body.startswith("**", index):
            regex += ".*"
            index += 2
        elif body[index] == "*":
            regex += "[^/]*"
            index += 1
        elif body[index] == "?":
            regex += "[^/]"
            index += 1
        else:
            regex += re.escape(body[index])
            index += 1
    start = "^" if anchored else "(^|/)"
    end = "/" if directory else "(/|$)"
    return re.compile(start + regex + end)


def _owner(owners: tuple[str, ...]) -> Owner:
    emails = [o for o in owners if "@" in o and not o.startswith("@")]
    handles = [o for o in owners if o.startswith("@")]
    name = ", ".join(handles) if handles else None
    return Owner(name, emails[0] if emails else None)


def _repository_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start
