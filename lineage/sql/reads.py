"""Values the column walk builds and returns.

During the walk a read keeps the syntax nodes its text and line come from (`NodeRead`); the
SQL text is generated once, at the end, only for the reads that survive into the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlglot import exp

from lineage.entities import DiagnosticCode, EdgeKind

#: Prefix of the opaque keys `prepare` gives relations; never shown to people.
KEY_PREFIX = "__lineage_"


class Read(NamedTuple):
    """A relation column read by an output column (or by the rows, for indirect kinds).
    A named tuple: a large build makes, copies between processes and records millions."""

    relation: str
    column: str
    kind: EdgeKind
    expression: str
    line: int
    inner: tuple[str, ...] = ()  # expressions passed through before `expression`, innermost first


@dataclass(frozen=True, slots=True)
class NodeRead:
    """A read found by the walk: `text` is the expression that defines it, `at` its place,
    `inner` the expressions of inner scopes it went through before `text` (innermost first)."""

    relation: str
    column: str
    kind: EdgeKind
    text: exp.Expr
    at: exp.Expr
    inner: tuple[exp.Expr, ...] = ()

    def as_kind(self, kind: EdgeKind) -> NodeRead:
        return NodeRead(self.relation, self.column, kind, self.text, self.at, self.inner)


@dataclass(frozen=True)
class Problem:
    code: DiagnosticCode
    message: str
    line: int


class OutputColumn(NamedTuple):
    name: str
    reads: tuple[Read, ...]
    blind: tuple[str, ...]
    line: int
    blind_upstream: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryLineage:
    """Every output column with its reads; `rows` are reads that change which rows exist.

    `columns_known` is False when a `*` could not be expanded: more columns may exist than
    `outputs` lists, coming from the relations in `star_upstream`.
    """

    outputs: tuple[OutputColumn, ...]
    rows: tuple[Read, ...]
    problems: tuple[Problem, ...]
    columns_known: bool = True
    star_upstream: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableInfo:
    relation: str
    columns: tuple[str, ...] | None  # in definition order; None: the columns are not known


ReadKey = tuple[str, str, EdgeKind]


@dataclass
class Output:
    """One output column of a scope while the walk builds it."""

    name: str
    reads: dict[ReadKey, NodeRead] = field(default_factory=dict)
    blind: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class ScopeLineage:
    """The outputs and row reads of one scope while the walk builds them."""

    outputs: list[Output]
    rows: dict[ReadKey, NodeRead] = field(default_factory=dict)
    columns_known: bool = True
    star_upstream: set[str] = field(default_factory=set)
    _by_name: dict[str, Output] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for output in self.outputs:
            self._by_name.setdefault(output.name, output)

    def add_output(self, output: Output) -> None:
        self.outputs.append(output)
        self._by_name.setdefault(output.name, output)

    def output(self, name: str) -> Output | None:
        """The first output called `name` (the one a reference by name resolves to)."""
        return self._by_name.get(name)


def add_read(target: dict[ReadKey, NodeRead], read: NodeRead) -> None:
    """Keep the first read of each (relation, column, kind)."""
    target.setdefault((read.relation, read.column, read.kind), read)
