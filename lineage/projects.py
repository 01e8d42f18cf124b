"""Project kinds: which builder reads a directory. A new kind is one entry here.

A directory with `dbt_project.yml` is a dbt project; anything else is a plain SQL project.
Either is then merged with the downstream state files `lineage.yml` names (`downstream:`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lineage.config import Config, cache_path
from lineage.entities import Project
from lineage.project_cache import ProjectCache, StoredMiss, StoredState, open_project_cache
from lineage.project_inputs import inputs_key


@dataclass(frozen=True)
class ProjectKind:
    name: str
    detect: Callable[[Path], bool]
    build: Callable[[Path, Config, Mapping[str, Any]], Project]


def _is_dbt(root: Path) -> bool:
    return root.is_dir() and (root / "dbt_project.yml").is_file()


def _build_dbt(root: Path, config: Config, variables: Mapping[str, Any]) -> Project:
    from lineage.dbt_build import build_dbt_project

    manifest = root / config.manifest if config.manifest else None
    return build_dbt_project(root, config, variables, manifest)


def _build_sql(root: Path, config: Config, variables: Mapping[str, Any]) -> Project:
    from lineage.build import build_project
    from lineage.relation_facts import code_owned

    return code_owned(build_project(root, config), root)


#: Checked in order; the last one always matches.
KINDS = (
    ProjectKind("dbt", _is_dbt, _build_dbt),
    ProjectKind("sql", lambda root: True, _build_sql),
)


def build(
    root: Path,
    config: Config,
    variables: Mapping[str, Any] | None = None,
    notes: list[str] | None = None,
    keep: bool = True,
) -> Project:
    """The project at `root`: from the project cache when nothing it reads has changed
    (lineage/project_cache.py), else built with the first kind that recognises it, merged with
    the downstream state files its configuration names (docs/cross-repo.md), and stored.
    Problems with the cache file go to `notes` (they change no answer). `keep=False` reads the
    cache but does not store a fresh build (a working tree about to change again: storing a
    5,000-model project takes seconds). The garbage collector is batched meanwhile: a build
    makes millions of objects and few cycles."""
    from lineage.build import batched_garbage_collection

    variables = variables or {}
    with batched_garbage_collection(), _cache_session(root, config, variables, notes) as session:
        if session is not None:
            found = session.cache.project(session.key, root)
            if found is not None:
                return found
        project = _fresh(root, config, variables)
        if keep and session is not None and _worth_keeping(project, session.path, root):
            session.cache.save(session.key, project)
        return project


@contextmanager
def stored_state(
    root: Path, config: Config, variables: Mapping[str, Any], notes: list[str] | None = None
) -> Iterator[StoredState | None]:
    """What `who-uses` and `trace` need of the stored project, if nothing it read has
    changed; None otherwise (then build). A `StoredMiss` raised while it is used (a stored
    value that does not read back) deletes the state and is raised again."""
    with _cache_session(root, config, variables, notes) as session:
        if session is None:
            yield None
            return
        try:
            yield session.cache.stored(session.key, root)
        except StoredMiss:
            session.cache.forget(session.key)  # the next build stores it again
            raise


@dataclass(frozen=True)
class _Session:
    cache: ProjectCache
    key: str
    path: Path


@contextmanager
def _cache_session(
    root: Path, config: Config, variables: Mapping[str, Any], notes: list[str] | None
) -> Iterator[_Session | None]:
    path = cache_path(config, root)
    if path is None:
        yield None
        return
    opened = open_project_cache(path)
    if isinstance(opened, str):
        if notes is not None:
            notes.append(f"the project cache is not used: {opened}")
        yield None
        return
    try:
        yield _Session(opened, inputs_key(root, config, variables, path), path)
    finally:
        opened.close()
        if notes is not None:
            notes.extend(opened.problems)


def _fresh(root: Path, config: Config, variables: Mapping[str, Any]) -> Project:
    kind = next(k for k in KINDS if k.detect(root))
    project = kind.build(root, config, variables)
    if config.downstream:
        from lineage.downstream import merge_downstream

        project = merge_downstream(project, root, config)
    return project


def _worth_keeping(project: Project, cache_file: Path, root: Path) -> bool:
    """False when the build met a passing trouble a later build may not meet: a problem with
    the model cache file (reported at its path) or a worker process lost."""
    from lineage.dbt_waves import LOST_WORKER_SUFFIX

    base = root if root.is_dir() else root.parent
    try:
        shown = str(cache_file.resolve().relative_to(base.resolve()))
    except (ValueError, OSError):
        shown = str(cache_file)
    return not any(
        d.location.path == shown or d.message.endswith(LOST_WORKER_SUFFIX)
        for d in project.diagnostics
    )
