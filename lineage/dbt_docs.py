"""dbt docs blocks: `{% docs name %}...{% enddocs %}` in Markdown files, and the descriptions
that use them (`description: '{{ doc("name") }}'`).

dbt renders a description with Jinja; `lineage` never executes project Jinja for a
description, it only replaces each literal `{{ doc('name') }}` (or `doc('package', 'name')`)
with the text of the block of that name, found in the `.md` files under the project's model,
seed, snapshot, macro, analysis and test paths (dbt's default `docs-paths`). A call naming no
block, or anything else in braces, stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode
from lineage.sources.dbt.files import diagnostic, read_text, walk
from lineage.sources.dbt.project import read_project

_DOCS_PATHS = (
    "model-paths",
    "seed-paths",
    "snapshot-paths",
    "macro-paths",
    "analysis-paths",
    "test-paths",
)
_OPENING = re.compile(r"\{%-?\s*docs\s+(?P<name>[A-Za-z_][\w]*)\s*-?%\}")
_CLOSING = re.compile(r"\{%-?\s*enddocs\s*-?%\}")
_CALL = re.compile(
    r"\{\{-?\s*doc\(\s*(?:(?P<q1>['\"])[\w.]+(?P=q1)\s*,\s*)?"
    r"(?P<q2>['\"])(?P<name>[\w]+)(?P=q2)\s*\)\s*-?\}\}"
)


def read_docs_blocks(root: Path, max_file_bytes: int) -> tuple[dict[str, str], list[Diagnostic]]:
    """Every docs block of the project by name (the first of a name wins, in path order), and
    a diagnostic for each `.md` file that cannot be read and each block never closed."""
    config, _ = read_project(root, "", max_file_bytes)
    if config is None:
        return {}, []
    skip = frozenset({root / config.packages_install_path, root / config.target_path})
    blocks: dict[str, str] = {}
    problems: list[Diagnostic] = []
    seen: set[Path] = set()
    for key in _DOCS_PATHS:
        for entry in config.paths.get(key, ()):
            for path in walk(root / entry, frozenset({".md"}), skip):
                if path in seen:
                    continue
                seen.add(path)
                name = path.relative_to(root).as_posix()
                text, unread = read_text(path, name, max_file_bytes)
                problems += unread
                problems += _file_blocks(text or "", name, blocks)
    return blocks, problems


def _file_blocks(text: str, name: str, blocks: dict[str, str]) -> list[Diagnostic]:
    """Add the file's blocks to `blocks`; an opening tag with no `enddocs` before the next
    opening is a diagnostic at its line (dbt would refuse the file)."""
    problems = []
    openings = list(_OPENING.finditer(text))
    for number, opening in enumerate(openings):
        limit = openings[number + 1].start() if number + 1 < len(openings) else len(text)
        closing = _CLOSING.search(text, opening.end(), limit)
        if closing is not None:
            blocks.setdefault(opening["name"], text[opening.end() : closing.start()].strip())
            continue
        problems.append(
            diagnostic(
                name,
                text.count("\n", 0, opening.start()) + 1,
                DiagnosticCode.CONFIG_ERROR,
                f"docs block '{opening['name']}' has no {{% enddocs %}} before the next block: "
                f"it is ignored, and a description calling doc('{opening['name']}') keeps the "
                "call as written",
            )
        )
    return problems


def expand_docs(text: str, blocks: Mapping[str, str]) -> str:
    """`text` with each `{{ doc('name') }}` replaced by its block (unknown names kept)."""
    if "doc(" not in text:
        return text
    return _CALL.sub(lambda m: blocks.get(m["name"], m[0]), text)
