"""Frozen values shared by every stage: relations, columns, lineage edges, blind spots.

Everything that crosses a stage boundary is defined here, immutable and ordered so that
outputs can be sorted deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum


class EdgeKind(Enum):
    """How a source column contributes to a target (OpenLineage vocabulary).

    Direct kinds carry the value; indirect kinds decide which rows exist or which branch
    of an expression is taken.
    """

    IDENTITY = "identity"
    TRANSFORMATION = "transformation"
    AGGREGATION = "aggregation"
    FILTER = "filter"
    JOIN = "join"
    GROUP_BY = "group_by"
    SORT = "sort"
    WINDOW = "window"
    CONDITIONAL = "conditional"

    # Members are singletons: identity hashing is correct and, unlike Enum's own __hash__
    # (written in Python), costs nothing in the column walk's hot dictionaries.
    __hash__ = object.__hash__

    @property
    def is_direct(self) -> bool:
        return self in _DIRECT_KINDS


_DIRECT_KINDS = frozenset({EdgeKind.IDENTITY, EdgeKind.TRANSFORMATION, EdgeKind.AGGREGATION})


class RelationKind(Enum):
    """What a relation is. `EXTERNAL` is referenced by the project but defined nowhere in it."""

    TABLE = "table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized_view"
    EXTERNAL = "external"
    SOURCE = "source"  # a dbt source table
    MODEL = "model"  # a dbt model (any materialization)
    SEED = "seed"  # a dbt seed (CSV)
    SNAPSHOT = "snapshot"  # a dbt snapshot
    APP_TABLE = "app_table"  # an application's own table (migrations, ORM models)


class Severity(IntEnum):
    """Diagnostic severity, ordered: a higher value is worse."""

    INFO = 1
    WARNING = 2
    ERROR = 3


class DiagnosticCode(Enum):
    """Why something could not be fully analysed. Each code is documented in docs/concepts.md."""

    UNREADABLE_FILE = "unreadable-file"
    FILE_TOO_LARGE = "file-too-large"
    EMPTY_FILE = "empty-file"
    PARSE_ERROR = "parse-error"
    UNSUPPORTED_STATEMENT = "unsupported-statement"
    ANALYSIS_ERROR = "analysis-error"
    UNKNOWN_RELATION = "unknown-relation"
    UNKNOWN_COLUMN = "unknown-column"
    AMBIGUOUS_COLUMN = "ambiguous-column"
    UNRESOLVED_COLUMN = "unresolved-column"
    UNEXPANDED_STAR = "unexpanded-star"
    COLUMN_COUNT_MISMATCH = "column-count-mismatch"
    CONFIG_ERROR = "config-error"
    PYTHON_MODEL = "python-model"
    SCHEMA_DRIFT = "schema-drift"
    APP_SCHEMA = "app-schema"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a project file; `line` is 1-based."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """Something that could not be rendered, parsed or resolved, with where and why."""

    location: Location
    code: DiagnosticCode = field(compare=False)
    severity: Severity = field(compare=False)
    message: str
    relation: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.name.lower()}: {self.message} [{self.code.value}]"


@dataclass(frozen=True, order=True)
class ColumnRef:
    """A column of a relation. `column is None` stands for the relation's rows."""

    relation: str
    column: str | None

    def __str__(self) -> str:
        return self.relation if self.column is None else f"{self.relation}.{self.column}"

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.relation, self.column or "")


@dataclass(frozen=True)
class Edge:
    """One lineage edge: `source` contributes to `target` by `kind`.

    An indirect edge whose target has `column is None` changes the rows of the whole target
    relation (a WHERE, a join key, a GROUP BY); otherwise it affects only that column.
    """

    source: ColumnRef
    target: ColumnRef
    kind: EdgeKind
    expression: str
    location: Location
    #: The expressions the value went through inside the statement before `expression`
    #: (in CTEs and derived tables), innermost first; pass-throughs are left out.
    inner: tuple[str, ...] = ()

    @property
    def sort_key(
        self,
    ) -> tuple[tuple[str, str], tuple[str, str], str, Location, str, tuple[str, ...]]:
        return (
            self.target.sort_key,
            self.source.sort_key,
            self.kind.value,
            self.location,
            self.expression,
            self.inner,
        )


@dataclass(frozen=True)
class BlindSpot:
    """A place where lineage is unknown: the target column (or relation) and why.

    `upstream` names relations whose columns may flow in without being seen (an unexpanded
    `*`), so that who-uses on those relations reports the blind spot on its paths.
    """

    target: ColumnRef
    reason: str
    location: Location
    upstream: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Owner:
    name: str | None = None
    email: str | None = None

    def __str__(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or "no owner"


@dataclass(frozen=True)
class Column:
    """A column of a relation as the project defines (or only uses) it."""

    name: str
    data_type: str | None
    location: Location | None
    inferred: bool = False
    dropped: bool = False
    nullable: bool | None = None  # None: not declared
    former_names: tuple[str, ...] = ()  # earlier names, oldest first (RENAME COLUMN)
    description: str | None = None  # as documented (dbt YAML); None: undocumented


@dataclass(frozen=True, order=True)
class DataTest:
    """A dbt data test on a relation (`column is None`) or one of its columns."""

    name: str  # not_null, unique, relationships, accepted_values, or a custom test's name
    column: str | None
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Relation:
    """Anything with columns. `columns` are in definition order.

    `contract` is True for a dbt model whose contract is enforced (its columns' declared
    types are checked at build time); `version` is set for a version of a versioned model;
    `owner` comes from the model's dbt group or CODEOWNERS; `tests` are its dbt data tests.
    """

    name: str
    kind: RelationKind
    columns: tuple[Column, ...]
    location: Location | None
    dropped: bool = False
    columns_complete: bool = True
    contract: bool = False
    version: str | None = None
    owner: Owner | None = None
    tests: tuple[DataTest, ...] = ()
    former_names: tuple[str, ...] = ()  # earlier names, oldest first (ALTER TABLE RENAME)
    description: str | None = None  # as documented (dbt YAML); None: undocumented
    tags: tuple[str, ...] = ()  # dbt tags, sorted and distinct

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name and not c.dropped), None)


@dataclass(frozen=True)
class Coverage:
    """How much of the project was analysed."""

    files: int
    statements: int
    statements_analysed: int
    columns: int
    columns_resolved: int
    diagnostics: int
    unit: str = "statements"  # what `statements` counts: statements, or dbt models

    @property
    def statements_failed(self) -> int:
        return self.statements - self.statements_analysed

    @property
    def columns_unresolved(self) -> int:
        return self.columns - self.columns_resolved


class ConsumerKind(Enum):
    """What reads the data at the end of the chain."""

    DASHBOARD = "dashboard"
    CHART = "chart"
    NOTEBOOK = "notebook"
    ANALYSIS = "analysis"
    ML = "ml"
    APPLICATION = "application"
    FEATURE = "feature"  # a product feature (also found in application code)
    REVERSE_ETL = "reverse_etl"


class ReadLevel(Enum):
    """How precisely a consumer's reads are known."""

    COLUMN = "column"  # it declares (or its query shows) the columns it reads
    MODEL = "model"  # it names relations only: every column of them counts as read


@dataclass(frozen=True)
class Consumer:
    """A dashboard, notebook, ML or product feature: what it reads, and who owns it."""

    id: str  # exposure.shop.churn_dashboard
    kind: ConsumerKind
    name: str
    owner: Owner
    level: ReadLevel
    reads: tuple[ColumnRef, ...]  # sorted; a model-level consumer reads every column
    location: Location | None
    url: str | None = None
    maturity: str | None = None
    origin: str = "dbt exposure"


@dataclass(frozen=True)
class Project:
    """The result of a build: every relation, every edge, and what could not be analysed."""

    root: str
    dialect: str
    relations: tuple[Relation, ...]
    edges: tuple[Edge, ...]
    blind_spots: tuple[BlindSpot, ...]
    diagnostics: tuple[Diagnostic, ...]
    coverage: Coverage
    consumers: tuple[Consumer, ...] = ()

    def relation(self, name: str) -> Relation | None:
        return next((r for r in self.relations if r.name == name), None)
