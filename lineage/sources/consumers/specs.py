"""Frozen values every consumer reader returns, before resolution against the graph.

A reader knows what a dashboard or feature reads only as its tool writes it: a warehouse
relation name (`analytics.marts.fct_orders`), sometimes a column, sometimes the SQL it runs.
The build resolves relation names to graph relations (through the project's database /
schema / alias naming) and analyses SQL with the engine to find the columns it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from lineage.entities import ConsumerKind, Diagnostic, Location, Owner


@dataclass(frozen=True)
class ReadSpec:
    """A relation (as the tool names it), and a column of it; `column=None`: all of it."""

    relation: str
    column: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class ConsumerSpec:
    """A consumer as one tool describes it."""

    id: str  # stable and unique within its origin, e.g. superset.chart.12, looker.dashboard.ops
    kind: ConsumerKind
    name: str
    owner: Owner
    location: Location | None  # the file (and line) it was read from
    origin: str  # consumers file, superset, looker, metabase, code
    reads: tuple[ReadSpec, ...] = ()
    sql: tuple[tuple[str, Location | None], ...] = ()  # queries it runs, with where they are
    dialect: str | None = None  # of `sql`, when the tool says (a database engine)
    url: str | None = None
    parent: str | None = None  # e.g. the dashboard a chart belongs to


@dataclass(frozen=True)
class ConsumerFiles:
    """What one reader found: consumers, and what it could not read."""

    consumers: tuple[ConsumerSpec, ...]
    diagnostics: tuple[Diagnostic, ...]
