"""Column lineage of one qualified query: one walk over sqlglot's scope tree gives every
output column's sources at once, plus the columns that decide which rows exist.

The caller has parsed and qualified the query (see `lineage.sql.prepare`). Tables in it carry
opaque keys; `TableInfo` says which relation each key is and whether its columns are known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.optimizer.scope import Scope, build_scope

from lineage.entities import DiagnosticCode, EdgeKind
from lineage.sql.kinds import compose, occurrences
from lineage.sql.reads import (
    KEY_PREFIX,
    NodeRead,
    OutputColumn,
    Problem,
    QueryLineage,
    Read,
    ScopeLineage,
    TableInfo,
)
from lineage.sql.resolve import resolve_column
from lineage.sql.selects import select_lineage
from lineage.sql.setops import set_operation_lineage
from lineage.sql.udtf import udtf_lineage

_KEY = re.compile(r"[\"`\[]?" + KEY_PREFIX + r"(\d+)[\"`\]]?")


def query_lineage(
    query: exp.Expr,
    tables: Callable[[str], TableInfo | None],
    dialect: str,
    default_line: int = 0,
) -> QueryLineage:
    """Lineage of a qualified query. `tables(key)` describes each table key in it."""
    walker = _Walker(tables, dialect, default_line)
    root = build_scope(query)
    if root is None:
        return QueryLineage(
            (),
            (),
            (
                Problem(
                    DiagnosticCode.ANALYSIS_ERROR, "not a query sqlglot can scope", default_line
                ),
            ),
        )
    result = walker.scope(root)
    outputs = tuple(
        OutputColumn(
            o.name,
            walker.finished(o.reads.values()),
            tuple(o.blind),
            o.line,
            walker.upstream_of(o.blind),
        )
        for o in result.outputs
    )
    return QueryLineage(
        outputs,
        walker.finished(result.rows.values()),
        tuple(walker.problems),
        result.columns_known,
        tuple(sorted(result.star_upstream)),
    )


class _Walker:
    def __init__(
        self, tables: Callable[[str], TableInfo | None], dialect: str, default_line: int
    ) -> None:
        self.tables = tables
        self.dialect = dialect
        self.default_line = default_line
        self.memo: dict[int, ScopeLineage] = {}
        self.problems: list[Problem] = []
        self._seen_problems: set[tuple[DiagnosticCode, str]] = set()
        self._lines: dict[int, int] = {}
        self._blind_upstream: dict[str, set[str]] = {}
        self._array_joined: dict[int, frozenset[tuple[str, str]]] = {}
        self._generator = Dialect.get_or_raise(dialect).generator(comments=False)
        self._texts: dict[int, str] = {}

    # -- scopes ---------------------------------------------------------------------------

    def scope(self, scope: Scope) -> ScopeLineage:
        key = id(scope.expression)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = ScopeLineage([])  # a recursive reference sees what is known so far
        result = self._compute(scope)
        self.memo[key] = result
        return result

    def _compute(self, scope: Scope) -> ScopeLineage:
        node = scope.expression
        if isinstance(node, exp.SetOperation):
            return set_operation_lineage(self, scope)
        if isinstance(node, exp.Select):
            return select_lineage(self, scope)
        return udtf_lineage(self, scope)

    # -- helpers shared by the per-construct modules -------------------------------------------

    def _relation_name(self, match: re.Match[str]) -> str:
        info = self.tables(KEY_PREFIX + match.group(1))
        return info.relation if info is not None else match.group(0)

    def array_joined(self, scope: Scope) -> frozenset[tuple[str, str]]:
        """Columns a ClickHouse `ARRAY JOIN arr` (no alias) turns into one element each."""
        key = id(scope.expression)
        if key not in self._array_joined:
            self._array_joined[key] = frozenset(_array_join_columns(scope.expression))
        return self._array_joined[key]

    def blind(self, reason: str, upstream: Iterable[str]) -> str:
        """Record that relations `upstream` may flow in unseen where `reason` applies."""
        self._blind_upstream.setdefault(reason, set()).update(upstream)
        return reason

    def upstream_of(self, reasons: Iterable[str]) -> tuple[str, ...]:
        found: set[str] = set()
        for reason in reasons:
            found.update(self._blind_upstream.get(reason, ()))
        return tuple(sorted(found))

    def problem(self, code: DiagnosticCode, message: str, node: exp.Expr | None) -> None:
        if (code, message) in self._seen_problems:
            return
        self._seen_problems.add((code, message))
        self.problems.append(Problem(code, message, self.line(node)))

    def line(self, node: exp.Expr | None) -> int:
        """The file line of `node`: its first identifier's line (tokens carry file lines)."""
        if node is None:
            return self.default_line
        if isinstance(node, exp.Column) and "line" in node.this.meta:
            return int(node.this.meta["line"])
        key = id(node)
        if key not in self._lines:
            first = node.find(exp.Identifier, bfs=False)  # the leftmost name, in text order
            lines = (
                [first.meta["line"]]
                if first is not None and "line" in first.meta
                else [i.meta["line"] for i in node.find_all(exp.Identifier) if "line" in i.meta]
            )
            if lines:
                self._lines[key] = min(lines)
            elif node.parent is not None and not isinstance(node, exp.Query):
                # made by qualify (USING -> ON, an expanded *): the enclosing clause's line
                self._lines[key] = self.line(node.parent)
            else:
                self._lines[key] = self.default_line
        return self._lines[key]

    def sql(self, node: exp.Expr) -> str:
        """The SQL of `node` in the dialect, generated once per node (at most 2,000 chars)."""
        key = id(node)
        if key not in self._texts:
            # sqlglot copies a node before generating because its transforms may rewrite
            # queries; a node without a nested query is generated as it is (2-3x faster).
            copy = node.find(exp.Query) is not None
            text: str = self._generator.generate(node, copy=copy)
            if KEY_PREFIX in text:
                text = _KEY.sub(self._relation_name, text)
            self._texts[key] = text if len(text) <= 2000 else text[:1997] + "..."
        return self._texts[key]

    def reads_of(
        self,
        scope: Scope,
        expression: exp.Expr,
        context: EdgeKind | None,
        projection: exp.Expr | None = None,
    ) -> tuple[list[NodeRead], list[str]]:
        """Every relation column `expression` reads, with kinds, through child scopes."""
        reads: list[NodeRead] = []
        blind: list[str] = []
        text_node = projection if projection is not None else expression
        for node, kind in occurrences(expression, context):
            if isinstance(node, exp.Column):
                found, unknown = self.resolve(scope, node, kind, text_node)
                reads.extend(found)
                blind.extend(unknown)
            else:
                found, unknown = self.subquery_reads(scope, node, kind)
                reads.extend(found)
                blind.extend(unknown)
        return reads, blind

    def subquery_reads(
        self, scope: Scope, node: exp.Expr, kind: EdgeKind
    ) -> tuple[list[NodeRead], list[str]]:
        """A subquery inside an expression: its outputs compose with `kind`, and its row
        reads decide the value at this position (so they keep their own indirect kind)."""
        child = _child_scope(scope, node)
        if child is None:
            self.problem(DiagnosticCode.ANALYSIS_ERROR, "a subquery could not be scoped", node)
            return [], ["a subquery could not be analysed"]
        result = self.scope(child)
        reads = [_composed(r, kind) for o in result.outputs for r in o.reads.values()]
        reads.extend(
            r if not kind.is_direct or not r.kind.is_direct else _composed(r, kind)
            for r in result.rows.values()
        )
        blind = [b for o in result.outputs for b in o.blind]
        return reads, blind

    def resolve(
        self, scope: Scope, column: exp.Column, kind: EdgeKind, text_node: exp.Expr
    ) -> tuple[list[NodeRead], list[str]]:
        return resolve_column(self, scope, column, kind, text_node)

    def finished(self, reads: Iterable[NodeRead]) -> tuple[Read, ...]:
        """The reads as values, with their SQL text and line, in a stable order."""
        done = (
            Read(
                r.relation,
                r.column,
                r.kind,
                self.sql(r.text),
                self.line(r.at),
                tuple(self.sql(t) for t in r.inner),
            )
            for r in reads
        )
        return tuple(sorted(done, key=lambda r: (r.relation, r.column, r.kind.value)))


def _composed(read: NodeRead, outer: EdgeKind) -> NodeRead:
    return read.as_kind(compose(outer, read.kind))


def _child_scope(scope: Scope, node: exp.Expr) -> Scope | None:
    target = node.this if isinstance(node, exp.Subquery) else node
    for child in scope.subquery_scopes + scope.derived_table_scopes + scope.set_operation_scopes:
        if child.expression is target or child.expression is node:
            return child
    return None


def _array_join_columns(select: exp.Expr) -> Iterator[tuple[str, str]]:
    for join in select.args.get("joins") or [] if isinstance(select, exp.Select) else []:
        if str(join.args.get("kind") or "").upper() == "ARRAY":
            for node in [join.this, *join.expressions]:
                if isinstance(node, exp.Column):
                    yield node.table, node.name
