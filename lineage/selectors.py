"""Selectors as dbt users write them, evaluated on the lineage graph.

`+stg_users+`, `2+fct_orders`, `@dim_customers.v2`, `path:models/marts`, `tag:finance`,
`source:app`, `exposure:churn_dashboard`, `kind:seed`; space-separated atoms are a union,
comma-joined ones an intersection. A column form walks column lineage: `stg_users.email+`,
`+fct_orders.amount`.

A relation is a parent of another when a lineage edge goes from one of its columns to the other
(or a blind spot says its columns may flow in unseen); a consumer is a child of every relation
it reads. The relation graph is built once per Project and cached; the column form walks
`lineage.column_walk.ColumnGraph`. docs/selectors.md has the grammar and every choice made
where dbt's meaning had to be mapped onto lineage.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from fnmatch import fnmatchcase

from lineage.column_walk import ColumnGraph
from lineage.edge_index import relation_links
from lineage.entities import ColumnRef, Project, Relation, RelationKind
from lineage.errors import UsageError
from lineage.names import display_name

_ALL = 1 << 30  # depth of an unlimited `+`
_ATOM = re.compile(r"(?P<at>@)?(?:(?P<up>\d*)\+)?(?P<body>.+?)(?:\+(?P<down>\d*))?")
_WILDCARD = re.compile(r"[*?]")
_GLOB = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
_KINDS = {k.value: k for k in RelationKind}


@dataclass(frozen=True)
class Selection:
    """What an expression selects, each part sorted.

    `relations` are graph ids (`model.shop.stg_app__users`); `consumers` are consumer ids
    reached by a descendant operator or named by `exposure:`; `columns` is filled by the column
    form only (`column is None` stands for a relation's rows, reached by a filter, join or
    grouping); `notes` say why a method matched nothing.
    """

    relations: tuple[str, ...]
    consumers: tuple[str, ...] = ()
    columns: tuple[ColumnRef, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Atom:
    text: str
    body: str
    up: int  # ancestor depth; 0: no `+` before the body
    down: int  # descendant depth; 0: no `+` after the body
    at: bool


@dataclass(frozen=True)
class _Part:
    """One atom's result. `columns is None`: a relation-level atom (no column restriction)."""

    nodes: frozenset[int]
    columns: frozenset[ColumnRef] | None = None
    notes: tuple[str, ...] = ()


def select(project: Project, expression: str) -> Selection:
    """Evaluate a dbt-style selector on `project`; the relation graph is cached per Project.

    >>> select(project, "+fct_orders,path:models/intermediate").relations  # doctest: +SKIP
    ('model.shop.int_orders_enriched',)
    """
    return selector_for(project).select(expression)


_CACHE: dict[int, tuple[weakref.ref[Project], Selector]] = {}


def selector_for(project: Project) -> Selector:
    """The cached Selector of `project` (built on first use, dropped with the Project)."""
    cached = _CACHE.get(id(project))
    if cached is not None and cached[0]() is project:
        return cached[1]
    selector = Selector(project)
    _CACHE[id(project)] = (weakref.ref(project), selector)
    weakref.finalize(project, _CACHE.pop, id(project), None)
    return selector


class Selector:
    """The relation graph of one Project (integer nodes: relations, then consumers) and the
    selector methods on it. Holds no reference to the Project itself, so it can be cached."""

    def __init__(self, project: Project) -> None:
        self._relations = {r.name: r for r in project.relations}
        self._edges = project.edges
        self._reads = {c.id: c.reads for c in project.consumers}
        pairs = relation_links(project)
        names = sorted(set(self._relations).union(*pairs))
        self.relation_count = len(names)
        self.names = names + sorted(self._reads)
        self._index = {name: i for i, name in enumerate(names)}  # relations
        self._consumer = {c: i for i, c in enumerate(self.names) if i >= len(names)}
        self.parents: list[set[int]] = [set() for _ in self.names]
        self.children: list[set[int]] = [set() for _ in self.names]
        links = [(self._index[a], self._index[b]) for a, b in pairs]
        for consumer, reads in self._reads.items():
            read = {r.relation for r in reads} & self._index.keys()
            links += [(self._index[r], self._consumer[consumer]) for r in read]
        for parent, child in links:
            self.parents[child].add(parent)
            self.children[parent].add(child)
        self._by_name: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            for key in dict.fromkeys((name, display_name(name))):
                self._by_name.setdefault(key, []).append(i)
        self._columns: ColumnGraph | None = None
        self._tags: frozenset[str] | None = None  # every tag of the project, on first `tag:`

    def select(self, expression: str) -> Selection:
        """Evaluate `expression`: union of space-separated groups, each the intersection of
        its comma-separated atoms."""
        groups = expression.split()
        if not groups:
            raise UsageError("the selector is empty: name a relation, e.g. `+fct_orders`.")
        parts = [
            self._intersect([self._part(_parse(a, expression)) for a in _atoms(g)]) for g in groups
        ]
        nodes = {n for p in parts for n in p.nodes}
        columns = {c for p in parts for c in p.columns or ()}
        notes = dict.fromkeys(n for p in parts for n in p.notes)
        return Selection(
            relations=tuple(sorted(self.names[i] for i in nodes if i < self.relation_count)),
            consumers=tuple(sorted(self.names[i] for i in nodes if i >= self.relation_count)),
            columns=tuple(sorted(columns, key=lambda c: c.sort_key)),
            notes=tuple(notes),
        )

    def _part(self, atom: _Atom) -> _Part:
        start = self._start(atom)
        if start.columns is not None:
            return self._column_part(atom, start.columns)
        nodes = set(start.nodes)
        if atom.at:
            nodes |= reach(self.parents, reach(self.children, start.nodes, _ALL), _ALL)
        if atom.up:
            nodes |= reach(self.parents, start.nodes, atom.up)
        if atom.down:
            nodes |= reach(self.children, start.nodes, atom.down)
        return _Part(frozenset(nodes), None, start.notes)

    def _start(self, atom: _Atom) -> _Part:
        head, colon, value = atom.body.partition(":")
        method = _METHODS.get(head) if colon else None
        if method is not None:
            if not value:
                raise UsageError(f"'{atom.text}': `{head}:` needs a value after the colon.")
            return method(self, value, atom)
        return self._by_name_or_column(atom, head if colon else None)

    # -- names and the column form ---------------------------------------------------------

    def _named(self, text: str) -> list[int] | None:
        """Relations `text` names (short name or graph id, `*` wildcards); None: no match."""
        if _WILDCARD.search(text):
            found = [i for key, ids in self._by_name.items() if fnmatchcase(key, text) for i in ids]
            return sorted(set(found)) or None
        exact = self._by_name.get(text)
        if exact is None:
            folded = [
                ids for key, ids in self._by_name.items() if key.casefold() == text.casefold()
            ]
            exact = sorted({i for ids in folded for i in ids}) or None
        if exact is not None and len(exact) > 1:
            listed = ", ".join(self.names[i] for i in exact)
            raise UsageError(f"'{text}' is ambiguous: it could be {listed}. Use the graph id.")
        return exact

    def _by_name_or_column(self, atom: _Atom, method: str | None) -> _Part:
        found = self._named(atom.body)
        if found is not None:
            return _Part(frozenset(found))
        column = self._column_ref(atom.body)
        if column is not None:
            return _Part(frozenset(), frozenset({column}))
        if method is not None and not any(k.startswith(method + ":") for k in self._by_name):
            supported = ", ".join(f"{m}:" for m in sorted(_METHODS))
            raise UsageError(f"'{atom.text}': unknown method `{method}:`; methods: {supported}.")
        hint = _did_you_mean(atom.body, self._by_name)
        what = "matches no relation" if _WILDCARD.search(atom.body) else "is not a relation"
        raise UsageError(f"'{atom.text}': '{atom.body}' {what} in this project.{hint}")

    def _column_ref(self, text: str) -> ColumnRef | None:
        """`relation.column`, when the part before the last dot names one relation."""
        relation_text, dot, column = text.rpartition(".")
        if not dot or not column or _WILDCARD.search(text):
            return None
        found = self._named(relation_text)
        if found is None:
            return None
        name = self.names[found[0]]
        relation = self._relations.get(name)
        columns = [c.name for c in relation.columns if not c.dropped] if relation else []
        match = [c for c in columns if c == column] or [
            c for c in columns if c.casefold() == column.casefold()
        ]
        if len(match) != 1:
            hint = _did_you_mean(column, columns)
            raise UsageError(f"'{text}': {display_name(name)} has no column '{column}'.{hint}")
        return ColumnRef(name, match[0])

    def _column_part(self, atom: _Atom, start: frozenset[ColumnRef]) -> _Part:
        if self._columns is None:
            self._columns = ColumnGraph(self._relations, self._edges, self._reads)
        graph, keys = self._columns, [(c.relation, c.column) for c in start]
        reached = set(keys)
        consumers: set[str] = set()
        down = _ALL if atom.at else atom.down
        if down:
            below = graph.walk(keys, down, downstream=True)
            reached.update(below)
            consumers = graph.readers(k for k, level in below.items() if level < down)
        if atom.at:
            reached.update(graph.walk(reached, _ALL, downstream=False))
        if atom.up:
            reached.update(graph.walk(keys, atom.up, downstream=False))
        nodes = {self._index[relation] for relation, _ in reached}
        nodes |= {self._consumer[c] for c in consumers}
        return _Part(frozenset(nodes), frozenset(ColumnRef(*k) for k in reached))

    def _intersect(self, parts: list[_Part]) -> _Part:
        """Nodes in every part; the column parts' columns in every one of them, kept only
        where their relation is in every part."""
        nodes = frozenset.intersection(*(p.nodes for p in parts))
        restricted = [p.columns for p in parts if p.columns is not None]
        columns = None
        if restricted:
            common = frozenset.intersection(*restricted)
            columns = frozenset(c for c in common if self._index[c.relation] in nodes)
        return _Part(nodes, columns, tuple(n for p in parts for n in p.notes))

    # -- methods ----------------------------------------------------------------------------

    def _tag(self, value: str, atom: _Atom) -> _Part:
        """Relations with a tag matching `value` (`*` and `?` wildcards, case-sensitive); each
        distinct tag of the project is matched once."""
        if self._tags is None:
            self._tags = frozenset(t for r in self._relations.values() for t in r.tags)
        matched = {tag for tag in self._tags if fnmatchcase(tag, value)}
        return self._where(atom, lambda r: not matched.isdisjoint(r.tags))

    def _path(self, value: str, atom: _Atom) -> _Part:
        match = _path_matcher(value.removeprefix("./").rstrip("/"))
        return self._where(atom, lambda r: r.location is not None and match(r.location.path))

    def _kind(self, value: str, atom: _Atom) -> _Part:
        kind = _KINDS.get(value.lower())
        if kind is None:
            kinds = ", ".join(sorted(_KINDS))
            raise UsageError(f"'{atom.text}': unknown kind '{value}'; kinds are {kinds}.")
        return self._where(atom, lambda r: r.kind is kind)

    def _where(self, atom: _Atom, test: Callable[[Relation], bool]) -> _Part:
        """The relations passing `test`; a note (not an error) when there are none."""
        found = frozenset(self._index[r.name] for r in self._relations.values() if test(r))
        return _Part(found, None, () if found else (f"`{atom.text}` matched no relation.",))

    def _source(self, value: str, atom: _Atom) -> _Part:
        # dbt source ids have four parts (source.package.source.table); a plain SQL relation
        # in a schema called `source` is not one
        sources = [r for r in self._relations if r.startswith("source.") and r.count(".") >= 3]
        found = [self._index[r] for r in sources if _source_matches(r, value)]
        if found:
            return _Part(frozenset(found))
        column = self._column_ref("source:" + value) if value.count(".") >= 2 else None
        if column is not None:
            return _Part(frozenset(), frozenset({column}))
        known = {display_name(r) for r in sources} | {"source:" + r.split(".")[2] for r in sources}
        hint = _did_you_mean(f"source:{value}", known)
        raise UsageError(f"'{atom.text}': no dbt source table matches '{value}'.{hint}")

    def _exposure(self, value: str, atom: _Atom) -> _Part:
        exposures = [c.split(".", 1)[1] for c in self._reads if c.startswith("exposure.")]
        found = [
            "exposure." + c
            for c in exposures
            if fnmatchcase(c, value) or fnmatchcase(c.split(".", 1)[-1], value)
        ]
        if not found:
            hint = _did_you_mean(value, [c.split(".", 1)[-1] for c in exposures])
            raise UsageError(f"'{atom.text}': no dbt exposure named '{value}'.{hint}")
        nodes = {self._consumer[c] for c in found}
        return _Part(frozenset(nodes | reach(self.parents, nodes, 1)))


_Method = Callable[[Selector, str, _Atom], _Part]
_METHODS: dict[str, _Method] = {
    "tag": Selector._tag,
    "path": Selector._path,
    "source": Selector._source,
    "exposure": Selector._exposure,
    "resource_type": Selector._kind,
    "kind": Selector._kind,
}


def reach(adjacency: list[set[int]], start: Iterable[int], depth: int) -> set[int]:
    """The nodes within `depth` steps of `start` along `adjacency`, `start` included."""
    seen = set(start)
    frontier = list(seen)
    for _ in range(depth):
        following = [o for n in frontier for o in adjacency[n] if o not in seen]
        if not following:
            break
        seen.update(following)
        frontier = list(dict.fromkeys(following))
    return seen


def _atoms(group: str) -> list[str]:
    atoms = group.split(",")
    if any(not a for a in atoms):
        raise UsageError(f"'{group}': an empty selector around ','; write `a,b` with no spaces.")
    return atoms


def _parse(text: str, expression: str) -> _Atom:
    match = _ATOM.fullmatch(text)
    body = match["body"] if match else ""
    if match is None or "+" in body or "@" in body:
        raise UsageError(
            f"'{text}' in '{expression}' is not a selector: write `name`, `+name`, `name+`, "
            "`2+name`, `name+3`, `+name+`, `@name` or `method:value` (docs/selectors.md)."
        )
    if match["at"] and match["up"] is not None:
        raise UsageError(f"'{text}': `@` already selects every ancestor; drop the leading `+`.")
    return _Atom(text, body, _depth(match["up"]), _depth(match["down"]), bool(match["at"]))


def _depth(digits: str | None) -> int:
    if digits is None:
        return 0
    return int(digits) if digits else _ALL


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = get_close_matches(word, sorted(options), n=3)
    return f" Did you mean: {', '.join(close)}?" if close else ""


def _source_matches(relation: str, value: str) -> bool:
    """dbt's `source:` forms: `src`, `src.table`, `package.src.table`; `*` wildcards."""
    parts = relation.split(".", 3)
    if len(parts) != 4:
        return False
    package, source, table = parts[1:]
    wanted = value.split(".")
    candidates = {1: [source], 2: [source, table], 3: [package, source, table]}.get(len(wanted))
    if candidates is None:
        return False
    return all(fnmatchcase(have, want) for have, want in zip(candidates, wanted, strict=True))


def _path_matcher(pattern: str) -> Callable[[str], bool]:
    """A file path prefix (`models/staging`) or a glob whose `*` stays within one folder."""
    if not _WILDCARD.search(pattern):
        return lambda path: path == pattern or path.startswith(pattern + "/")
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern)
    regex = "".join(_GLOB.get(part, re.escape(part)) for part in parts)
    compiled = re.compile(regex + "(?:/.*)?")
    return lambda path: compiled.fullmatch(path) is not None
