"""Benchmark `lineage diff` on a generated dbt project with a one-model change.

A project from ``generate_dbt.py`` is committed to a fresh git repository; then one staging
model's flag default is edited (``coalesce(x, false)`` becomes ``coalesce(x, true)``: a value
change of one column, which reaches what reads it; see ``edit_one_model``). The
benchmark times each phase of `lineage diff --base main` (head = working tree) in this process:
extracting the base with git, building base and head, comparing them, propagating the impact
and writing the Markdown comment, and reports the peak RSS.

Example::

    python benchmarks/bench_diff.py --models 1000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate_dbt import Settings, generate, write_project

from lineage.cli_impact import build_state
from lineage.diff import diff_projects
from lineage.git_states import checkout
from lineage.impact_report import impact_report
from lineage.report.impact_markdown import impact_markdown

_GIT = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b"}
#: A staging model's boolean flag with a default: ``coalesce(is_paid, false) as is_paid``.
_FLAG_DEFAULT = re.compile(r"coalesce\((\w+), false\) as (\w+)")


@dataclass(frozen=True)
class Edit:
    """A one-model change: the file, the model and the output column whose expression changed."""

    path: Path
    model: str
    column: str


def git(repo: Path, *args: str) -> None:
    """Run git in `repo` as a fixed author (output captured; a failure raises)."""
    env = {**os.environ, **_GIT, "GIT_COMMITTER_EMAIL": "b@b"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def commit_project(repo: Path) -> None:
    """Make `repo` a fresh git repository whose branch `main` holds every file in it."""
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")


def edit_one_model(root: Path) -> Edit:
    """Default one staging model's missing flag to true instead of false: ``coalesce(x,
    false) as y`` becomes ``coalesce(x, true) as y`` (the values of `y` change, its type does
    not). The model is the first staging model by path that has such a flag and, when the
    generator's ``bench_manifest.json`` is there, that another model refs."""
    read = _models_read(root)
    for path in sorted((root / "models").rglob("stg_*.sql")):
        if read is not None and path.stem not in read:
            continue
        text = path.read_text(encoding="utf-8")
        found = _FLAG_DEFAULT.search(text)
        if found is not None:
            changed = f"coalesce({found[1]}, true) as {found[2]}"
            path.write_text(text[: found.start()] + changed + text[found.end() :], "utf-8")
            return Edit(path, path.stem, found[2])
    raise SystemExit("no staging model with a `coalesce(x, false) as y` to edit")


def _models_read(root: Path) -> set[str] | None:
    """The models some model refs, by the generator's manifest (None without one)."""
    manifest = root / "bench_manifest.json"
    if not manifest.is_file():
        return None
    models = json.loads(manifest.read_text(encoding="utf-8"))["models"]
    return {parent for spec in models.values() for parent in spec["refs"]}


def run(models: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as folder:
        repo = Path(folder) / "repo"
        write_project(generate(Settings(models, seed, None)), repo)
        commit_project(repo)
        edit = edit_one_model(repo)
        times: dict[str, float] = {}
        clock = time.perf_counter()
        base_state = checkout(repo, "main", Path(folder) / "base")
        times["git archive"] = time.perf_counter() - clock
        clock = time.perf_counter()
        base = build_state(base_state.project_dir, None, {})
        times["build base"] = time.perf_counter() - clock
        clock = time.perf_counter()
        head = build_state(repo, None, {})
        times["build head"] = time.perf_counter() - clock
        clock = time.perf_counter()
        changes = diff_projects(base, head)
        times["diff"] = time.perf_counter() - clock
        clock = time.perf_counter()
        report = impact_report(changes, base, head, ("main", "working tree"), "bench")
        times["impact"] = time.perf_counter() - clock
        clock = time.perf_counter()
        comment = impact_markdown(report)
        times["markdown"] = time.perf_counter() - clock
        print(
            f"{models} models; edited `{edit.column}` in {edit.path.relative_to(repo)}: "
            f"{len(changes)} change(s), "
            f"{len(report.affected)} affected, {len(report.consumers)} consumers, "
            f"{len(comment):,} characters of Markdown"
        )
        return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    times = run(args.models, args.seed)
    for phase, seconds in times.items():
        print(f"  {phase:<12} {seconds:8.2f} s")
    print(f"  {'total':<12} {sum(times.values()):8.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS     {peak:8.0f} MB")


if __name__ == "__main__":
    main()
