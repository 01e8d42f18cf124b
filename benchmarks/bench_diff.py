"""Benchmark `lineage diff` on a generated dbt project with a one-model change.

A project from ``generate_dbt.py`` is committed to a fresh git repository; then one staging
model's first computed column is edited (an expression change that reaches the marts). The
benchmark times each phase of `lineage diff --base main` (head = working tree) in this process:
extracting the base with git, building base and head, comparing them, propagating the impact
and writing the Markdown comment, and reports the peak RSS.

Example::

    python benchmarks/bench_diff.py --models 1000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate_dbt import Settings, generate, write_project

from lineage.cli_impact import build_state
from lineage.diff import diff_projects
from lineage.git_states import checkout
from lineage.impact_report import impact_report
from lineage.report.impact_markdown import impact_markdown

_GIT = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b"}


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, **_GIT, "GIT_COMMITTER_EMAIL": "b@b"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _edit_one_model(root: Path) -> Path:
    """Change `* 100` / a cast in the first staging model that has a computed column."""
    for path in sorted((root / "models").rglob("stg_*.sql")):
        text = path.read_text(encoding="utf-8")
        if "coalesce(" in text:
            path.write_text(text.replace("coalesce(", "nullif(0, 1) + coalesce(", 1), "utf-8")
            return path
    raise SystemExit("no staging model with a coalesce() to edit")


def run(models: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as folder:
        repo = Path(folder) / "repo"
        write_project(generate(Settings(models, seed, None)), repo)
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "base")
        edited = _edit_one_model(repo)
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
            f"{models} models; edited {edited.relative_to(repo)}: {len(changes)} change(s), "
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
