"""The order dbt nodes are analysed in: parents before children, by their refs."""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import TYPE_CHECKING

from lineage.entities import DiagnosticCode
from lineage.sources.dbt.nodes import DbtNode
from lineage.sql.recorder import Recorder

if TYPE_CHECKING:
    from lineage.dbt_build import _Index
    from lineage.render.renderer import ParseResult


def dependency_order(
    parsed: Mapping[str, ParseResult], index: _Index, recorder: Recorder
) -> list[DbtNode]:
    """Nodes whose parents come first (ties by unique id), in time linear in the refs.
    Nodes on a ref cycle are reported and left out; refs to unknown nodes do not order
    anything (rendering reports them)."""
    nodes = {n.unique_id: n for n in index.project.nodes if n.unique_id in parsed}
    parents = {uid: _parents(parsed[uid], index, nodes) for uid in nodes}
    children: dict[str, list[str]] = {uid: [] for uid in nodes}
    waiting = {uid: len(ps) for uid, ps in parents.items()}
    for uid, ps in parents.items():
        for parent in ps:
            children[parent].append(uid)
    ready = [uid for uid, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered: list[DbtNode] = []
    while ready:
        uid = heapq.heappop(ready)
        ordered.append(nodes[uid])
        for child in children[uid]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, child)
    _report_cycles(recorder, nodes, parents, {n.unique_id for n in ordered})
    return ordered


def _parents(result: ParseResult, index: _Index, nodes: Mapping[str, DbtNode]) -> set[str]:
    found = set()
    for package, name, version in result.refs:
        parent = index.node(package, name, version)
        if parent is not None and parent.unique_id in nodes:
            found.add(parent.unique_id)
    return found


def _report_cycles(
    recorder: Recorder,
    nodes: Mapping[str, DbtNode],
    parents: Mapping[str, set[str]],
    done: set[str],
) -> None:
    for uid in sorted(set(nodes) - done):
        waiting = sorted(p for p in parents[uid] if p not in done)
        recorder.path = nodes[uid].path
        recorder.diagnose(
            1,
            DiagnosticCode.ANALYSIS_ERROR,
            f"{uid} is not analysed: its refs form a cycle (or wait on one) through "
            f"{', '.join(waiting)}",
            uid,
        )
