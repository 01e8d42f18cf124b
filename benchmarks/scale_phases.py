"""One measured dbt build for ``bench_scale.py``: time and peak memory per phase, in this process.

Runs ``lineage.dbt_build.build_dbt_project`` once, then serialises the result as the graph
document of ``lineage graph --format json`` and writes it to a temporary file. The run is cut
into sequential stages at three hooks:

* ``load``: from the start of the build to the return of ``load_dbt_project`` (as
  ``lineage.dbt_build`` calls it);
* ``render+parse``: from there to the first call of ``assemble`` in ``lineage.dbt_build``; render
  and parse+lineage interleave here, so their time is split with exclusive wrapped timers (the
  ``render``, ``sql`` and ``wait`` shares of ``bench_dbt.py``, the last with
  ``Analyser.collect`` where it exists, and ``Analyser.start``: the model
  cache's look-up and the hand-off of a job to a worker), and the rest is "other";
* ``graph``: from ``assemble`` to the end of the build (renaming, ephemeral folding, consumers,
  relation facts);
* ``report``: the graph document, serialised and written.

A hook whose function has moved is reported as missing, and its stage's time then stays in the
stage before it. Each stage's peak memory is the process's VmHWM at its end, after writing "5" to
``/proc/self/clear_refs`` at its start; where that reset is refused, it is ``ru_maxrss`` (the
peak since the process started). The worker processes' peak is ``RUSAGE_CHILDREN``'s
``ru_maxrss`` (see ``bench_scale.py`` for what else it counts).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.util
import json
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import bench_dbt
import bench_engine
from profile_engine import owner_and_name

#: The sequential stages, in data-flow order.
STAGES = ("load", "render+parse", "graph", "report")
#: The hooks that end one stage and start the next: (target, stage started, when).
HOOKS = (
    ("lineage.dbt_build:load_dbt_project", "render+parse", "return"),
    ("lineage.dbt_build:assemble", "graph", "call"),
)
#: The exclusive shares inside the render+parse stage: three of bench_dbt.SHARES, and the
#: model cache's look-up (and the hand-off of a job to a worker) as a share of its own.
SHARE_KEYS = ("render", "sql", "wait")
CACHE_SHARE = (
    "cache",
    "model cache look-up, hand-off to workers",
    ("lineage.dbt_waves:Analyser.start",),
)
#: Targets added to a share where they exist: the scheduler in the tree may also wait for
#: workers in `Analyser.collect` (analyses collected as they arrive), not only in `result`.
OPTIONAL_TARGETS = {"wait": ("lineage.dbt_waves:Analyser.collect",)}
GRAPH_FORMATS = "lineage.report.graph_formats:GRAPH_FORMATS"

_HWM = re.compile(r"^VmHWM:\s+(\d+)\s+kB", re.MULTILINE)
_RSS = re.compile(r"^VmRSS:\s+(\d+)\s+kB", re.MULTILINE)


class Memory:
    """Peak resident memory per stage: VmHWM reset at a stage's start where Linux allows it."""

    def __init__(self) -> None:
        self.method = "VmHWM" if self._reset_works() else "ru_maxrss"

    @staticmethod
    def _reset_works() -> bool:
        """Whether writing "5" to clear_refs brings VmHWM down to VmRSS (within 1 MB)."""
        try:
            Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
            status = Path("/proc/self/status").read_text(encoding="ascii")
        except OSError:
            return False
        hwm, rss = _HWM.search(status), _RSS.search(status)
        return hwm is not None and rss is not None and int(hwm[1]) <= int(rss[1]) + 1024

    def reset(self) -> None:
        """Start a new peak (a no-op where the reset is refused)."""
        if self.method == "VmHWM":
            Path("/proc/self/clear_refs").write_text("5", encoding="ascii")

    def peak_mb(self) -> float:
        """The peak since the last reset (or since the process started), in MB."""
        if self.method == "VmHWM":
            found = _HWM.search(Path("/proc/self/status").read_text(encoding="ascii"))
            if found is not None:
                return round(int(found.group(1)) / 1024, 1)
        return bench_engine.peak_rss_mb()


@dataclasses.dataclass(frozen=True)
class Stage:
    seconds: float
    peak_mb: float
    shares: dict[str, float]  # seconds of each share spent in this stage


class Stages:
    """Sequential stages: entering one ends the one before (its time and its peak memory)."""

    def __init__(self, memory: Memory, shares: dict[str, bench_dbt.Phase]) -> None:
        self.memory = memory
        self.shares = shares
        self.done: dict[str, Stage] = {}
        #: the stage running: its name, start and its shares' seconds at its start
        self.current: tuple[str, float, dict[str, float]] | None = None

    def enter(self, name: str) -> None:
        self.leave()
        self.memory.reset()
        shares = {k: p.seconds for k, p in self.shares.items()}
        self.current = (name, time.perf_counter(), shares)

    def leave(self) -> None:
        if self.current is None:
            return
        name, started, at_start = self.current
        seconds = time.perf_counter() - started
        # no wrapped call is open at a hook, so the shares' seconds are exact here
        shares = {k: p.seconds - at_start[k] for k, p in self.shares.items()}
        self.done[name] = Stage(seconds, self.memory.peak_mb(), shares)
        self.current = None

    def hook(self, target: str, stage: str, when: str) -> bool:
        """Enter `stage` at the first call of (or return from) `target`; False if missing."""
        try:
            owner, name = owner_and_name(target)
            function = getattr(owner, name)
        except (ImportError, AttributeError):
            return False
        fired = [False]

        @functools.wraps(function)
        def marked(*args: Any, **kwargs: Any) -> Any:
            if when == "call" and not fired[0]:
                fired[0] = True
                self.enter(stage)
            result = function(*args, **kwargs)
            if when == "return" and not fired[0]:
                fired[0] = True
                self.enter(stage)
            return result

        setattr(owner, name, marked)
        return True


def _import_lineage() -> tuple[Any, Any, Any, dict[str, Any]]:
    """lineage as the environment has it (bench_scale.py sets PYTHONPATH), else the tree's."""
    if importlib.util.find_spec("lineage") is None:
        sys.path.insert(0, str(bench_engine.ROOT))
    build_info = bench_engine.sqlglot_build()
    dbt_build = importlib.import_module("lineage.dbt_build")
    load_config = importlib.import_module("lineage.config").load_config
    stats = importlib.import_module("lineage.dbt_waves").BuildStats()
    return dbt_build, load_config, stats, build_info


def _instrument(memory: Memory) -> tuple[Stages, dict[str, bench_dbt.Phase], list[str]]:
    clock = bench_dbt.ShareClock()
    targets = {key: (label, targets) for key, label, targets in bench_dbt.SHARES}
    shares = {
        key: bench_dbt.Phase(targets[key][0], targets[key][1] + OPTIONAL_TARGETS.get(key, ()))
        for key in SHARE_KEYS
    }
    shares[CACHE_SHARE[0]] = bench_dbt.Phase(*CACHE_SHARE[1:])
    for phase in shares.values():
        bench_dbt.instrument(phase, clock.wrap)
    stages = Stages(memory, shares)
    missing = [t for t, stage, when in HOOKS if not stages.hook(t, stage, when)]
    optional = {t for extra in OPTIONAL_TARGETS.values() for t in extra}
    missing += [t for p in shares.values() for t in p.missing if t not in optional]
    return stages, shares, missing


def _serialise(project: Any, stages: Stages) -> int:
    """The `report` stage: the graph document, written to a temporary file; its size."""
    owner, name = owner_and_name(GRAPH_FORMATS)
    to_json: Callable[[Any], Iterable[str]] = getattr(owner, name)["json"]
    with tempfile.TemporaryDirectory(prefix="bench-scale-report-") as folder:
        stages.enter("report")
        path = Path(folder) / "graph.json"
        with path.open("w", encoding="utf-8") as handle:  # piece by piece, as the CLI writes
            handle.writelines(to_json(project))
        stages.leave()
        return path.stat().st_size


def _describe(result: Any, root: Path) -> dict[str, Any]:
    manifest, model_files = bench_dbt.expected_models(root)
    return {
        "model_files": model_files,
        "coverage": dataclasses.asdict(result.coverage),
        "relations": len(result.relations),
        "columns": sum(1 for r in result.relations for c in r.columns if not c.dropped),
        "edges": len(result.edges),
        "blind_spots": len(result.blind_spots),
        "diagnostic_codes": dict(Counter(d.code.value for d in result.diagnostics)),
        "diagnostics": [str(d) for d in result.diagnostics[:50]],
        "columns_check": bench_dbt.check_columns(result, manifest) if manifest else None,
    }


def run(project: Path, cache: Path, jobs: int, phase: str) -> dict[str, Any]:
    """One build of `project` with the model cache `cache`; every figure of the run."""
    started = time.perf_counter()
    dbt_build, load_config, stats, build_info = _import_lineage()
    import_s = time.perf_counter() - started
    import_peak = bench_engine.peak_rss_mb()  # before Memory(), whose check resets the peak
    memory = Memory()
    stages, shares, missing = _instrument(memory)
    root = project.resolve()
    config = dataclasses.replace(load_config(root), jobs=jobs, cache=str(cache.resolve()))
    stages.enter("load")
    started = time.perf_counter()
    result = dbt_build.build_dbt_project(root, config, stats=stats)
    total = time.perf_counter() - started
    stages.leave()
    report_bytes = _serialise(result, stages)
    peaks = [import_peak, *(s.peak_mb for s in stages.done.values())]
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "phase": phase,
        "jobs": jobs,
        "total_s": total,
        "import_s": import_s,
        "import_peak_mb": import_peak,
        "stages": {k: dataclasses.asdict(s) for k, s in stages.done.items()},
        "share_calls": {k: p.calls for k, p in shares.items()},
        "missing": missing,
        "memory_method": memory.method,
        "main_peak_mb": max(peaks) if memory.method == "VmHWM" else bench_engine.peak_rss_mb(),
        "children_peak_mb": round(children, 1),
        "workers": stats.workers,
        # the pool starts with the first model not found in the cache
        "workers_started": bool(stats.workers and stats.analysed),
        "models_analysed": len(stats.analysed),
        "cache_hits": stats.cache_hits,
        "report_bytes": report_bytes,
        "sqlglot": build_info,
        "lineage_file": importlib.import_module("lineage").__file__,
        **_describe(result, root),
    }


def child_main(project: Path, cache: Path, jobs: int, phase: str, out: Path) -> None:
    """Measure one build and write its figures to `out` (JSON)."""
    figures = run(project, cache, jobs, phase)
    out.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- tables (parent)

#: (label, stage, share keys summed, or None for the stage itself); "other" is the stage less
#: its shares.
ROWS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("load (files, YAML)", "load", None),
    ("render (Jinja: parse, relation, render)", "render+parse", ("render",)),
    ("parse+lineage (SQL, column walk, record, waiting)", "render+parse", ("sql", "wait")),
    ("&nbsp;&nbsp;of which waiting for worker processes", "render+parse", ("wait",)),
    ("model cache look-up, hand-off to workers", "render+parse", ("cache",)),
    ("other (sources, parse pass, ordering, bookkeeping)", "render+parse", ()),
    ("= render + parse+lineage stage (one peak)", "render+parse", None),
    ("graph (assemble, rename, ephemeral, consumers, facts)", "graph", None),
)


def _cells(run: dict[str, Any] | None, stage: str, keys: tuple[str, ...] | None) -> list[str]:
    if run is None:
        return ["skipped", ""]
    found = run["stages"].get(stage)
    if found is None:
        return ["not timed", ""]
    if keys is None:
        return [f"{found['seconds']:.2f}{_absorbed(run, stage)}", f"{found['peak_mb']:.0f}"]
    shares = found["shares"]
    seconds = sum(shares[k] for k in keys) if keys else found["seconds"] - sum(shares.values())
    return [f"{seconds:.2f}", ""]


def _absorbed(run: dict[str, Any], stage: str) -> str:
    """A note on a stage's time when the stages after it were not reached (so it holds them)."""
    after = []
    for later in STAGES[STAGES.index(stage) + 1 :]:
        if later in run["stages"]:
            break
        after.append(later)
    return f" (incl. {', '.join(after)})" if after else ""


def warnings_of(result: dict[str, Any]) -> list[str]:
    """What makes a size's figures doubtful: an unclean build, a missing hook, a failed check."""
    warnings = []
    for phase in ("cold", "warm"):
        run = result.get(phase)
        if run is None:
            continue
        coverage = bench_dbt.coverage_line(run)
        if not coverage.startswith("OK"):
            warnings.append(f"{phase} build {coverage}")
        if not str(Path(run["lineage_file"]).resolve()).startswith(result["engine_root"]):
            warnings.append(f"{phase} build imported {run['lineage_file']}, not the snapshot")
        if run["missing"]:
            warnings.append(f"{phase} build: hooks missing: {', '.join(run['missing'])}")
        warnings += [
            f"{phase} build: the {stage} stage was not reached; its time is in the stage before"
            for stage in STAGES
            if stage not in run["stages"]
        ]
        if phase == "cold" and run["cache_hits"]:
            warnings.append(f"cold build: {run['cache_hits']:,} models from the cache")
        if phase == "warm" and run["models_analysed"]:
            warnings.append(f"warm build: {run['models_analysed']:,} models not from the cache")
        if run["memory_method"] != "VmHWM":
            warnings.append(
                "/proc/self/clear_refs refused the reset: every peak is ru_maxrss, the peak "
                "since the process started"
            )
    warnings += [
        f"{part}: {result[part]['detail']}"
        for part in ("who-uses", "trace", "diff")
        if part in result and not result[part]["ok"]
    ]
    return sorted(set(warnings))


def _tail_cells(run: dict[str, Any]) -> dict[str, list[str]]:
    """The rows after the phases: the build's total and main peak, the report, the workers,
    the imports."""
    build_peak = max(s["peak_mb"] for k, s in run["stages"].items() if k != "report")
    started = run["workers_started"]
    workers = f"{run['children_peak_mb']:.0f}" if started else ""
    return {
        "build": [f"**{run['total_s']:.2f}**", f"**{build_peak:.0f}**"],
        "report": _cells(run, "report", None),
        "workers": [f"{run['workers']} started" if started else "none started", workers],
        "imports": [f"{run['import_s']:.2f}", f"{run['import_peak_mb']:.0f}"],
    }


def size_table(result: dict[str, Any]) -> str:
    """One size: phase | s | peak MB, cold and warm, then the CLI's figures."""
    cold, warm = result.get("cold"), result.get("warm")
    lines = [
        f"### {result['models']:,} models, jobs {result['jobs']} (`{result['project']}`)",
        "",
        "| phase | cold s | cold peak MB | warm s | warm peak MB |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| **WARNING: {w}** | | | | |" for w in warnings_of(result)]
    for label, stage, keys in ROWS:
        cells = _cells(cold, stage, keys) + _cells(warm, stage, keys)
        lines.append(f"| {label} | {' | '.join(cells)} |")
    tails = [_tail_cells(r) if r is not None else None for r in (cold, warm)]
    report = f"report (graph JSON, {cold['report_bytes'] / 1e6:.1f} MB)" if cold else "report"
    labels = {
        "build": "**build** (load to graph)",
        "report": report,
        "workers": "worker processes (peak of any)",
        "imports": "imports (not in the build)",
    }
    for key, label in labels.items():
        cells = [c for tail in tails for c in (tail[key] if tail else ["skipped", ""])]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    lines += ["", _builds_line(cold, warm), "", _cli_line(result)]
    return "\n".join(lines)


def _builds_line(cold: dict[str, Any] | None, warm: dict[str, Any] | None) -> str:
    parts = [
        f"{name}: {r['models_analysed']:,} models analysed, {r['cache_hits']:,} from the cache "
        f"(runs {', '.join(f'{s:.2f}' for s in r['runs_s'])} s)"
        for name, r in (("cold", cold), ("warm", warm))
        if r is not None
    ]
    coverage = bench_dbt.coverage_line(cold) if cold else "no cold build"
    return f"Builds: {'; '.join(parts)}. Coverage (cold): {coverage}."


def _cli_line(result: dict[str, Any]) -> str:
    parts = []
    for part in ("who-uses", "trace", "diff"):
        found = result.get(part)
        if found is None:
            parts.append(f"{part} skipped")
            continue
        first = "warm-up diff on main" if part == "diff" else "first run"
        parts.append(f"{part} {found['s']:.2f} s, {first} {found['first_s']:.2f} s "
                     f"({found['detail']})")  # fmt: skip
    return (
        "The CLI (wall, interpreter start included; best run): who-uses and trace on the warm "
        "cache, after a first run; diff of a one-model edit, its base state cached by a "
        "warm-up diff on main: " + "; ".join(parts) + "."
    )


def summary_table(results: Sequence[dict[str, Any]]) -> str:
    """Every size on one line each ("diff s": the timed diff of a one-model edit; "diff warm-up
    s": the untimed diff on main before it, which built and cached the base state)."""
    lines = [
        "| models | relations | columns | edges | cold s | warm s | peak RSS MB (main / workers) "
        "| who-uses s | trace s | diff s | diff warm-up s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        cold, warm = r["cold"], r.get("warm")
        cli = [f"{r[p]['s']:.2f}" + ("" if r[p]["ok"] else " (!)") if p in r else "skipped"
               for p in ("who-uses", "trace", "diff")]  # fmt: skip
        cli.append(f"{r['diff']['first_s']:.2f}" if "diff" in r else "skipped")
        workers = f"{cold['children_peak_mb']:.0f}" if cold["workers_started"] else "none"
        warm_s = f"{warm['total_s']:.2f}" if warm else "skipped"
        lines.append(
            f"| {r['models']:,} | {cold['relations']:,} | {cold['columns']:,} | {cold['edges']:,} "
            f"| {cold['total_s']:.2f} | {warm_s} "
            f"| {cold['main_peak_mb']:.0f} / {workers} | {' | '.join(cli)} |"
        )
    return "\n".join(lines)


def machine_line(machine: dict[str, Any], sqlglot: dict[str, Any], repeat: int) -> str:
    return (
        f"Best of {repeat} runs; builds each in a fresh process. Machine: {machine['cpu_model']}, "
        f"{machine['cores']} cores, {machine['ram_gb']} GB RAM; {machine['implementation']} "
        f"{machine['python']}; sqlglot {sqlglot['sqlglot']}, sqlglotc installed: "
        f"{sqlglot['sqlglotc_installed'] or 'no'} (in use: "
        f"{'yes' if sqlglot['sqlglotc_active'] else 'no'}); lineage: {machine['lineage']}."
    )


def markdown(results: Sequence[dict[str, Any]], machine: dict[str, Any], repeat: int) -> str:
    """Every size's table, the summary over sizes, and the machine."""
    parts = [size_table(r) for r in results]
    parts += ["### Summary", summary_table(results)]
    parts.append(machine_line(machine, results[0]["cold"]["sqlglot"], repeat))
    return "\n\n".join(parts)
