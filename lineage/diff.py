"""Change detection: every difference between two states of a project, as `Change` values.

Relations are matched by name, then renames are found: a relation or column whose head
version lists the base name among its `former_names` (RENAME TO / RENAME COLUMN), or, upstream
first, a head column defined exactly as a removed base column (`email AS email_address`: the
same inputs, kinds and equivalent expressions). A definition is the set of incoming edges as
(source mapped through the renames found upstream, kind, canonical expression, canonical inner
chain), locations left out, so a reader that follows an upstream rename is unchanged. Raw
strings are compared first, a whole relation at a time; expressions are canonicalized only
where they differ (docs/changes.md).

>>> from lineage.build import analyse_files
>>> from lineage.sources.sql_scripts import SourceFile
>>> base = analyse_files([SourceFile("a.sql", "create table t (a int)")], "postgres")
>>> head = analyse_files([SourceFile("a.sql", "create table t (a bigint)")], "postgres")
>>> [c.reason for c in diff_projects(base, head)]
['type INT -> BIGINT: widening']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from lineage.build import batched_garbage_collection
from lineage.changes import ROW_CHANGE_KINDS, Change, ChangeKind, TypeCompatibility
from lineage.entities import (
    Column,
    ColumnRef,
    Consumer,
    Diagnostic,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    Project,
    ReadLevel,
    Relation,
)
from lineage.names import display_name
from lineage.sql.equivalence import (
    Names,
    Source,
    canonical_expression,
    canonical_reading,
    parse_edge_expression,
    resolve_aliases,
    resolve_unique,
)
from lineage.type_compat import compatibility

Key = tuple[str, str | None, EdgeKind, str, tuple[str, ...]]
#: How expressions are compared, cheapest first: as written, canonical, canonical with each
#: alias resolved to the relation it reads (and columns renamed upstream renamed).
RAW, CANONICAL, RESOLVED = 0, 1, 2
_EDGE = attrgetter(
    "target.column", "source.relation", "source.column", "kind", "expression", "inner"
)
_TARGET_RELATION = attrgetter("target.relation")
_FAILED = frozenset(
    {
        DiagnosticCode.PARSE_ERROR,
        DiagnosticCode.ANALYSIS_ERROR,
        DiagnosticCode.UNSUPPORTED_STATEMENT,
    }
)
_COLUMN = attrgetter("name", "data_type", "nullable", "dropped", "inferred", "former_names")


def diff_projects(base: Project, head: Project) -> tuple[Change, ...]:
    """Every change from `base` to `head` (the same project at two commits), sorted."""
    with batched_garbage_collection():  # many small tuples, few cycles
        differ = _Differ(_Side(base), _Side(head))
        differ.match()
        return tuple(sorted(differ.changes(), key=lambda c: c.sort_key))


class _Side:
    """One state, indexed: live relations by name, incoming edges by relation and column."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.relations = {r.name: r for r in project.relations if not r.dropped}
        self.dropped = {r.name: r for r in project.relations if r.dropped}
        self.into: dict[str, list[Edge]] = {}
        for name, run in groupby(project.edges, _TARGET_RELATION):  # one run when sorted
            self.into.setdefault(name, []).extend(run)
        self.blind = {(b.target.relation, b.target.column) for b in project.blind_spots}
        self.names: dict[str, Names] = {}  # per relation: how its aliases resolve
        self._targets: dict[str, dict[str | None, list[Edge]]] = {}

    def edges(self, relation: str, column: str | None, kind: EdgeKind | None = None) -> list[Edge]:
        """The edges into a column, or (`column` None) the relation's row edges of `kind`."""
        targets = self._targets.get(relation)
        if targets is None:
            targets = self._targets[relation] = defaultdict(list)
            for edge in self.into.get(relation, ()):
                targets[edge.target.column].append(edge)
        edges = targets.get(column, [])
        return edges if column is not None else [e for e in edges if e.kind is kind]

    def unanalysed(self, relation: str, column: str | None) -> bool:
        """No edge, and a blind spot says why: what it reads is not known."""
        blind = (relation, column) in self.blind or (relation, None) in self.blind
        known = self.edges(relation, column) if column else self.into.get(relation)
        return blind and not known


@dataclass
class _Pair:
    """A base relation and the head relation it became, their columns matched."""

    base: Relation
    head: Relation
    renamed: str | None = None  # "former" (RENAME TO) or "definition"
    same_columns: bool = False  # names, types, nullability and former names all equal
    columns: list[tuple[Column, Column, str | None]] = field(default_factory=list)
    removed: list[Column] = field(default_factory=list)
    added: list[Column] = field(default_factory=list)


class _Differ:
    def __init__(self, base: _Side, head: _Side) -> None:
        self.base, self.head = base, head
        self.dialect = head.project.dialect
        self.pairs: dict[str, _Pair] = {}  # by head name
        self.relation_renames: dict[str, str] = {}  # base name -> head name
        self.column_renames: dict[tuple[str, str], str] = {}  # (base relation, column) -> new
        self.canonical: dict[tuple[object, ...], str] = {}
        self.unpaired: set[str] = set()  # base relations not matched yet
        self.touched: set[str] = set()  # base relations renamed or with a renamed column
        self.lost: set[tuple[str, str | None]] = set()  # columns removed or renamed (new name)
        self.ghosts: set[tuple[str, str | None]] = set()  # head columns only read, not declared
        self._shapes: dict[tuple[object, ...], list[str]] | None = None

    # -- matching -------------------------------------------------------------------------

    def match(self) -> None:
        for name, relation in self.head.relations.items():
            if name in self.base.relations:
                self.pairs[name] = _Pair(self.base.relations[name], relation)
        self.unpaired = {n for n in self.base.relations if n not in self.pairs}
        for name in sorted(self.added()):
            self._match_former_name(self.head.relations[name])
        for pair in self.pairs.values():
            pair.same_columns = list(map(_COLUMN, pair.base.columns)) == list(
                map(_COLUMN, pair.head.columns)
            )
            if not pair.same_columns:
                self._match_columns_by_name(pair)
        pending = {n for n, p in self.pairs.items() if p.removed and p.added}
        if self.unpaired:
            pending.update(self.added())
        done: set[str] = set()
        for name in sorted(pending):
            self._match_upstream_first(name, pending, done)
        self.touched = set(self.relation_renames) | {r for r, _ in self.column_renames}
        for pair in self.pairs.values():
            for column in pair.removed:
                self.lost.add(self._ref(pair.base.name, column.name))
        self.lost.update(self._ref(r, c) for r, c in self.column_renames)

    def removed(self) -> list[str]:
        return sorted(self.unpaired)

    def added(self) -> list[str]:
        return [n for n in self.head.relations if n not in self.pairs]

    def _match_former_name(self, relation: Relation) -> None:
        old = next((n for n in reversed(relation.former_names) if n in self.unpaired), None)
        if old is not None:
            self._pair(self.base.relations[old], relation, "former")

    def _pair(self, base: Relation, head: Relation, how: str) -> _Pair:
        pair = self.pairs[head.name] = _Pair(base, head, how)
        self.relation_renames[base.name] = head.name
        self.unpaired.discard(base.name)
        return pair

    def _match_columns_by_name(self, pair: _Pair) -> None:
        """Same names match. A column only inferred from use is not part of the definition:
        not added, not removed; where the base declared it, it is gone (something still
        reads it). Columns of a relation whose columns are not known on one side (it did not
        parse) are neither removed nor added."""
        base, head = _live(pair.base), _live(pair.head)
        names = {c.name: c for c in base}
        declared = {c.name for c in base if not c.inferred}
        for column in [c for c in head if c.inferred and c.name in declared]:
            self.ghosts.add((pair.head.name, column.name))
            head.remove(column)
        by_name = {c.name: c for c in head}
        pair.columns = [(c, by_name[c.name], None) for c in base if c.name in by_name]
        pair.removed = [c for c in base if c.name not in by_name and not c.inferred]
        pair.added = [c for c in head if c.name not in names and not c.inferred]
        if not pair.head.columns_complete:
            self.lost.update((pair.base.name, c.name) for c in pair.removed)
            pair.removed = []
        if not pair.base.columns_complete:
            pair.added = []
        for new in list(pair.added):
            old = next((c for c in pair.removed if c.name in new.former_names), None)
            if old is not None:
                self._rename_column(pair, old, new, "former")

    def _rename_column(self, pair: _Pair, old: Column, new: Column, how: str) -> None:
        pair.removed.remove(old)
        pair.added.remove(new)
        pair.columns.append((old, new, how))
        self.column_renames[(pair.base.name, old.name)] = new.name

    def _match_upstream_first(self, name: str, pending: set[str], done: set[str]) -> None:
        """Match definitions in `name` after the pending relations it reads (its definitions
        name their direct sources, as renamed); a cycle is broken where it is met."""
        stack = [(name, False)]
        while stack:
            current, ready = stack.pop()
            if ready:
                self._match_definitions(current)
            elif current not in done:
                done.add(current)
                stack.append((current, True))
                sources = {e.source.relation for e in self.head.into.get(current, ())}
                stack.extend((s, False) for s in sorted(sources & pending - done, reverse=True))

    def _match_definitions(self, name: str) -> None:
        """Upstream first: a removed column defined exactly as an added one was renamed."""
        pair = self.pairs.get(name)
        if pair is None:
            self._match_relation_definition(self.head.relations[name])
        elif pair.removed and pair.added:
            olds = self._by_definition(self.base, pair.base, pair.removed)
            news = self._by_definition(self.head, pair.head, pair.added)
            for key, found in news.items():
                candidates = olds.get(key, [])
                if len(found) == 1 and len(candidates) == 1:
                    self._rename_column(pair, candidates[0], found[0], "definition")

    def _by_definition(
        self, side: _Side, relation: Relation, columns: list[Column]
    ) -> dict[frozenset[Key], list[Column]]:
        found: dict[frozenset[Key], list[Column]] = defaultdict(list)
        for column in columns:
            key = self._definition(side, relation, column.name)
            if key:  # a column reading nothing (a constant) has no definition to compare
                found[key].append(column)
        return found

    def _match_relation_definition(self, relation: Relation) -> None:
        """An added relation defined exactly as one removed relation of the same kind and
        columns is that relation, renamed."""
        if self._shapes is None:
            self._shapes = defaultdict(list)
            for name in self.removed():
                self._shapes[_shape(self.base.relations[name])].append(name)
        candidates = [n for n in self._shapes.get(_shape(relation), []) if n in self.unpaired]
        same = [
            self.base.relations[n]
            for n in candidates
            if self._same_definition(self.base.relations[n], relation)
        ]
        if len(same) == 1:
            self._match_columns_by_name(self._pair(same[0], relation, "definition"))

    def _same_definition(self, base: Relation, head: Relation) -> bool:
        if not self.head.into.get(head.name):
            return False
        for column in [c.name for c in _live(head)]:
            if self._definition(self.base, base, column) != self._definition(
                self.head, head, column
            ):
                return False
        return all(
            self._definition(self.base, base, None, kind)
            == self._definition(self.head, head, None, kind)
            for kind in ROW_CHANGE_KINDS
        )

    # -- definitions ----------------------------------------------------------------------

    def _renamed(self, relation: str, column: str) -> tuple[str, str]:
        """`_ref` of a named column."""
        new_column = self.column_renames.get((relation, column), column)
        return self.relation_renames.get(relation, relation), new_column

    def _ref(self, relation: str, column: str | None) -> tuple[str, str | None]:
        """A base column as the head names it, through the renames found so far."""
        if column is not None:
            column = self.column_renames.get((relation, column), column)
        return self.relation_renames.get(relation, relation), column

    def _definition(
        self, side: _Side, relation: Relation, column: str | None, kind: EdgeKind | None = None
    ) -> frozenset[Key]:
        """A column's (or the rows') definition, canonical with its aliases resolved."""
        edges = side.edges(relation.name, column, kind)
        return frozenset(self._key_list(side, relation, edges, RESOLVED))

    def _key_list(
        self, side: _Side, relation: Relation, edges: list[Edge], level: int
    ) -> list[Key]:
        """Each edge's key; a RESOLVED key also knows the sources of the edges sharing its
        expression (a column name read through one alias only, from one source, is that
        source even when the alias cannot be resolved)."""
        groups: dict[str, set[Source]] = defaultdict(set)
        if level == RESOLVED:
            for edge in edges:
                if edge.source.column is not None:
                    groups[edge.expression].add((edge.source.relation, edge.source.column))
        return [
            self._key(side, relation, e, level, frozenset(groups.get(e.expression, ())))
            for e in edges
        ]

    def _key(
        self,
        side: _Side,
        relation: Relation,
        edge: Edge,
        level: int,
        group: frozenset[Source] = frozenset(),
    ) -> Key:
        source = edge.source.relation, edge.source.column
        if side is self.base:
            source = self._ref(*source)
        if level == RAW:
            return (*source, edge.kind, edge.expression, edge.inner)
        texts = [
            self._canonical(side, relation, t, edge, level, group)
            for t in (edge.expression, *edge.inner)
        ]
        return (*source, edge.kind, texts[0], tuple(texts[1:]))

    def _canonical(
        self,
        side: _Side,
        relation: Relation,
        text: str,
        edge: Edge,
        level: int,
        group: frozenset[Source],
    ) -> str:
        renamed = self.relation_renames.get(edge.source.relation)
        if side is self.base and renamed and parse_edge_expression(text, self.dialect) is None:
            text = text.replace(edge.source.relation, renamed)  # `loaded by ... from app:x`
        if level == CANONICAL:
            return canonical_expression(text, self.dialect)
        cache_key = (id(side), relation.name, text, group)
        found = self.canonical.get(cache_key)
        if found is None:
            names = self._group_names(side, relation, text, group)
            found = self.canonical[cache_key] = canonical_reading(text, self.dialect, names)
        return found

    def _group_names(
        self, side: _Side, relation: Relation, text: str, group: frozenset[Source]
    ) -> Names:
        """The relation's aliases resolved, and the columns only one edge source can be; a
        base column as the head names it (through the renames found so far)."""
        names = side.names.get(relation.name)
        if names is None:
            edges = side.into.get(relation.name, ())
            texts = [t for e in edges for t in (e.expression, *e.inner)]
            sources = [(e.source.relation, e.source.column) for e in edges if e.source.column]
            names = side.names[relation.name] = resolve_aliases(texts, sources, self.dialect)
        found = resolve_unique(text, group, names, self.dialect)
        if side is self.head:
            return found
        return {read: self._renamed(*source) for read, source in found.items()}

    def _same_raw(self, pair: _Pair) -> bool:
        """Nothing differs but locations: the fast path, one list comparison per relation."""
        base, head = pair.base, pair.head
        if pair.renamed or not pair.same_columns or base.contract != head.contract:
            return False
        before = list(map(_EDGE, self.base.into.get(base.name, [])))
        if self.touched and any(edge[1] in self.touched for edge in before):
            before = [(t, *self._ref(r, c), *rest) for t, r, c, *rest in before]
        return before == list(map(_EDGE, self.head.into.get(head.name, [])))

    # -- changes --------------------------------------------------------------------------

    def changes(self) -> Iterator[Change]:
        for pair in self.pairs.values():
            yield from self._relation_changes(pair)
        failed = {d.location.path: d for d in self.head.project.diagnostics if d.code in _FAILED}
        for name in self.removed():
            relation = self.base.relations[name]
            path = relation.location.path if relation.location else None
            yield _relation_removed(relation, self.head.dropped.get(name), failed.get(path or ""))
        for name in self.added():
            relation = self.head.relations[name]
            what = relation.kind.value.replace("_", " ")
            reason = f"{display_name(name)} is a new {what}"
            yield Change(ChangeKind.RELATION_ADDED, name, None, reason, relation.location)
        yield from _consumer_changes(self, self.base.project, self.head.project)

    def _relation_changes(self, pair: _Pair) -> Iterator[Change]:
        base, head = pair.base, pair.head
        if pair.renamed is not None:
            names = display_name(base.name), display_name(head.name)
            reason = _renamed(pair.renamed, "RENAME TO", *names)
            renamed = ChangeKind.RELATION_RENAMED
            yield Change(renamed, base.name, None, reason, head.location, new_name=head.name)
        if self._same_raw(pair):
            return
        if pair.same_columns and not pair.columns:
            pair.columns = [(c, c2, None) for c, c2 in zip(_live(base), _live(head), strict=True)]
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

    def _column_changes(
        self, pair: _Pair, old: Column, new: Column, how: str | None
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
        pair: _Pair,
        old_column: str | None,
        new_column: str | None,
        kind: EdgeKind | None,
        change_kind: ChangeKind | None,
    ) -> Iterator[Change]:
        """An expression change (two column names) or a row-level change (`kind`)."""
        base, head = pair.base, pair.head
        new_edges = self.head.edges(head.name, new_column, kind)
        if self.ghosts:
            new_edges = [
                e for e in new_edges if (e.source.relation, e.source.column) not in self.ghosts
            ]
        old_edges = self._kept(self.base.edges(base.name, old_column, kind), new_edges)
        for level in (RAW, CANONICAL, RESOLVED):
            old_keys = self._key_list(self.base, base, old_edges, level)
            new_keys = self._key_list(self.head, head, new_edges, level)
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

    def is_lost(self, relation: str, column: str | None) -> bool:
        """A base column (named as the head names it) removed or renamed, or in a relation
        removed."""
        return (relation, column) in self.lost or relation in self.unpaired

    def _kept(self, old_edges: list[Edge], new_edges: list[Edge]) -> list[Edge]:
        """The base edges to compare: an edge from a column removed or renamed upstream that
        the head no longer reads is the upstream change reaching this reader (the impact
        stage follows it), not a change made here."""
        if not self.lost and not self.unpaired:
            return old_edges
        reading = {(e.source.relation, e.source.column) for e in new_edges}
        kept = []
        for edge in old_edges:
            source = self._ref(edge.source.relation, edge.source.column)
            if source in reading or not self.is_lost(*source):
                kept.append(edge)
        return kept


# -- helpers ------------------------------------------------------------------------------


def _live(relation: Relation) -> list[Column]:
    """Live columns, the first of each name."""
    found: dict[str, Column] = {}
    for column in relation.columns:
        if not column.dropped:
            found.setdefault(column.name, column)
    return list(found.values())


def _shape(relation: Relation) -> tuple[object, ...]:
    return (relation.kind, *sorted(c.name for c in _live(relation)))


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
        before = ", ".join(sorted({_ref_name(e.source) for e in old_edges}))
        after = ", ".join(sorted({_ref_name(e.source) for e in new_edges}))
        return f"{label} `{new}` reads {after} instead of {before}"
    return f"{label} `{old}` -> `{new}`"


def _ref_name(ref: ColumnRef) -> str:
    name = display_name(ref.relation)
    return name if ref.column is None else f"{name}.{ref.column}"


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


# -- consumers ----------------------------------------------------------------------------


def _consumer_changes(differ: _Differ, base: Project, head: Project) -> Iterator[Change]:
    before = {c.id: c for c in base.consumers}
    after = {c.id: c for c in head.consumers}
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            reason = f"new {new.kind.value} consumer `{new.name}` reads {_reads_text(new)}"
            yield _consumer_change(ChangeKind.CONSUMER_ADDED, new, reason)
        elif new is None and old is not None:
            reason = f"the {old.kind.value} consumer `{old.name}` is removed"
            yield _consumer_change(ChangeKind.CONSUMER_REMOVED, old, reason)
        elif old is not None and new is not None:
            what = _consumer_difference(differ, old, new)
            if what:
                reason = f"the consumer `{new.name}` " + "; ".join(what)
                yield _consumer_change(ChangeKind.CONSUMER_CHANGED, new, reason)


def _consumer_change(kind: ChangeKind, consumer: Consumer, reason: str) -> Change:
    relation = consumer.reads[0].relation if consumer.reads else ""
    return Change(kind, relation, None, reason, consumer.location, consumer=consumer.id)


def _consumer_difference(differ: _Differ, old: Consumer, new: Consumer) -> list[str]:
    """Its read level, what it reads (a model-level consumer reads whole relations), its
    owner. A read that follows an upstream rename is not a change, nor one lost because the
    column was removed or renamed (that is the upstream change reaching it)."""
    found = []
    if old.level is not new.level:
        found.append(f"now reads at {new.level.value} level (was {old.level.value})")
    after = _read_refs(new)
    before = {
        ref
        for ref in (ColumnRef(*differ._ref(r.relation, r.column)) for r in _read_refs(old))
        if ref in after or not differ.is_lost(ref.relation, ref.column)
    }
    if old.level is new.level and before != after:
        gained = ", ".join(sorted(_ref_name(r) for r in after - before))
        lost = ", ".join(sorted(_ref_name(r) for r in before - after))
        parts = [f"now reads {gained}"] * bool(gained) + [f"no longer reads {lost}"] * bool(lost)
        found.append(" and ".join(parts))
    if old.owner != new.owner:
        found.append(f"has a new owner: {old.owner} -> {new.owner}")
    return found


def _read_refs(consumer: Consumer) -> set[ColumnRef]:
    if consumer.level is ReadLevel.MODEL:
        return {ColumnRef(r.relation, None) for r in consumer.reads}
    return set(consumer.reads)


def _reads_text(consumer: Consumer) -> str:
    relations = sorted({display_name(r.relation) for r in consumer.reads})
    if consumer.level is ReadLevel.MODEL or not relations:
        return ", ".join(relations) or "nothing the project defines"
    return f"{len(consumer.reads)} column(s) of {', '.join(relations)}"
