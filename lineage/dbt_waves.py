"""Scheduling a dbt project's models: rendered in the main process as soon as their parents'
analyses are known, analysed in worker processes (or in-process), recorded in dependency order.

A model needs its parents' schemas. A parent's schema is known once it is recorded, and is
predicted from its analysis as soon as that arrives (the columns recording it will give its
relation), so a model starts (is rendered, its `ModelJob` sent to a worker) without waiting
for everything before it in the recording order: the dependency order puts a child right
after its last parent, and waiting for recordings would leave the workers idle. Results are
recorded strictly in the sequential build's order, so the output is the same bytes. What a
model's render or analysis was told (predicted or not) is checked again when it is recorded,
and anything that differs is done again in-process (see lineage/dbt_models.py).
"""

from __future__ import annotations

import gc
import heapq
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from lineage import model_analysis
from lineage.analysis_cache import AnalysisCache, cache_key
from lineage.build import GC_BATCH_STATEMENTS
from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.model_analysis import ModelAnalysis, ModelJob
from lineage.model_workers import ModelWorkers, WorkerLost

#: Below this many SQL models a process pool costs more than it saves.
PARALLEL_MIN_MODELS = 100

#: Models rendered and submitted ahead of the one being recorded, per worker: enough for the
#: workers to find independent models far ahead in the dependency order (16 left them half
#: idle on 1,000 generated models).
AHEAD_PER_WORKER = 128

#: A job still queued when its result is needed is taken back and analysed in this process.
#: Off: with models started as soon as their parents are analysed there is always work queued,
#: so the workers keep both cores busy, and analyses here only add syntax trees for this
#: process's collector to walk (5,000 models: 28.6 s with, 27.4 s without).
TAKE_BACK_QUEUED = False

#: How the diagnostic of a lost worker ends (a build that met one is not kept whole in the
#: project cache: lineage/projects.py).
LOST_WORKER_SUFFIX = "the models it was analysing were analysed in the main process"

#: Analysed models written to the cache per transaction.
CACHE_BATCH = 200

Started = TypeVar("Started")
StartedIn = TypeVar("StartedIn", contravariant=True)


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


class Early(Protocol[StartedIn]):
    """What lets `run_in_order` start a child before its parents are finished: a started
    position whose outcome is known early (its analysis arrived) releases its children."""

    def known(self, position: int, started: StartedIn) -> bool:
        """Whether what the children of a started `position` need of it is known now."""
        ...

    def poll(self) -> list[int]:
        """Positions whose outcome became known since the last call (never waits)."""
        ...

    def wait(self, position: int, started: StartedIn) -> list[int] | None:
        """Wait while `position` (the next to finish) is not known: the positions that
        became known; None when waiting cannot help (finishing it does the work)."""
        ...


def run_in_order(
    parents: Sequence[Sequence[int]],
    start: Callable[[int], Started],
    finish: Callable[[int, Started], None],
    ahead: int,
    early: Early[Started] | None = None,
) -> None:
    """`finish(i, start(i))` for every position i in order; `start(j)` is called as soon as
    every parent of j (positions before j) is finished, or known to `early`, lowest position
    first, with at most `ahead` positions started and not finished."""
    children: list[list[int]] = [[] for _ in parents]
    waiting = [len(p) for p in parents]
    for position, ps in enumerate(parents):
        for parent in ps:
            children[parent].append(position)
    ready = [position for position, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    released = [False] * len(parents)
    started: dict[int, Started] = {}

    def release(positions: Iterable[int]) -> None:
        for position in positions:
            if released[position]:
                continue
            released[position] = True
            for child in children[position]:
                waiting[child] -= 1
                if waiting[child] == 0:
                    heapq.heappush(ready, child)

    def begin(position: int) -> None:
        started[position] = start(position)
        if early is not None and early.known(position, started[position]):
            release((position,))

    def fill() -> None:
        while ready and len(started) < ahead:
            begin(heapq.heappop(ready))

    for position in range(len(parents)):
        if early is not None:
            release(early.poll())
        fill()
        if position not in started:  # the next to finish is always ready
            begin(heapq.heappop(ready))
        while early is not None and not early.known(position, started[position]):
            news = early.wait(position, started[position])
            if news is None:
                break
            release(news)
            fill()
        finish(position, started.pop(position))
        release((position,))


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

    def __init__(
        self, workers: ModelWorkers | None, cache: AnalysisCache | None, stats: BuildStats
    ) -> None:
        self._file = cache
        self.cache = cache if cache is not None and cache.active else None
        self.stats = stats
        self.diagnostics: list[Diagnostic] = []
        self._workers = workers  # closed by whoever started them
        self._written = 0
        self._told_lost = False
        self._sent: dict[int, Pending] = {}  # submitted to the workers, not answered yet
        self._here = 0  # jobs analysed in this process
        stats.workers = workers.count if workers is not None else 0

    def start(self, job: ModelJob, label: str) -> Pending:
        """Look `job` up in the cache, else submit it to the workers (if any)."""
        key = cache_key(job) if self.cache is not None else None
        found = self.cache.get(job, key) if self.cache is not None else None
        if found is not None:
            self.stats.cache_hits += 1
            return Pending(job, label, key, analysis=found)
        pending = Pending(job, label, key)
        if self._workers is not None:
            pending.ticket = self._workers.submit(job)
            self._sent[pending.ticket] = pending
        return pending

    def in_flight(self, pending: Pending) -> bool:
        """Whether a worker will answer `pending` without this process doing anything (it
        was sent; or it is queued and will not be taken back)."""
        workers, ticket = self._workers, pending.ticket
        if pending.analysis is not None or workers is None or ticket is None:
            return False
        return workers.in_flight(ticket) or (not TAKE_BACK_QUEUED and ticket in self._sent)

    def collect(self, block: bool) -> list[Pending] | None:
        """The started jobs whose analyses arrived since the last call, each with its
        `analysis` set; with `block`, waits for one if none has. None: nothing to wait for."""
        workers = self._workers
        if workers is None:
            return None
        workers.pump()
        tickets = workers.arrivals()
        if not tickets and block:
            if not workers.wait_any():
                return None
            tickets = workers.arrivals()
        arrived = []
        for ticket in tickets:
            pending = self._sent.pop(ticket, None)
            if pending is not None:  # not already taken by `result`
                pending.analysis = self._received(pending, workers.result(ticket))
                arrived.append(pending)
        return arrived

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
        self._sent.pop(ticket, None)
        if TAKE_BACK_QUEUED and workers.take_back(ticket):
            self.stats.taken_back += 1
            return self.now(pending.job, pending.label, pending.key)
        try:
            analysis = workers.result(ticket)
        except WorkerLost as lost:
            self._lost_worker(str(lost))
            return self.now(pending.job, pending.label, pending.key)
        return self._received(pending, analysis)

    def _received(self, pending: Pending, analysis: ModelAnalysis) -> ModelAnalysis:
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
        self._here += 1
        if self._here % GC_BATCH_STATEMENTS == 0:  # their syntax trees are reference cycles
            gc.collect(1)
        return analysis

    def close(self) -> None:
        """Write what is left to the cache."""
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
                f"{reason}; {LOST_WORKER_SUFFIX}",
            )
        )
