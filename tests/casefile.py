"""Reader for the paired lineage-case files under tests/cases/.

A case file holds many cases. Each case is a block:

    -- case: cte_rename
    -- dialect: postgres            (optional; else the file's `-- dialect:` header, else postgres)
    create table raw.users (id int, email text);
    create table mart.u as select id, email as mail from raw.users where id > 0;
    -- expect:
    -- mart.u.id <- raw.users.id identity
    -- mart.u.mail <- raw.users.email identity
    -- mart.u.* <- raw.users.id filter
    -- blind: mart.u.col            (optional; targets with a blind spot, `rel.*` for a relation)
    -- diagnostics: unknown-relation (optional; the exact set of warning/error codes, default none)
    -- known-limitation: why      (optional; the case states what the database does and the
                                  engine does not do yet: it runs as a strict xfail)

The SQL of a case is a small plain-SQL project: statements apply in order. Expected edges are
compared as an exact set, so an edge the engine adds that is not listed fails the case: that is
how "columns that must NOT appear" are checked. `rel.*` as a target means the rows of `rel`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADER = re.compile(r"^--\s*(case|dialect|expect|blind|diagnostics|known-limitation)\s*:\s*(.*)$")
_EDGE = re.compile(r"^--\s*(\S+)\s*<-\s*(\S+)\s+(\w+)\s*$")


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    line: int
    dialect: str
    sql: str
    edges: frozenset[tuple[str, str, str]]
    blind: frozenset[str]
    diagnostics: frozenset[str]
    limitation: str = ""


def read_cases(path: Path) -> list[Case]:
    """Split one case file into its cases."""
    lines = path.read_text(encoding="utf-8").splitlines()
    file_dialect = "postgres"
    cases: list[Case] = []
    current: dict[str, object] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        header = _HEADER.match(line)
        if header and header.group(1) == "case":
            if current:
                cases.append(_finish(current, path))
            current = {
                "name": header.group(2).strip(),
                "line": number,
                "dialect": file_dialect,
                "sql": [],
                "edges": set(),
                "blind": set(),
                "diagnostics": set(),
                "expecting": False,
                "limitation": "",
            }
        elif header and header.group(1) == "dialect":
            if current is None:
                file_dialect = header.group(2).strip()
            else:
                current["dialect"] = header.group(2).strip()
        elif current is None:
            continue
        elif header and header.group(1) == "expect":
            current["expecting"] = True
        elif header and header.group(1) == "known-limitation":
            current["limitation"] = header.group(2).strip()
        elif header and header.group(1) == "blind":
            current["blind"].add(header.group(2).strip())  # type: ignore[attr-defined]
        elif header and header.group(1) == "diagnostics":
            codes = {c.strip() for c in header.group(2).split(",") if c.strip()}
            current["diagnostics"].update(codes)  # type: ignore[attr-defined]
        elif current["expecting"] and _EDGE.match(line):
            target, source, kind = _EDGE.match(line).groups()  # type: ignore[union-attr]
            current["edges"].add((target, source, kind))  # type: ignore[attr-defined]
        elif current["expecting"] and line.startswith("--") and line[2:].strip():
            raise ValueError(f"{path}:{number}: cannot read expectation line: {raw!r}")
        elif not current["expecting"]:
            current["sql"].append(raw)  # type: ignore[attr-defined]
    if current:
        cases.append(_finish(current, path))
    return cases


def _finish(current: dict[str, object], path: Path) -> Case:
    return Case(
        name=str(current["name"]),
        path=str(path),
        line=int(current["line"]),  # type: ignore[call-overload]
        dialect=str(current["dialect"]),
        sql="\n".join(current["sql"]),  # type: ignore[arg-type]
        edges=frozenset(current["edges"]),  # type: ignore[arg-type]
        blind=frozenset(current["blind"]),  # type: ignore[arg-type]
        diagnostics=frozenset(current["diagnostics"]),  # type: ignore[arg-type]
        limitation=str(current["limitation"]),
    )
