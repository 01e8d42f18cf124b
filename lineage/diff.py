"""Change detection: every difference between two states of a project, as `Change` values.

The relations and columns of the two states are paired first, renames included
(`lineage.diff_renames`); each pair is then compared. Raw strings are compared first, a whole
relation at a time; expressions are canonicalized only where they differ (docs/changes.md).
Consumers are compared by `lineage.diff_consumers`.

>>> from lineage.build import analyse_files
>>> from lineage.sources.sql_scripts import SourceFile
>>> base = analyse_files([SourceFile("a.sql", "create table t (a int)")], "postgres")
>>> head = analyse_files([SourceFile("a.sql", "create table t (a bigint)")], "postgres")
>>> [c.reason for c in diff_projects(base, head)]
['type INT -> BIGINT: widening']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from operator import attrgetter

from lineage.build import batched_garbage_collection
from lineage.changes import ROW_CHANGE_KINDS, Change, ChangeKind, TypeCompatibility
from lineage.diff_consumers import consumer_changes, ref_name
from lineage.diff_renames import CANONICAL, RAW, RESOLVED, Matcher, Pair, Side, live
from lineage.entities import (
    Column,
    Diagnostic,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    Project,
    Relation,
)
from lineage.names import display_name
from lineage.type_compat import compatibility

_EDGE = attrgetter(
    "target.column", "source.relation", "source.column", "kind", "expression", "inner"
)
_FAILED = frozenset(
    {
        DiagnosticCode.PARSE_ERROR,
        DiagnosticCode.ANALYSIS_ERROR,
        DiagnosticCode.UNSUPPORTED_STATEMENT,
    }
)


def diff_projects(base: Project, head: Project) -> tuple[Change, ...]:
    """Every change from `base` to `head` (the same project at two commits), sorted."""
    with batched_garbage_collection():  # many small tuples, few cycles
        matcher = Matcher(Side(base), Side(head))
        matcher.match()
        return tuple(sorted(_Differ(matcher).changes(), key=lambda c: c.sort_key))


class _Differ:
    """The changes of each pair of relations `matcher` found, then of relations and
    consumers on one side only."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.base, self.head = matcher.base, matcher.head
        self.dialect = matcher.dialect

    def changes(self) -> Iterator[Change]:
        """Every change, unsorted: of each pair, of relations removed or added, of consumers."""
        for pair in self.matcher.pairs.values():
            yield from self._relation_changes(pair)
        failed = {d.location.path: d for d in self.head.project.diagnostics if d.code in _FAILED}
        for name in self.matcher.removed():
            relation = self.base.relations[name]
            path = relation.location.path if relation.location else None
            yield _relation_removed(relation, self.head.dropped.get(name), failed.get(path or ""))
        for name in self.matcher.added():
            relation = self.head.relations[name]
            what = relation.kind.value.replace("_", " ")
            reason = f"{display_name(name)} is a new {what}"
            yield Change(ChangeKind.RELATION_ADDED, name, None, reason, relation.location)
        yield from consumer_changes(self.matcher, self.base.project, self.head.project)

    def _relation_changes(self, pair: Pair) -> Iterator[Change]:
        base, head = pair.base, pair.head
        if pair.renamed is not None:
            names = display_name(base.name), display_name(head.name)
            reason = _renamed(pair.renamed, "RENAME TO", *names)
            renamed = ChangeKind.RELATION_RENAMED
            yield Change(renamed, base.name, None, reason, head.location, new_name=head.name)
        if self._same_raw(pair):
            return
        if pair.same_columns and not pair.columns:
            pair.columns = [(c, c2, None) for c, c2 in zip(live(base), live(head), strict=True)]
        if base.contract != head.contract:
            reason = "contract enforced" if head.contract else "contract no longer enforced"
            yield Change(ChangeKind.CONTRACT_CHANGED, base.name, None, reason, head.location)
        for old in pair.removed:
            yield _column_removed(base, old, head, self.base.edges(base.name, old.name))
        for added in pair.added:
            reason = f"{display_name(head.name)}.{added.name} is a new column"
            where = added.location or head.location
            yield Change(ChangeKind.COLUMN_ADDED, head.name, added.name, reason, where)
        for before, after, how in pair.columns:
            yield from self._column_changes(pair, before, after, how)
        for kind, change_kind in ROW_CHANGE_KINDS.items():
            yield from self._definition_change(pair, None, None, kind, change_kind)

    def _same_raw(self, pair: Pair) -> bool:
        """Nothing differs but locations: the fast path, one list comparison per relation."""
        base, head = pair.base, pair.head
        if pair.renamed or not pair.same_columns or base.contract != head.contract:
            return False
        before = list(map(_EDGE, self.base.into.get(base.name, [])))
        touched = self.matcher.touched
        if touched and any(edge[1] in touched for edge in before):
            before = [(t, *self.matcher.ref(r, c), *rest) for t, r, c, *rest in before]
        return before == list(map(_EDGE, self.head.into.get(head.name, [])))

    def _column_changes(
        self, pair: Pair, old: Column, new: Column, how: str | None
    ) -> Iterator[Change]:
        where, relation = new.location or pair.head.location, pair.base.name
        if how is not None:
            reason = _renamed(how, "RENAME COLUMN", old.name, new.name)
            kind = ChangeKind.COLUMN_RENAMED
            yield Change(kind, relation, old.name, reason, where, new_name=new.name)
        if old.data_type and new.data_type and old.data_type != new.data_type:
            found = compatibility(old.data_type, new.data_type, self.dialect)
            if found is not TypeCompatibility.SAME:
                yield _type_change(relation, old, new, found, where)
        if None not in (old.nullable, new.nullable) and old.nullable != new.nullable:
            states = ["nullable" if n else "NOT NULL" for n in (old.nullable, new.nullable)]
            reason = f"`{new.name}` was {states[0]}, it is now {states[1]}"
            kind = ChangeKind.COLUMN_NULLABILITY_CHANGED
            yield Change(kind, relation, old.name, reason, where, nullable=new.nullable)
        yield from self._definition_change(pair, old.name, new.name, None, None)

    def _definition_change(
        self,
        pair: Pair,
        old_column: str | None,
        new_column: str | None,
        kind: EdgeKind | None,
        change_kind: ChangeKind | None,
    ) -> Iterator[Change]:
        """An expression change (two column names) or a row-level change (`kind`)."""
        base, head = pair.base, pair.head
        new_edges = self.head.edges(head.name, new_column, kind)
        ghosts = self.matcher.ghosts
        if ghosts:
            new_edges = [e for e in new_edges if (e.source.relation, e.source.column) not in ghosts]
        old_edges = self._kept(self.base.edges(base.name, old_column, kind), new_edges)
        for level in (RAW, CANONICAL, RESOLVED):
            old_keys = self.matcher.key_list(self.base, base, old_edges, level)
            new_keys = self.matcher.key_list(self.head, head, new_edges, level)
            if set(old_keys) == set(new_keys):
                return
        if self.base.unanalysed(base.name, old_column):
            return
        if self.head.unanalysed(head.name, new_column):
            return  # its lineage is not known: the blind spot is reported instead
        before, after = set(old_keys), set(new_keys)
        gone = sorted(
            (e for e, k in zip(old_edges, old_keys, strict=True) if k not in after), key=_by_place
        )
        new = sorted(
            (e for e, k in zip(new_edges, new_keys, strict=True) if k not in before), key=_by_place
        )
        column = head.column(new_column) if new_column is not None else None
        first = next(iter(new or sorted(new_edges, key=_by_place) or gone), None)
        where = first.location if first else (column.location if column else None)
        old_text, new_text = _shown(gone), _shown(new)
        yield Change(
            change_kind or ChangeKind.COLUMN_EXPRESSION_CHANGED,
            base.name,
            old_column,
            _definition_reason(change_kind, old_text, new_text, gone, new),
            where or head.location,
            old_expression=old_text,
            new_expression=new_text,
        )

    def _kept(self, old_edges: list[Edge], new_edges: list[Edge]) -> list[Edge]:
        """The base edges to compare: an edge from a column removed or renamed upstream that
        the head no longer reads is the upstream change reaching this reader (the impact
        stage follows it), not a change made here."""
        if not self.matcher.lost and not self.matcher.unpaired:
            return old_edges
        reading = {(e.source.relation, e.source.column) for e in new_edges}
        kept = []
        for edge in old_edges:
            source = self.matcher.ref(edge.source.relation, edge.source.column)
            if source in reading or not self.matcher.is_lost(*source):
                kept.append(edge)
        return kept


# -- helpers ------------------------------------------------------------------------------


def _by_place(edge: Edge) -> tuple[object, ...]:
    return edge.sort_key


def _shown(edges: Iterable[Edge]) -> str | None:
    """The distinct expressions, each after the inner ones it reads (`outer <- inner`)."""
    texts = sorted({" <- ".join((e.expression, *reversed(e.inner))) for e in edges})
    return "; ".join(texts) or None


_ROW_LABELS = {
    ChangeKind.FILTER_CHANGED: "filter",
    ChangeKind.JOIN_CHANGED: "join",
    ChangeKind.GRAIN_CHANGED: "grouping",
    ChangeKind.ORDER_CHANGED: "ordering",
}


def _definition_reason(
    change_kind: ChangeKind | None,
    old: str | None,
    new: str | None,
    old_edges: list[Edge],
    new_edges: list[Edge],
) -> str:
    label = "expression" if change_kind is None else _ROW_LABELS[change_kind]
    if old is None:
        return f"{label} added: `{new}`"
    if new is None:
        return f"{label} removed: `{old}`"
    if old == new:
        before = ", ".join(sorted({ref_name(e.source) for e in old_edges}))
        after = ", ".join(sorted({ref_name(e.source) for e in new_edges}))
        return f"{label} `{new}` reads {after} instead of {before}"
    return f"{label} `{old}` -> `{new}`"


def _renamed(how: str, statement: str, old: str, new: str) -> str:
    if how == "former":
        return f"renamed by {statement}: `{old}` is now `{new}`"
    return f"renamed: `{old}` is now `{new}`, defined the same way"


def _type_change(
    relation: str, old: Column, new: Column, found: TypeCompatibility, where: Location | None
) -> Change:
    return Change(
        ChangeKind.COLUMN_TYPE_CHANGED,
        relation,
        old.name,
        f"type {old.data_type} -> {new.data_type}: {found.value.replace('_', ' ')}",
        where,
        old_type=old.data_type,
        new_type=new.data_type,
        compatibility=found,
    )


def _column_removed(base: Relation, old: Column, head: Relation, defined: list[Edge]) -> Change:
    """Located at the head's DROP, else where the base computed it (a model's projection
    line), else where the base declared it."""
    dropped = next((c for c in head.columns if c.dropped and c.name == old.name), None)
    computed = min((e.location for e in defined), default=None)
    where = (dropped.location if dropped else None) or computed or old.location or base.location
    reason = f"{display_name(base.name)}.{old.name} is removed"
    return Change(ChangeKind.COLUMN_REMOVED, base.name, old.name, reason, where)


def _relation_removed(
    relation: Relation, dropped: Relation | None, failed: Diagnostic | None
) -> Change:
    where = (dropped.location if dropped else None) or relation.location
    what = f"the {relation.kind.value.replace('_', ' ')} {display_name(relation.name)}"
    reason = f"{what} is removed"
    if failed is not None:  # it may still be there, in a statement that did not parse
        reason = f"{what} is no longer defined ({failed.location} could not be analysed)"
    return Change(ChangeKind.RELATION_REMOVED, relation.name, None, reason, where)
