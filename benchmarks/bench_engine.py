"""Engine benchmark: lineage's cost per statement against sqlglot's parse + qualify.

Generates a plain-SQL project (see ``generate_sql.py``) or takes one (``--project``), then
measures in the same run, best of ``--repeat``:

* the engine: ``lineage.build.analyse_files(files, dialect)`` over every file of the project;
* the baseline: for each statement in order, ``sqlglot.parse_one`` then
  ``sqlglot.optimizer.qualify.qualify`` with a ``MappingSchema`` holding every relation created
  earlier (CTAS targets take their columns from the qualified select's ``named_selects``).

Lineage needs the parsed, qualified tree, so parse + qualify is the floor the engine is held to.

``--sqlglotc off`` runs with sqlglot's pure-Python modules even when sqlglotc is installed;
``--sqlglotc both`` runs the benchmark twice, in two subprocesses, and prints both rows.

Example::

    python benchmarks/bench_engine.py --statements 1000 --sqlglotc both --json out.json
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import generate_sql

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.schema import MappingSchema

ROOT = Path(__file__).resolve().parents[1]
NO_SQLGLOTC_ENV = "LINEAGE_BENCH_NO_SQLGLOTC"
SQLGLOTC_MODES = ("auto", "on", "off", "both")
SCHEMA_MODES = {
    "fresh": "a new MappingSchema(schema_so_far) per statement",
    "cleared": "one MappingSchema + add_table, its table caches cleared per statement",
    "shared": "one MappingSchema + add_table (its caches keep every tree alive)",
}


# ---------------------------------------------------------------- sqlglotc on / off


class SourceOnlySqlglotFinder(importlib.abc.MetaPathFinder):
    """Import ``sqlglot`` and its submodules from their ``.py`` files only.

    sqlglotc ships no importable ``sqlglotc`` module: it overlays compiled extension modules
    (``sqlglot/parser.cpython-311-x86_64-linux-gnu.so`` next to ``sqlglot/parser.py``) and
    Python's path finder prefers an extension module over a source file of the same name.
    This finder, put first on ``sys.meta_path``, offers the source file instead.
    """

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "sqlglot" and not fullname.startswith("sqlglot."):
            return None
        source = (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES)
        for entry in sys.path if path is None else path:
            spec = importlib.machinery.FileFinder(entry or ".", source).find_spec(fullname, target)
            if spec is not None:
                return spec
        return None


def block_sqlglotc() -> None:
    """Make every later ``import sqlglot...`` load pure Python; call before any such import."""
    if any(name == "sqlglot" or name.startswith("sqlglot.") for name in sys.modules):
        raise RuntimeError("sqlglot was imported before sqlglotc could be blocked")
    sys.meta_path.insert(0, SourceOnlySqlglotFinder())


def sqlglot_build() -> dict[str, Any]:
    """sqlglot's version and whether its compiled (sqlglotc) modules are the ones in use."""
    import sqlglot
    import sqlglot.parser
    import sqlglot.tokens

    parser_file = sqlglot.parser.__file__ or ""
    try:
        sqlglotc_installed: str | None = importlib.metadata.version("sqlglotc")
    except importlib.metadata.PackageNotFoundError:
        sqlglotc_installed = None
    return {
        "sqlglot": importlib.metadata.version("sqlglot"),
        "sqlglotc_installed": sqlglotc_installed,
        "sqlglotc_active": not parser_file.endswith(".py") and sqlglot.tokens.SQLGLOTC_INSTALLED,
        "sqlglot_parser_module": Path(parser_file).name,
    }


# ---------------------------------------------------------------- machine


def _proc_field(path: str, key: str) -> str | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def machine() -> dict[str, Any]:
    mem_kb = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gb": round(int(mem_kb.split()[0]) / 1024**2, 1) if mem_kb else None,
    }


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ---------------------------------------------------------------- project


@dataclasses.dataclass(frozen=True)
class Project:
    directory: Path
    paths: tuple[Path, ...]
    texts: tuple[str, ...]
    statements: tuple[str, ...]
    columns: int | None

    @property
    def size(self) -> int:
        return sum(len(text) for text in self.texts)


def generate_project(out_dir: Path, args: argparse.Namespace) -> None:
    settings = generate_sql.Settings(
        statements=args.statements, columns=args.columns, per_file=args.per_file, seed=args.seed
    )
    generate_sql.write_project(
        generate_sql.generate(settings), out_dir, args.per_file, args.dialect
    )


def split_statements(text: str, dialect: str) -> list[str]:
    """Cut a script at its top-level semicolons, using sqlglot's tokenizer."""
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.tokenizer_core import TokenType

    pieces: list[str] = []
    start = 0
    for token in Dialect.get_or_raise(dialect).tokenize(text):
        if token.token_type == TokenType.SEMICOLON:
            pieces.append(text[start : token.start])
            start = token.end + 1
    pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()]


def load_project(directory: Path, dialect: str, columns: int | None) -> Project:
    paths = tuple(sorted(directory.rglob("*.sql")))
    if not paths:
        raise SystemExit(f"no .sql files under {directory}")
    texts = tuple(path.read_text(encoding="utf-8") for path in paths)
    statements = tuple(s for text in texts for s in split_statements(text, dialect))
    return Project(directory, paths, texts, statements, columns)


# ---------------------------------------------------------------- baseline: parse + qualify


@dataclasses.dataclass
class BaselineRun:
    parse_s: float = 0.0
    qualify_s: float = 0.0
    failed: int = 0


def created_relation(tree: exp.Expr, dialect: str) -> tuple[exp.Table, dict[str, str]] | None:
    """The relation a ``create table/view`` makes and its columns, or None."""
    from sqlglot import exp

    if not isinstance(tree, exp.Create) or not isinstance(tree.this, (exp.Table, exp.Schema)):
        return None
    target = tree.this
    if isinstance(target, exp.Schema):
        columns = {
            c.name: c.args["kind"].sql(dialect) if c.args.get("kind") else "UNKNOWN"
            for c in target.expressions
            if isinstance(c, exp.ColumnDef)
        }
        return target.this, columns
    if isinstance(tree.expression, exp.Query):
        return target, dict.fromkeys(tree.expression.named_selects, "UNKNOWN")
    return None


def forget_trees(schema: MappingSchema) -> None:
    """Empty the caches keyed by ``exp.Table`` nodes, which keep their whole tree alive."""
    schema._find_cache.clear()
    schema._normalized_table_cache.clear()


def run_baseline(statements: Sequence[str], dialect: str, schema_mode: str) -> BaselineRun:
    """parse_one + qualify every statement, the schema growing with each created relation."""
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    run = BaselineRun()
    schema = MappingSchema(dialect=dialect, normalize=False)
    for sql in statements:
        if schema_mode == "fresh":
            schema = MappingSchema(schema.mapping, dialect=dialect, normalize=False)
        started = time.perf_counter()
        try:
            tree = sqlglot.parse_one(sql, dialect=dialect)
            parsed = time.perf_counter()
            tree = qualify(
                tree,
                schema=schema,
                dialect=dialect,
                validate_qualify_columns=False,
                quote_identifiers=False,
            )
            run.qualify_s += time.perf_counter() - parsed
            run.parse_s += parsed - started
            created = created_relation(tree, dialect)
            if created is not None:
                schema.add_table(created[0], created[1], dialect=dialect, normalize=False)
            if schema_mode == "cleared":
                forget_trees(schema)
        except SqlglotError:
            run.failed += 1
    return run


# ---------------------------------------------------------------- engine


def import_engine(
    root: Path | None = None,
) -> tuple[Callable[[list[Any], str], Any], Callable[..., Any]]:
    """``lineage.build.analyse_files`` and ``lineage.sources.sql_scripts.SourceFile``."""
    if root is not None and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    build = importlib.import_module("lineage.build")
    sql_scripts = importlib.import_module("lineage.sources.sql_scripts")
    return build.analyse_files, sql_scripts.SourceFile


def run_engine(project: Project, dialect: str) -> Any:
    analyse_files, source_file = import_engine()
    files = [
        source_file(path=path.relative_to(project.directory).as_posix(), text=text)
        for path, text in zip(project.paths, project.texts, strict=True)
    ]
    return analyse_files(files, dialect)


# ---------------------------------------------------------------- measuring


@dataclasses.dataclass
class Timing:
    runs_s: list[float] = dataclasses.field(default_factory=list)
    parse_s: list[float] = dataclasses.field(default_factory=list)
    qualify_s: list[float] = dataclasses.field(default_factory=list)
    gc_s: list[float] = dataclasses.field(default_factory=list)
    failed: int = 0

    def add(self, elapsed: float, gc_seconds: float) -> None:
        self.runs_s.append(elapsed)
        self.gc_s.append(gc_seconds)

    @property
    def best_s(self) -> float:
        return min(self.runs_s)

    def summary(self, statements: int) -> dict[str, Any]:
        best = self.runs_s.index(self.best_s)
        out: dict[str, Any] = {
            "best_s": round(self.best_s, 4),
            "ms_per_statement": round(self.best_s * 1000 / statements, 3),
            "runs_s": [round(r, 4) for r in self.runs_s],
            "gc_ms_per_statement": round(self.gc_s[best] * 1000 / statements, 3),
        }
        if self.parse_s:
            out["parse_ms_per_statement"] = round(self.parse_s[best] * 1000 / statements, 3)
            out["qualify_ms_per_statement"] = round(self.qualify_s[best] * 1000 / statements, 3)
            out["failed_statements"] = self.failed
        return out


class GcClock:
    """Adds up the time spent in the cyclic garbage collector (a ``gc.callbacks`` entry)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def timed(action: Callable[[], Any], collect_during_run: bool) -> tuple[float, float, Any]:
    """Run ``action`` once after a full collection, optionally with the collector off.

    Returns the elapsed seconds, the seconds of it spent collecting garbage, and the result.
    """
    gc.collect()
    clock = GcClock()
    gc.callbacks.append(clock)
    if not collect_during_run:
        gc.disable()
    try:
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
    finally:
        gc.enable()
        gc.callbacks.remove(clock)
    return elapsed, clock.seconds, result


def measure(project: Project, args: argparse.Namespace) -> dict[str, Any]:
    """Baseline and engine interleaved, ``args.repeat`` times each, in this process."""
    baseline, engine = Timing(), Timing()
    rss_after_baseline: float | None = None
    engine_result: dict[str, Any] | None = None
    collect = args.gc == "on"
    for _ in range(args.repeat):
        if not args.engine_only:
            elapsed, gc_seconds, run = timed(
                lambda: run_baseline(project.statements, args.dialect, args.schema), collect
            )
            baseline.add(elapsed, gc_seconds)
            baseline.parse_s.append(run.parse_s)
            baseline.qualify_s.append(run.qualify_s)
            baseline.failed = run.failed
            rss_after_baseline = rss_after_baseline or peak_rss_mb()
        if not args.baseline_only:
            elapsed, gc_seconds, result = timed(lambda: run_engine(project, args.dialect), collect)
            engine.add(elapsed, gc_seconds)
            # Summarise and drop the result now: kept alive, it makes every later collection,
            # and so every later run of either side, slower.
            engine_result = describe_result(result)
            del result
    return report(project, args, baseline, engine, rss_after_baseline, engine_result)


def _engine_package() -> str | None:
    """Where the measured ``lineage`` package was imported from."""
    module = sys.modules.get("lineage")
    return str(Path(module.__file__).parent) if module and module.__file__ else None


def describe_result(result: Any) -> dict[str, Any] | None:
    """The engine result's type and, when it has one, its coverage (to spot failed statements)."""
    if result is None:
        return None
    out: dict[str, Any] = {"type": f"{type(result).__module__}.{type(result).__qualname__}"}
    coverage = getattr(result, "coverage", None)
    if dataclasses.is_dataclass(coverage) and not isinstance(coverage, type):
        out["coverage"] = dataclasses.asdict(coverage)
    for name in ("relations", "edges", "diagnostics"):
        if hasattr(result, name):
            out[name] = len(getattr(result, name))
    return out


def report(
    project: Project,
    args: argparse.Namespace,
    baseline: Timing,
    engine: Timing,
    rss_after_baseline: float | None,
    engine_result: dict[str, Any] | None,
) -> dict[str, Any]:
    count = len(project.statements)
    ratio = engine.best_s / baseline.best_s if baseline.runs_s and engine.runs_s else None
    return {
        "project": str(project.directory),
        "files": len(project.paths),
        "statements": count,
        "columns": project.columns,
        "kb_per_statement": round(project.size / count / 1024, 2),
        "dialect": args.dialect,
        "repeat": args.repeat,
        "schema": f"{args.schema}: {SCHEMA_MODES[args.schema]}",
        "gc_during_runs": args.gc,
        "baseline": baseline.summary(count) if baseline.runs_s else None,
        "engine": engine.summary(count) if engine.runs_s else None,
        "engine_package": _engine_package(),
        "engine_result": engine_result,
        "ratio_engine_to_parse_qualify": round(ratio, 3) if ratio is not None else None,
        "peak_rss_mb_after_first_baseline": rss_after_baseline,
        "peak_rss_mb": peak_rss_mb(),
        "sqlglot": sqlglot_build(),
        "machine": machine(),
    }


# ---------------------------------------------------------------- output


def _cell(part: dict[str, Any] | None, key: str) -> str:
    return "n/a" if part is None else f"{part[key]:.3f}" if key != "best_s" else f"{part[key]:.2f}"


def _baseline_split(base: dict[str, Any] | None) -> str:
    if base is None:
        return "n/a"
    parse, qualify = base["parse_ms_per_statement"], base["qualify_ms_per_statement"]
    return f"{parse:.2f} / {qualify:.2f} / {base['ms_per_statement'] - parse - qualify:.2f}"


def _gc_split(engine: dict[str, Any] | None, baseline: dict[str, Any] | None) -> str:
    parts = [f"{p['gc_ms_per_statement']:.2f}" if p else "n/a" for p in (engine, baseline)]
    return " / ".join(parts)


def markdown(reports: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| sqlglotc | statements | columns | engine s | engine ms/stmt "
        "| parse+qualify s | parse+qualify ms/stmt | of which parse / qualify / rest ms "
        "| engine / (parse+qualify) | GC ms/stmt engine / baseline | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        base, eng = r["baseline"], r["engine"]
        split = _baseline_split(base)
        ratio = r["ratio_engine_to_parse_qualify"]
        lines.append(
            f"| {'on' if r['sqlglot']['sqlglotc_active'] else 'off'} | {r['statements']} "
            f"| {r['columns'] or '?'} | {_cell(eng, 'best_s')} | {_cell(eng, 'ms_per_statement')} "
            f"| {_cell(base, 'best_s')} | {_cell(base, 'ms_per_statement')} | {split} "
            f"| {'n/a' if ratio is None else f'{ratio:.2f}x'} | {_gc_split(eng, base)} "
            f"| {r['peak_rss_mb']:.0f} |"
        )
    first = reports[0]
    m, s = first["machine"], first["sqlglot"]
    lines += [
        "",
        f"Best of {first['repeat']}; {first['kb_per_statement']} KB of SQL per statement, "
        f"dialect {first['dialect']}, baseline schema {first['schema']}, "
        f"garbage collector during runs: {first['gc_during_runs']}.",
        f"Machine: {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB RAM; "
        f"{m['implementation']} {m['python']}; sqlglot {s['sqlglot']}, "
        f"sqlglotc installed: {s['sqlglotc_installed'] or 'no'}.",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- running


def child_command(args: argparse.Namespace, project: Path, mode: str, out: Path) -> list[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--project", str(project)]
    command += ["--sqlglotc", mode, "--json", str(out), "--repeat", str(args.repeat)]
    command += ["--dialect", args.dialect]
    if args.project is None or args.columns_given:
        command += ["--columns", str(args.columns)]
    command += ["--schema", args.schema, "--gc", args.gc, "--engine-root", str(args.engine_root)]
    for flag in ("baseline_only", "engine_only"):
        if getattr(args, flag):
            command.append("--" + flag.replace("_", "-"))
    return command


def run_both(args: argparse.Namespace, project: Path) -> list[dict[str, Any]]:
    """One subprocess with sqlglotc, one without; each prints its own table to stderr."""
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("on", "off"):
            out = Path(tmp) / f"{mode}.json"
            subprocess.run(child_command(args, project, mode, out), check=True, stdout=sys.stderr)
            reports.append(json.loads(out.read_text(encoding="utf-8"))[0])
    return reports


def run_here(args: argparse.Namespace, project_dir: Path) -> list[dict[str, Any]]:
    if args.sqlglotc == "off" or (args.sqlglotc == "auto" and os.environ.get(NO_SQLGLOTC_ENV)):
        block_sqlglotc()
    build = sqlglot_build()
    if args.sqlglotc == "on" and not build["sqlglotc_active"]:
        raise SystemExit("--sqlglotc on, but sqlglot's compiled modules are not in use")
    if args.sqlglotc == "off" and build["sqlglotc_active"]:
        raise SystemExit("--sqlglotc off, but sqlglot's compiled modules are still in use")
    if not args.baseline_only:
        try:
            import_engine(args.engine_root.resolve())
        except ImportError as error:
            raise SystemExit(f"engine not importable ({error}); use --baseline-only") from error
    columns = None if args.project and not args.columns_given else args.columns
    return [measure(load_project(project_dir, args.dialect, columns), args)]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_argument_group("project")
    source.add_argument("--project", type=Path, help="measure these .sql files (sorted order)")
    source.add_argument("--out", type=Path, help="generate into this directory and keep it")
    source.add_argument("--statements", type=int, default=1000)
    source.add_argument("--columns", type=int, default=None)
    source.add_argument("--per-file", type=int, default=20)
    source.add_argument("--seed", type=int, default=1)
    source.add_argument("--dialect", default="postgres")
    run = parser.add_argument_group("run")
    run.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    run.add_argument("--sqlglotc", choices=SQLGLOTC_MODES, default="auto")
    run.add_argument("--baseline-only", action="store_true", help="skip the engine")
    run.add_argument("--engine-only", action="store_true", help="skip the baseline (profiling)")
    run.add_argument(
        "--schema",
        choices=tuple(SCHEMA_MODES),
        default="fresh",
        help="how the baseline keeps its schema: "
        + "; ".join(f"{k}: {v}" for k, v in SCHEMA_MODES.items()),
    )
    run.add_argument(
        "--gc",
        choices=("on", "off"),
        default="on",
        help="off: the cyclic garbage collector is disabled inside each timed run",
    )
    run.add_argument(
        "--engine-root",
        type=Path,
        default=ROOT,
        help="import lineage from this directory (e.g. a snapshot of the package)",
    )
    run.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    args.columns_given = args.columns is not None
    args.columns = args.columns or 50
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        project_dir = args.project or args.out or Path(tmp)
        if args.project is None:
            generate_project(project_dir, args)
        if args.sqlglotc == "both":
            reports = run_both(args, project_dir)
        else:
            reports = run_here(args, project_dir)
    print(markdown(reports))
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
