"""The impact graph of the HTML report, laid out in Python (deterministic, instant to open).

Only what the report names is drawn: the changed and affected columns (or rows of a relation)
and the hops of their paths, one box per relation listing only those columns. Steps:

1. nodes and edges from every affected entry's path, plus the changed columns; a very long
   report keeps the `MAX_COLUMNS` nearest the changes and says how many it left out;
2. chains of `MIN_CHAIN` or more pass-through relations (each column read by identity from one
   relation and read by one relation, none of them changed) become one collapsed box;
3. boxes are layered by hop depth: the longest path from a change, so every edge points right
   (a cycle, which dbt forbids, shares one layer);
4. boxes are ordered within their layer by a few barycenter sweeps, to reduce crossings
   (3. and 4.: `lineage.report.impact_layout_order`);
5. and placed: layers left to right, boxes stacked, each column a row of its box.

Every column carries its path set: the ids of the columns, collapsed boxes and edges on its
paths, upstream to the change and downstream from it. The page's script only toggles classes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from lineage.changes import ImpactReport, ImpactSeverity
from lineage.entities import ColumnRef, EdgeKind
from lineage.names import display_name, display_ref
from lineage.report.impact_layout_order import box_links, layer_boxes, order_boxes
from lineage.report.impact_text import clean

#: The statuses of a column, worst first, and their glyphs: the severities (as in the tables),
#: a changed column, and a column on the way.
STATUS_ORDER = ("breaks", "rows", "values", "additive", "unknown", "changed", "none")
GLYPHS = dict(zip(STATUS_ORDER, "✖≡~+?Δ·", strict=True))
MAX_COLUMNS = 250  # columns drawn at most; the table lists every one
MIN_CHAIN = 2  # pass-through relations in a row that are collapsed into one box
LABEL_LIMIT = 40  # characters of a name shown in a box (the tooltip has all of it)
CHAR, ROW, HEADER, PAD, LAYER_GAP, BOX_GAP, MARGIN = 7.3, 20, 26, 8, 90, 18, 12
BASELINE = 4  # from the middle of a row to the baseline of its 12px text

Pair = tuple[ColumnRef, ColumnRef]


@dataclass(frozen=True)
class GraphColumn:
    """One row of a relation box: `ref` is its data-ref, `path` its path set."""

    id: str
    ref: str
    label: str
    severity: str  # breaks, rows, values, additive, unknown, changed or none
    changed: bool
    y: int  # the centre of the row, where its edges attach
    path: str

    height = ROW

    @property
    def top(self) -> int:
        return self.y - ROW // 2

    @property
    def baseline(self) -> int:
        return self.y + BASELINE


@dataclass(frozen=True)
class GraphBox:
    """A relation (or, `collapsed`, a chain of pass-through relations) and its rows."""

    id: str
    name: str  # the relation's short name (collapsed: `collapsed:N`)
    label: str  # what the header shows, cut to LABEL_LIMIT
    title: str  # the tooltip: the whole name (collapsed: the chain)
    severity: str  # the worst status of its columns
    x: int
    y: int
    width: int
    height: int
    columns: tuple[GraphColumn, ...] = ()
    hidden: tuple[tuple[str, int], ...] = ()  # collapsed: each relation and its baseline

    @property
    def collapsed(self) -> bool:
        return bool(self.hidden)

    @property
    def baseline(self) -> int:
        return self.y + HEADER // 2 + BASELINE

    @property
    def text_x(self) -> int:
        return self.x + PAD


@dataclass(frozen=True)
class GraphEdge:
    id: str
    source: str  # the data-ref of its source (a column, or `collapsed:N`)
    target: str
    kinds: str  # the edge kinds, comma-separated
    indirect: bool  # every kind is indirect (filter, join, group_by...): drawn dashed
    d: str  # the SVG path


@dataclass(frozen=True)
class GraphLayout:
    boxes: tuple[GraphBox, ...]
    edges: tuple[GraphEdge, ...]
    width: int
    height: int
    total: int  # columns on the report's paths
    drawn: int  # of those, how many are drawn (the others are left out: MAX_COLUMNS)


@dataclass
class _Box:
    key: str  # the relation, or `collapsed:N`
    ports: list[str]  # port ids, in row order
    refs: list[ColumnRef]  # its columns in row order (collapsed: those of every relation)
    hidden: tuple[str, ...] = ()
    layer: int = 0
    depth: int = 0
    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0
    rows: list[str] = field(default_factory=list)  # the text of each row


@dataclass
class _Graph:
    """The report's paths: nodes (refs) with status and depth, edges with their kinds."""

    severity: dict[ColumnRef, ImpactSeverity] = field(default_factory=dict)
    depth: dict[ColumnRef, int] = field(default_factory=dict)
    changed: set[ColumnRef] = field(default_factory=set)
    edges: dict[Pair, set[EdgeKind]] = field(default_factory=dict)

    def status(self, ref: ColumnRef) -> str:
        severity = self.severity.get(ref)
        if severity is not None:
            return severity.slug
        return "changed" if ref in self.changed else "none"


def impact_layout(report: ImpactReport, max_columns: int = MAX_COLUMNS) -> GraphLayout:
    """The graph of the report's changes and affected columns, laid out and ready to draw."""
    graph = _paths(report)
    nearest = sorted(
        graph.depth, key=lambda r: (graph.depth[r], -graph.severity.get(r, 0), r.sort_key)
    )
    kept = sorted(nearest[:max_columns], key=lambda r: r.sort_key)  # the worst first among equals
    port = {ref: f"gc-{i}" for i, ref in enumerate(kept, 1)}
    edges = {pair: kinds for pair, kinds in graph.edges.items() if set(pair) <= set(port)}
    boxes = _boxes(graph, kept, edges, port)
    links: dict[tuple[str, str], set[EdgeKind]] = {}
    for (source, target), kinds in edges.items():
        if port[source] != port[target]:
            links.setdefault((port[source], port[target]), set()).update(kinds)
    graph_of_boxes = box_links(boxes, links)
    layer_boxes(boxes, graph_of_boxes)
    order_boxes(boxes, graph_of_boxes)
    size = _place(boxes, graph)
    drawn_edges, paths = _edges(boxes, port, links)
    drawn = tuple(_box(box, graph, paths) for box in boxes)
    return GraphLayout(drawn, drawn_edges, *size, len(graph.depth), len(kept))


# -- 1. the report's paths -------------------------------------------------------------------


def _paths(report: ImpactReport) -> _Graph:
    graph = _Graph()
    for change in report.changes:
        if change.consumer is None:
            graph.changed.add(change.ref)
            graph.depth[change.ref] = 0
    for entry in report.affected:
        for index, step in enumerate(entry.path):
            graph.depth[step.ref] = min(graph.depth.get(step.ref, index), index)
            previous = entry.path[index - 1].ref if index else None
            if step.kind is not None and previous is not None and previous != step.ref:
                graph.edges.setdefault((previous, step.ref), set()).add(step.kind)
        graph.depth[entry.ref] = min(graph.depth.get(entry.ref, entry.depth), entry.depth)
        worst = graph.severity.get(entry.ref, entry.severity)
        graph.severity[entry.ref] = max(worst, entry.severity)
    return graph


# -- 2. boxes and collapsed chains -----------------------------------------------------------


def _boxes(
    graph: _Graph,
    kept: list[ColumnRef],
    edges: dict[Pair, set[EdgeKind]],
    port: dict[ColumnRef, str],
) -> list[_Box]:
    """A box per relation, a collapsed box per chain; `port` is updated for hidden columns."""
    members: dict[str, list[ColumnRef]] = defaultdict(list)
    for ref in sorted(kept, key=lambda r: (r.relation, r.column is not None, r.column or "")):
        members[ref.relation].append(ref)
    chains = _chains(graph, members, edges)
    hidden = {name for chain in chains for name in chain}
    boxes = [
        _Box(name, [port[r] for r in refs], refs)
        for name, refs in members.items()
        if name not in hidden
    ]
    for number, chain in enumerate(chains, 1):
        inside = [r for name in chain for r in members[name]]
        boxes.append(_Box(f"collapsed:{number}", [f"gx-{number}"], inside, tuple(chain)))
        port.update({r: f"gx-{number}" for r in inside})
    for box in boxes:
        box.depth = min(graph.depth[r] for r in box.refs)
    return boxes


def _chains(
    graph: _Graph, members: dict[str, list[ColumnRef]], edges: dict[Pair, set[EdgeKind]]
) -> list[list[str]]:
    """Runs of `MIN_CHAIN` or more pass-through relations, each in path order."""
    before: dict[str, set[str]] = defaultdict(set)
    after: dict[str, set[str]] = defaultdict(set)
    into: dict[ColumnRef, list[set[EdgeKind]]] = defaultdict(list)
    out: dict[ColumnRef, int] = defaultdict(int)
    for (source, target), kinds in edges.items():
        if source.relation != target.relation:
            before[target.relation].add(source.relation)
            after[source.relation].add(target.relation)
        into[target].append(kinds)
        out[source] += 1
    through = {
        name
        for name, refs in members.items()
        if len(before[name]) == len(after[name]) == 1
        and not graph.changed.intersection(refs)
        and all(into[r] == [{EdgeKind.IDENTITY}] and out[r] for r in refs)
    }
    chains = []
    for name in sorted(through):
        if next(iter(before[name])) not in through:  # the start of a chain
            chain = [name]
            while (following := next(iter(after[chain[-1]]))) in through:
                chain.append(following)
            chains += [chain] if len(chain) >= MIN_CHAIN else []
    return chains


# -- 5. coordinates and what is drawn --------------------------------------------------------


def _label(text: str) -> str:
    shown = clean(text)
    return shown if len(shown) <= LABEL_LIMIT else shown[: LABEL_LIMIT - 1] + "…"


def _chain_label(status: str, hidden: tuple[str, ...]) -> str:
    return f"{GLYPHS[status]} ⋯ {len(hidden)} pass-through relations"


def _row_text(graph: _Graph, ref: ColumnRef) -> str:
    mark = " Δ" if ref in graph.changed and ref in graph.severity else ""
    return f"{GLYPHS[graph.status(ref)]} {_label(ref.column or '(rows)')}{mark}"


def _place(boxes: list[_Box], graph: _Graph) -> tuple[int, int]:
    for box in boxes:
        if box.hidden:
            title = _chain_label("none", box.hidden)
            box.rows = [_label(display_name(name)) for name in box.hidden]
        else:
            title = _label(display_name(box.key))
            box.rows = [_row_text(graph, ref) for ref in box.refs]
        box.width = int(max(len(text) for text in [title, *box.rows]) * CHAR) + 2 * PAD + 1
        box.height = HEADER + ROW * len(box.rows) + PAD // 2
    layers: dict[int, list[_Box]] = defaultdict(list)
    for box in boxes:
        layers[box.layer].append(box)
    tall = {n: sum(b.height + BOX_GAP for b in group) - BOX_GAP for n, group in layers.items()}
    height = max(tall.values(), default=0) + 2 * MARGIN
    x = MARGIN
    for number in sorted(layers):
        y = MARGIN + (height - 2 * MARGIN - tall[number]) // 2
        for box in layers[number]:
            box.x, box.y = x, y
            y += box.height + BOX_GAP
        x += max(b.width for b in layers[number]) + LAYER_GAP
    return max(x - LAYER_GAP + MARGIN, 2 * MARGIN), height


def _port_y(box: _Box, port: str) -> int:
    if box.hidden:
        return box.y + box.height // 2
    return box.y + HEADER + ROW * box.ports.index(port) + ROW // 2


def _id_order(identifier: str) -> tuple[str, int]:
    return identifier[:3], int(identifier[3:])


def _edges(
    boxes: list[_Box], port: dict[ColumnRef, str], links: dict[tuple[str, str], set[EdgeKind]]
) -> tuple[tuple[GraphEdge, ...], dict[str, str]]:
    """The edges as SVG paths, and each port's path set."""
    owner = {p: box for box in boxes for p in box.ports}
    names = {p: clean(display_ref(r)) for r, p in port.items() if p.startswith("gc-")}
    names.update({b.ports[0]: b.key for b in boxes if b.hidden})
    pairs = sorted(links, key=lambda pair: (_id_order(pair[0]), _id_order(pair[1])))
    ids = {pair: f"ge-{n}" for n, pair in enumerate(pairs, 1)}
    edges = []
    for (source, target), identifier in ids.items():
        kinds = links[source, target]
        x1, y1 = owner[source].x + owner[source].width, _port_y(owner[source], source)
        x2, y2 = owner[target].x, _port_y(owner[target], target)
        bend = max((x2 - x1) // 2, 40)
        curve = f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
        edges.append(
            GraphEdge(
                identifier,
                names[source],
                names[target],
                ",".join(sorted(k.value for k in kinds)),
                not any(k.is_direct for k in kinds),
                curve,
            )
        )
    return tuple(edges), _path_sets(list(owner), ids)


def _path_sets(ports: list[str], edge_ids: dict[tuple[str, str], str]) -> dict[str, str]:
    """For each port: itself, and every port and edge upstream to the change and downstream."""
    graph = nx.DiGraph()
    graph.add_nodes_from(ports)
    graph.add_edges_from(edge_ids)
    sets = {}
    for start in ports:
        above, below = nx.ancestors(graph, start), nx.descendants(graph, start)
        on = [
            edge
            for (s, t), edge in edge_ids.items()
            if (s in above and (t in above or t == start))
            or (t in below and (s in below or s == start))
        ]
        chosen = sorted({start} | above | below, key=_id_order) + sorted(on, key=_id_order)
        sets[start] = " ".join(chosen)
    return sets


def _box(box: _Box, graph: _Graph, paths: dict[str, str]) -> GraphBox:
    statuses = [graph.status(ref) for ref in box.refs]
    worst = min(statuses, key=STATUS_ORDER.index)
    place = (box.x, box.y, box.width, box.height)
    if box.hidden:
        chain = " → ".join(clean(display_name(n)) for n in box.hidden)
        lines = tuple(
            (name, box.y + HEADER + ROW * i + ROW // 2 + BASELINE)
            for i, name in enumerate(box.rows)
        )
        label = _chain_label(worst, box.hidden)
        return GraphBox(box.ports[0], box.key, label, chain, worst, *place, hidden=lines)
    columns = tuple(
        GraphColumn(
            port,
            clean(display_ref(ref)),
            box.rows[i],
            statuses[i],
            ref in graph.changed,
            _port_y(box, port),
            paths[port],
        )
        for i, (port, ref) in enumerate(zip(box.ports, box.refs, strict=True))
    )
    name = clean(display_name(box.key))
    return GraphBox(f"gb-{box.ports[0][3:]}", name, _label(name), name, worst, *place, columns)
