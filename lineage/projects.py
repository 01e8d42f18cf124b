"""Project kinds: which builder reads a directory. A new kind is one entry here.

A directory with `dbt_project.yml` is a dbt project; anything else is a plain SQL project.
Either is then merged with the downstream state files `lineage.yml` names (`downstream:`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lineage.config import Config
from lineage.entities import Project


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


def build(root: Path, config: Config, variables: Mapping[str, Any] | None = None) -> Project:
    """Build the project at `root` with the first kind that recognises it, merged with the
    downstream state files its configuration names (docs/cross-repo.md)."""
    kind = next(k for k in KINDS if k.detect(root))
    project = kind.build(root, config, variables or {})
    if config.downstream:
        from lineage.downstream import merge_downstream

        project = merge_downstream(project, root, config)
    return project
