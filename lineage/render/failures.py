"""Turn an exception raised while rendering into a line and a message for people."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

from lineage.render.macros import CompilerError, MacroReturn
from lineage.render.sandbox import LimitExceeded

_MAX_MESSAGE = 300


def describe_failure(error: BaseException, path: str) -> tuple[int, str]:
    """(line in `path`, message) for an exception raised while rendering `path`."""
    line, macro_place = _places(error.__traceback__, path)
    message = _message(error)
    if macro_place and macro_place != f"{path}:{line}":
        message += f" (in a macro at {macro_place})"
    return line, message


def _message(error: BaseException) -> str:
    text = str(error)[:_MAX_MESSAGE]
    if isinstance(error, MacroReturn):
        return "return() used outside a macro"
    if isinstance(error, CompilerError):
        return text
    if isinstance(error, TemplateSyntaxError):
        return f"Jinja syntax error: {error.message}"
    if isinstance(error, LimitExceeded):
        return f"refused by the sandbox: {text}"
    if isinstance(error, SecurityError):
        return f"refused by the sandbox: {text}"
    if isinstance(error, UndefinedError):
        return _undefined(text)
    if isinstance(error, RecursionError):
        return "macros call each other too deeply (recursion)"
    if isinstance(error, MemoryError):
        return f"refused by the sandbox: {text or 'out of memory'}"
    return f"render failed: {type(error).__name__}: {text}"


def _undefined(text: str) -> str:
    if text.endswith(" is undefined") and text.startswith("'"):
        name = text[: -len(" is undefined")]
        return f"unknown macro or variable {name} (not in the project, its packages or dbt)"
    return f"undefined value: {text}"


def _places(tb: TracebackType | None, path: str) -> tuple[int, str | None]:
    """The last line of `path` on the stack, and the innermost template place."""
    line, innermost = 1, None
    while tb is not None:
        template: Any = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            lineno = int(template.get_corresponding_lineno(tb.tb_lineno))
            innermost = f"{template.name}:{lineno}"
            if template.name == path:
                line = lineno
        tb = tb.tb_next
    return line, innermost
