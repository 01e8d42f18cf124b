"""Pairing two states of a project: each base relation and column with the head one it became.

Relations are matched by name, then renames are found: a relation or column whose head
version lists the base name among its `former_names` (RENAME TO / RENAME COLUMN), or, upstream
first, a head column defined exactly as a removed base column (`email AS email_address`: the
same inputs, kinds and equivalent expressions). A definition is the set of incoming edges as
(source mapped through the renames found upstream, kind, canonical expression, canonical inner
chain), locations left out, so a reader that follows an upstream rename is unchanged
(docs/changes.md, "Renames are found upstream first"). `lineage.diff` turns the pairs into
changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from lineage.changes import ROW_CHANGE_KINDS
from lineage.entities import Column, Edge, EdgeKind, Project, Relation
from lineage.sql.equivalence import (
    Names,
    Source,
    canonical_expression,
    canonical_reading,
    parse_edge_expression,
    resolve_aliases,
    resolve_unique,
)

Key = tuple[str, str | None, EdgeKind, str, tuple[str, ...]]
#: How expressions are compared, cheapest first: as written, canonical, canonical with each
#: alias resolved to the relation it reads (and columns renamed upstream renamed).
RAW, CANONICAL, RESOLVED = 0, 1, 2
_TARGET_RELATION = attrgetter("target.relation")
_COLUMN = attrgetter("name", "data_type", "nullable", "dropped", "inferred", "former_names")


class Side:
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
class Pair:
    """A base relation and the head relation it became, their columns matched."""

    base: Relation
    head: Relation
    renamed: str | None = None  # "former" (RENAME TO) or "definition"
    same_columns: bool = False  # names, types, nullability and former names all equal
    columns: list[tuple[Column, Column, str | None]] = field(default_factory=list)
    removed: list[Column] = field(default_factory=list)
    added: list[Column] = field(default_factory=list)


class Matcher:
    """The pairs of two states (by head name) and the renames found, relations and columns;
    each column's definition as edge keys, through the renames found so far."""

    def __init__(self, base: Side, head: Side) -> None:
        self.base, self.head = base, head
        self.dialect = head.project.dialect
        self.pairs: dict[str, Pair] = {}  # by head name
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
        """Pair the relations and columns of the two states: by name, then renames."""
        for name, relation in self.head.relations.items():
            if name in self.base.relations:
                self.pairs[name] = Pair(self.base.relations[name], relation)
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
                self.lost.add(self.ref(pair.base.name, column.name))
        self.lost.update(self.ref(r, c) for r, c in self.column_renames)

    def removed(self) -> list[str]:
        """The base relations no head relation became, sorted."""
        return sorted(self.unpaired)

    def added(self) -> list[str]:
        """The head relations no base relation became."""
        return [n for n in self.head.relations if n not in self.pairs]

    def _match_former_name(self, relation: Relation) -> None:
        old = next((n for n in reversed(relation.former_names) if n in self.unpaired), None)
        if old is not None:
            self._pair(self.base.relations[old], relation, "former")

    def _pair(self, base: Relation, head: Relation, how: str) -> Pair:
        pair = self.pairs[head.name] = Pair(base, head, how)
        self.relation_renames[base.name] = head.name
        self.unpaired.discard(base.name)
        return pair

    def _match_columns_by_name(self, pair: Pair) -> None:
        """Same names match. A column only inferred from use is not part of the definition:
        not added, not removed; where the base declared it, it is gone (something still
        reads it). Columns of a relation whose columns are not known on one side (it did not
        parse) are neither removed nor added."""
        base, head = live(pair.base), live(pair.head)
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

    def _rename_column(self, pair: Pair, old: Column, new: Column, how: str) -> None:
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
        self, side: Side, relation: Relation, columns: list[Column]
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
        for column in [c.name for c in live(head)]:
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
        """`ref` of a named column."""
        new_column = self.column_renames.get((relation, column), column)
        return self.relation_renames.get(relation, relation), new_column

    def ref(self, relation: str, column: str | None) -> tuple[str, str | None]:
        """A base column as the head names it, through the renames found so far."""
        if column is not None:
            column = self.column_renames.get((relation, column), column)
        return self.relation_renames.get(relation, relation), column

    def is_lost(self, relation: str, column: str | None) -> bool:
        """A base column (named as the head names it) removed or renamed, or in a relation
        removed."""
        return (relation, column) in self.lost or relation in self.unpaired

    def _definition(
        self, side: Side, relation: Relation, column: str | None, kind: EdgeKind | None = None
    ) -> frozenset[Key]:
        """A column's (or the rows') definition, canonical with its aliases resolved."""
        edges = side.edges(relation.name, column, kind)
        return frozenset(self.key_list(side, relation, edges, RESOLVED))

    def key_list(self, side: Side, relation: Relation, edges: list[Edge], level: int) -> list[Key]:
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
        side: Side,
        relation: Relation,
        edge: Edge,
        level: int,
        group: frozenset[Source] = frozenset(),
    ) -> Key:
        source = edge.source.relation, edge.source.column
        if side is self.base:
            source = self.ref(*source)
        if level == RAW:
            return (*source, edge.kind, edge.expression, edge.inner)
        texts = [
            self._canonical(side, relation, t, edge, level, group)
            for t in (edge.expression, *edge.inner)
        ]
        return (*source, edge.kind, texts[0], tuple(texts[1:]))

    def _canonical(
        self,
        side: Side,
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
        self, side: Side, relation: Relation, text: str, group: frozenset[Source]
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


# -- helpers ------------------------------------------------------------------------------


def live(relation: Relation) -> list[Column]:
    """Live columns, the first of each name."""
    found: dict[str, Column] = {}
    for column in relation.columns:
        if not column.dropped:
            found.setdefault(column.name, column)
    return list(found.values())


def _shape(relation: Relation) -> tuple[object, ...]:
    return (relation.kind, *sorted(c.name for c in live(relation)))
