"""Where the engine's time goes, by phase, without cProfile's distortion.

Wraps a few named functions of the engine and of sqlglot with wall-clock timers, runs
``analyse_files`` once over a generated (or given) project, and prints the inclusive time of each
phase. The phase names are tied to the engine's internals: a phase whose function has moved is
reported as missing, not silently dropped.

Example::

    python benchmarks/profile_engine.py --statements 1000
    python benchmarks/profile_engine.py --statements 1000 --sqlglotc off
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import importlib
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import bench_engine

#: (label, "module:attribute" or "module:Class.attribute"); indented labels nest in the one above.
PHASES: tuple[tuple[str, str], ...] = (
    ("split files into statements (tokenize)", "lineage.build:split_statements"),
    ("parse (from the split's tokens)", "lineage.build:_parse_tree"),
    ("normalize identifiers", "lineage.build:normalize_identifiers"),
    ("prepare: key tables, schema, qualify", "lineage.sql.recorder:prepare"),
    ("  of which sqlglot qualify_tables + qualify_columns", "lineage.sql.prepare:_qualify"),
    ("column walk (query_lineage)", "lineage.sql.recorder:query_lineage"),
    ("  of which expression text (Expression.sql)", "lineage.sql.columns:_Walker.sql"),
    ("result: final edges", "lineage.sql.recorder:Recorder.final_edges"),
    ("result: frozen relations", "lineage.catalog:Catalog.freeze"),
    ("batched garbage collection (gc.collect)", "gc:collect"),
)


@dataclasses.dataclass
class Phase:
    label: str
    target: str
    seconds: float = 0.0
    calls: int = 0
    missing: bool = False


class Timed(Protocol):
    """What a timer adds to: any phase record with these two counters."""

    seconds: float
    calls: int


def owner_and_name(target: str) -> tuple[Any, str]:
    """`package.module:Class.attribute` -> (the object holding it, the attribute's name)."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    return owner, name


def timer(phase: Timed, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, adding its inclusive wall time and call count to `phase`."""

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phase.seconds += time.perf_counter() - started
            phase.calls += 1

    return timed


def instrument(phases: Sequence[Phase]) -> None:
    """Replace each phase's function by a timed wrapper (for the rest of this process)."""
    for phase in phases:
        try:
            owner, name = owner_and_name(phase.target)
            setattr(owner, name, timer(phase, getattr(owner, name)))
        except (ImportError, AttributeError):
            phase.missing = True


def run(
    project: bench_engine.Project, dialect: str, phases: Sequence[Phase]
) -> tuple[float, float]:
    """Instrument, then run the engine once: elapsed seconds and seconds collecting garbage."""
    gc.collect()
    instrument(phases)  # after the collection above: gc.collect is one of the phases
    clock = bench_engine.GcClock()
    gc.callbacks.append(clock)
    try:
        started = time.perf_counter()
        bench_engine.run_engine(project, dialect)
        return time.perf_counter() - started, clock.seconds
    finally:
        gc.callbacks.remove(clock)


def markdown(phases: Sequence[Phase], total: float, gc_seconds: float, statements: int) -> str:
    lines = ["| phase | s | ms/stmt | share | calls |", "|---|---:|---:|---:|---:|"]

    def row(label: str, seconds: float, calls: str) -> None:
        ms = seconds * 1000 / statements
        lines.append(f"| {label} | {seconds:.2f} | {ms:.2f} | {seconds / total:.0%} | {calls} |")

    for phase in phases:
        label = phase.label.replace("  ", "&nbsp;&nbsp;")
        if phase.missing:
            lines.append(f"| {label} | missing: `{phase.target}` | | | |")
        else:
            row(label, phase.seconds, str(phase.calls))
    top = sum(p.seconds for p in phases if not p.label.startswith(" ") and not p.missing)
    row("rest: recording edges and columns, diagnostics, coverage", total - top, "")
    row("total analyse_files", total, "1")
    row("garbage collection (spread over the phases above)", gc_seconds, "")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, help="profile these .sql files (sorted order)")
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--per-file", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dialect", default="postgres")
    parser.add_argument("--sqlglotc", choices=("auto", "off"), default="auto")
    parser.add_argument("--engine-root", type=Path, default=bench_engine.ROOT)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.sqlglotc == "off":
        bench_engine.block_sqlglotc()
    phases = [Phase(label, target) for label, target in PHASES]
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.project or Path(tmp)
        if args.project is None:
            bench_engine.generate_project(directory, args)
        project = bench_engine.load_project(directory, args.dialect, args.columns)
        bench_engine.import_engine(args.engine_root.resolve())
        total, gc_seconds = run(project, args.dialect, phases)
    build = bench_engine.sqlglot_build()
    print(markdown(phases, total, gc_seconds, len(project.statements)))
    print(
        f"\n{len(project.statements)} statements, sqlglotc active: {build['sqlglotc_active']}; "
        "times are inclusive, indented rows are part of the row above."
    )


if __name__ == "__main__":
    main()
