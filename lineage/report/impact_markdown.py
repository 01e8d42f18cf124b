"""The impact report as one sticky pull-request comment (Markdown)."""

from __future__ import annotations

#: A hidden first line that lets the GitHub Action find its own comment and update it.
COMMENT_MARKER = "<!-- lineage:impact-report -->"
