"""Two states of a project from git: a ref's tree extracted into a temporary directory, or
the working tree itself.

Only `git rev-parse` and `git archive` run; the archive is unpacked with tarfile's `data`
filter (no links out of the directory, no device files), and nothing in it is executed.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from lineage.errors import UsageError

WORKING_TREE = "working tree"
_GIT_TIMEOUT = 300


@dataclass(frozen=True)
class Checkout:
    """A state of the project: where its files are, and how to call it in reports."""

    project_dir: Path
    label: str


def repository_root(project_dir: Path) -> Path:
    """The top of the git repository holding `project_dir`."""
    out = _git(project_dir, "rev-parse", "--show-toplevel")
    return Path(out.strip())


def resolve_ref(repo: Path, ref: str) -> str:
    """The commit a ref names, or a UsageError saying the ref is unknown."""
    if ref.startswith("-"):
        raise UsageError(f"'{ref}' is not a git ref")
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except UsageError:
        raise UsageError(
            f"git does not know '{ref}' here; fetch it first (actions/checkout needs "
            "fetch-depth: 0 for the base branch)"
        ) from None


def checkout(project_dir: Path, ref: str | None, into: Path) -> Checkout:
    """The project as it is at `ref` (extracted under `into`), or the working tree."""
    if ref is None:
        return Checkout(project_dir, WORKING_TREE)
    repo = repository_root(project_dir)
    commit = resolve_ref(repo, ref)
    archive = _git_bytes(repo, "archive", "--format=tar", commit)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    inside = Path(os.path.relpath(project_dir.resolve(), repo.resolve()))
    (into / ".git").mkdir(exist_ok=True)  # the repository's root, as CODEOWNERS expects
    return Checkout(into / inside, f"{ref} ({commit[:12]})")


def _git(cwd: Path, *args: str) -> str:
    return _git_bytes(cwd, *args).decode("utf-8", "replace")


def _git_bytes(cwd: Path, *args: str) -> bytes:
    directory = cwd if cwd.is_dir() else cwd.parent
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=directory,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except FileNotFoundError:
        raise UsageError("git is not installed: `lineage diff` needs it") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took longer than {_GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        raise UsageError(f"git {args[0]} failed in {directory}: {detail}")
    return done.stdout
