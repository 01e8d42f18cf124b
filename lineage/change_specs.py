"""Changes written on the command line: `lineage impact --change KIND:NAME[=VALUE]`.

drop:COLUMN            drop:RELATION            the column (or relation) is removed
rename:COLUMN=NEW      rename:RELATION=NEW      it is renamed; readers still use the old name
type:COLUMN=TYPE                                its type becomes TYPE
expr:COLUMN                                     its logic changes (its values change)
filter:RELATION                                 its rows change (a WHERE, join or grain)
"""

from __future__ import annotations

from lineage.changes import Change, ChangeKind
from lineage.entities import Column, ColumnRef, Location, Project
from lineage.errors import UsageError
from lineage.names import display_name, display_ref, resolve

SPEC_KINDS = ("drop", "rename", "type", "expr", "filter")
_NEEDS_VALUE = {"rename", "type"}


def parse_change(project: Project, spec: str) -> Change:
    """The change a `--change` value describes, named as in `project`."""
    kind, _, rest = spec.partition(":")
    if kind not in SPEC_KINDS or not rest:
        raise UsageError(
            f"--change '{spec}' is not KIND:NAME[=VALUE] with KIND one of {', '.join(SPEC_KINDS)}"
        )
    name, equals, value = rest.partition("=")
    if (kind in _NEEDS_VALUE) != bool(equals and value.strip()):
        form = f"{kind}:NAME=VALUE" if kind in _NEEDS_VALUE else f"{kind}:NAME"
        raise UsageError(f"--change '{spec}' must be written {form}")
    ref = _target(project, name.strip())
    return _change(project, kind, ref, value.strip())


def _target(project: Project, name: str) -> ColumnRef:
    refs = resolve(project, name)
    relations = {r.relation for r in refs}
    if len(relations) != 1:
        raise UsageError(f"'{name}' names several relations: {', '.join(sorted(relations))}")
    relation = relations.pop()
    last = name.rsplit(".", 1)[-1]
    if (
        len(refs) == 1
        and refs[0].column is not None
        and refs[0].column.casefold() == last.casefold()
    ):
        return refs[0]
    return ColumnRef(relation, None)


def _change(project: Project, kind: str, ref: ColumnRef, value: str) -> Change:
    column = _column(project, ref)
    where = _location(project, ref, column)
    what = display_ref(ref) if ref.column else display_name(ref.relation)
    if kind == "drop":
        change_kind = ChangeKind.COLUMN_REMOVED if ref.column else ChangeKind.RELATION_REMOVED
        return Change(change_kind, ref.relation, ref.column, f"{what} is dropped", where)
    if kind == "rename":
        change_kind = ChangeKind.COLUMN_RENAMED if ref.column else ChangeKind.RELATION_RENAMED
        reason = f"{what} is renamed to `{value}`"
        return Change(change_kind, ref.relation, ref.column, reason, where, new_name=value)
    if kind == "filter":
        return Change(
            ChangeKind.FILTER_CHANGED, ref.relation, None, f"the rows of {what} change", where
        )
    if ref.column is None:
        raise UsageError(f"--change {kind}: needs a column, not the relation {what}")
    if kind == "expr":
        reason = f"the expression of {what} changes"
        return Change(ChangeKind.COLUMN_EXPRESSION_CHANGED, ref.relation, ref.column, reason, where)
    return _type_change(project, ref, column, value, where)


def _type_change(
    project: Project, ref: ColumnRef, column: Column | None, new_type: str, where: Location | None
) -> Change:
    from lineage.type_compat import compatibility, is_type

    if not is_type(new_type, project.dialect):
        raise UsageError(f"--change type: '{new_type}' is not a {project.dialect} data type")
    old_type = column.data_type if column is not None else None
    compat = compatibility(old_type, new_type, project.dialect)
    reason = f"type {old_type or 'unknown'} -> {new_type}: {compat.value.replace('_', ' ')}"
    return Change(
        ChangeKind.COLUMN_TYPE_CHANGED,
        ref.relation,
        ref.column,
        reason,
        where,
        old_type=old_type,
        new_type=new_type,
        compatibility=compat,
    )


def _column(project: Project, ref: ColumnRef) -> Column | None:
    relation = project.relation(ref.relation)
    if relation is None or ref.column is None:
        return None
    return relation.column(ref.column)


def _location(project: Project, ref: ColumnRef, column: Column | None) -> Location | None:
    if column is not None and column.location is not None:
        return column.location
    relation = project.relation(ref.relation)
    return relation.location if relation is not None else None
