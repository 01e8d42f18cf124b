"""What a dbt Python model reads, found without running it: the `dbt.ref(...)` and
`dbt.source(...)` calls with literal arguments in its syntax tree (`ast.parse` only builds
the tree; nothing from the project is imported or executed)."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class PythonReads:
    refs: tuple[tuple[str | None, str, str | None], ...]  # (package, name, version)
    sources: tuple[tuple[str, str], ...]
    error: str | None = None
    error_line: int = 1


def python_model_reads(code: str) -> PythonReads:
    """The refs and sources a Python model's code names with literal arguments."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        return PythonReads((), (), f"not valid Python: {error.msg}", error.lineno or 1)
    refs: list[tuple[str | None, str, str | None]] = []
    sources: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        call = _dbt_call(node)
        if call is None:
            continue
        method, args, version = call
        if method == "ref" and 1 <= len(args) <= 2:
            refs.append((args[0] if len(args) == 2 else None, args[-1], version))
        elif method == "source" and len(args) == 2:
            sources.append((args[0], args[1]))
    return PythonReads(tuple(dict.fromkeys(refs)), tuple(dict.fromkeys(sources)))


def _dbt_call(node: ast.AST) -> tuple[str, list[str], str | None] | None:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    owner = node.func.value
    if not (isinstance(owner, ast.Name) and owner.id == "dbt"):
        return None
    args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if len(args) != len(node.args):
        return None  # a computed name cannot be read without running the code
    version = next(
        (
            str(k.value.value)
            for k in node.keywords
            if k.arg in ("v", "version") and isinstance(k.value, ast.Constant)
        ),
        None,
    )
    return node.func.attr, args, version
