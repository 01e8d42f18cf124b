"""The schemas known while statements are replayed in order.

Mutable on purpose and private to the build: relations and columns get stable ids, so a
rename (`ALTER TABLE ... RENAME`, `RENAME COLUMN`) moves every edge recorded before it.
`freeze()` turns the final state into frozen `Relation` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from lineage.entities import Column, Location, Relation, RelationKind


@dataclass
class ColumnState:
    """A column while statements are replayed. Renaming it (`state.name = new`, as RENAME
    COLUMN does) records the earlier name in `former_names`."""

    id: int
    _name: str
    data_type: str | None
    location: Location | None
    inferred: bool = False
    dropped: bool = False
    nullable: bool | None = None
    former_names: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, new: str) -> None:
        if new != self._name:
            self.former_names.append(self._name)
            self._name = new


@dataclass
class RelationState:
    id: int
    name: str
    kind: RelationKind
    location: Location | None
    columns: list[ColumnState] = field(default_factory=list)
    columns_known: bool = True
    dropped: bool = False
    former_names: list[str] = field(default_factory=list)  # ALTER TABLE ... RENAME TO
    _index: dict[str, ColumnState] = field(default_factory=dict, repr=False)

    def live_columns(self) -> list[ColumnState]:
        return [c for c in self.columns if not c.dropped]

    def column(self, name: str) -> ColumnState | None:
        """The live column `name`. The index is checked on use and rebuilt when stale, so
        renames and drops made anywhere need no bookkeeping."""
        found = self._index.get(name)
        if found is not None and found.name == name and not found.dropped:
            return found
        self._index = {c.name: c for c in reversed(self.columns) if not c.dropped}
        return self._index.get(name)


class Catalog:
    """Relations by current name; every incarnation is kept for the final graph."""

    def __init__(self) -> None:
        self._ids = count()
        self._live: dict[str, RelationState] = {}
        self._all: list[RelationState] = []

    def get(self, name: str) -> RelationState | None:
        return self._live.get(name)

    def columns_of(self, name: str) -> list[str] | None:
        relation = self._live.get(name)
        if relation is None or not relation.columns_known:
            return None
        return [c.name for c in relation.live_columns()]

    def define(
        self,
        name: str,
        kind: RelationKind,
        location: Location | None,
        columns: Sequence[tuple[str, str | None, Location | None]],
        columns_known: bool = True,
    ) -> tuple[RelationState, bool]:
        """Create a relation, or replace the live one of that name (returns replaced=True).

        Replacing keeps the ids of columns declared again, and marks the others dropped.
        """
        relation = self._live.get(name)
        replaced = relation is not None
        if relation is None:
            relation = RelationState(next(self._ids), name, kind, location)
            self._live[name] = relation
            self._all.append(relation)
        previous = {c.name: c for c in relation.live_columns()}
        for state in relation.columns:
            state.dropped = True
        declared: list[ColumnState] = []
        for column_name, data_type, column_location in columns:
            state = previous.get(column_name) or ColumnState(
                next(self._ids), column_name, data_type, column_location
            )
            state.data_type, state.location = data_type, column_location
            state.inferred = state.dropped = False
            declared.append(state)
        relation.columns = declared + [c for c in relation.columns if c not in declared]
        relation.kind, relation.location, relation.columns_known = kind, location, columns_known
        return relation, replaced

    def external(self, name: str, location: Location) -> RelationState:
        """A relation the project reads but never defines: its columns are learnt from use."""
        relation = RelationState(
            next(self._ids), name, RelationKind.EXTERNAL, location, columns_known=False
        )
        self._live[name] = relation
        self._all.append(relation)
        return relation

    def column_id(self, relation: RelationState, name: str, location: Location) -> int:
        """The id of `relation.name`; a column never declared is added as inferred."""
        state = relation.column(name)
        if state is None:
            state = ColumnState(next(self._ids), name, None, location, inferred=True)
            relation.columns.append(state)
        return state.id

    def rename(self, old: str, new: str) -> bool:
        relation = self._live.pop(old, None)
        if relation is None:
            return False
        if new != relation.name:
            relation.former_names.append(relation.name)
        relation.name = new
        self._live[new] = relation
        return True

    def drop(self, name: str) -> bool:
        relation = self._live.pop(name, None)
        if relation is not None:
            relation.dropped = True
        return relation is not None

    def names(self) -> dict[int, tuple[str, dict[int, str]]]:
        """Final names by id: relation id -> (name, column id -> name)."""
        return {r.id: (r.name, {c.id: c.name for c in r.columns}) for r in self._all}

    def freeze(self) -> tuple[Relation, ...]:
        """Final relations, one per name (incarnations of one name are merged)."""
        merged: dict[str, Relation] = {}
        for state in self._all:
            relation = _frozen(state)
            previous = merged.get(state.name)
            merged[state.name] = relation if previous is None else _merge(previous, relation)
        return tuple(merged[name] for name in sorted(merged))


def _frozen(state: RelationState) -> Relation:
    columns = tuple(
        Column(
            c.name,
            c.data_type,
            c.location,
            c.inferred,
            c.dropped,
            c.nullable,
            tuple(c.former_names),
        )
        for c in state.columns
    )
    return Relation(
        state.name,
        state.kind,
        columns,
        state.location,
        state.dropped,
        state.columns_known,
        former_names=tuple(state.former_names),
    )


def _merge(old: Relation, new: Relation) -> Relation:
    """A relation dropped and created again under one name: the live one wins, columns union."""
    live, other = (new, old) if old.dropped else (old, new)
    names = {c.name for c in live.columns}
    columns = live.columns + tuple(c for c in other.columns if c.name not in names)
    return Relation(
        live.name,
        live.kind,
        columns,
        live.location,
        live.dropped and other.dropped,
        live.columns_complete,
        former_names=live.former_names,
    )
