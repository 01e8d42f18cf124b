"""`lineage graph`: the whole graph as JSON (schema in docs/graph-schema.md) or Graphviz DOT."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from lineage import __version__
from lineage.entities import Project
from lineage.report import serialize
from lineage.report.coverage import coverage_document

#: Bump the major number on any incompatible change to the document's shape, the minor one
#: when keys are added (1.1: relation contract, version, owner, tests and former_names, column
#: former_names, edge inner; 1.2: relation description and tags, column description).
GRAPH_SCHEMA_VERSION = "1.2"


def graph_document(project: Project) -> dict[str, Any]:
    return {
        "schema_version": GRAPH_SCHEMA_VERSION,
        "tool": {"name": "lineage", "version": __version__},
        "dialect": project.dialect,
        "coverage": coverage_document(project),
        "relations": [serialize.relation(r) for r in project.relations],
        "edges": [serialize.edge(e) for e in project.edges],
        "blind_spots": [serialize.blind_spot(b) for b in project.blind_spots],
        "diagnostics": [serialize.diagnostic(d) for d in project.diagnostics],
        "consumers": [serialize.consumer(c) for c in project.consumers],
    }


def graph_json(project: Project) -> str:
    """The graph document as `json.dumps(graph_document(project), indent=2, sort_keys=True,
    ensure_ascii=False)` writes it, plus a newline (the same bytes), without building the whole
    document as Python objects first: at 20,000 models those took gigabytes."""
    return "".join(graph_json_pieces(project))


def graph_json_pieces(project: Project) -> Iterator[str]:
    """`graph_json` in pieces, to write one after the other (a 20,000-model document is
    900 MB of text)."""
    yield from graph_document_text(project, pretty=True)
    yield "\n"


def graph_document_text(project: Project, pretty: bool) -> Iterator[str]:
    """The graph document's JSON in pieces, relation by relation and edge by edge: indented
    with sorted keys (`pretty`), or compact with the keys in document order."""
    head = graph_document(replace(project, relations=(), edges=()))
    streamed: dict[str, Callable[[], Iterator[dict[str, Any]]]] = {
        "relations": lambda: (serialize.relation(r) for r in project.relations),
        "edges": lambda: (serialize.edge(e) for e in project.edges),
    }
    yield "{\n" if pretty else "{"
    for number, key in enumerate(sorted(head) if pretty else head):
        if number:
            yield ",\n" if pretty else ","
        yield ("  " if pretty else "") + _json(key, pretty, 1) + (": " if pretty else ":")
        if key in streamed:
            yield from _json_array(streamed[key](), pretty)
        else:
            yield _json(head[key], pretty, 1)
    yield "\n}" if pretty else "}"


def _json_array(items: Iterator[dict[str, Any]], pretty: bool) -> Iterator[str]:
    first = True
    for item in items:
        if pretty:
            yield ("[\n    " if first else ",\n    ") + _json(item, pretty, 2)
        else:
            yield ("[" if first else ",") + _json(item, pretty, 2)
        first = False
    yield "[]" if first else ("\n  ]" if pretty else "]")


def _json(value: Any, pretty: bool, level: int) -> str:
    """`value` as it appears `level` deep in the document (raw newlines in indented JSON are
    only ever indentation: those in strings are escaped)."""
    if not pretty:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level)


def graph_dot(project: Project) -> str:
    """Relations as clusters of column nodes; indirect edges dashed, row edges to the box."""
    lines = [
        "digraph lineage {",
        "  rankdir=LR;",
        "  compound=true;",
        '  node [shape=box, fontname="Helvetica", fontsize=10];',
    ]
    for index, relation in enumerate(project.relations):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_quote(relation.name)};")
        lines.append(f'    {_quote(relation.name + ".*")} [label="rows", shape=plaintext];')
        for column in relation.columns:
            lines.append(
                f"    {_quote(relation.name + '.' + column.name)} [label={_quote(column.name)}];"
            )
        lines.append("  }")
    for edge in project.edges:
        target = edge.target.relation + "." + (edge.target.column or "*")
        style = "solid" if edge.kind.is_direct else "dashed"
        lines.append(
            f"  {_quote(str(edge.source))} -> {_quote(target)} "
            f"[label={_quote(edge.kind.value)}, style={style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


#: Each format's text, in pieces written one after the other.
GRAPH_FORMATS: dict[str, Callable[[Project], Iterable[str]]] = {
    "json": graph_json_pieces,
    "dot": lambda project: (graph_dot(project),),
}
