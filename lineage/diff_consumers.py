"""Consumer changes between two states: a consumer added, removed, or reading otherwise
(its read level, what it reads, its owner), matched by consumer id (docs/changes.md).
"""

from __future__ import annotations

from collections.abc import Iterator

from lineage.changes import Change, ChangeKind
from lineage.diff_renames import Matcher
from lineage.entities import ColumnRef, Consumer, Project, ReadLevel
from lineage.names import display_name


def consumer_changes(matcher: Matcher, base: Project, head: Project) -> Iterator[Change]:
    """The consumer changes from `base` to `head`, by consumer id; `matcher` has paired the
    two states, so a read is compared through the renames found."""
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
            what = _consumer_difference(matcher, old, new)
            if what:
                reason = f"the consumer `{new.name}` " + "; ".join(what)
                yield _consumer_change(ChangeKind.CONSUMER_CHANGED, new, reason)


def _consumer_change(kind: ChangeKind, consumer: Consumer, reason: str) -> Change:
    relation = consumer.reads[0].relation if consumer.reads else ""
    return Change(kind, relation, None, reason, consumer.location, consumer=consumer.id)


def _consumer_difference(matcher: Matcher, old: Consumer, new: Consumer) -> list[str]:
    """Its read level, what it reads (a model-level consumer reads whole relations), its
    owner. A read that follows an upstream rename is not a change, nor one lost because the
    column was removed or renamed (that is the upstream change reaching it)."""
    found = []
    if old.level is not new.level:
        found.append(f"now reads at {new.level.value} level (was {old.level.value})")
    after = _read_refs(new)
    before = {
        ref
        for ref in (ColumnRef(*matcher.ref(r.relation, r.column)) for r in _read_refs(old))
        if ref in after or not matcher.is_lost(ref.relation, ref.column)
    }
    if old.level is new.level and before != after:
        gained = ", ".join(sorted(ref_name(r) for r in after - before))
        lost = ", ".join(sorted(ref_name(r) for r in before - after))
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


def ref_name(ref: ColumnRef) -> str:
    """`stg_users.email`, or `stg_users` for the relation itself."""
    name = display_name(ref.relation)
    return name if ref.column is None else f"{name}.{ref.column}"
