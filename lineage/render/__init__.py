"""Sandboxed dbt Jinja: render each model's SQL from the project's files alone.

`Renderer.parse` is dbt's parse pass (refs, sources, config); `Renderer.render` produces the
SQL, asking a `Resolver` what `ref()`, `source()` and `adapter.get_columns_in_relation()`
mean. Every failure is a diagnostic on the node; nothing escapes the sandbox.
"""

from lineage.render.relations import Column, RelationRef
from lineage.render.renderer import ParseResult, Renderer, RenderResult, Resolver

__all__ = ["Column", "ParseResult", "RelationRef", "RenderResult", "Renderer", "Resolver"]
