"""The lineage explorer as one self-contained HTML page (`lineage explore`).

The page holds the explorer document (`lineage.explorer_data.explorer_document`) and the
script and stylesheets that draw it; it loads nothing and opens from `file://`. A small
document is embedded as JSON (escaped for a script element); a large one (above
`COMPRESS_ABOVE` bytes of JSON) as gzip in base64, which the page inflates with the browser's
`DecompressionStream`: a 20,000-model project's JSON shrinks about eightfold. gzip is written
with a zero timestamp, so the same project always gives the same bytes.

The scripts of static/explorer/ are concatenated in file-name order into one function scope
(they share top-level names: see docs/explorer.md), the stylesheets likewise.
"""

from __future__ import annotations

import base64
import gzip
import json
from functools import cache
from importlib.resources import files
from typing import Any

from markupsafe import Markup

from lineage import __version__
from lineage.changes import ImpactReport
from lineage.entities import Project
from lineage.explorer_data import explorer_document
from lineage.report.impact_html import _asset, _environment, script_json

COMPRESS_ABOVE = 256 * 1024
ENCODING_JSON = "json"
ENCODING_GZIP = "gzip+base64"


def explorer_html(
    project: Project, report: ImpactReport | None = None, compress: bool | None = None
) -> str:
    """The explorer page of `project` (with the diff overlay of `report`). `compress`: None
    compresses the data when it is large, True or False force it either way."""
    return explorer_page(explorer_document(project, report), compress)


def explorer_page(document: dict[str, Any], compress: bool | None = None) -> str:
    """The page for an explorer document."""
    encoding, data = embedded_data(document, compress)
    page = _environment().get_template("explorer/page.html.j2")
    return page.render(
        title=document["title"],
        version=__version__,
        encoding=encoding,
        data=data,
        explorer_style=Markup(_asset("palette.css") + _assets(".css")),
        explorer_script=Markup(_assets(".js")),
    )


def embedded_data(document: dict[str, Any], compress: bool | None) -> tuple[str, Markup]:
    """The document as the page embeds it: (encoding, text safe inside a script element)."""
    if compress is False:
        return ENCODING_JSON, script_json(document)
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if compress is None and len(text) <= COMPRESS_ABOVE:
        return ENCODING_JSON, script_json(document)
    packed = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    return ENCODING_GZIP, Markup(base64.b64encode(packed).decode("ascii"))


@cache
def _assets(suffix: str) -> str:
    """The static/explorer files ending in `suffix`, in name order; a JavaScript bundle is
    wrapped in one strict function scope."""
    folder = files("lineage.report").joinpath("static", "explorer")
    names = sorted(f.name for f in folder.iterdir() if f.name.endswith(suffix))
    parts = []
    for name in names:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        if "</" in text:  # would end the <style> or <script> element it is inlined in
            raise ValueError(f"static/explorer/{name} must not contain '</'")
        parts.append(f"/* {name} */\n{text}")
    joined = "\n".join(parts)
    if suffix == ".js":
        return f'(function () {{\n"use strict";\n{joined}\n}})();\n'
    return joined
