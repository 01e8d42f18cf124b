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

from lineage.sources.dbt.files import read_text, walk
from lineage.sources.dbt.project import read_project

_DOCS_PATHS = (
    "model-paths",
    "seed-paths",
    "snapshot-paths",
    "macro-paths",
    "analysis-paths",
    "test-paths",
)
_BLOCK = re.compile(
    r"\{%-?\s*docs\s+(?P<name>[A-Za-z_][\w]*)\s*-?%\}(?P<body>.*?)\{%-?\s*enddocs\s*-?%\}", re.S
)
_CALL = re.compile(
    r"\{\{-?\s*doc\(\s*(?:(?P<q1>['\"])[\w.]+(?P=q1)\s*,\s*)?"
    r"(?P<q2>['\"])(?P<name>[\w]+)(?P=q2)\s*\)\s*-?\}\}"
)


def read_docs_blocks(root: Path, max_file_bytes: int) -> dict[str, str]:
    """Every docs block of the project by name (the first of a name wins, in path order)."""
    config, _ = read_project(root, "", max_file_bytes)
    if config is None:
        return {}
    skip = frozenset({root / config.packages_install_path, root / config.target_path})
    blocks: dict[str, str] = {}
    seen: set[Path] = set()
    for key in _DOCS_PATHS:
        for entry in config.paths.get(key, ()):
            for path in walk(root / entry, frozenset({".md"}), skip):
                if path in seen:
                    continue
                seen.add(path)
                text, _ = read_text(path, path.relative_to(root).as_posix(), max_file_bytes)
                for match in _BLOCK.finditer(text or ""):
                    blocks.setdefault(match["name"], match["body"].strip())
    return blocks


def expand_docs(text: str, blocks: Mapping[str, str]) -> str:
    """`text` with each `{{ doc('name') }}` replaced by its block (unknown names kept)."""
    if "doc(" not in text:
        return text
    return _CALL.sub(lambda m: blocks.get(m["name"], m[0]), text)
