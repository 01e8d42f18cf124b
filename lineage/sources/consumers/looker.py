"""Looker: explores and LookML dashboards as consumers, read from a LookML project's files.

`read_looker(root)` reads every `*.view.lkml`, `*.model.lkml`, `*.explore.lkml` (with the `lkml`
parser: nothing is executed) and `*.dashboard.lookml` (YAML, loaded safely) under `root`, plus
the constants of `manifest.lkml`. It gives:

- `looker.explore.<model>.<explore>` (ANALYSIS): every field the explore exposes, and its join
  keys (`sql_on`, `sql_where`, `foreign_key`) and `sql_always_where` / `sql_always_having`;
- `looker.dashboard.<name>` (DASHBOARD): the union of its elements and `field_filter`s;
- `looker.element.<dashboard>.<element name, else 1-based index>` (CHART, parent the
  dashboard): the columns its `fields`, `filters`, `sorts` and `pivots` read through the explore,
  with the join keys of the joins it uses.

A field reads `${TABLE}.col` (column `col` of its view), `${field}` / `${view.field}` (what that
field reads; cycles are diagnostics), `sql_start` / `sql_end` / `sql_latitude` / ... alike, a
measure's `filters` fields; without any `sql` it reads the column of its own name (a `count`
reads none). A view's relation is `sql_table_name` (with `@{constants}` substituted, or dropped
when unknown, and quotes removed), else `derived_table: {sql: ...}`: a consumer of such a view
runs `SELECT <cols> FROM (<sql>) AS <view>`, with `${other.SQL_TABLE_NAME}` substituted.
Not supported (each a diagnostic where met): `extends`, refinements' merging, native derived
tables (`explore_source`), Liquid, `${...}` other than the above. Lines are found by a text
search for `view: name`, `dimension: name`, ... in the file, since lkml keeps none.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lkml

from lineage.entities import ConsumerKind, Diagnostic, DiagnosticCode, Location, Owner, Severity
from lineage.sources.consumers.specs import ConsumerFiles, ConsumerSpec, ReadSpec
from lineage.sources.dbt.files import diagnostic, line_of, parse_yaml, read_text, relative, walk
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES

ORIGIN = "looker"
_LKML_SUFFIXES = (".view.lkml", ".model.lkml", ".explore.lkml")
_FIELD_KEYS = ("dimensions", "dimension_groups", "measures", "filters")
_SQL_KEYS = ("sql", "sql_start", "sql_end", "sql_latitude", "sql_longitude", "sql_distinct_key")
_REF = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_TABLE_COL = re.compile(r"\$\{\s*TABLE\s*\}\s*\.\s*(?:\"([^\"]+)\"|`([^`]+)`|\[([^\]]+)\]|(\w+))")
_CONSTANT = re.compile(r"@\{\s*(\w+)\s*\}")
_LINE = re.compile(r"on line (\d+)")


@dataclass(frozen=True, order=True)
class Col:
    """A column a field reads: `column` of `view`'s relation, written at `location`."""

    view: str
    column: str
    location: Location


@dataclass(frozen=True)
class LField:
    name: str
    kind: str  # dimension, dimension_group, measure, filter
    sqls: tuple[str, ...]
    filter_fields: tuple[str, ...]
    own_column: bool  # without `sql`: reads the column of its own name
    location: Location


@dataclass
class LView:
    name: str
    location: Location
    table: str | None = None
    derived: str | None = None
    derived_location: Location | None = None
    fields: dict[str, LField] = field(default_factory=dict)


@dataclass(frozen=True)
class LJoin:
    alias: str
    view: str
    sqls: tuple[str, ...]
    location: Location


@dataclass
class LExplore:
    model: str
    name: str
    location: Location
    aliases: dict[str, str]  # alias -> view, the base view first
    joins: tuple[LJoin, ...]
    sqls: tuple[str, ...]


class LookerProject:
    """Views and explores of one LookML project, and field resolution over them."""

    def __init__(self) -> None:
        self.views: dict[str, LView] = {}
        self.explores: dict[tuple[str, str], LExplore] = {}
        self.constants: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.problems: set[Diagnostic] = set()
        self._memo: dict[tuple[str, str], frozenset[Col]] = {}
        self._active: list[tuple[str, str]] = []
        self._derived: dict[str, str | None] = {}

    def bad(self, where: Location, code: DiagnosticCode, message: str) -> None:
        self.problems.add(diagnostic(where.path, where.line, code, message))

    def line(self, path: str, pattern: str, start: Location | None = None) -> Location:
        """The first line at or after `start` matching `pattern` in `path` (else `start`'s)."""
        text = self.texts.get(path, "")
        offset = _offset(text, start.line) if start else 0
        found = re.compile(pattern).search(text, offset)
        if found is None:
            return start or Location(path, 1)
        return Location(path, text.count("\n", 0, found.start()) + 1)

    # -- fields ---------------------------------------------------------------------------

    def find_field(self, view: str, name: str) -> LField | None:
        """A view's field by the name a query uses (`created_date` is dimension_group `created`)."""
        fields = self.views[view].fields
        if name in fields:
            return fields[name]
        for f in fields.values():
            if f.kind == "dimension_group" and (
                name.startswith(f.name + "_") or name.endswith("_" + f.name)
            ):
                return f
        return None

    def field_columns(self, view: str, name: str, where: Location) -> frozenset[Col]:
        """The columns a field reads, following `${field}` references (memoized)."""
        if view not in self.views:
            self.bad(where, DiagnosticCode.UNKNOWN_RELATION, f"unknown Looker view `{view}`")
            return frozenset()
        found = self.find_field(view, name)
        if found is None:
            message = f"unknown Looker field `{view}.{name}`"
            self.bad(where, DiagnosticCode.UNKNOWN_COLUMN, message)
            return frozenset()
        key = (view, found.name)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            cycle = " -> ".join(f"{v}.{f}" for v, f in [*self._active[self._active.index(key) :]])
            message = f"cyclic field references: {cycle} -> {view}.{found.name}"
            self.bad(found.location, DiagnosticCode.ANALYSIS_ERROR, message)
            return frozenset()
        self._active.append(key)
        try:
            cols = self._own_columns(view, found)
        finally:
            self._active.pop()
        self._memo[key] = cols
        return cols

    def _own_columns(self, view: str, f: LField) -> frozenset[Col]:
        cols: set[Col] = set()
        for ref in f.filter_fields:
            cols |= self.ref_columns(view, ref, f.location, {})
        if f.own_column:
            return frozenset({Col(view, f.name, f.location), *cols})
        for sql in f.sqls:
            cols |= self.expression_columns(view, sql, f.location, {})
        return frozenset(cols)

    def expression_columns(
        self, view: str | None, sql: str, where: Location, aliases: dict[str, str]
    ) -> set[Col]:
        """What a LookML SQL snippet reads: `${TABLE}.col`, `${field}`, `${view.field}`."""
        cols: set[Col] = set()
        for match in _TABLE_COL.finditer(sql):
            if view is not None:
                cols.add(Col(view, next(g for g in match.groups() if g), where))
        for match in _REF.finditer(sql):
            ref = match.group(1)
            if ref != "TABLE":
                cols |= self.ref_columns(view, ref, where, aliases)
        return cols

    def ref_columns(
        self, view: str | None, ref: str, where: Location, aliases: dict[str, str]
    ) -> frozenset[Col]:
        """What `${ref}` reads: a field of `view`, or `alias.field` through `aliases`."""
        if "." not in ref:
            if view is None:
                self.bad(where, DiagnosticCode.UNKNOWN_COLUMN, f"`${{{ref}}}` names no view")
                return frozenset()
            return self.field_columns(view, ref, where)
        alias, _, name = ref.partition(".")
        if name == "SQL_TABLE_NAME":
            return frozenset()
        return self.field_columns(aliases.get(alias, alias), name, where)

    # -- derived tables -------------------------------------------------------------------

    def relation_sql(self, view: str) -> str | None:
        """A view's derived SQL with `${x.SQL_TABLE_NAME}` substituted (None: not derived)."""
        if view in self._derived:
            return self._derived[view]
        self._derived[view] = None  # a cycle through SQL_TABLE_NAME reads as not derivable
        lview = self.views[view]
        if lview.derived is None:
            return None
        where = lview.derived_location or lview.location
        self._derived[view] = _REF.sub(lambda m: self._substitute(m, where), lview.derived)
        return self._derived[view]

    def _substitute(self, match: re.Match[str], where: Location) -> str:
        alias, _, name = match.group(1).partition(".")
        if name == "SQL_TABLE_NAME" and alias in self.views:
            other = self.views[alias]
            if other.table is not None:
                return other.table
            derived = self.relation_sql(alias)
            if derived is not None:
                return f"({derived})"
        message = f"cannot substitute `{match.group(0)}` in a derived table's SQL"
        self.bad(where, DiagnosticCode.UNKNOWN_RELATION, message)
        return match.group(0)


def read_looker(root: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ConsumerFiles:
    """Every explore and LookML dashboard under `root` as consumers, with diagnostics."""
    project = LookerProject()
    paths = walk(root, frozenset({".lkml", ".lookml"}), frozenset())
    parsed = _parse_all(project, root, paths, max_file_bytes)
    manifest = next((d for name, d in parsed if name.endswith("manifest.lkml")), {})
    for constant in manifest.get("constants", []):
        project.constants[str(constant.get("name"))] = str(constant.get("value", ""))
    for name, data in parsed:
        for view in data.get("views", []):
            _add_view(project, name, view)
    for name, data in parsed:
        model = _model_of(name, data, parsed)
        for explore in data.get("explores", []):
            _add_explore(project, name, model, explore)
    consumers = [_explore_consumer(project, e) for _, e in sorted(project.explores.items())]
    for path in paths:
        name = relative(path, root)
        if name.endswith(".dashboard.lookml"):
            text, problems = read_text(path, name, max_file_bytes)
            project.problems.update(problems)
            if text is not None:
                consumers.extend(_read_dashboards(project, name, text))
    return ConsumerFiles(
        tuple(sorted(consumers, key=lambda c: c.id)), tuple(sorted(project.problems))
    )


def _parse_all(
    project: LookerProject, root: Path, paths: list[Path], max_bytes: int
) -> list[tuple[str, dict[str, Any]]]:
    parsed: list[tuple[str, dict[str, Any]]] = []
    for path in paths:
        name = relative(path, root)
        if not (name.endswith(_LKML_SUFFIXES) or path.name == "manifest.lkml"):
            continue
        text, problems = read_text(path, name, max_bytes)
        project.problems.update(problems)
        if text is None:
            continue
        project.texts[name] = text
        data = _parse_lkml(project, name, text)
        if data is not None:
            parsed.append((name, data))
    return parsed


def _parse_lkml(project: LookerProject, name: str, text: str) -> dict[str, Any] | None:
    try:
        data = lkml.load(text)
    except (SyntaxError, RecursionError) as error:
        found = _LINE.search(str(error))
        line = int(found.group(1)) if found else 1
        message = f"not valid LookML: {error}; the file is ignored until this is fixed"
        project.problems.add(
            diagnostic(name, line, DiagnosticCode.PARSE_ERROR, message, Severity.ERROR)
        )
        return None
    return data if isinstance(data, dict) else {}


def _add_view(project: LookerProject, path: str, data: dict[str, Any]) -> None:
    name = str(data.get("name", ""))
    where = project.line(path, rf"(?<![\w$])view\s*:\s*{re.escape(name)}\b")
    if name in project.views:
        message = f"Looker view `{name}` is defined again (also at {project.views[name].location})"
        project.bad(where, DiagnosticCode.CONFIG_ERROR, message)
        return
    view = LView(name, where)
    project.views[name] = view
    if "extends__all" in data:
        project.bad(where, DiagnosticCode.ANALYSIS_ERROR, f"`extends` of `{name}` not followed")
    if "sql_table_name" in data:
        view.table = _table_name(project, str(data["sql_table_name"]), where)
    derived = data.get("derived_table")
    if isinstance(derived, dict) and "sql" in derived:
        view.derived = _constants(project, str(derived["sql"]))
        view.derived_location = project.line(path, r"derived_table\s*:", where)
    elif isinstance(derived, dict):
        message = f"derived table of `{name}` has no `sql` (native derived tables not read)"
        project.bad(where, DiagnosticCode.ANALYSIS_ERROR, message)
    for key in _FIELD_KEYS:
        for item in data.get(key, []):
            _add_field(project, view, path, key.removesuffix("s"), item)


def _add_field(
    project: LookerProject, view: LView, path: str, kind: str, item: dict[str, Any]
) -> None:
    name = str(item.get("name", ""))
    where = project.line(path, rf"(?<![\w$]){kind}\s*:\s*{re.escape(name)}\b", view.location)
    sqls = tuple(_constants(project, str(item[k])) for k in _SQL_KEYS if k in item)
    if kind == "filter" and not sqls:
        return  # a templated filter without SQL reads nothing
    filters = tuple(str(key) for group in item.get("filters__all", []) for f in group for key in f)
    own = not sqls and (kind != "measure" or item.get("type", "count") != "count")
    view.fields[name] = LField(name, kind, sqls, filters, own, where)


def _table_name(project: LookerProject, raw: str, where: Location) -> str | None:
    if "${" in raw or "{%" in raw or "{{" in raw:
        message = f"sql_table_name `{raw}` has a reference or Liquid that cannot be resolved"
        project.bad(where, DiagnosticCode.UNKNOWN_RELATION, message)
        return None
    parts = []
    for part in _constants(project, raw).split("."):
        if _CONSTANT.search(part):
            continue  # an unknown constant (often a schema): the name resolves without it
        parts.append(part.strip().strip('"`[]'))
    return ".".join(p for p in parts if p) or None


def _constants(project: LookerProject, text: str) -> str:
    return _CONSTANT.sub(lambda m: project.constants.get(m.group(1), m.group(0)), text)


def _model_of(name: str, data: dict[str, Any], parsed: list[tuple[str, dict[str, Any]]]) -> str:
    """A model file's own name; an explore file's: the first model including it."""
    if name.endswith(".model.lkml"):
        return _stem(name, ".model.lkml")
    for other, other_data in parsed:
        includes = other_data.get("includes", [])
        if other.endswith(".model.lkml") and any(_includes(str(i), name) for i in includes):
            return _stem(other, ".model.lkml")
    return _stem(name, ".explore.lkml")


def _stem(name: str, suffix: str) -> str:
    return name.rpartition("/")[2].removesuffix(suffix).removesuffix(".lkml")


def _includes(pattern: str, name: str) -> bool:
    if pattern.startswith("//"):
        return False  # another project's files
    pattern = pattern.lstrip("/")
    if not pattern.endswith((".lkml", ".lookml")):
        pattern += ".lkml"
    candidates = {pattern, pattern.replace("**/", "")}
    base = name.rpartition("/")[2]
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(base, p) for p in candidates)


def _add_explore(project: LookerProject, path: str, model: str, data: dict[str, Any]) -> None:
    name = str(data.get("name", ""))
    where = project.line(path, rf"(?<![\w$])explore\s*:\s*{re.escape(name)}\b")
    if "extends__all" in data:
        project.bad(where, DiagnosticCode.ANALYSIS_ERROR, f"`extends` of `{name}` not followed")
    base = str(data.get("from") or data.get("view_name") or name)
    aliases = {name: base}
    joins = []
    for item in data.get("joins", []):
        alias = str(item.get("name", ""))
        view = str(item.get("from") or item.get("view_name") or alias)
        at = project.line(path, rf"(?<![\w$])join\s*:\s*{re.escape(alias)}\b", where)
        sqls = [str(item[k]) for k in ("sql_on", "sql_where") if k in item]
        if "foreign_key" in item:
            sqls.append(f"${{{name}.{item['foreign_key']}}}")
        aliases[alias] = view
        joins.append(LJoin(alias, view, tuple(_constants(project, s) for s in sqls), at))
    always = tuple(str(data[k]) for k in ("sql_always_where", "sql_always_having") if k in data)
    for alias, view in aliases.items():
        if view not in project.views:
            at = next((j.location for j in joins if j.alias == alias), where)
            message = f"explore `{name}` uses unknown Looker view `{view}`"
            project.bad(at, DiagnosticCode.UNKNOWN_RELATION, message)
    explore = LExplore(model, name, where, aliases, tuple(joins), always)
    project.explores[(model, name)] = explore


def join_columns(project: LookerProject, explore: LExplore, used: Iterable[str]) -> set[Col]:
    """The columns the explore's always-filters and the joins of aliases `used` read."""
    cols: set[Col] = set()
    for sql in explore.sqls:
        cols |= project.expression_columns(None, sql, explore.location, explore.aliases)
    wanted = set(used)
    for join in explore.joins:
        if join.alias in wanted and join.view in project.views:
            for sql in join.sqls:
                cols |= project.expression_columns(join.view, sql, join.location, explore.aliases)
    return cols


def explore_columns(project: LookerProject, explore: LExplore) -> set[Col]:
    """Every field the explore exposes, and its join keys."""
    cols = join_columns(project, explore, explore.aliases)
    for view in explore.aliases.values():
        if view in project.views:
            for name, f in project.views[view].fields.items():
                cols |= project.field_columns(view, name, f.location)
    return cols


def _explore_consumer(project: LookerProject, explore: LExplore) -> ConsumerSpec:
    reads, sql = to_reads(project, explore_columns(project, explore))
    return ConsumerSpec(
        id=f"looker.explore.{explore.model}.{explore.name}",
        kind=ConsumerKind.ANALYSIS,
        name=f"{explore.model}/{explore.name}",
        owner=Owner(),
        location=explore.location,
        origin=ORIGIN,
        reads=reads,
        sql=sql,
    )


def to_reads(
    project: LookerProject, cols: Iterable[Col]
) -> tuple[tuple[ReadSpec, ...], tuple[tuple[str, Location | None], ...]]:
    """Columns of views as reads of their tables, and queries over derived tables."""
    reads: dict[tuple[str, str], ReadSpec] = {}
    derived: dict[str, set[str]] = {}
    for col in sorted(cols):
        view = project.views[col.view]
        if view.table is not None:
            reads.setdefault(
                (view.table, col.column), ReadSpec(view.table, col.column, col.location)
            )
        elif view.derived is not None:
            derived.setdefault(col.view, set()).add(col.column)
    queries = []
    for name, columns in sorted(derived.items()):
        sql = project.relation_sql(name)
        if sql is not None:
            select = ", ".join(sorted(columns))
            queries.append(
                (f"SELECT {select} FROM ({sql}) AS {name}", project.views[name].derived_location)
            )
    return tuple(reads[k] for k in sorted(reads)), tuple(queries)


def _offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset


# ---------------------------------------------------------------------------------------------
# LookML dashboards (YAML)


def _read_dashboards(project: LookerProject, path: str, text: str) -> list[ConsumerSpec]:
    data, problem = parse_yaml(text, path)
    if problem is not None:
        project.problems.add(problem)
        return []
    if not isinstance(data, list):
        message = "a LookML dashboard file must be a list of dashboards (`- dashboard: name`)"
        project.bad(Location(path, line_of(data)), DiagnosticCode.CONFIG_ERROR, message)
        return []
    found: list[ConsumerSpec] = []
    for index, item in enumerate(data):
        if isinstance(item, dict) and isinstance(item.get("dashboard"), str):
            found.extend(_dashboard(project, path, item))
        else:
            message = "a LookML dashboard needs `dashboard: <name>`; entry skipped"
            at = Location(path, line_of(data, index))
            project.bad(at, DiagnosticCode.CONFIG_ERROR, message)
    return found


def _dashboard(project: LookerProject, path: str, data: dict[str, Any]) -> list[ConsumerSpec]:
    name = str(data["dashboard"])
    parent = f"looker.dashboard.{name}"
    charts: list[ConsumerSpec] = []
    every: set[Col] = set()
    elements = data.get("elements") or []
    for index, element in enumerate(elements if isinstance(elements, list) else [], 1):
        if isinstance(element, dict) and "explore" in element:
            cols = _element_columns(project, Location(path, line_of(element)), element)
            every |= cols
            key = str(element.get("name") or index)
            title = str(element.get("title") or key)
            reads, sql = to_reads(project, cols)
            location = Location(path, line_of(element))
            charts.append(
                _spec(
                    f"looker.element.{name}.{key}",
                    ConsumerKind.CHART,
                    title,
                    location,
                    reads,
                    sql,
                    parent,
                )
            )
    for item in data.get("filters") or []:
        if isinstance(item, dict) and "explore" in item and "field" in item:
            every |= _element_columns(
                project, Location(path, line_of(item)), {**item, "fields": [item["field"]]}
            )
    reads, sql = to_reads(project, every)
    title = str(data.get("title") or name)
    dashboard = _spec(
        parent, ConsumerKind.DASHBOARD, title, Location(path, line_of(data)), reads, sql, None
    )
    return [dashboard, *charts]


def _spec(
    id: str,
    kind: ConsumerKind,
    name: str,
    location: Location,
    reads: tuple[ReadSpec, ...],
    sql: tuple[tuple[str, Location | None], ...],
    parent: str | None,
) -> ConsumerSpec:
    return ConsumerSpec(id, kind, name, Owner(), location, ORIGIN, reads, sql, parent=parent)


def _element_columns(project: LookerProject, where: Location, element: dict[str, Any]) -> set[Col]:
    """The columns an element's fields, filters, sorts, pivots and listeners read."""
    explore = _find_explore(project, where, element)
    if explore is None:
        return set()
    cols: set[Col] = set()
    used: set[str] = set()
    for ref in _element_fields(element):
        alias, _, name = ref.partition(".")
        if alias not in explore.aliases:
            message = f"`{ref}`: explore `{explore.name}` has no view `{alias}`"
            project.bad(where, DiagnosticCode.UNKNOWN_RELATION, message)
            continue
        used.add(alias)
        cols |= project.field_columns(explore.aliases[alias], name, where)
    return cols | join_columns(project, explore, used)


def _element_fields(element: dict[str, Any]) -> list[str]:
    refs: list[str] = []
    for key in ("fields", "pivots"):
        value = element.get(key) or []
        refs.extend(str(v) for v in (value if isinstance(value, list) else []))
    for key in ("filters", "listen"):
        value = element.get(key) or {}
        if isinstance(value, dict):
            refs.extend(str(k) for k in value) if key == "filters" else refs.extend(
                map(str, value.values())
            )
    sorts = element.get("sorts") or []
    refs.extend(
        str(s).split()[0] for s in (sorts if isinstance(sorts, list) else []) if str(s).split()
    )
    return sorted({r for r in refs if "." in r})  # table calculations have no view


def _find_explore(
    project: LookerProject, where: Location, element: dict[str, Any]
) -> LExplore | None:
    name, model = str(element["explore"]), element.get("model")
    matches = [
        e for (m, n), e in sorted(project.explores.items()) if n == name and model in (None, m)
    ]
    if len(matches) == 1:
        return matches[0]
    what = f"{model}.{name}" if model else name
    problem = "is ambiguous: give its `model`" if matches else "is not defined in the project"
    project.bad(where, DiagnosticCode.UNKNOWN_RELATION, f"Looker explore `{what}` {problem}")
    return None
