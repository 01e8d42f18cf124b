"""The root exception. Problems inside a project become diagnostics, not exceptions; these are
for problems with the request itself (an unknown name, a bad option, an unreadable config)."""

from __future__ import annotations


class LineageError(Exception):
    """An error meant for a person: says what is wrong and what to do."""

    exit_code = 1


class UsageError(LineageError):
    """The request cannot be answered as asked (unknown column, bad dialect, bad config)."""

    exit_code = 2
