"""dbt's pure built-in functions and module namespaces, as safe plain functions.

Nothing here touches the filesystem, the network, the environment or the clock in a way
that changes the rendered SQL between runs (`run_started_at` and `invocation_id` are fixed).
"""

from __future__ import annotations

import datetime as _datetime
import functools
import hashlib
import itertools as _itertools
import json
import re as _re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import yaml

from lineage.render.sandbox import LimitExceeded, estimate_size, guarded_iter

RUN_STARTED_AT = _datetime.datetime(2000, 1, 1, tzinfo=_datetime.UTC)
INVOCATION_ID = "00000000-0000-0000-0000-000000000000"


def _plain(value: Any) -> Any:
    """A JSON/YAML-ready copy: mappings as dicts, sequences as lists, others as text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def tojson(value: Any, sort_keys: bool = False) -> str:
    estimate_size(value)
    return json.dumps(_plain(value), sort_keys=sort_keys)


def fromjson(string: str, default: Any = None) -> Any:
    try:
        return json.loads(string)
    except (TypeError, ValueError):
        return default


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases (no exponential "billion laughs" documents)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("YAML aliases are not supported in templates")
        return super().compose_node(parent, index)


def toyaml(value: Any, default: Any = None) -> Any:
    try:
        estimate_size(value)
        return yaml.safe_dump(_plain(value), sort_keys=False)
    except (yaml.YAMLError, TypeError):
        return default


def fromyaml(string: str, default: Any = None) -> Any:
    try:
        return yaml.load(string, Loader=_NoAliasLoader)
    except (yaml.YAMLError, TypeError):
        return default


def local_md5(value: str) -> str:
    return hashlib.md5(str(value).encode("utf-8"), usedforsecurity=False).hexdigest()


def to_set(value: Any, default: Any = None) -> Any:
    try:
        return set(guarded_iter(value))
    except TypeError:
        return default


def to_set_strict(value: Any) -> set[Any]:
    return set(guarded_iter(value))


def zip_lists(*args: Any, default: Any = None) -> Any:
    try:
        return list(guarded_iter(zip(*args, strict=False)))
    except TypeError:
        return default


def zip_strict(*args: Any) -> list[Any]:
    return list(guarded_iter(zip(*args, strict=False)))


def diff_of_two_dicts(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    lowered = {k.lower() for k in b}
    return {k: v for k, v in a.items() if k.lower() not in lowered}


def nothing(*args: Any, **kwargs: Any) -> str:
    """log(), print(), doc() and friends: no output, no effect on the SQL."""
    return ""


def as_text(value: Any) -> str:
    return "" if value is None else str(value)


def as_bool(value: Any) -> Any:
    return {"true": True, "false": False}.get(str(value).strip().lower(), value)


def as_number(value: Any) -> Any:
    try:
        text = str(value).strip()
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return value


def as_native(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parsed = fromjson(value, default=None)
    return value if parsed is None else parsed


PURE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "tojson": tojson,
    "fromjson": fromjson,
    "toyaml": toyaml,
    "fromyaml": fromyaml,
    "local_md5": local_md5,
    "set": to_set,
    "set_strict": to_set_strict,
    "zip": zip_lists,
    "zip_strict": zip_strict,
    "diff_of_two_dicts": diff_of_two_dicts,
    "log": nothing,
    "print": nothing,
    "doc": nothing,
}

FILTERS: dict[str, Callable[..., Any]] = {
    "as_text": as_text,
    "as_bool": as_bool,
    "as_number": as_number,
    "as_native": as_native,
}


# -- modules --------------------------------------------------------------------------------


class ModuleView:
    """A read-only namespace of selected functions and values of a Python module."""

    def __init__(self, members: Mapping[str, Any]) -> None:
        self._members = MappingProxyType(dict(members))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._members:
            raise AttributeError(name)
        return self._members[name]


_NESTED_QUANTIFIER = _re.compile(r"\([^)]*[+*}][^)]*\)\s*[+*{]")
_MAX_PATTERN = 1000
_MAX_SUBJECT = 100_000


def _check_regex(pattern: Any, *subjects: Any) -> None:
    text = pattern.pattern if isinstance(pattern, _re.Pattern) else str(pattern)
    if len(text) > _MAX_PATTERN or _NESTED_QUANTIFIER.search(text):
        raise LimitExceeded("regular expression refused (too long or nested quantifiers)")
    if any(isinstance(s, str) and len(s) > _MAX_SUBJECT for s in subjects):
        raise LimitExceeded("regular expression over a string that is too long")


def _regex(function: Callable[..., Any]) -> Callable[..., Any]:
    def checked(pattern: Any, *args: Any, **kwargs: Any) -> Any:
        _check_regex(pattern, *args)
        result = function(pattern, *args, **kwargs)
        return RegexView(result) if isinstance(result, _re.Pattern) else result

    return checked


class RegexView:
    """A compiled pattern whose methods apply the same checks as modules.re."""

    def __init__(self, pattern: _re.Pattern[str]) -> None:
        self._pattern = pattern

    @property
    def pattern(self) -> str:
        return self._pattern.pattern

    def __getattr__(self, name: str) -> Any:
        if name not in ("match", "search", "fullmatch", "findall", "finditer", "sub", "split"):
            raise AttributeError(name)
        method = getattr(self._pattern, name)

        def checked(*args: Any, **kwargs: Any) -> Any:
            _check_regex(self._pattern, *args)
            return method(*args, **kwargs)

        return checked


def _re_module() -> ModuleView:
    names = ("match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split",
             "compile")  # fmt: skip
    members: dict[str, Any] = {name: _regex(getattr(_re, name)) for name in names}
    members["escape"] = _re.escape
    for flag in ("IGNORECASE", "I", "MULTILINE", "M", "DOTALL", "S", "VERBOSE", "X", "ASCII"):
        members[flag] = getattr(_re, flag)
    return ModuleView(members)


def _guarded(function: Callable[..., Iterable[Any]]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        return guarded_iter(function(*args, **kwargs))

    return guarded


def _itertools_module() -> ModuleView:
    names = ("chain", "combinations", "combinations_with_replacement", "compress", "count",
             "cycle", "dropwhile", "filterfalse", "groupby", "islice", "permutations", "product",
             "repeat", "starmap", "takewhile", "zip_longest", "accumulate", "pairwise")  # fmt: skip
    return ModuleView({name: _guarded(getattr(_itertools, name)) for name in names})


def _datetime_module() -> ModuleView:
    d = _datetime
    return ModuleView({
        "date": d.date, "datetime": d.datetime, "time": d.time, "timedelta": d.timedelta,
        "timezone": d.timezone, "MINYEAR": d.MINYEAR, "MAXYEAR": d.MAXYEAR,
    })  # fmt: skip


@functools.cache
def modules() -> ModuleView:
    """`modules`: datetime, re and itertools (safe subsets). pytz is not available. Read-only
    and holding no state, so every render shares one."""
    return ModuleView(
        {"datetime": _datetime_module(), "re": _re_module(), "itertools": _itertools_module()}
    )
