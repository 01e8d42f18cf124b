"""Product features found in application code: SQL literals that read warehouse relations.

The loop that makes a data-powered product runs through application code: a recommendation
endpoint selects from `analytics.marts.product_affinity`. This reader walks the application's
source folders, finds string literals (Python through `ast`, other languages through small
tokenizers that skip comments), and keeps those that are queries: they start with SELECT or
WITH, parse in the warehouse dialect, and read at least one relation the caller knows. Queries
over unknown tables are the application's own database and are skipped silently; a literal
that looks like a query naming a known relation but does not parse is reported. Nothing from
the project is imported or executed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from lineage.entities import (
    ConsumerKind,
    Diagnostic,
    DiagnosticCode,
    Location,
    Owner,
    Severity,
)
from lineage.sources.consumers.specs import ConsumerFiles, ConsumerSpec
from lineage.sources.sql_scripts import read_source_file
from lineage.sql.split import split_statements

#: Source files larger than this are reported and skipped.
DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
#: Literals longer than this are not considered (no query is that long).
MAX_LITERAL_CHARS = 1_000_000
#: Stands for an interpolated expression (`{x}`, `${x}`, `#{x}`) inside a literal.
HOLE = "\ue000"

_SKIPPED_DIRS = frozenset(
    {
        "node_modules", "venv", "env", "build", "dist", "vendor", "vendored", "third_party",
        "site-packages", "__pycache__", "target", "dbt_packages", "tests", "test", "__tests__",
        "spec", "migrations",
    }
)  # fmt: skip
_EXTENSIONS = {
    ".sql": "sql", ".py": "python", ".js": "js", ".jsx": "js", ".mjs": "js", ".cjs": "js",
    ".ts": "js", ".tsx": "js", ".go": "go", ".java": "java", ".rb": "ruby",
}  # fmt: skip
_TEST_FILE = re.compile(r"^test_|_test\.|_spec\.|\.test\.|\.spec\.|Tests?\.java$|\.min\.js$")
_START = re.compile(r"(select|with)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9_$.]+")
_PLACEHOLDERS = (":lineage_param", "lineage_param")


@dataclass(frozen=True)
class Literal:
    """A string literal: its text (interpolations as `HOLE`), line, and enclosing name."""

    text: str
    line: int
    scope: str | None = None


def scan_code(
    root: Path,
    relations: Callable[[str], bool],
    dialect: str,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> ConsumerFiles:
    """One FEATURE consumer per query in the code under `root` that reads a known relation."""
    consumers: list[ConsumerSpec] = []
    diagnostics: list[Diagnostic] = []
    for path in _source_files(root):
        name = path.relative_to(root).as_posix()
        text, problem = read_source_file(path, name, max_file_bytes, "for application code")
        if problem:
            diagnostics.append(problem)
        if text is None:
            continue
        found, problems = _scan_file(name, text, _EXTENSIONS[path.suffix], relations, dialect)
        consumers.extend(found)
        diagnostics.extend(problems)
    return ConsumerFiles(tuple(consumers), tuple(sorted(diagnostics)))


def _source_files(root: Path) -> list[Path]:
    """Application source files under `root`, sorted by relative path, symlinks not followed."""
    if not root.is_dir() or root.is_symlink():
        return []
    return sorted(_walk(root), key=lambda p: p.relative_to(root).as_posix())


def _walk(base: Path) -> Iterator[Path]:
    for path in sorted(base.iterdir()):
        if path.is_symlink():
            continue
        if path.is_dir():
            if not path.name.startswith(".") and path.name not in _SKIPPED_DIRS:
                yield from _walk(path)
        elif path.suffix in _EXTENSIONS and path.is_file() and not _TEST_FILE.search(path.name):
            yield path


def _scan_file(
    name: str, text: str, language: str, relations: Callable[[str], bool], dialect: str
) -> tuple[list[ConsumerSpec], list[Diagnostic]]:
    if language == "python":
        literals, problem = _python_literals(name, text)
    elif language == "sql":  # a .sql file of the application: each statement is a literal
        statements = split_statements(text, dialect).statements
        literals, problem = [Literal(s.sql, s.line) for s in statements], None
    else:
        literals, problem = [Literal(t, line) for t, line in literals_for(language, text)], None
    consumers: list[ConsumerSpec] = []
    diagnostics = [problem] if problem else []
    ids: set[str] = set()
    for literal in sorted(literals, key=lambda lit: lit.line):
        if len(literal.text) > MAX_LITERAL_CHARS or not _looks_like_query(literal.text):
            continue
        sql, error = _query_reading(literal.text, relations, dialect)
        if sql is not None:
            consumers.append(_consumer(name, literal, sql, ids))
        elif error is not None:
            diagnostics.append(_diagnostic(name, literal.line, DiagnosticCode.PARSE_ERROR, error))
    return consumers, diagnostics


def _consumer(name: str, literal: Literal, sql: str, ids: set[str]) -> ConsumerSpec:
    where = f"{name}:{literal.line}"
    consumer_id, n = f"code.{where}", 1
    while consumer_id in ids:  # two queries on one line
        n += 1
        consumer_id = f"code.{where}#{n}"
    ids.add(consumer_id)
    location = Location(name, literal.line)
    return ConsumerSpec(
        id=consumer_id,
        kind=ConsumerKind.FEATURE,
        name=literal.scope or where,
        owner=Owner(),
        location=location,
        origin="code",
        sql=((sql, location),),
    )


def _looks_like_query(text: str) -> bool:
    """Whether the first keyword, after whitespace and SQL comments, is SELECT or WITH."""
    rest = text.lstrip()
    while rest.startswith(("--", "/*", "(")):
        if rest.startswith("("):
            rest = rest[1:]
        elif rest.startswith("--"):
            rest = rest.partition("\n")[2]
        else:
            rest = rest.partition("*/")[2]
        rest = rest.lstrip()
    return _START.match(rest) is not None


def _query_reading(
    text: str, relations: Callable[[str], bool], dialect: str
) -> tuple[str | None, str | None]:
    """(the SQL, None) for a query reading a known relation; (None, why) for a broken one
    naming a known relation; (None, None) for anything else."""
    error = ""
    for placeholder in _PLACEHOLDERS if HOLE in text else ("",):
        sql = text.replace(HOLE, placeholder).strip()
        try:
            trees = sqlglot.parse(sql, read=dialect)
        except (SqlglotError, RecursionError, ValueError) as problem:
            error = error or _first_line(problem)
            continue
        statements = [t for t in trees if t is not None]
        if statements and all(isinstance(t, exp.Query) for t in statements):
            known = any(relations(table) for t in statements for table in _tables(t))
            return (sql, None) if known else (None, None)
        return None, None
    named = _known_words(text, relations)
    if not named:
        return None, None
    return None, (
        f"a query naming {named} does not parse in {dialect} and is not analysed: {error[:200]}"
    )


def _first_line(problem: BaseException) -> str:
    lines = str(problem).strip().splitlines()
    return lines[0] if lines else type(problem).__name__


def _tables(tree: exp.Expr) -> list[str]:
    """Dotted names of the tables a query reads, without its own CTEs."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    names: list[str] = []
    for table in tree.find_all(exp.Table):
        parts = [p.name for p in table.parts if isinstance(p, exp.Identifier)]
        if not parts or not table.name:
            continue
        if len(parts) == 1 and parts[0].lower() in ctes:
            continue
        names.append(".".join(parts))
    return names


def _known_words(text: str, relations: Callable[[str], bool]) -> str | None:
    """The first dotted word of `text` that names a known relation (quotes dropped)."""
    plain = text.replace('"', "").replace("`", "").replace("[", "").replace("]", "")
    for match in _WORD.finditer(plain):
        word = match.group().strip(".")
        if word and not word[0].isdigit() and relations(word):
            return word
    return None


# -- Python -------------------------------------------------------------------------------


def _python_literals(name: str, text: str) -> tuple[list[Literal], Diagnostic | None]:
    """Every str constant and f-string of a module, with the function or class around it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError) as error:
        line = getattr(error, "lineno", None) or 1
        message = f"not valid Python, no queries read: {getattr(error, 'msg', error)}"
        return [], _diagnostic(name, line, DiagnosticCode.PARSE_ERROR, message)
    found: list[Literal] = []
    _visit(tree, None, found)
    return found, None


def _visit(node: ast.AST, scope: str | None, found: list[Literal]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            _visit(child, f"{scope}.{child.name}" if scope else child.name, found)
        elif isinstance(child, ast.JoinedStr):
            found.append(Literal(_fstring_text(child), child.lineno, scope))
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.append(Literal(child.value, child.lineno, scope))
        else:
            _visit(child, scope, found)


def _fstring_text(node: ast.JoinedStr) -> str:
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            parts.append(value.value)
        else:
            parts.append(HOLE)
    return "".join(parts)


def _diagnostic(
    path: str, line: int, code: DiagnosticCode, message: str, severity: Severity = Severity.WARNING
) -> Diagnostic:
    return Diagnostic(Location(path, line), code, severity, message)


# -- Other languages: small tokenizers that skip comments and read string literals --------

_MAX_NESTING = 32
_HEREDOC = re.compile(r"<<([~-])(['\"]?)([A-Za-z_]\w*)\2|<<(['\"]?)([A-Z_][A-Z0-9_]*)\4")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}

#: (text, start offset, end offset) of one literal.
_Raw = tuple[str, int, int]


def literals_for(language: str, text: str) -> list[tuple[str, int]]:
    """(text, line) of each string literal of a JavaScript/TypeScript, Go, Java or Ruby file;
    literals joined by `+` are one literal (not for Ruby)."""
    raws = _ruby(text) if language == "ruby" else _concatenated(text, _c_like(text, language))
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    return [(value, _line_of(newlines, start)) for value, start, _ in raws]


def _line_of(newlines: list[int], offset: int) -> int:
    from bisect import bisect_left

    return bisect_left(newlines, offset) + 1


def _concatenated(text: str, raws: list[_Raw]) -> list[_Raw]:
    out: list[_Raw] = []
    for raw in raws:
        if out and text[out[-1][2] : raw[1]].strip() == "+":
            out[-1] = (out[-1][0] + raw[0], out[-1][1], raw[2])
        else:
            out.append(raw)
    return out


def _c_like(text: str, language: str) -> list[_Raw]:
    """Literals of a C-family file: '...', "...", Java \"\"\"...\"\"\", Go and JS `...`."""
    out: list[_Raw] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith("//", i):
            i = _end_of_line(text, i)
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif language == "java" and text.startswith('"""', i):
            end = text.find('"""', i + 3)
            end = n if end < 0 else end
            out.append((text[i + 3 : end].partition("\n")[2], i, end + 3))
            i = end + 3
        elif ch in "'\"":
            value, end = _quoted(text, i, ch, multiline=False)
            out.append((value, i, end))
            i = end
        elif ch == "`" and language == "go":
            end = text.find("`", i + 1)
            end = n if end < 0 else end
            out.append((text[i + 1 : end], i, end + 1))
            i = end + 1
        elif ch == "`" and language == "js":
            value, end = _template(text, i, 0)
            out.append((value, i, end))
            i = end
        else:
            i += 1
    return out


def _end_of_line(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _quoted(
    text: str, i: int, quote: str, multiline: bool, interpolate: bool = False
) -> tuple[str, int]:
    """A quoted literal from its opening quote at `i`: (value, offset after it)."""
    parts: list[str] = []
    k, n = i + 1, len(text)
    while k < n:
        ch = text[k]
        if ch == quote:
            return "".join(parts), k + 1
        if ch == "\n" and not multiline:
            break  # unterminated: stop at the end of the line
        if ch == "\\" and k + 1 < n:
            parts.append(_ESCAPES.get(text[k + 1], text[k + 1]))
            k += 2
        elif interpolate and text.startswith("#{", k):
            parts.append(HOLE)
            k = _skip_braces(text, k + 2)
        else:
            parts.append(ch)
            k += 1
    return "".join(parts), k


def _template(text: str, i: int, depth: int) -> tuple[str, int]:
    """A JavaScript template literal from its backtick; `${...}` becomes `HOLE`."""
    parts: list[str] = []
    k, n = i + 1, len(text)
    while k < n:
        ch = text[k]
        if ch == "`":
            return "".join(parts), k + 1
        if ch == "\\" and k + 1 < n:
            parts.append(_ESCAPES.get(text[k + 1], text[k + 1]))
            k += 2
        elif text.startswith("${", k):
            parts.append(HOLE)
            k = _skip_expression(text, k + 2, depth + 1)
        else:
            parts.append(ch)
            k += 1
    return "".join(parts), n


def _skip_expression(text: str, k: int, depth: int) -> int:
    """The offset after the `}` closing a `${` expression (strings in it skipped)."""
    level, n = 1, len(text)
    while k < n:
        ch = text[k]
        if ch in "'\"":
            k = _quoted(text, k, ch, multiline=False)[1]
        elif ch == "`" and depth < _MAX_NESTING:
            k = _template(text, k, depth)[1]
        else:
            level += {"{": 1, "}": -1}.get(ch, 0)
            k += 1
            if level == 0:
                return k
    return n


def _skip_braces(text: str, k: int) -> int:
    """The offset after the `}` closing an interpolation opened just before `k`."""
    level, n = 1, len(text)
    while k < n:
        level += {"{": 1, "}": -1}.get(text[k], 0)
        k += 1
        if level == 0:
            return k
    return n


def _ruby(text: str) -> list[_Raw]:
    """Literals of a Ruby file: '...', "...", %q(...), %Q(...), %(...), heredocs."""
    out: list[_Raw] = []
    pending: list[tuple[str, bool, bool, int]] = []  # heredocs opened on the current line
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            i = _heredoc_bodies(text, i + 1, pending, out)
            pending = []
        elif ch == "#":
            i = _end_of_line(text, i)
        elif ch == "=" and (i == 0 or text[i - 1] == "\n") and text.startswith("=begin", i):
            end = text.find("\n=end", i)
            i = n if end < 0 else _end_of_line(text, end + 1)
        elif ch in "'\"":
            value, end = _quoted(text, i, ch, multiline=True, interpolate=ch == '"')
            out.append((value, i, end))
            i = end
        elif ch == "%" and (literal := _percent(text, i)) is not None:
            out.append(literal)
            i = literal[2]
        elif ch == "<" and (match := _HEREDOC.match(text, i)) is not None:
            squiggly = match.group(1) is not None
            quote = match.group(2) if squiggly else match.group(4)
            ident = match.group(3) if squiggly else match.group(5)
            pending.append((ident, squiggly, quote != "'", i))
            i = match.end()
        else:
            i += 1
    return out


def _percent(text: str, i: int) -> _Raw | None:
    """A %q(...), %Q(...) or %(...) literal at `i` (not the modulo operator)."""
    kind = text[i + 1 : i + 2]
    start = i + 2 if kind in ("q", "Q") else i + 1
    opener = text[start : start + 1]
    pairs = {"(": ")", "[": "]", "{": "}", "<": ">"}
    if opener not in pairs or (kind not in ("q", "Q") and text[:i].rstrip()[-1:].isalnum()):
        return None
    closer, level, k, parts = pairs[opener], 1, start + 1, []
    while k < len(text):
        ch = text[k]
        if kind != "q" and text.startswith("#{", k):
            parts.append(HOLE)
            k = _skip_braces(text, k + 2)
            continue
        level += 1 if ch == opener else -1 if ch == closer else 0
        if level == 0:
            return "".join(parts), i, k + 1
        parts.append(ch)
        k += 1
    return "".join(parts), i, len(text)


def _heredoc_bodies(
    text: str, i: int, pending: list[tuple[str, bool, bool, int]], out: list[_Raw]
) -> int:
    """Read the bodies of the heredocs opened on the line before `i`; the offset after them."""
    for ident, indented, interpolate, start in pending:
        lines: list[str] = []
        while i < len(text):
            end = _end_of_line(text, i)
            line = text[i:end]
            i = end + 1
            if (line.strip() if indented else line) == ident:
                break
            lines.append(line)
        body = "\n".join(lines)
        if interpolate:
            body = _holes(body)
        out.append((body, start, start))
    return i - 1 if pending and i > len(text) else i


def _holes(body: str) -> str:
    """`#{...}` interpolations of a heredoc body replaced by `HOLE`."""
    parts: list[str] = []
    k = 0
    while (begin := body.find("#{", k)) >= 0:
        parts.append(body[k:begin] + HOLE)
        k = _skip_braces(body, begin + 2)
    return "".join(parts) + body[k:]
