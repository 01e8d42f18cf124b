"""Scheduling a dbt project's models: rendered in the main process as soon as their parents are
recorded, analysed in worker processes (or in-process), recorded in dependency order.

A model needs its parents' schemas, so the models whose parents are all recorded form the
next wave; each is rendered (Jinja asks the catalog), its `ModelJob` goes to a process pool,
and results are recorded strictly in the sequential build's order, so the output is the same
bytes. What a model's render or analysis was told is checked again when it is recorded, and
anything that changed in between is done again in-process (see lineage/dbt_build.py).
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from lineage import model_analysis
from lineage.analysis_cache import AnalysisCache, cache_key
from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.model_analysis import ModelAnalysis, ModelJob
from lineage.model_workers import ModelWorkers, WorkerLost

#: Below this many SQL models a process pool costs more than it saves.
PARALLEL_MIN_MODELS = 100

#: Models rendered and submitted ahead of the one being recorded, per worker.
AHEAD_PER_WORKER = 8

#: A job still queued when its result is needed is taken back and analysed in this process
#: (which would otherwise wait idle behind the jobs queued before it).
TAKE_BACK_QUEUED = True

#: Analysed models written to the cache per transaction.
CACHE_BATCH = 200

Started = TypeVar("Started")


@dataclass
class BuildStats:
    """What a dbt build did with its models (for tests, benchmarks and the curious)."""

    workers: int = 0  # processes in the pool; 0: every model analysed in-process
    analysed: list[str] = field(default_factory=list)  # models analysed (not from the cache)
    cache_hits: int = 0
    redone: int = 0  # analysed again in-process: what they read changed after submission
    rerendered: int = 0  # rendered again: a relation their Jinja asked about changed
    taken_back: int = 0  # submitted to a worker, then analysed in-process (see TAKE_BACK_QUEUED)


def worker_count(jobs: int | None, sql_models: int, manifest_mode: bool) -> int:
    """Processes for the pool: 0 (in-process) for one job, a small project or manifest mode."""
    wanted = jobs if jobs is not None else (os.cpu_count() or 1)
    if wanted <= 1 or sql_models < PARALLEL_MIN_MODELS or manifest_mode:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return wanted


def run_in_order(
    parents: Sequence[Sequence[int]],
    start: Callable[[int], Started],
    finish: Callable[[int, Started], None],
    ahead: int,
) -> None:
    """`finish(i, start(i))` for every position i in order; `start(j)` is called as soon as
    every parent of j (positions before j) is finished, at most `ahead` ahead."""
    children: list[list[int]] = [[] for _ in parents]
    waiting = [len(p) for p in parents]
    for position, ps in enumerate(parents):
        for parent in ps:
            children[parent].append(position)
    ready = [position for position, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    started: dict[int, Started] = {}
    for position in range(len(parents)):
        while ready and len(started) < ahead:
            chosen = heapq.heappop(ready)
            started[chosen] = start(chosen)
        if position not in started:  # the next to finish is always ready
            chosen = heapq.heappop(ready)
            started[chosen] = start(chosen)
        finish(position, started.pop(position))
        for child in children[position]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, child)


@dataclass
class Pending:
    """A started job: its analysis when known (from the cache), else its ticket, if sent."""

    job: ModelJob
    label: str
    key: str | None
    analysis: ModelAnalysis | None = None
    ticket: int | None = None  # its job's ticket with the workers


class Analyser:
    """Runs `analyse_model` for the build: the cache first, then a worker or this process."""

    def __init__(self, workers: int, cache: AnalysisCache | None, stats: BuildStats) -> None:
        self._file = cache
        self.cache = cache if cache is not None and cache.active else None
        self.stats = stats
        self.diagnostics: list[Diagnostic] = []
        self._workers: ModelWorkers | None = None
        self._workers_wanted = workers  # started with the first job to send
        self._written = 0
        self._told_lost = False
        stats.workers = workers

    def start(self, job: ModelJob, label: str) -> Pending:
        """Look `job` up in the cache, else submit it to the workers (if any)."""
        key = cache_key(job) if self.cache is not None else None
        found = self.cache.get(job, key) if self.cache is not None else None
        if found is not None:
            self.stats.cache_hits += 1
            return Pending(job, label, key, analysis=found)
        pending = Pending(job, label, key)
        if self._workers is None and self._workers_wanted:
            self._workers = ModelWorkers(self._workers_wanted)
            self._workers_wanted = 0
        if self._workers is not None:
            pending.ticket = self._workers.submit(job)
        return pending

    def pump(self) -> None:
        """Let the workers exchange finished analyses for queued jobs (never waits)."""
        if self._workers is not None:
            self._workers.pump()

    def result(self, pending: Pending) -> ModelAnalysis:
        """The analysis of a started job (waiting for its worker if need be)."""
        if pending.analysis is not None:
            return pending.analysis
        workers, ticket = self._workers, pending.ticket
        if workers is None or ticket is None:
            return self.now(pending.job, pending.label, pending.key)
        if TAKE_BACK_QUEUED and workers.take_back(ticket):
            self.stats.taken_back += 1
            return self.now(pending.job, pending.label, pending.key)
        try:
            analysis = workers.result(ticket)
        except WorkerLost as lost:
            self._lost_worker(str(lost))
            return self.now(pending.job, pending.label, pending.key)
        self.stats.analysed.append(pending.label)
        self._remember(pending.job, analysis, pending.key)
        return analysis

    def now(self, job: ModelJob, label: str, key: str | None = None) -> ModelAnalysis:
        """The analysis of `job` from the cache, else analysed in this process."""
        if self.cache is not None:
            key = key or cache_key(job)
            found = self.cache.get(job, key)
            if found is not None:
                self.stats.cache_hits += 1
                return found
        analysis = model_analysis.analyse_model(job)
        self.stats.analysed.append(label)
        self._remember(job, analysis, key)
        return analysis

    def close(self) -> None:
        """Stop the workers and write what is left to the cache."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None
        if self._file is not None:
            self._file.close()
            self.diagnostics.extend(self._file.diagnostics)

    def _remember(self, job: ModelJob, analysis: ModelAnalysis, key: str | None) -> None:
        cache = self.cache
        if cache is None or (analysis.failure or "").startswith(model_analysis.ERROR_FAILURE):
            return
        cache.put(job, analysis, key)
        self._written += 1
        if self._written % CACHE_BATCH == 0:
            cache.flush()

    def _lost_worker(self, reason: str) -> None:
        if self._told_lost:
            return
        self._told_lost = True
        self.diagnostics.append(
            Diagnostic(
                Location("dbt_project.yml", 1),
                DiagnosticCode.ANALYSIS_ERROR,
                Severity.WARNING,
                f"{reason}; the models it was analysing were analysed in the main process",
            )
        )
