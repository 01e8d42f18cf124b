"""Scale benchmark: generated dbt projects of 100 to 20,000 models, time and peak memory per phase.

For each size in ``--sizes`` a project is generated once with ``generate_dbt.py`` (seed 1) into
``--work DIR/dbt<N>``, and reused while its stamp file (``.bench_scale.json``: models, seed and a
digest of the generator's source) matches. Then, with a model cache in a fresh temporary file:

* cold build, then warm build: ``lineage.dbt_build.build_dbt_project`` with ``--jobs`` processes,
  each build in its own fresh subprocess (``scale_phases.py``), the cold one filling the cache
  the warm one reads. Each is cut into sequential phases in data-flow order, with wall seconds
  and the process's peak RSS during each phase: ``load`` (files and YAML), the interleaved
  ``render`` (Jinja) / ``parse+lineage`` (SQL split, parse, qualify, column walk, recording,
  waiting for worker processes) stage, split by exclusive wrapped timers as in
  ``bench_dbt.py``, with one peak for the stage; ``graph`` (assembling, renaming, folding
  ephemeral models, consumers, relation facts); and ``report`` (the graph document of
  ``lineage graph --format json``, written to a temporary file). The peak of a phase is VmHWM
  after a reset through ``/proc/self/clear_refs`` at its start (the output says so when that
  reset is refused and ``ru_maxrss`` is used instead). The worker processes' peak
  (``RUSAGE_CHILDREN``'s ``ru_maxrss``: the largest child) is reported apart, only when workers
  were started: workers are forked, so it counts the pages they share with the main process,
  and it also counts the ``git ls-files`` the model cache runs when it opens, which inherits the
  main process's peak at that moment.
* ``lineage who-uses`` of ``account_id`` (which every model carries and joins on) of a typical
  staging model (the first with at least the median number of models downstream of a staging
  model) and ``lineage trace`` of the last column of the model with the most models upstream,
  as a user runs them: ``python -m lineage ...`` subprocesses timed from outside (interpreter
  start included) on the warm cache, after one first run (shown apart: it may fill caches
  beyond the model cache). Their exit code must be 0 and their output must name models
  downstream (upstream) of the column by the generator's refs.
* ``lineage diff --base main`` as in a pull request, timed from outside the same way: the
  project is committed to a temporary git repository with an empty cache of its own; an
  untimed warm-up diff with the working tree equal to main (shown apart) builds and caches the
  base state and fills the model cache; then one staging model's expression is edited
  (``bench_diff.edit_one_model``) and the diff is timed (each of ``--repeat`` runs from the
  cache as the warm-up left it): the base is read from the cache, the head built with only
  what the edit changed analysed. Its exit code must be 0, the report must name the edited
  model and no model that is not downstream of it by the generator's refs, and the cache must
  show that run's work: 1 to 1 + (models downstream) models analysed anew, the base state read
  from the cache, and no state stored (the working tree's head is not kept: it changes again).

Coverage is checked as in ``bench_dbt.py`` (every model analysed, every column resolved, no
diagnostics, columns as generated); anything else prints a loud warning. ``--repeat N`` takes
the best of N (cold builds each start from an empty cache). Every subprocess imports lineage
from a snapshot of the working tree's ``lineage/`` taken at the start (or ``--engine-root``):
the model cache's keys include lineage's code, so an edit made during the run would otherwise
turn warm runs cold. ``--skip`` leaves out any of ``warm``, ``who-uses``, ``trace``, ``diff``.
``--jobs`` defaults to the CPU count.

The output: one table per size (phase | s | peak MB, for the cold and the warm build), where
"other" is the part of the render/parse stage in none of its timed shares (sources, the parse
pass's bookkeeping, ordering) and "build" is load to graph (the report not included); then a
summary over sizes, whose "cold s" and "warm s" are those builds, "columns" the graph's live
columns, "peak RSS" the main process's peak over every phase (the report included) and the
worker processes' peak, "diff s" the timed diff of the edit and "diff warm-up s" the untimed
diff on main before it; then the machine.

Example::

    nice -n 19 python benchmarks/bench_scale.py --sizes 100,1000 --work /tmp/scale --json scale.json
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import bench_engine
import generate_dbt
import scale_phases

SEED = 1
STAMP = ".bench_scale.json"
PARTS = ("warm", "who-uses", "trace", "diff")
GENERATOR_SOURCES = ("generate_dbt.py", "generate_sql.py")
CACHE_SUFFIXES = ("", "-wal", "-shm", "-journal")
JOIN_KEY = generate_dbt.KEY
#: A name before a dot: a model's name, whether the output shows `model.bench.x.c` or `x.c`.
_NAME_IN_OUTPUT = re.compile(r"\b(\w+)\.(?=\w)")

# ---------------------------------------------------------------- the generated project


def generator_digest() -> str:
    """A digest of the generator's source: a changed generator means a new project."""
    digest = hashlib.sha256()
    for name in GENERATOR_SOURCES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def project_for(work: Path, models: int) -> Path:
    """``work/dbt<models>``, generated unless its stamp says it is already this project."""
    root = work / f"dbt{models}"
    stamp = {"models": models, "seed": SEED, "generator": generator_digest()}
    stamp_path = root / STAMP
    if (root / "bench_manifest.json").is_file() and _stamp(stamp_path) == stamp:
        return root
    if root.exists():
        if not (root / "bench_manifest.json").is_file() and any(root.iterdir()):
            raise SystemExit(f"{root} exists and was not generated by this benchmark")
        shutil.rmtree(root)
    started = time.perf_counter()
    generated = generate_dbt.generate(generate_dbt.Settings(models, SEED))
    generate_dbt.write_project(generated, root)
    stamp_path.write_text(json.dumps(stamp, sort_keys=True) + "\n", encoding="utf-8")
    _say(f"generated {models:,} models into {root} in {time.perf_counter() - started:.1f} s")
    return root


def _stamp(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def manifest_of(root: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((root / "bench_manifest.json").read_text("utf-8"))
    return manifest


def ref_steps(manifest: dict[str, Any], direction: str) -> dict[str, set[str]]:
    """Each model's readers ("downstream") or refs ("upstream") by the generator's refs."""
    models = manifest["models"]
    step: dict[str, set[str]] = {name: set() for name in models}
    for name, spec in models.items():
        for parent in spec["refs"]:
            if direction == "downstream":
                step[parent].add(name)
            else:
                step[name].add(parent)
    return step


def related(
    manifest: dict[str, Any],
    model: str,
    direction: str,
    steps: dict[str, set[str]] | None = None,
) -> set[str]:
    """The models downstream (or upstream) of `model` by the generator's refs (`steps`:
    `ref_steps` of that direction, computed here if not given)."""
    step = steps if steps is not None else ref_steps(manifest, direction)
    found: set[str] = set()
    todo = [model]
    while todo:
        for other in step[todo.pop()] - found:
            found.add(other)
            todo.append(other)
    return found


def query_columns(manifest: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The column each query starts from: who-uses `JOIN_KEY` of a typical staging model (the
    first with at least the median number of models downstream of a staging model; every
    model carries that column and joins on it, so the answer reaches every model downstream),
    trace the last column of the (first) non-ephemeral model with the most models upstream."""
    models = manifest["models"]
    steps = ref_steps(manifest, "downstream")
    reach = {n: len(related(manifest, n, "downstream", steps)) for n, s in models.items()
             if s["layer"] == "staging"}  # fmt: skip
    median = sorted(reach.values())[len(reach) // 2]
    staging = next(n for n, count in reach.items() if count >= median)
    position = {name: number for number, name in enumerate(models)}
    upstream: dict[str, int] = {}  # a bit per model; the manifest lists parents first
    for name, spec in models.items():
        upstream[name] = 0
        for parent in spec["refs"]:
            upstream[name] |= upstream[parent] | (1 << position[parent])
    kept = [n for n, s in models.items() if s["materialized"] != "ephemeral"]
    deepest = max(kept, key=lambda n: (upstream[n].bit_count(), -position[n]))
    return {
        "who-uses": (staging, JOIN_KEY),
        "trace": (deepest, models[deepest]["columns"][-1]),
    }


# ---------------------------------------------------------------- builds (fresh subprocesses)


def _build_child(
    args: argparse.Namespace, project: Path, cache: Path, phase: str, out: Path
) -> dict[str, Any]:
    env, cwd, jobs = args.env, args.scratch, args.jobs
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child", str(out), "--child-phase",
        phase, "--child-project", str(project), "--child-cache", str(cache), "--jobs", str(jobs),
    ]  # fmt: skip
    if subprocess.run(command, env=env, cwd=cwd).returncode != 0:
        raise SystemExit(f"the {phase} build of {project} failed (see above)")
    figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return figures


def measure_builds(
    args: argparse.Namespace, project: Path, cache: Path, tmp: Path
) -> dict[str, Any]:
    """Best of ``--repeat`` cold builds (each from an empty cache) and warm builds."""
    phases = ("cold",) if "warm" in args.skip else ("cold", "warm")
    runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in phases}
    for number in range(args.repeat):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cache}{suffix}").unlink(missing_ok=True)
        for phase in phases:
            run = _build_child(args, project, cache, phase, tmp / f"{phase}-{number}.json")
            runs[phase].append(run)
            _say(
                f"  {phase} build {number + 1}/{args.repeat}: {run['total_s']:.2f} s, peak "
                f"{run['main_peak_mb']:.0f} MB (child processes {run['children_peak_mb']:.0f} MB), "
                f"{run['models_analysed']:,} analysed, {run['cache_hits']:,} from the cache"
            )
    best: dict[str, Any] = {}
    for phase, phase_runs in runs.items():
        best[phase] = min(phase_runs, key=lambda r: r["total_s"])
        best[phase]["runs_s"] = [round(r["total_s"], 3) for r in phase_runs]
    return best


# ---------------------------------------------------------------- the CLI, timed from outside


def _timed(
    args: argparse.Namespace, command: Sequence[str], stdout: Path
) -> tuple[float, int, str]:
    with stdout.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True,
                              env=args.env, cwd=args.scratch)  # fmt: skip
        return time.perf_counter() - started, done.returncode, done.stderr


def _best_of(args: argparse.Namespace, command: Sequence[str], stdout: Path) -> dict[str, Any]:
    return _runs_result([_timed(args, command, stdout) for _ in range(args.repeat)])


def measure_query(
    args: argparse.Namespace, command: str, project: Path, cache: Path, tmp: Path
) -> dict[str, Any]:
    """`lineage who-uses` / `lineage trace` of the generator's column, timed after one first
    run (which may fill caches beyond the model cache the builds filled)."""
    manifest = manifest_of(project)
    model, column = query_columns(manifest)[command]
    name = f"{model}.{column}"
    stdout = tmp / f"{command}.txt"
    cli = [sys.executable, "-m", "lineage", command, name, "--project-dir", str(project),
           "--cache", str(cache), "--jobs", str(args.jobs)]  # fmt: skip
    first, first_code, _ = _timed(args, cli, stdout)
    result = _best_of(args, cli, stdout)
    expected = related(manifest, model, "downstream" if command == "who-uses" else "upstream")
    named = set(_NAME_IN_OUTPUT.findall(stdout.read_text(encoding="utf-8"))) & expected
    ok = first_code == 0 and result["exit_codes"] == [0] and bool(named)
    result.update(
        first_s=round(first, 3), name=name, ok=ok, models_expected=len(expected),
        models_named=len(named),
        detail=f"`{name}`: exit {result['exit_codes']}, names {len(named)} of the "
        f"{len(expected)} models {'downstream' if command == 'who-uses' else 'upstream'}",
    )  # fmt: skip
    _say(f"  {command} {result['detail']}: {result['s']:.2f} s (first run {first:.2f} s)")
    return result


def measure_diff(args: argparse.Namespace, project: Path, tmp: Path) -> dict[str, Any]:
    """`lineage diff --base main` as in a pull request: the base was built by an earlier run
    on main, the head has a new one-model change.

    The project is committed to a fresh repository with an empty cache of its own. An untimed
    warm-up diff with the working tree equal to main builds and caches the base state (the
    head's is the same) and fills the model cache; then one staging model's flag default is
    edited (``bench_diff.edit_one_model``) and the diff is timed: base read from the project
    cache, head built with only what the edit changed analysed. Each of the ``--repeat``
    timed runs starts from the cache as the warm-up left it. Checked: exit codes 0, the models
    the report names are the edited one and models downstream of it by the generator's refs,
    and what the timed run did to the cache (models analysed anew, the base state reused, no
    state stored: the working tree's head is not kept)."""

    import bench_diff  # imports lineage: only when the diff is measured

    repo = tmp / "repo"
    shutil.copytree(project, repo, ignore=shutil.ignore_patterns(".lineage", STAMP))
    bench_diff.commit_project(repo)
    diff_cache = tmp / "diff-cache.db"
    stdout = tmp / "diff.txt"
    cli = [sys.executable, "-m", "lineage", "diff", "--base", "main", "--project-dir", str(repo),
           "--cache", str(diff_cache), "--jobs", str(args.jobs)]  # fmt: skip
    warmup, warmup_code, _ = _timed(args, cli, stdout)
    edit = bench_diff.edit_one_model(repo)
    saved = _save_cache(diff_cache, tmp / "diff-cache-after-warm-up")
    before = cache_contents(diff_cache)
    runs = []
    for _ in range(args.repeat):
        _restore_cache(saved, diff_cache)
        runs.append(_timed(args, cli, stdout))
    after = cache_contents(diff_cache)  # of the last run, from the same start as the others
    result = _runs_result(runs)
    manifest = manifest_of(project)
    named = set(_NAME_IN_OUTPUT.findall(stdout.read_text(encoding="utf-8"))) & set(
        manifest["models"]
    )
    downstream = related(manifest, edit.model, "downstream")
    stray = named - downstream - {edit.model}
    effect = cache_effect(before, after, 1 + len(downstream))
    ok = (
        warmup_code == 0 and result["exit_codes"] == [0] and edit.model in named and not stray
        and effect["ok"]
    )  # fmt: skip
    result.update(
        first_s=round(warmup, 3), edited=str(edit.path.relative_to(repo)), ok=ok, cache=effect,
        models_expected=len(downstream), models_named=len(named - {edit.model}),
        detail=f"edit of `{edit.model}.{edit.column}`: exit {result['exit_codes']}, the report "
        f"{'names' if edit.model in named else 'DOES NOT name'} the edited model and "
        f"{len(named - {edit.model} - stray)} of the {len(downstream)} models downstream"
        + (f", and {len(stray)} models NOT downstream" if stray else "")
        + f"; {effect['detail']}",
    )  # fmt: skip
    _say(f"  diff {result['detail']}: {result['s']:.2f} s (warm-up on main {warmup:.2f} s)")
    return result


def _save_cache(cache: Path, saved: Path) -> Path:
    """A copy of the cache file and its journal files (`saved` + the same suffixes)."""
    for suffix in CACHE_SUFFIXES:
        if Path(f"{cache}{suffix}").is_file():
            shutil.copyfile(f"{cache}{suffix}", f"{saved}{suffix}")
    return saved


def _restore_cache(saved: Path, cache: Path) -> None:
    """The cache as `_save_cache` copied it (journal files it did not have removed)."""
    for suffix in CACHE_SUFFIXES:
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
        if Path(f"{saved}{suffix}").is_file():
            shutil.copyfile(f"{saved}{suffix}", f"{cache}{suffix}")


def cache_contents(cache: Path) -> dict[str, Any] | None:
    """What a diff's effect on the cache file is judged by: the number of model analyses and
    each stored project state's last use (None if the file cannot be read as that: its
    layout is lineage's, lineage/analysis_cache.py and lineage/project_cache.py)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{cache}?mode=ro", uri=True)) as db:
            analyses = db.execute("SELECT count(*) FROM analysis").fetchone()[0]
            states = dict(db.execute("SELECT key, used FROM project_state").fetchall())
    except sqlite3.Error:
        return None
    return {"analyses": analyses, "states": states}


def cache_effect(
    before: dict[str, Any] | None, after: dict[str, Any] | None, most: int
) -> dict[str, Any]:
    """What one timed diff did to the cache: models analysed anew (its new analyses), whether
    a state stored before was read (its last use moved: the base), and the states it stored.
    OK: 1 to `most` models analysed (the edited one and what it reaches), the base reused, no
    state stored (`lineage diff` does not keep a working tree's head)."""
    if before is None or after is None:
        return {"ok": True, "detail": "the cache's effect not checked (unreadable layout)"}
    analysed = after["analyses"] - before["analyses"]
    reused = any(after["states"].get(k, used) > used for k, used in before["states"].items())
    stored = len(set(after["states"]) - set(before["states"]))
    ok = reused and stored == 0 and 0 < analysed <= most
    detail = (
        f"{analysed} model(s) analysed anew, base state "
        f"{'read from the cache' if reused else 'NOT read from the cache'}, {stored} state(s) "
        "stored"
    )
    return {"ok": ok, "analysed": analysed, "base_reused": reused, "stored": stored,
            "detail": detail}  # fmt: skip


def _runs_result(runs: Sequence[tuple[float, int, str]]) -> dict[str, Any]:
    seconds = [s for s, _, _ in runs]
    return {
        "s": min(seconds),
        "runs_s": [round(s, 3) for s in seconds],
        "exit_codes": sorted({code for _, code, _ in runs}),
        "stderr_tail": runs[-1][2][-500:],
    }


# ---------------------------------------------------------------- driver


def measure_size(args: argparse.Namespace, models: int) -> dict[str, Any]:
    project = project_for(args.work, models).resolve()
    _say(f"{models:,} models ({project}), jobs {args.jobs}, best of {args.repeat}")
    result: dict[str, Any] = {"models": models, "project": str(project), "jobs": args.jobs,
                              "engine_root": str(args.engine_root)}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix=f"bench-scale-{models}-") as folder:
        tmp = Path(folder)
        cache = tmp / "cache.db"
        result.update(measure_builds(args, project, cache, tmp))
        for part in ("who-uses", "trace"):
            if part not in args.skip:
                result[part] = measure_query(args, part, project, cache, tmp)
        if "diff" not in args.skip:
            result["diff"] = measure_diff(args, project, tmp)
    for warning in scale_phases.warnings_of(result):
        _say(f"  WARNING: {warning}")
    return result


def engine(root: Path | None, scratch: Path) -> tuple[Path, dict[str, str]]:
    """Where every subprocess imports lineage from (a snapshot of the working tree's lineage/
    unless `root` is given: the model cache's keys include lineage's code, so an edit during
    the run would turn warm runs cold), and the environment that makes them do so."""
    if root is None:
        root = scratch / "engine"
        shutil.copytree(bench_engine.ROOT / "lineage", root / "lineage",
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    root = root.resolve()
    paths = [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    found = subprocess.run(
        [sys.executable, "-c", "import lineage; print(lineage.__file__)"],
        env=env, cwd=scratch, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not Path(found).resolve().is_relative_to(root):
        raise SystemExit(f"lineage is imported from {found}, not from {root}")
    return root, env


def _say(text: str) -> None:
    print(f"{text} (load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or min(sizes) < 20:
        raise argparse.ArgumentTypeError("sizes must be numbers of models, at least 20")
    return sizes


def _skip(text: str) -> set[str]:
    parts = {part.strip() for part in text.split(",") if part.strip()}
    if parts - set(PARTS):
        raise argparse.ArgumentTypeError(f"--skip takes any of {', '.join(PARTS)}")
    return parts


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=_sizes("100,1000,5000,20000"),
        help="numbers of models, comma-separated (default 100,1000,5000,20000)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "lineage-bench-scale",
        help="generated projects go to WORK/dbt<N> and are reused",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes analysing models, for the builds and the CLI (default: the CPU count)",
    )
    parser.add_argument("--skip", type=_skip, default=set(), help="any of " + ", ".join(PARTS))
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument(
        "--engine-root",
        type=Path,
        help="import lineage from this directory (default: a snapshot of the working tree's, "
        "taken at the start)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-phase", help=argparse.SUPPRESS)
    parser.add_argument("--child-project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.jobs < 1:
        parser.error("--repeat and --jobs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        scale_phases.child_main(
            args.child_project, args.child_cache, args.jobs, args.child_phase, args.child
        )
        return
    given = args.engine_root
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        args.scratch = Path(scratch)
        args.engine_root, args.env = engine(given, args.scratch)
        results = [measure_size(args, models) for models in args.sizes]
    machine = bench_engine.machine()
    machine["lineage"] = str(given) if given else f"a snapshot of {bench_engine.ROOT / 'lineage'}"
    print(scale_phases.markdown(results, machine, args.repeat))
    if args.json:
        document = {"machine": machine, "repeat": args.repeat, "sizes": results}
        args.json.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", "utf-8")


if __name__ == "__main__":
    main()
