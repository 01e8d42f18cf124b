"""dbt benchmark: ``build_dbt_project`` on a generated (or given) dbt project, cold.

Generates a project with ``generate_dbt.py`` (or takes ``--project DIR``), then runs
``lineage.dbt_build.build_dbt_project(root, load_config(root))`` once per fresh subprocess,
``--repeat`` times (best of, default 2), so every run is cold (nothing imported, no Jinja
template compiled yet) and its peak RSS (``ru_maxrss``) is its own. Imports are timed apart and
are not part of the total.

Inside each run, a few functions are wrapped with wall-clock timers (as ``profile_engine.py``
does) to split the total into four exclusive shares:

* load: reading files and YAML (``lineage.sources.dbt.load.load_dbt_project``);
* render: Jinja (``Renderer.parse``, ``Renderer.relation``, ``Renderer.render``, including the
  ref/source/column callbacks they make);
* SQL: split, parse, qualify and the column walk done in this process
  (``lineage.model_analysis.analyse_model``), and recording its result
  (``lineage.model_analysis.apply_model``);
* wait: waiting for a worker process's analysis (``--jobs`` above 1);
* rest: everything else (ordering, naming relations, assembling and renaming the result).

``--jobs N`` builds with N processes (default 1: no worker processes; the build starts workers
only for 100 SQL models or more). ``--cache DIR`` measures the model cache: each repeat deletes
``DIR/cache.db``, runs a cold build that fills it, then a warm build that reads it (each in its
own process). Without ``--cache`` no cache is used.

Further rows (inclusive, not part of the four shares) time functions inside those, to show what
dominates. The build's coverage is checked: every model analysed, every column resolved, no
diagnostics, and (for a generated project) each model's columns as the generator wrote them.

``--sqlglotc`` works as in ``bench_engine.py`` (``both`` runs each mode in its own processes).

Example::

    python benchmarks/bench_dbt.py --models 1000 --repeat 2 --json dbt.json
    python benchmarks/bench_dbt.py --models 1000 --jobs 2 --cache /tmp/dbt-cache
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bench_engine
import generate_dbt
from profile_engine import owner_and_name, timer

#: (key, label, targets); the four share phases are exclusive: time in one that is spent
#: inside another (none is expected) is charged to the inner one.
SHARES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("load", "load files and YAML", ("lineage.dbt_build:load_dbt_project",)),
    (
        "render",
        "Jinja: parse, relation, render",
        (
            "lineage.render.renderer:Renderer.parse",
            "lineage.render.renderer:Renderer.relation",
            "lineage.render.renderer:Renderer.render",
        ),
    ),
    ("sql", "SQL: split, parse, qualify, column walk, record", (
        "lineage.model_analysis:analyse_model", "lineage.dbt_models:apply_model")),
    ("wait", "waiting for worker processes", ("lineage.dbt_waves:Analyser.result",
                                              "lineage.dbt_waves:Analyser.collect")),
)  # fmt: skip
#: (label, targets); inclusive timers on functions inside (or across) the shares above.
DETAILS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("render: Jinja compile (`Renderer._template_named`)", (
        "lineage.render.renderer:Renderer._template_named",)),
    ("render + rest: ref/source lookups (`_Index.node`, `_Index.source`)", (
        "lineage.dbt_build:_Index.node", "lineage.dbt_build:_Index.source")),
    ("render + rest: `engine_name` (parse a relation name)", ("lineage.dbt_build:engine_name",)),
    ("SQL: split statements", ("lineage.model_analysis:split_statements",)),
    ("SQL: parse", ("lineage.model_analysis:parse_statement",)),
    ("SQL: qualify (`prepare`)", ("lineage.model_analysis:prepare",)),
    ("SQL: column walk (`query_lineage`)", ("lineage.model_analysis:query_lineage",)),
    ("SQL: record (`apply_model`)", ("lineage.dbt_models:apply_model",)),
    ("cache: key, look-up, decode (`Analyser.start`)", ("lineage.dbt_waves:Analyser.start",)),
    ("SQL: of which sqlglot `qualify_tables` + `qualify_columns`", (
        "lineage.sql.prepare:_qualify",)),
    ("rest: `Renderer.__init__` (macro index, dbt context)", (
        "lineage.render.renderer:Renderer.__init__",)),
    ("rest: `_define_sources` (names, columns)", ("lineage.dbt_build:_define_sources",)),
    ("rest + render: parse pass (`parse_nodes`, incl. `Renderer.parse`, `relation`)", (
        "lineage.dbt_build:parse_nodes",)),
    ("rest: parse pass in the workers, waited for (`_shipped`)", (
        "lineage.render.parse_pass:_shipped",)),
    ("rest: `dbt_relation_facts` (tests, descriptions, owners)", (
        "lineage.dbt_build:dbt_relation_facts",)),
    ("rest: `_with_consumers` (exposures, consumer files)", (
        "lineage.dbt_build:_with_consumers",)),
    ("rest: `dependency_order`", ("lineage.dbt_build:dependency_order",)),
    ("rest: `assemble` (final edges named by unique id, frozen relations)", (
        "lineage.dbt_build:assemble",)),
    ("rest: `fold_ephemeral`", ("lineage.dbt_build:fold_ephemeral",)),
)  # fmt: skip


# ---------------------------------------------------------------- timers


@dataclasses.dataclass
class Phase:
    label: str
    targets: tuple[str, ...]
    seconds: float = 0.0
    calls: int = 0
    gc_seconds: float = 0.0  # time in the garbage collector while this share was running
    missing: list[str] = dataclasses.field(default_factory=list)


class ShareClock:
    """Exclusive timing: entering a phase pauses the one it was entered from."""

    def __init__(self) -> None:
        self.stack: list[Phase] = []
        self.mark = 0.0

    def wrap(self, phase: Phase, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            now = time.perf_counter()
            if self.stack:
                self.stack[-1].seconds += now - self.mark
            self.stack.append(phase)
            self.mark = now
            try:
                return function(*args, **kwargs)
            finally:
                now = time.perf_counter()
                self.stack.pop().seconds += now - self.mark
                phase.calls += 1
                self.mark = now

        return timed


class GcByShare:
    """A ``gc.callbacks`` entry charging each collection to the share running at the time."""

    def __init__(self, clock: ShareClock) -> None:
        self.clock = clock
        self.total = 0.0
        self.outside = 0.0  # collections while no share was running ("rest")
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        seconds = time.perf_counter() - self._started
        self.total += seconds
        if self.clock.stack:
            self.clock.stack[-1].gc_seconds += seconds
        else:
            self.outside += seconds


def batch_collections(every: int) -> None:
    """Experiment: ``gc.collect(1)`` every `every` models, as ``lineage.build.analyse_files``
    does for statements (``build_dbt_project`` runs with the collector off throughout)."""
    models = importlib.import_module("lineage.dbt_models")
    finish = models._Models.finish
    count = [0]

    @functools.wraps(finish)
    def batched(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        if count[0] % every == 0:
            gc.collect(1)
        return finish(*args, **kwargs)

    models._Models.finish = batched


def instrument(
    phase: Phase, wrap: Callable[[Phase, Callable[..., Any]], Callable[..., Any]]
) -> None:
    """Replace each of the phase's functions by a timed wrapper (in this process only)."""
    for target in phase.targets:
        try:
            owner, name = owner_and_name(target)
            setattr(owner, name, wrap(phase, getattr(owner, name)))
        except (ImportError, AttributeError):
            phase.missing.append(target)


# ---------------------------------------------------------------- one cold run (child)


def expected_models(root: Path) -> tuple[dict[str, Any] | None, int]:
    """The generator's manifest (if any) and the number of SQL model files."""
    manifest_path = root / "bench_manifest.json"
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else None
    )
    return manifest, sum(1 for _ in (root / "models").rglob("*.sql"))


def check_columns(result: Any, manifest: dict[str, Any]) -> dict[str, Any]:
    """Compare each non-ephemeral model's columns with the ones the generator wrote."""
    relations = {r.name: r for r in result.relations}
    missing: list[str] = []
    different: list[dict[str, Any]] = []
    checked = 0
    for name, spec in manifest["models"].items():
        if spec["materialized"] == "ephemeral":
            continue
        relation = relations.get(f"model.{manifest['project']}.{name}")
        if relation is None:
            missing.append(name)
            continue
        checked += 1
        got = [c.name for c in relation.columns if not c.dropped]
        if got != spec["columns"]:
            extra = [c for c in got if c not in spec["columns"]]
            lacking = [c for c in spec["columns"] if c not in got]
            different.append({"model": name, "extra": extra[:5], "missing": lacking[:5]})
    return {
        "models_checked": checked,
        "relations_missing": missing[:20],
        "relations_missing_count": len(missing),
        "columns_differ": different[:20],
        "columns_differ_count": len(different),
    }


def child(args: argparse.Namespace) -> None:
    """One cold build in this (fresh) process; writes its measurements to ``--child-json``."""
    if args.sqlglotc == "off" or (
        args.sqlglotc == "auto" and os.environ.get(bench_engine.NO_SQLGLOTC_ENV)
    ):
        bench_engine.block_sqlglotc()
    started = time.perf_counter()
    build_info = bench_engine.sqlglot_build()
    if args.sqlglotc == "on" and not build_info["sqlglotc_active"]:
        raise SystemExit("--sqlglotc on, but sqlglot's compiled modules are not in use")
    if args.sqlglotc == "off" and build_info["sqlglotc_active"]:
        raise SystemExit("--sqlglotc off, but sqlglot's compiled modules are still in use")
    root = str(args.engine_root.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    dbt_build = importlib.import_module("lineage.dbt_build")
    load_config = importlib.import_module("lineage.config").load_config
    build_stats = importlib.import_module("lineage.dbt_waves").BuildStats()
    import_s = time.perf_counter() - started
    rss_after_imports = bench_engine.peak_rss_mb()

    clock = ShareClock()
    shares = {key: Phase(label, targets) for key, label, targets in SHARES}
    for phase in shares.values():
        instrument(phase, clock.wrap)
    details = [Phase(label, targets) for label, targets in DETAILS]
    for phase in details:
        instrument(phase, timer)

    if args.gc_every:
        batch_collections(args.gc_every)

    project_root = args.project.resolve()
    gc.collect()
    gc_clock = GcByShare(clock)
    gc.callbacks.append(gc_clock)
    try:
        cache = str(args.cache_file.resolve()) if args.cache_file else None
        config = dataclasses.replace(load_config(project_root), jobs=args.jobs, cache=cache)
        started = time.perf_counter()
        result = dbt_build.build_dbt_project(project_root, config, stats=build_stats)
        total = time.perf_counter() - started
    finally:
        gc.callbacks.remove(gc_clock)
    peak = bench_engine.peak_rss_mb()

    manifest, model_files = expected_models(project_root)
    diagnostics = [str(d) for d in result.diagnostics]
    codes = Counter(d.code.value for d in result.diagnostics)
    out = {
        "total_s": total,
        "import_s": import_s,
        "gc_s": gc_clock.total,
        "gc_rest_s": gc_clock.outside,
        "gc_every": args.gc_every,
        "peak_rss_mb": peak,
        "peak_rss_mb_after_imports": rss_after_imports,
        "shares": {k: dataclasses.asdict(p) for k, p in shares.items()},
        "details": [dataclasses.asdict(p) for p in details],
        "model_files": model_files,
        "coverage": dataclasses.asdict(result.coverage),
        "relations": len(result.relations),
        "edges": len(result.edges),
        "blind_spots": len(result.blind_spots),
        "blind_spot_examples": [
            f"{b.location}: {b.target}: {b.reason}" for b in result.blind_spots[:10]
        ],
        "diagnostic_codes": dict(codes),
        "diagnostics": diagnostics[:50],
        "columns_check": check_columns(result, manifest) if manifest else None,
        "sqlglot": build_info,
        "engine_package": bench_engine._engine_package(),
        "jobs": args.jobs,
        "cache": args.cache_phase,
        "workers": build_stats.workers,
        "models_analysed": len(build_stats.analysed),
        "cache_hits": build_stats.cache_hits,
        "redone": build_stats.redone,
        "rerendered": build_stats.rerendered,
    }
    args.child_json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- parent


def child_command(
    args: argparse.Namespace, project: Path, mode: str, out: Path, phase: str
) -> list[str]:
    command = [
        sys.executable, str(Path(__file__).resolve()), "--project", str(project),
        "--sqlglotc", mode, "--engine-root", str(args.engine_root), "--child-json", str(out),
        "--gc-every", str(args.gc_every), "--jobs", str(args.jobs), "--cache-phase", phase,
    ]  # fmt: skip
    if args.cache:
        command += ["--cache-file", str(cache_file(args))]
    return command


def cache_file(args: argparse.Namespace) -> Path:
    return Path(args.cache).resolve() / "cache.db"


def measure(args: argparse.Namespace, project: Path, mode: str) -> list[dict[str, Any]]:
    """``args.repeat`` runs of each phase (none, or cold then warm), each in a fresh
    subprocess; the report of the fastest of each phase."""
    phases = ("cold", "warm") if args.cache else ("none",)
    runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in phases}
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.repeat):
            if args.cache:
                cache_file(args).parent.mkdir(parents=True, exist_ok=True)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{cache_file(args)}{suffix}").unlink(missing_ok=True)
            for phase in phases:
                out = Path(tmp) / f"{mode}-{phase}-{number}.json"
                subprocess.run(child_command(args, project, mode, out, phase), check=True)
                runs[phase].append(json.loads(out.read_text(encoding="utf-8")))
                run = runs[phase][-1]
                print(
                    f"  sqlglotc {mode}, jobs {args.jobs}, cache {phase}, run {number + 1}/"
                    f"{args.repeat}: {run['total_s']:.2f} s, peak RSS {run['peak_rss_mb']:.0f} "
                    f"MB, {run['models_analysed']} analysed, {run['cache_hits']} from the cache, "
                    f"load {os.getloadavg()[0]:.2f}",
                    file=sys.stderr,
                )
    return [_best(args, project, phase_runs) for phase_runs in runs.values()]


def _best(args: argparse.Namespace, project: Path, runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = min(runs, key=lambda r: r["total_s"])
    return {
        **best,
        "runs_s": [round(r["total_s"], 3) for r in runs],
        "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs),
        "repeat": args.repeat,
        "project": str(project),
        "kb_per_model": round(_model_bytes(project) / max(best["model_files"], 1) / 1024, 2),
        "machine": bench_engine.machine(),
    }


def _model_bytes(project: Path) -> int:
    return sum(p.stat().st_size for p in (project / "models").rglob("*.sql"))


def coverage_line(r: dict[str, Any]) -> str:
    c = r["coverage"]
    ok = (
        c["statements"] == c["statements_analysed"] == r["model_files"]
        and c["columns"] == c["columns_resolved"]
        and not r["diagnostics"]
    )
    text = (
        f"{'OK' if ok else 'NOT CLEAN'}: {c['statements_analysed']} of {c['statements']} models "
        f"analysed ({r['model_files']} model files), {c['columns_resolved']:,} of "
        f"{c['columns']:,} columns resolved, {r['edges']:,} edges, {r['blind_spots']} blind "
        f"spots, {c['diagnostics']} diagnostics"
    )
    if r["diagnostic_codes"]:
        text += (
            " (" + ", ".join(f"{k}: {v}" for k, v in sorted(r["diagnostic_codes"].items())) + ")"
        )
    check = r["columns_check"]
    if check:
        text += (
            f"; columns as generated: {check['models_checked'] - check['columns_differ_count']}"
            f" of {check['models_checked']} models"
        )
        if check["relations_missing_count"]:
            text += f", {check['relations_missing_count']} relations missing"
    return text


def markdown(reports: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| sqlglotc | jobs | cache | models | analysed | KB/model | total s | ms/model "
        "| peak RSS MB | load | render | SQL | wait | rest | runs s |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        total, models = r["total_s"], r["coverage"]["statements"]
        shares = {k: p["seconds"] / total for k, p in r["shares"].items()}
        rest = 1 - sum(shares.values())
        lines.append(
            f"| {'on' if r['sqlglot']['sqlglotc_active'] else 'off'} | {r['jobs']} "
            f"({r['workers']} workers) | {r['cache']} | {models:,} | {r['models_analysed']:,} "
            f"| {r['kb_per_model']} | {total:.2f} | {total * 1000 / models:.2f} "
            f"| {r['peak_rss_mb']:.0f} | {shares['load']:.0%} | {shares['render']:.0%} "
            f"| {shares['sql']:.0%} | {shares['wait']:.0%} | {rest:.0%} "
            f"| {', '.join(f'{s:.2f}' for s in r['runs_s'])} |"
        )
    for r in reports:
        mode = "on" if r["sqlglot"]["sqlglotc_active"] else "off"
        models = r["coverage"]["statements"]
        lines += [
            "",
            f"Where the time goes (sqlglotc {mode}, jobs {r['jobs']}, cache {r['cache']}, best "
            f"run, {models:,} models; inclusive "
            "rows, not part of the shares above):",
            "",
            "| phase | s | ms/model | share of total | calls | of which GC s |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        phases = [*r["shares"].values(), *r["details"]]
        for p in phases:
            if p["missing"]:
                lines.append(f"| {p['label']} | missing: {', '.join(p['missing'])} | | | | |")
                continue
            gc_cell = f"{p['gc_seconds']:.2f}" if p in r["shares"].values() else ""
            lines.append(
                f"| {p['label']} | {p['seconds']:.2f} | {p['seconds'] * 1000 / models:.2f} "
                f"| {p['seconds'] / r['total_s']:.0%} | {p['calls']:,} | {gc_cell} |"
            )
        rest_s = r["total_s"] - sum(p["seconds"] for p in r["shares"].values())
        lines.append(
            f"| rest (total minus the shares) | {rest_s:.2f} "
            f"| {rest_s * 1000 / models:.2f} | {rest_s / r['total_s']:.0%} | "
            f"| {r['gc_rest_s']:.2f} |"
        )
        lines += [
            "",
            f"Coverage: {coverage_line(r)}.",
            f"Imports {r['import_s']:.2f} s (not in the total); garbage collection during the "
            f"build {r['gc_s']:.2f} s; peak RSS after imports {r['peak_rss_mb_after_imports']:.0f}"
            " MB."
            + (
                f" Experiment: gc.collect(1) every {r['gc_every']} models." if r["gc_every"] else ""
            ),
        ]
        for d in r["diagnostics"][:10]:
            lines.append(f"- diagnostic: `{d}`")
        check = r["columns_check"] or {}
        for item in check.get("columns_differ", [])[:5]:
            lines.append(f"- columns differ: {item}")
        if check.get("relations_missing"):
            lines.append(f"- relations missing: {check['relations_missing'][:10]}")
    first = reports[0]
    m, s = first["machine"], first["sqlglot"]
    lines += [
        "",
        f"Best of {first['repeat']} runs, each in a fresh process. Machine: {m['cpu_model']}, "
        f"{m['cores']} cores, {m['ram_gb']} GB RAM; {m['implementation']} {m['python']}; "
        f"sqlglot {s['sqlglot']}, sqlglotc installed: {s['sqlglotc_installed'] or 'no'}.",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_argument_group("project")
    source.add_argument("--project", type=Path, help="measure this dbt project instead")
    source.add_argument("--out", type=Path, help="generate into this directory and keep it")
    source.add_argument("--models", type=int, default=1000)
    source.add_argument("--seed", type=int, default=1)
    run = parser.add_argument_group("run")
    run.add_argument("--repeat", type=int, default=2, help="best of this many cold runs")
    run.add_argument("--sqlglotc", choices=bench_engine.SQLGLOTC_MODES, default="auto")
    run.add_argument(
        "--engine-root",
        type=Path,
        default=bench_engine.ROOT,
        help="import lineage from this directory (e.g. a snapshot of the package)",
    )
    run.add_argument(
        "--gc-every",
        type=int,
        default=0,
        metavar="N",
        help="experiment: gc.collect(1) every N models (the build itself never collects)",
    )
    run.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="processes analysing models (default 1)"
    )
    run.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="measure a cold build that fills DIR/cache.db, then a warm build that reads it",
    )
    run.add_argument("--json", type=Path, help="also write the results here")
    run.add_argument("--cache-file", type=Path, help=argparse.SUPPRESS)
    run.add_argument("--cache-phase", default="none", help=argparse.SUPPRESS)
    run.add_argument("--child-json", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child_json:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project or args.out or Path(tmp)
        if args.project is None:
            generated = generate_dbt.generate(generate_dbt.Settings(args.models, args.seed))
            generate_dbt.write_project(generated, project)
        modes = ("on", "off") if args.sqlglotc == "both" else (args.sqlglotc,)
        reports = [r for mode in modes for r in measure(args, project.resolve(), mode)]
    print(markdown(reports))
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
