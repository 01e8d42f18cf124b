"""Map lines of rendered SQL back to lines of its Jinja template.

Text outside Jinja tags renders unchanged, so the two line sequences align on those lines
(blank lines, which all look alike, are left out of the alignment). Inside a changed region,
a rendered line goes to the template line whose literal text (outside its tags) it contains,
in order; what is left (a macro's several lines, a loop's repetitions) maps into the span
of template lines it came from. Diagnostics and edges can then point at the model file.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_TAG = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}")


def template_lines(template: str, rendered: str) -> list[int]:
    """For each rendered line (index 0 = line 1), the 1-based template line it comes from.

    >>> template_lines("select\\n{{ cols }}\\nfrom t", "select\\na,\\nb\\nfrom t")
    [1, 2, 2, 3]
    >>> template_lines("{# c #}\\n\\nselect * from {{ ref('x') }}", "\\n\\nselect * from a.b.x")
    [1, 1, 3]
    """
    source_all = template.splitlines()
    output_all = rendered.splitlines()
    source = [i for i, line in enumerate(source_all) if line.strip()]
    output = [i for i, line in enumerate(output_all) if line.strip()]
    mapped: dict[int, int] = {}
    matcher = SequenceMatcher(
        None,
        [source_all[i].strip() for i in source],
        [output_all[i].strip() for i in output],
        autojunk=False,
    )
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            mapped.update((output[b1 + k], source[a1 + k]) for k in range(b2 - b1))
        elif b2 > b1:
            span = source[a1:a2] or source[max(a1 - 1, 0) : a1] or [0]
            mapped.update(_region(source_all, span, output_all, output[b1:b2]))
    return _filled(mapped, len(output_all))


def _region(
    source_all: list[str], span: list[int], output_all: list[str], rendered: list[int]
) -> dict[int, int]:
    """Changed lines: each to the next template line whose literal text it contains, else
    proportionally within the template lines of the region."""
    found: dict[int, int] = {}
    start = 0
    for k, index in enumerate(rendered):
        match = next(
            (j for j in range(start, len(span)) if _fits(source_all[span[j]], output_all[index])),
            None,
        )
        if match is not None:
            start = match
            found[index] = span[match]
        else:
            found[index] = span[min(start + k * len(span) // len(rendered), len(span) - 1)]
    return found


def _fits(template_line: str, rendered_line: str) -> bool:
    parts = [p.strip() for p in _TAG.split(template_line) if p.strip()]
    position = 0
    for part in parts:
        position = rendered_line.find(part, position)
        if position < 0:
            return False
        position += len(part)
    return bool(parts)


def _filled(mapped: dict[int, int], count: int) -> list[int]:
    """1-based template lines for every rendered line; a blank line takes the one before."""
    lines: list[int] = []
    previous = 0
    for index in range(count):
        previous = mapped.get(index, previous)
        lines.append(previous + 1)
    return lines
