"""Frozen values of the diff -> impact -> report stages: what a change is, and what it affects.

A `Change` is found by comparing two states of a project (`lineage.diff`) or given on the
command line (`lineage impact --change`). `lineage.impact` propagates each change along the
lineage graph and returns an `ImpactReport`: every affected column (or relation), consumer and
dbt test with a severity, the path from the change and the reason, plus every place the
analysis could not follow. The report formats (`lineage.report.impact_*`) only present it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from lineage.entities import ColumnRef, Consumer, EdgeKind, Location, Owner


class ChangeKind(Enum):
    """What a change does, in the field's vocabulary."""

    COLUMN_REMOVED = "column_removed"
    COLUMN_RENAMED = "column_renamed"
    COLUMN_TYPE_CHANGED = "column_type_changed"
    COLUMN_EXPRESSION_CHANGED = "column_expression_changed"  # its logic (or its inputs) changed
    COLUMN_NULLABILITY_CHANGED = "column_nullability_changed"
    COLUMN_ADDED = "column_added"
    RELATION_REMOVED = "relation_removed"
    RELATION_RENAMED = "relation_renamed"
    RELATION_ADDED = "relation_added"
    FILTER_CHANGED = "filter_changed"  # a WHERE / HAVING / QUALIFY condition
    JOIN_CHANGED = "join_changed"  # a join condition or join type
    GRAIN_CHANGED = "grain_changed"  # the GROUP BY
    ORDER_CHANGED = "order_changed"  # ORDER BY (decides which rows a LIMIT keeps)
    CONTRACT_CHANGED = "contract_changed"  # a dbt contract enforced or relaxed
    CONSUMER_ADDED = "consumer_added"
    CONSUMER_REMOVED = "consumer_removed"
    CONSUMER_CHANGED = "consumer_changed"  # reads other columns, or changed owner

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


#: Row-level change kinds by the indirect edge kind whose sources changed.
ROW_CHANGE_KINDS = {
    EdgeKind.FILTER: ChangeKind.FILTER_CHANGED,
    EdgeKind.JOIN: ChangeKind.JOIN_CHANGED,
    EdgeKind.GROUP_BY: ChangeKind.GRAIN_CHANGED,
    EdgeKind.SORT: ChangeKind.ORDER_CHANGED,
}


class TypeCompatibility(Enum):
    """How a column's new type relates to its old one."""

    SAME = "same"  # only spelling differs (int4 and integer)
    WIDENING = "widening"  # every old value fits (integer -> bigint, varchar(50) -> text)
    NARROWING = "narrowing"  # some old values may not fit (bigint -> integer)
    FAMILY_CHANGE = "family_change"  # another kind of value (integer -> text)
    UNKNOWN = "unknown"  # one of the types is not known


@dataclass(frozen=True)
class Change:
    """One change to a relation or column.

    `relation` and `column` name it as it was before the change (in the base state) when it
    existed there, else as it is after (added things). `location` is where the change is made
    (the migration or model line of the head state; for a removal without a head line, the
    base line it removed). `reason` says in one sentence why it is classified so.
    """

    kind: ChangeKind
    relation: str
    column: str | None
    reason: str
    location: Location | None = None
    new_name: str | None = None  # renames: the new column (or relation) name
    old_type: str | None = None
    new_type: str | None = None
    compatibility: TypeCompatibility | None = None
    old_expression: str | None = None  # expression and row changes: before and after
    new_expression: str | None = None
    values_converted: bool = False  # a type change that rewrites values (ALTER ... USING)
    nullable: bool | None = None  # nullability changes: whether the column is nullable now
    consumer: str | None = None  # consumer changes: the consumer's id

    @property
    def ref(self) -> ColumnRef:
        return ColumnRef(self.relation, self.column)

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.relation, self.column or "", self.kind.value, self.consumer or "")


class ImpactSeverity(IntEnum):
    """The impact severities of docs/concepts.md, ordered: a higher value is worse.

    The same words appear in every output (`label`).
    """

    UNKNOWN = 1  # a hop could not be analysed: says which and why
    ADDITIVE = 2  # nothing reads it yet
    VALUES = 3  # the change flows into it by pass-through, transformation or aggregation
    ROWS = 4  # it feeds a filter, join key or grouping: the rows change
    BREAKS = 5  # a removed, renamed or incompatibly retyped column is still referenced

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def slug(self) -> str:
        """The JSON and command-line spelling: breaks, rows, values, additive, unknown."""
        return self.name.lower()


_LABELS = {
    ImpactSeverity.BREAKS: "Breaks",
    ImpactSeverity.ROWS: "Changes rows",
    ImpactSeverity.VALUES: "Changes values",
    ImpactSeverity.ADDITIVE: "Additive",
    ImpactSeverity.UNKNOWN: "Unknown",
}

#: Display order: worst first, Unknown last (as in docs/concepts.md).
SEVERITY_ORDER = (
    ImpactSeverity.BREAKS,
    ImpactSeverity.ROWS,
    ImpactSeverity.VALUES,
    ImpactSeverity.ADDITIVE,
    ImpactSeverity.UNKNOWN,
)


@dataclass(frozen=True)
class PathStep:
    """One hop of the path from a change: `ref` was reached by `kind` at `location`."""

    ref: ColumnRef
    kind: EdgeKind | None  # None for the changed column itself
    location: Location | None
    expression: str = ""


@dataclass(frozen=True)
class Affected:
    """A column (or, with `ref.column is None`, a whole relation) a change reaches.

    `location` is where this hop reads what changed (the line to fix for a break). `direct`
    is False for relations that break only because something upstream of them does (dbt
    skips them). `fix` says what to do when the answer is known ("read `email_address`").
    """

    ref: ColumnRef
    severity: ImpactSeverity
    reason: str
    depth: int
    path: tuple[PathStep, ...]
    cause: ColumnRef  # the changed column (or relation) the path starts at
    location: Location | None = None
    direct: bool = True
    fix: str | None = None
    owner: Owner | None = None

    @property
    def kinds(self) -> tuple[EdgeKind, ...]:
        return tuple(step.kind for step in self.path if step.kind is not None)


@dataclass(frozen=True)
class AffectedConsumer:
    """A dashboard, notebook, ML or product feature reading something affected."""

    consumer: Consumer
    severity: ImpactSeverity
    via: ColumnRef  # the affected column it reads
    depth: int
    path: tuple[PathStep, ...]
    cause: ColumnRef
    reason: str


class DataTestOutcome(Enum):
    WILL_FAIL = "will_fail"  # it checks a column or relation that breaks
    RERUN = "rerun"  # it checks values or rows that change: worth re-running

    @property
    def label(self) -> str:
        return "will fail" if self is DataTestOutcome.WILL_FAIL else "worth re-running"


@dataclass(frozen=True)
class AffectedTest:
    """A dbt data test on an affected column or relation."""

    relation: str
    column: str | None
    name: str  # not_null, unique, relationships, accepted_values, a custom test...
    outcome: DataTestOutcome
    reason: str
    location: Location | None


@dataclass(frozen=True)
class Unknown:
    """A place on the change's paths the analysis could not follow, and what that means."""

    ref: ColumnRef
    reason: str
    meaning: str
    location: Location | None
    cause: ColumnRef | None = None


@dataclass(frozen=True)
class StateInfo:
    """One side of the comparison: which git ref (or "working tree"), and its coverage."""

    label: str
    models: int  # relations analysed in that state (dbt models or statements)
    models_analysed: int
    unit: str  # "models" or "statements"


@dataclass(frozen=True)
class ImpactReport:
    """Everything a change affects. Each tuple is sorted for deterministic output."""

    changes: tuple[Change, ...]
    affected: tuple[Affected, ...]
    consumers: tuple[AffectedConsumer, ...]
    tests: tuple[AffectedTest, ...]
    unknowns: tuple[Unknown, ...]
    base: StateInfo
    head: StateInfo
    command: str  # the exact command that reproduces the report
    downstream_relations: int = 0  # relations downstream of the changes
    downstream_analysed: int = 0  # of those, how many were analysed without a blind spot

    @property
    def worst(self) -> ImpactSeverity | None:
        severities = [a.severity for a in self.affected] + [c.severity for c in self.consumers]
        if self.unknowns:
            severities.append(ImpactSeverity.UNKNOWN)
        return max(severities, default=None)
