"""Turn the names people type (`mart.users.email`, `users.email`, `mart.users`) into graph
references, normalized the way the project's dialect would."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from difflib import get_close_matches

from lineage.dialects import normalize_name
from lineage.entities import ColumnRef, Project
from lineage.errors import UsageError


class UnknownName(UsageError):
    """No relation or column has that name."""


#: Each relation's name and its columns (name, dropped), in definition order: what names are
#: resolved against (a whole project, or the names a warm cache stores).
NameTable = Sequence[tuple[str, Sequence[tuple[str, bool]]]]


def name_table(project: Project) -> NameTable:
    """The relations and columns of `project`, for `resolve_in`."""
    return [(r.name, [(c.name, c.dropped) for c in r.columns]) for r in project.relations]


def resolve(project: Project, typed: str) -> list[ColumnRef]:
    """The column `typed` names, or every column of the relation it names.

    Exact names win; otherwise a unique suffix (`users.email` for `mart.users.email`, or
    `stg_users.email` for dbt's `model.shop.stg_users.email`), as typed, as the dialect
    normalizes it, then ignoring case. `source:app.users.email` looks among dbt sources only.
    """
    return resolve_in(name_table(project), project.dialect, typed)


def resolve_in(table: NameTable, dialect: str, typed: str) -> list[ColumnRef]:
    """`resolve` over a name table."""
    kind, rest = _kind_prefix(typed.strip())
    name = normalize_name(rest, dialect)
    refs = [
        r for r in _all_refs(table) if kind is None or r[0].startswith((kind + ".", kind + ":"))
    ]
    for candidates in _passes(refs, rest, name, typed.strip()):
        if len(candidates) == 1:
            return _expand(table, candidates[0])
        if len(candidates) > 1:
            listed = ", ".join(str(c) for c in candidates[:10])
            raise UsageError(
                f"'{typed}' is ambiguous: it could be {listed}. Type more of the name."
            )
    raise UnknownName(_unknown_message(table, typed, name))


def _kind_prefix(typed: str) -> tuple[str | None, str]:
    """`source:app.users` -> ("source", "app.users")."""
    head, colon, rest = typed.partition(":")
    if colon and head.isidentifier() and "." not in head:
        return head.lower(), rest
    return None, typed


#: (relation, column or None, the ref as text)
_Named = tuple[str, "str | None", str]


def _passes(
    refs: list[_Named], typed: str, normalized: str, whole: str
) -> Iterator[list[ColumnRef]]:
    yield _found(r for r in refs if r[2] == whole)  # `app:shop.users.email` as written
    for name in dict.fromkeys((typed, normalized)):
        yield _found(r for r in refs if r[2] == name)
    for name in dict.fromkeys((typed, normalized)):
        suffix = "." + name
        yield _found(r for r in refs if r[2].endswith(suffix))
    folded = "." + typed.casefold()
    yield _found(r for r in refs if r[2].casefold().endswith(folded))


def _found(named: Iterator[_Named]) -> list[ColumnRef]:
    return [ColumnRef(relation, column) for relation, column, _ in named]


def _all_refs(table: NameTable) -> list[_Named]:
    refs: list[_Named] = []
    for relation, columns in table:
        refs.append((relation, None, relation))
        refs.extend((relation, column, f"{relation}.{column}") for column, _ in columns)
    return refs


def _expand(table: NameTable, ref: ColumnRef) -> list[ColumnRef]:
    if ref.column is not None:
        return [ref]
    columns = next((cols for name, cols in table if name == ref.relation), ())
    return [ColumnRef(ref.relation, c) for c, dropped in columns if not dropped] or [ref]


def _unknown_message(table: NameTable, typed: str, name: str) -> str:
    names = [text for _, _, text in _all_refs(table)]
    close = get_close_matches(name, names, n=5, cutoff=0.6)
    if not close:
        last = name.rsplit(".", 1)[-1]
        close = sorted(n for n in names if n.rsplit(".", 1)[-1] == last)[:5]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return f"no relation or column named '{typed}' in this project.{hint}"


_DBT_PREFIXES = ("model.", "seed.", "snapshot.", "analysis.")


def display_name(relation: str) -> str:
    """The short name people know a relation by: a dbt model `model.shop.stg_users` is
    `stg_users` (a version keeps its suffix, `dim_customers.v2`), a dbt source table
    `source.shop.app.users` is `source:app.users`; other names are shown as they are."""
    if relation.startswith(_DBT_PREFIXES):
        parts = relation.split(".", 2)
        return parts[2] if len(parts) == 3 else relation
    if relation.startswith("source."):
        parts = relation.split(".", 2)
        return "source:" + parts[2] if len(parts) == 3 else relation
    return relation


def display_ref(ref: ColumnRef) -> str:
    """`stg_users.email`, or `stg_users (rows)` for a relation's rows."""
    name = display_name(ref.relation)
    return f"{name} (rows)" if ref.column is None else f"{name}.{ref.column}"
