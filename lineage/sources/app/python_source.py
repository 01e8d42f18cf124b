"""Reading application Python files without running them: discovery, safe reading, `ast` helpers.

Only `ast.parse` is used: nothing from the project is imported or executed. Values are read
when they are literals (strings, numbers, True/False/None) or simple names bound to a literal
at module level; anything computed is reported by the callers as a diagnostic.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.sql_scripts import DEFAULT_MAX_FILE_BYTES, decode

#: Folders never read: virtual environments, tooling, migrations and tests.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "env",
        "site-packages",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".lineage",
        "build",
        "dist",
        "migrations",
        "alembic",
        "tests",
        "test",
    }
)

#: A value that is not a literal (a call, an operation, an unknown name).
NOT_LITERAL = object()


@dataclass(frozen=True)
class PythonFile:
    """One parsed file; `path` is relative to the root, with `/`."""

    path: str
    tree: ast.Module
    constants: dict[str, object]  # module-level NAME = literal


def _is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def discover(root: Path, accept: Callable[[Path], bool]) -> list[Path]:
    """The `.py` files under `root` that `accept` keeps, sorted by relative path; no symlinks."""
    if root.is_file():
        return [root] if accept(root) else []
    return sorted(_walk(root, accept), key=lambda p: relative(p, root))


def _walk(base: Path, accept: Callable[[Path], bool]) -> Iterator[Path]:
    for path in sorted(base.iterdir()):
        if path.is_symlink():
            continue
        if path.is_dir():
            if path.name not in SKIPPED_DIRS and not path.name.startswith("."):
                yield from _walk(path, accept)
        elif (
            path.suffix == ".py"
            and path.is_file()
            and not _is_test_file(path.name)
            and accept(path)
        ):
            yield path


def relative(path: Path, root: Path) -> str:
    """`path` relative to the root folder (the file's own name when root is a file)."""
    base = root if root.is_dir() else root.parent
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def diagnostic(
    path: str,
    line: int,
    message: str,
    code: DiagnosticCode = DiagnosticCode.UNSUPPORTED_STATEMENT,
    severity: Severity = Severity.WARNING,
) -> Diagnostic:
    """A diagnostic at `path:line` (warning about something not read statically by default)."""
    return Diagnostic(Location(path, line), code, severity, message)


def read_python(
    path: Path, name: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[PythonFile | None, list[Diagnostic]]:
    """Read and parse one file; size, encoding and syntax problems become diagnostics."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            message = f"skipped: {size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:.1f} MB"
            return None, [
                diagnostic(name, 1, message, DiagnosticCode.FILE_TOO_LARGE, Severity.ERROR)
            ]
        data = path.read_bytes()
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}"
        return None, [diagnostic(name, 1, message, DiagnosticCode.UNREADABLE_FILE, Severity.ERROR)]
    text, problem = decode(name, data)
    problems = [problem] if problem else []
    try:
        tree = ast.parse(text, filename=name)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        message = f"not valid Python: {getattr(error, 'msg', None) or error}"
        problems.append(diagnostic(name, line, message, DiagnosticCode.PARSE_ERROR, Severity.ERROR))
        return None, problems
    return PythonFile(name, tree, module_constants(tree)), problems


def module_constants(tree: ast.Module) -> dict[str, object]:
    """Module-level `NAME = <literal>` bindings (the last one wins, as when the module runs)."""
    constants: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            constants[target.id] = literal(value, {})
    return constants


def literal(node: ast.expr | None, constants: dict[str, object]) -> object:
    """The value of a literal expression (or of a name bound to one), else `NOT_LITERAL`.

    A missing expression (`None`, as `keyword` returns for an absent argument) reads as None.
    """
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = literal(node.operand, constants)
        return -value if isinstance(value, int | float) else NOT_LITERAL
    if isinstance(node, ast.Name):
        return constants.get(node.id, NOT_LITERAL)
    if isinstance(node, ast.Tuple | ast.List):
        values = [literal(e, constants) for e in node.elts]
        return NOT_LITERAL if NOT_LITERAL in values else tuple(values)
    return NOT_LITERAL


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = dotted(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return None


def last_name(node: ast.expr) -> str | None:
    """The last part of a dotted name (`models.CharField` -> `CharField`), else None."""
    name = dotted(node)
    return name.rsplit(".", 1)[-1] if name else None


def call_name(node: ast.expr | None) -> str | None:
    """The last part of the called name when `node` is a call (`models.ForeignKey(...)`)."""
    if isinstance(node, ast.Call):
        return last_name(node.func)
    return None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The expression passed as `name=` to `call`, or None."""
    return next((k.value for k in call.keywords if k.arg == name), None)


def class_assignments(cls: ast.ClassDef) -> Iterator[tuple[str, ast.expr | None, ast.stmt]]:
    """`(name, value, statement)` for each simple assignment in a class body, in order."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            if isinstance(stmt.targets[0], ast.Name):
                yield stmt.targets[0].id, stmt.value, stmt
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            yield stmt.target.id, stmt.value, stmt


def dynamic_statements(cls: ast.ClassDef) -> Iterator[ast.stmt]:
    """Class-body statements that can create attributes only known when the code runs."""
    for stmt in cls.body:
        if isinstance(stmt, ast.For | ast.AsyncFor | ast.While | ast.With):
            yield stmt
        elif isinstance(stmt, ast.Assign) and any(
            not isinstance(t, ast.Name) for t in stmt.targets
        ):
            yield stmt  # locals()[name] = ..., vars()[...] = ...
        elif isinstance(stmt, ast.Expr) and call_name(stmt.value) in {"exec", "setattr"}:
            yield stmt


def module_dynamic_models(tree: ast.Module, model_names: set[str]) -> Iterator[tuple[int, str]]:
    """Module-level code that builds or changes models at run time: `(line, description)`."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = last_name(node.func)
        if name == "type" and len(node.args) == 3:
            yield node.lineno, "a class built by type(...)"
        elif name == "setattr" and node.args and last_name(node.args[0]) in model_names:
            yield node.lineno, "setattr(...) on a model"
        elif name == "add_to_class":
            yield node.lineno, "add_to_class(...)"


def sorted_unique(items: list[str]) -> list[str]:
    """Items in first-seen order without duplicates."""
    return list(dict.fromkeys(items))
