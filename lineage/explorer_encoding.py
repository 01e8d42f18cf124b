"""Compact encodings of the explorer document's largest parts (docs/explorer.md).

A 20,000-model project has about 200,000 distinct column expressions, most of them the same
few hundred shapes over different columns: `coalesce(orders.amount, 0)`, `sum(p.amount)`, or
just `orders.order_id` for a copy. So an expression is stored as a **template** in which each
qualified reference to one of the column's inputs (`alias.input_name`) is a placeholder (the
character U+0001 followed by `chr(0x30 + i)`, `i` being the input's position among the
column's incoming edges), plus the aliases, in order, in a flat list: the templates repeat and
are interned once. A column whose name is the name of its first direct input (a copy, or a
computation kept under the same name) stores name 0 and takes that input's name. Both are
undone exactly by the page (10_model.js) and by `expand_template` / `resolve_names` here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lineage.entities import EdgeKind

PLACEHOLDER = "\x01"
MAX_INPUTS = 64  # placeholders address the first 64 inputs; later ones stay literal
_QUALIFIED = re.compile(r"\b([A-Za-z_][\w$]*)\.([A-Za-z_][\w$]*)\b")


def expression_template(text: str, inputs: Sequence[str]) -> tuple[str, list[str]]:
    """`text` with each `alias.name` whose name is one of `inputs` replaced by a placeholder,
    and the aliases in order. `text` must hold no U+0001 (the document's strings are
    `visible`: control characters are escapes); if it does, it is returned as it is."""
    if PLACEHOLDER in text or "." not in text:
        return text, []
    position: dict[str, int] = {}
    for number, name in enumerate(inputs[:MAX_INPUTS]):
        position.setdefault(name, number)
    aliases: list[str] = []

    def put(match: re.Match[str]) -> str:
        number = position.get(match[2])
        if number is None:
            return match[0]
        aliases.append(match[1])
        return PLACEHOLDER + chr(0x30 + number)

    template = _QUALIFIED.sub(put, text)
    if expand_template(template, aliases, inputs) != text:  # never expected; stay exact
        return text, []
    return template, aliases


def expand_template(template: str, aliases: Sequence[str], inputs: Sequence[str]) -> str:
    """The expression a template stands for."""
    if PLACEHOLDER not in template:
        return template
    parts = template.split(PLACEHOLDER)
    shown = [parts[0]]
    for alias, part in zip(aliases, parts[1:], strict=True):
        shown.append(f"{alias}.{inputs[ord(part[0]) - 0x30]}{part[1:]}")
    return "".join(shown)


def shared_names(names: list[int], first_direct: list[int]) -> list[int]:
    """`names` (string indexes) with 0 for each column named as its first direct input, where
    following those inputs ends at a column that keeps its name (columns on a cycle keep
    theirs)."""
    parent = [
        source if source >= 0 and name and names[source] == name else -1
        for name, source in zip(names, first_direct, strict=True)
    ]
    state = [0] * len(names)  # 0 unseen, 1 on the current chain, 2 decided
    for start in range(len(names)):
        chain = []
        at = start
        while at >= 0 and state[at] == 0:
            state[at] = 1
            chain.append(at)
            at = parent[at]
        if at >= 0 and state[at] == 1:  # a cycle: its member `at` keeps its name
            parent[at] = -1
        for member in chain:
            state[member] = 2
    return [0 if parent[c] >= 0 else name for c, name in enumerate(names)]


def resolve_names(names: Sequence[int], first_direct: Sequence[int], rows: set[int]) -> list[int]:
    """The inverse of `shared_names` (for tests and readers of the document)."""
    resolved = list(names)
    for start in range(len(resolved)):
        chain = []
        at = start
        while resolved[at] == 0 and at not in rows and first_direct[at] >= 0:
            chain.append(at)
            at = first_direct[at]
        for member in chain:
            resolved[member] = resolved[at]
    return resolved


def column_names(document: dict[str, Any]) -> list[str]:
    """Every column's name in an explorer document ("" for rows columns), decoded."""
    edges, columns = document["edges"], document["columns"]
    direct = {i for i, kind in enumerate(document["edge_kinds"]) if EdgeKind(kind).is_direct}
    first_direct = [-1] * len(columns["name"])
    target = source = 0
    for step, jump, kind in zip(edges["target"], edges["source"], edges["kind"], strict=True):
        target, source = target + step, source + jump
        if first_direct[target] < 0 and kind in direct:
            first_direct[target] = source
    rows = set(document["nodes"]["first"])
    names = resolve_names(columns["name"], first_direct, rows)
    return [document["strings"][n] for n in names]
