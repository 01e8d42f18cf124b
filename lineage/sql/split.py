"""Split a SQL file into statements, each with the line it starts on.

Splitting happens on the dialect's own tokens, so semicolons inside strings, comments and
dollar-quoted bodies do not split. When the file cannot be tokenized (an unterminated string),
a coarser split on line-ending semicolons keeps the rest of the file analysable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StatementText:
    """One statement's SQL and the 1-based line of the file it starts on.

    `tokens` are the statement's tokens (positions and lines are the file's), so it is
    parsed without tokenizing again; empty after a coarse split.
    """

    sql: str
    line: int
    tokens: tuple[Token, ...] = ()


@dataclass(frozen=True)
class SplitResult:
    statements: tuple[StatementText, ...]
    error: str | None = None
    error_line: int = 1


def split_statements(text: str, dialect: str) -> SplitResult:
    """Split `text` into statements; never raises."""
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(text)
    except TokenError as error:
        line = _error_line(str(error))
        return SplitResult(_split_coarsely(text), f"cannot tokenize: {error}", line)
    return SplitResult(tuple(_chunks(text, tokens)))


def _chunks(text: str, tokens: list[Token]) -> list[StatementText]:
    chunks: list[StatementText] = []
    first = 0
    for index, token in enumerate([*tokens, None]):
        if token is None or token.token_type == TokenType.SEMICOLON:
            if index > first:
                start, end = tokens[first], tokens[index - 1]
                chunks.append(
                    StatementText(
                        text[start.start : end.end + 1], start.line, tuple(tokens[first:index])
                    )
                )
            first = index + 1
    return chunks


_LINE_END_SEMICOLON = re.compile(r";[ \t]*(?:--[^\n]*)?$", re.MULTILINE)


def _split_coarsely(text: str) -> tuple[StatementText, ...]:
    chunks: list[StatementText] = []
    position = 0
    for match in [*_LINE_END_SEMICOLON.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[position:end]
        if piece.strip():
            offset = len(piece) - len(piece.lstrip())
            line = text.count("\n", 0, position + offset) + 1
            chunks.append(StatementText(piece.strip(), line))
        position = match.end() if match else len(text)
    return tuple(chunks)


def _error_line(message: str) -> int:
    found = re.search(r"[Ll]ine (\d+)", message)
    return int(found.group(1)) if found else 1
