"""Markdown escaping: every project string shown in a comment goes through one of these.

A name, a reason or an address read from the project cannot break the Markdown it is put in:
active characters are backslash-escaped (`md_text`), code spans and fences are longer than any
backtick run inside them (`md_code`, `md_fence`), links are http(s) only and percent-encoded
(`md_link`), and control and bidi characters are shown as escapes. The building blocks of a
comment (`md_table`, `md_details`, `md_rows`...) take text already escaped and keep long lists
short: the rows past `VISIBLE_ROWS` folded, those past a limit counted.

>>> print(md_text("<b>*x*</b>"))
\\<b\\>\\*x\\*\\</b\\>
>>> md_code("a `b` c")
'``a `b` c``'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import quote

from lineage.report.impact_text import clean, plural, visible

#: Characters Markdown, GitHub's extensions (tables, strikethrough, math) or HTML act on.
_ACTIVE = frozenset("\\`*_[]<>|~#!&$")
_BACKTICKS = re.compile("`+")
NAME_LIMIT = 200
PROSE_LIMIT = 500
#: Characters left as they are in a link's address; the rest are percent-encoded.
_URL_SAFE = "/:?#@!$&'*+,;=%-._~"
#: Rows of a table shown before the rest is folded into a <details> block.
VISIBLE_ROWS = 10
#: Where what a comment leaves out can be read.
ELSEWHERE = "in the JSON or HTML report"


def md_text(text: str, limit: int | None = PROSE_LIMIT) -> str:
    """Project text shown as text, on one line: each active character backslash-escaped, so
    `<script>`, `<!--`, `|`, `*` or `[x](y)` show as written. `|` stays escaped in tables."""
    return _escaped(clean(text, limit))


def md_code(text: str, table: bool = False, limit: int | None = NAME_LIMIT) -> str:
    """Project text as inline code, fenced by more backticks than any run inside it. In a
    table cell `|` is escaped too (GitHub unescapes it before reading the code span)."""
    return _code_span(clean(text, limit), table)


def md_prose(text: str, table: bool = False, limit: int | None = PROSE_LIMIT) -> str:
    """A sentence of ours naming project things in backticks (a reason, a fix): the
    backticked parts become code, the rest text. Unpaired backticks: all of it is text."""
    parts = clean(text, limit).split("`")
    if len(parts) % 2 == 0:
        return _escaped("`".join(parts))
    return "".join(
        _escaped(part) if index % 2 == 0 else _code_span(part, table)
        for index, part in enumerate(parts)
    )


def md_link(text: str, url: str | None) -> str:
    """`[text](url)` for an http(s) address, percent-encoded; otherwise the text alone."""
    label = md_text(text, NAME_LIMIT)
    if not url or not url.lower().startswith(("https://", "http://")):
        return label
    return f"[{label}]({quote(visible(url.strip()), safe=_URL_SAFE)})"


def md_fence(content: str, info: str = "", limit: int | None = None) -> list[str]:
    """A fenced code block whose fence is longer than any backtick run in `content`."""
    if limit is not None and len(content) > limit:
        content = content[: limit - 1] + "…"
    lines = [visible(line) for line in content.splitlines()] or [""]
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *lines, fence]


def _escaped(text: str) -> str:
    return "".join("\\" + c if c in _ACTIVE else c for c in text)


def _code_span(text: str, table: bool) -> str:
    if not text.strip():
        return _escaped(text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    span = f"{fence}{padded}{fence}"
    return span.replace("|", "\\|") if table else span


# -- building blocks: tables, folded blocks and counted remainders ----------------------------

T = TypeVar("T")
Block = list[str]


def md_details(summary: str, body: list[Block]) -> Block:
    """A folded block. `summary` is our own words (no project string: it is raw HTML)."""
    inner = [line for block in body if block for line in [*block, ""]]
    return [f"<details><summary>{summary}</summary>", "", *inner, "</details>"]


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Block:
    """A table of cells already escaped (`md_code(..., table=True)` and the others)."""
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def limited(items: Sequence[T], limit: int | None) -> tuple[Sequence[T], int]:
    """The first `limit` items (all of them for `None`), and how many are left out."""
    shown = items if limit is None else items[:limit]
    return shown, len(items) - len(shown)


def md_more(count: int, noun: str) -> Block:
    """`… 3 more tests in the JSON or HTML report.`; nothing when none is left out."""
    return [f"… {plural(count, f'more {noun}', f'more {noun}s')} {ELSEWHERE}."] if count else []


def md_rows(
    entries: Sequence[T],
    header: Sequence[str],
    row: Callable[[T], list[str]],
    limit: int | None,
    noun: str = "row",
) -> list[Block]:
    """A table of the first rows, the rest up to `limit` folded, the remainder counted."""
    shown, dropped = limited(entries, limit)
    blocks = [md_table(header, [row(e) for e in shown[:VISIBLE_ROWS]])] if shown else []
    if len(shown) > VISIBLE_ROWS:
        folded = md_table(header, [row(e) for e in shown[VISIBLE_ROWS:]])
        blocks.append(md_details(f"{len(shown) - VISIBLE_ROWS} more rows", [folded]))
    return [*blocks, md_more(dropped, noun)]


def md_names(refs: Sequence[str], limit: int | None) -> str:
    """The names as code, comma-separated, the first `limit` of them and how many more."""
    shown, dropped = limited(refs, limit)
    return ", ".join(md_code(r) for r in shown) + (f" and {dropped} more" if dropped else "")
