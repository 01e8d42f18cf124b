"""The Jinja sandbox every project template renders in, with limits on time, loops and size.

Project files come from pull requests, so a template may try to reach Python internals or to
exhaust the machine. `ImmutableSandboxedEnvironment` already refuses attributes starting with
`_` and Python's internal attributes; on top of it this environment:

- counts every call and loop iteration against a per-render `Budget` (and a wall-clock deadline),
- refuses string, list and number operations whose result would exceed the size limits,
- refuses to print anything but plain values (no Python object reprs leak into SQL),
- allows `append`/`update` only on lists, dicts and sets a template built itself: everything
  handed to templates is a fresh copy or an immutable value.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import wraps
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg
from jinja2.visitor import NodeTransformer

#: Largest string any operation may build, and largest rendered SQL (characters).
MAX_STRING = 2_000_000
#: Largest list, dict or set a template may build by mutation or repetition.
MAX_ITEMS = 200_000
#: Calls plus loop iterations allowed in one render.
MAX_STEPS = 2_000_000
#: Wall-clock seconds allowed for one render.
MAX_SECONDS = 10.0
#: Characters all `{{ ... }}` of one render may print, macro output included (it is printed
#: again by each caller, so this is a multiple of MAX_STRING).
MAX_PRINTED = 10 * MAX_STRING
#: Largest width or count argument to a padding/formatting operation.
MAX_WIDTH = 100_000
#: Largest integer (in bits) `*` and `**` may produce.
MAX_INT_BITS = 100_000

_WIDTH_IN_FORMAT = re.compile(r"\d{6,}")


class LimitExceeded(SecurityError):
    """A template tried to use more time, iterations or memory than allowed."""


@dataclass
class Budget:
    """What one render may still spend."""

    steps: int = MAX_STEPS
    printed: int = 0
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_SECONDS)

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise LimitExceeded("the template runs too many loop iterations or calls")
        if self.steps % 1024 == 0 and time.monotonic() > self.deadline:
            raise LimitExceeded(f"the template takes longer than {MAX_SECONDS:.0f} seconds")


_BUDGET: ContextVar[Budget | None] = ContextVar("lineage_render_budget", default=None)


def start_budget() -> object:
    """Give the current render a fresh budget; pass the token to `end_budget`."""
    return _BUDGET.set(Budget())


def end_budget(token: object) -> None:
    _BUDGET.reset(token)  # type: ignore[arg-type]


def count_printed(size: int) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.printed += size
        if budget.printed > MAX_PRINTED:
            raise LimitExceeded(f"the template prints more than {MAX_PRINTED} characters")


def spend(steps: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend(steps)


def check_length(size: int, what: str = "string") -> None:
    if size > MAX_STRING:
        raise LimitExceeded(f"the template builds a {what} longer than {MAX_STRING} characters")


def check_items(size: int) -> None:
    if size > MAX_ITEMS:
        raise LimitExceeded(f"the template builds a collection of more than {MAX_ITEMS} items")


def check_format(spec: str) -> None:
    """Refuse `%`/`format` strings asking for huge field widths or precisions."""
    if _WIDTH_IN_FORMAT.search(spec):
        raise LimitExceeded("the template formats with a field width that is too large")


def estimate_size(value: Any, limit: int = MAX_STRING) -> int:
    """Roughly how long `str(value)` would be; raise before building anything too long.

    Shared sub-lists count every time they appear, as `str` would print them.
    """
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + len(item)
            stack.extend(item)
        elif isinstance(item, Mapping):
            total += 2 + 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        else:
            total += 40
        if total > limit:
            raise LimitExceeded(f"the template builds a string longer than {limit} characters")
    return total


def safe_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    estimate_size(value)
    return str(value)


def guarded_concat(parts: Iterable[Any]) -> str:
    """`str.join` that refuses to build a string over the size limit."""
    strings = [safe_str(p) for p in parts]
    check_length(sum(map(len, strings)))
    return "".join(strings)


def guarded_iter(iterable: Any) -> Iterator[Any]:
    """Iterate, charging one step per item (loops, itertools, zip)."""
    for item in iterable:
        spend()
        yield item


# -- operators ------------------------------------------------------------------------------


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | bytes) else None


def _guard_mul(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        size = _sized(seq)
        if size is not None and isinstance(count, int):
            total = size * max(count, 0)
            check_items(total) if not isinstance(seq, str) else check_length(total)
    both_ints = isinstance(left, int) and isinstance(right, int)
    if both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise LimitExceeded("the template multiplies numbers that are too large")
    return operator.mul(left, right)


def _guard_pow(left: Any, right: Any) -> Any:
    both_ints = isinstance(left, int) and isinstance(right, int)
    if both_ints and right > 0 and max(left.bit_length(), 1) * right > MAX_INT_BITS:
        raise LimitExceeded("the template raises a number to too large a power")
    return operator.pow(left, right)


def _guard_add(left: Any, right: Any) -> Any:
    left_size, right_size = _sized(left), _sized(right)
    if left_size is not None and right_size is not None:
        check_length(left_size + right_size)
    return operator.add(left, right)


def _guard_mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        check_format(left)
        estimate_size(right)
    return operator.mod(left, right)


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": _guard_mul,
    "**": _guard_pow,
    "+": _guard_add,
    "%": _guard_mod,
}

# -- methods of plain values ----------------------------------------------------------------

_MUTATORS: dict[type, frozenset[str]] = {
    list: frozenset({"append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"}),
    dict: frozenset({"update", "setdefault", "pop", "popitem", "clear"}),
    set: frozenset({"add", "update", "discard", "remove", "pop", "clear"}),
}
_STR_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_REFUSED_STR_METHODS = frozenset({"translate", "maketrans"})


def _check_str_method(text: str, name: str, args: tuple[Any, ...]) -> None:
    if name in _REFUSED_STR_METHODS:
        raise SecurityError(f"str.{name} is not available in templates")
    if name in _STR_WIDTH_METHODS and any(isinstance(a, int) and a > MAX_WIDTH for a in args):
        raise LimitExceeded(f"str.{name} with a width over {MAX_WIDTH}")
    if name == "replace" and len(args) >= 2 and isinstance(args[1], str):
        old = args[0] if isinstance(args[0], str) else ""
        occurrences = len(text) + 1 if not old else len(text) // len(old)
        check_length(len(text) + occurrences * len(args[1]))
    if name == "join" and args:
        items = list(args[0]) if not isinstance(args[0], list | tuple) else args[0]
        check_items(len(items))
        check_length(
            sum(len(i) if isinstance(i, str) else 0 for i in items) + len(text) * len(items)
        )


def _check_mutation(target: Any, args: tuple[Any, ...]) -> None:
    added = sum(len(a) if hasattr(a, "__len__") else 1 for a in args)
    check_items(len(target) + added)


def check_method_call(func: Any, args: tuple[Any, ...]) -> None:
    """Refuse calls of builtin methods that would grow a value past the limits."""
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__name__", "")
    if isinstance(owner, str):
        _check_str_method(owner, name, args)
    elif type(owner) in _MUTATORS and name in _MUTATORS[type(owner)]:
        _check_mutation(owner, args)


# -- filters --------------------------------------------------------------------------------

_REMOVED_FILTERS = ("random",)  # not deterministic
_NUMERIC_FILTERS = frozenset({"int", "float", "round", "abs", "default", "d", "filesizeformat"})
_NOT_STRINGIFYING = frozenset({
    "length", "count", "first", "last", "list", "sort", "unique", "map", "select", "reject",
    "selectattr", "rejectattr", "batch", "slice", "groupby", "sum", "min", "max", "dictsort",
    "items", "attr", "default", "d", "int", "float", "abs", "round", "reverse", "bool",
})  # fmt: skip


def _strip_pass_arg(func: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    return args[1:] if _PassArg.from_obj(func) is not None else args


def _check_filter_text(name: str, text: str, options: tuple[Any, ...]) -> None:
    if name == "format":
        check_format(text)
    elif name == "replace":
        _check_str_method(text, "replace", options)
    elif name == "indent":
        width = options[0] if options else 4
        size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        check_length(len(text) + (text.count("\n") + 1) * size)


def _check_join(items: list[Any], options: tuple[Any, ...]) -> None:
    check_items(len(items))
    separator = options[0] if options and isinstance(options[0], str) else ""
    check_length(sum(len(str(i)) for i in items) + len(separator) * len(items))


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        spend()
        offset = len(args) - len(_strip_pass_arg(func, args))
        plain = args[offset:]
        options = (*plain[1:], *kwargs.values())
        if name not in _NUMERIC_FILTERS and any(
            isinstance(a, int) and not isinstance(a, bool) and a > MAX_WIDTH for a in options
        ):
            raise LimitExceeded(f"filter {name} with an argument over {MAX_WIDTH}")
        if name not in _NOT_STRINGIFYING:
            estimate_size((plain, tuple(kwargs.values())))
        if plain and name == "join":
            items = list(guarded_iter(plain[0]))
            _check_join(items, options)
            args = (*args[:offset], items, *plain[1:])
        elif plain and isinstance(plain[0], str):
            _check_filter_text(name, plain[0], options)
        result = func(*args, **kwargs)
        if isinstance(result, str):
            check_length(len(result))
        return result

    return guarded


def guard_filters(filters: dict[str, Any]) -> None:
    for name in _REMOVED_FILTERS:
        filters.pop(name, None)
    for name, func in list(filters.items()):
        filters[name] = _guard_filter(name, func)


# -- printing -------------------------------------------------------------------------------

_PLAIN = (str, int, float, bool, Decimal, date, datetime, timedelta)


def _printable(value: Any) -> bool:
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_ITEMS:
            return False
        if isinstance(item, _PLAIN) or item is None:
            continue
        if type(item) in (list, tuple, set, frozenset):
            stack.extend(item)
        elif type(item) is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        elif not getattr(item, "lineage_printable", False):
            return False
    return True


def finalize(value: Any) -> Any:
    """Only plain values (and our relations and columns) may be printed into SQL."""
    if isinstance(value, Undefined):
        return value
    if value is None:
        return "None"
    if not _printable(value):
        raise SecurityError(f"cannot print a value of type {type(value).__name__} into SQL")
    text = safe_str(value)
    count_printed(len(text))
    return text


# -- the environment ------------------------------------------------------------------------


class _GuardLoopsAndConcat(NodeTransformer):
    """Route every `for` iterable and every `~` through the budget and size checks."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _env_call("lineage_iter", [node.iter], node.lineno)  # type: ignore[list-item]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.List(list(node.nodes), lineno=node.lineno)
        return _env_call("lineage_concat", [parts], node.lineno)


def _env_call(name: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
    target = nodes.EnvironmentAttribute(name, lineno=lineno)
    return nodes.Call(target, args, [], None, None, lineno=lineno)


class LineageSandbox(ImmutableSandboxedEnvironment):
    """The sandbox: `ImmutableSandboxedEnvironment` plus budgets and size limits."""

    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, extensions: list[Any]) -> None:
        super().__init__(
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols", *extensions],
            finalize=finalize,
            autoescape=False,
            keep_trailing_newline=True,
            cache_size=0,
        )
        self.lineage_iter = guarded_iter
        self.lineage_concat = guarded_concat
        self.concat = guarded_concat  # type: ignore[method-assign]
        self.globals.pop("lipsum", None)  # unbounded text generator; dbt projects do not use it
        guard_filters(self.filters)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        result = _GuardLoopsAndConcat().visit(tree)
        assert isinstance(result, nodes.Template)
        return result

    def guard_tree(self, tree: nodes.Template) -> nodes.Template:
        result = _GuardLoopsAndConcat().visit(tree)
        assert isinstance(result, nodes.Template)
        return result

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or (isinstance(obj, type) and attr == "mro"):
            return False
        if type(obj) in _MUTATORS and attr in _MUTATORS[type(obj)]:
            return True  # only templates build plain lists/dicts/sets: ours are copies
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute.startswith("_"):
            if isinstance(obj, Mapping) and attribute in obj:
                return obj[attribute]
            raise SecurityError(f"access to attribute {attribute!r} is not allowed in templates")
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuse at once (Jinja's default prints an unsafe attribute as an empty string)."""
        raise SecurityError(f"access to attribute {attribute!r} is not allowed in templates")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return _BINOPS[operator](left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        check_format(value.__self__)

        def checked(*args: Any, **kwargs: Any) -> str:
            estimate_size((args, tuple(kwargs.values())))
            return wrapped(*args, **kwargs)

        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        spend()
        check_method_call(__obj, args)
        return super().call(__context, __obj, *args, **kwargs)
