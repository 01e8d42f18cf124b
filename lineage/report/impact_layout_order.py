"""Steps 3 and 4 of the impact graph's layout (`lineage.report.impact_layout`): the boxes in
layers by hop depth, then ordered within each layer to reduce crossings.

Layers are the generations of the graph of boxes (the longest path from a change, so every edge
points right; a cycle, which dbt forbids, shares one layer). Within a layer, boxes are sorted by
the mean position of their neighbours in the other layers, `SWEEPS` times down then up; ties
keep the order of (layer, depth, name), so the same report always gives the same picture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from lineage.entities import EdgeKind

if TYPE_CHECKING:
    from lineage.report.impact_layout import _Box

SWEEPS = 4  # barycenter sweeps, each down then up


def box_links(boxes: list[_Box], links: dict[tuple[str, str], set[EdgeKind]]) -> nx.DiGraph:
    """The graph of boxes (their indexes in `boxes`): an edge where a column link joins two."""
    owner = {p: i for i, box in enumerate(boxes) for p in box.ports}
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(boxes)))
    graph.add_edges_from((owner[s], owner[t]) for s, t in links if owner[s] != owner[t])
    return graph


def layer_boxes(boxes: list[_Box], links: nx.DiGraph) -> None:
    """Longest-path layers: the generations of the graph of boxes, cycles condensed."""
    condensed = nx.condensation(links)
    for layer, generation in enumerate(nx.topological_generations(condensed)):
        for component in generation:
            for index in condensed.nodes[component]["members"]:
                boxes[index].layer = layer


def order_boxes(boxes: list[_Box], links: nx.DiGraph) -> None:
    """Sort each layer by the mean position of its neighbours, a few times down and up."""
    rank = {i: (box.layer, box.depth, box.key) for i, box in enumerate(boxes)}
    position = {i: n for n, i in enumerate(sorted(rank, key=rank.__getitem__))}
    for sweep in range(SWEEPS * 2):
        neighbours = links.predecessors if sweep % 2 == 0 else links.successors
        mean = {}
        for index in position:
            near = [position[n] for n in neighbours(index) if boxes[n].layer != boxes[index].layer]
            mean[index] = sum(near) / len(near) if near else float(position[index])
        ranked = sorted(position, key=lambda i: (boxes[i].layer, mean[i], rank[i]))
        position = {i: n for n, i in enumerate(ranked)}
    boxes[:] = [boxes[i] for i in sorted(position, key=position.__getitem__)]
