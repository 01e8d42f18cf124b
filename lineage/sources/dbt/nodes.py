"""Frozen values describing a dbt project, shared by the loader, the renderer and the build.

Every value carries the file:line it was read from, so diagnostics and reports can point at it.
Mappings inside frozen values are plain dicts treated as read-only by convention (YAML `meta`
and `config` are open-ended).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from lineage.entities import Diagnostic, Location


class ResourceType(Enum):
    """dbt resource types, with the prefix of their unique ids."""

    MODEL = "model"
    SEED = "seed"
    SNAPSHOT = "snapshot"
    ANALYSIS = "analysis"
    SOURCE = "source"
    EXPOSURE = "exposure"
    SEMANTIC_MODEL = "semantic_model"
    METRIC = "metric"


@dataclass(frozen=True)
class ColumnSpec:
    """A column as YAML declares it (models, sources, seeds, snapshots)."""

    name: str
    data_type: str | None = None
    description: str = ""
    tests: tuple[str, ...] = ()  # test names: not_null, unique, relationships, accepted_values...
    constraints: tuple[str, ...] = ()  # not_null, primary_key, foreign_key, check, unique
    meta: dict[str, Any] = field(default_factory=dict)
    quote: bool | None = None
    location: Location | None = None


@dataclass(frozen=True)
class DbtNode:
    """A model, seed, snapshot or analysis: something with SQL (or a CSV) that builds a relation.

    `config` is the merged config from dbt_project.yml and YAML (the node's own `config()`
    block is applied when it is rendered). `raw_code` is the file's text (the SQL, or for a
    seed the CSV header line, or for a Python model its source). `version` is set for each
    version of a versioned model, whose unique id then ends in `.v<version>`.
    """

    unique_id: str  # e.g. model.shop.stg_users, seed.shop.countries, model.shop.dim_users.v2
    resource_type: ResourceType
    package: str
    name: str
    path: str  # relative to the project root, with /
    raw_code: str
    language: str = "sql"  # sql or python
    config: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    columns: tuple[ColumnSpec, ...] = ()
    version: str | None = None
    latest_version: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    group: str | None = None
    location: Location | None = None  # the file (line 1), or the YAML entry for a YAML snapshot


@dataclass(frozen=True)
class SourceTable:
    """One table of a dbt source.

    `config` is the merged config: the dbt_project.yml `sources:` trees, then the source's
    `config:` and the table's (a top-level `tags:` of either counts as config; tags add up).
    """

    unique_id: str  # source.shop.app.users
    package: str
    source_name: str
    name: str
    database: str | None
    schema: str
    identifier: str
    description: str = ""
    columns: tuple[ColumnSpec, ...] = ()
    quoting: dict[str, bool] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    loaded_at_field: str | None = None
    location: Location | None = None
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Owner:
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Exposure:
    """A dbt exposure: a dashboard, notebook, analysis, ML model or application."""

    unique_id: str  # exposure.shop.churn_dashboard
    package: str
    name: str
    type: str  # dashboard, notebook, analysis, ml, application
    owner: Owner
    depends_on: tuple[str, ...]  # as written: "ref('x')", "source('a','b')", "metric('m')"
    label: str = ""
    maturity: str | None = None
    url: str | None = None
    description: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None


@dataclass(frozen=True)
class Group:
    name: str
    owner: Owner
    location: Location | None = None


@dataclass(frozen=True)
class SemanticModel:
    """A semantic model: its measures, dimensions and entities read columns of one model."""

    unique_id: str
    package: str
    name: str
    model: str  # as written, e.g. "ref('fct_orders')"
    measures: tuple[tuple[str, str], ...] = ()  # (name, expr: a column name or SQL)
    dimensions: tuple[tuple[str, str], ...] = ()
    entities: tuple[tuple[str, str], ...] = ()
    location: Location | None = None


@dataclass(frozen=True)
class Metric:
    unique_id: str
    package: str
    name: str
    type: str
    measures: tuple[str, ...] = ()  # measure names it uses
    location: Location | None = None


@dataclass(frozen=True)
class MacroFile:
    """A .sql file of macros, from the project or an installed package."""

    package: str
    path: str  # relative to the project root
    text: str


@dataclass(frozen=True)
class DbtProject:
    """Everything read from a dbt project's files, plus what could not be read."""

    name: str
    root: str
    profile: str | None
    version_config: dict[str, Any]  # the raw dbt_project.yml mapping
    # vars as var() sees them, per package: vars[package][name], already merged (--vars, then
    # the root project's vars scoped to the package, its global vars, the package's own)
    vars: dict[str, dict[str, Any]]
    dispatch: tuple[tuple[str, tuple[str, ...]], ...]  # (macro_namespace, search_order)
    quoting: dict[str, bool]
    packages: tuple[str, ...]  # installed package names (under packages-install-path)
    nodes: tuple[DbtNode, ...]
    sources: tuple[SourceTable, ...]
    exposures: tuple[Exposure, ...]
    groups: tuple[Group, ...]
    semantic_models: tuple[SemanticModel, ...]
    metrics: tuple[Metric, ...]
    macro_files: tuple[MacroFile, ...]
    diagnostics: tuple[Diagnostic, ...]
