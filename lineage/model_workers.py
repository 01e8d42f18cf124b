"""Worker processes that analyse `ModelJob`s, fed through pipes by the calling thread alone.

`concurrent.futures.ProcessPoolExecutor` moves every job and result through two helper threads
of the main process; while the main thread renders Jinja, each hand-over waits for the GIL,
which cost the build about 2 ms per model (docs/performance.md). Here the main thread writes
each job to a worker's pipe itself and reads results when it looks for them: no thread, no
lock. Workers are forked (they inherit the loaded code) and never touch the build's state.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from lineage import model_analysis
from lineage.model_analysis import ModelAnalysis, ModelJob, failure_text

#: Jobs sent to one worker before it answers (so it never waits for the main process).
JOBS_PER_WORKER = 2

#: A job larger than this is sent only to an idle worker, so a pipe never fills both ways.
LARGE_JOB_CHARS = 32_000

#: Jobs a worker analyses between two garbage collections.
WORKER_GC_BATCH = 100


class WorkerLost(Exception):
    """The worker analysing a job stopped before answering."""


@dataclass
class _Link:
    process: BaseProcess
    connection: Connection
    sent: deque[int] = field(default_factory=deque)  # tickets, in the order sent


class ModelWorkers:
    """`count` forked worker processes; jobs are identified by the ticket `submit` returns."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self._links: list[_Link] = []
        self._queue: deque[int] = deque()  # tickets not sent yet, in submission order
        self._jobs: dict[int, ModelJob] = {}
        self._results: dict[int, ModelAnalysis] = {}
        self._lost: set[int] = set()
        self._tickets = itertools.count()
        self.stopped: str | None = None  # why a worker stopped, if one did
        for _ in range(count):
            mine, theirs = context.Pipe(duplex=True)
            process = context.Process(target=_serve, args=(theirs,), daemon=True)
            process.start()
            theirs.close()
            self._links.append(_Link(process, mine))

    def submit(self, job: ModelJob) -> int:
        """Queue `job` (sent as soon as a worker is free); its ticket."""
        ticket = next(self._tickets)
        self._jobs[ticket] = job
        self._queue.append(ticket)
        self.pump()
        return ticket

    def take_back(self, ticket: int) -> bool:
        """Withdraw a job no worker has received yet; False if it was sent."""
        if ticket in self._queue:
            self._queue.remove(ticket)
            return True
        return False

    def result(self, ticket: int) -> ModelAnalysis:
        """The analysis of a submitted job, waiting for it if need be; WorkerLost if the
        worker it went to stopped (or none is left to send it to)."""
        while True:
            if ticket in self._results:
                self._jobs.pop(ticket, None)
                return self._results.pop(ticket)
            if ticket in self._lost or (not self._links and ticket in self._queue):
                self._lost.discard(ticket)
                self.take_back(ticket)
                raise WorkerLost(self.stopped or "no worker process left")
            busy = [link.connection for link in self._links if link.sent]
            if busy:
                wait(busy)
            self.pump()

    def pump(self) -> None:
        """Read the answers that arrived and send queued jobs to the workers with room."""
        for link in list(self._links):
            try:
                while link.sent and link.connection.poll():
                    ticket, analysis = link.connection.recv()
                    self._results[ticket] = analysis
                    link.sent.remove(ticket)
                self._send(link)
            except (EOFError, OSError) as error:
                self._drop(link, error)

    def _send(self, link: _Link) -> None:
        while self._queue and len(link.sent) < JOBS_PER_WORKER:
            job = self._jobs[self._queue[0]]
            if link.sent and len(job.sql) > LARGE_JOB_CHARS:
                return
            ticket = self._queue.popleft()
            link.sent.append(ticket)
            link.connection.send((ticket, job))

    def _drop(self, link: _Link, error: BaseException) -> None:
        self._links.remove(link)
        self._lost.update(link.sent)
        self.stopped = self.stopped or f"a worker process stopped ({type(error).__name__})"
        link.connection.close()
        link.process.join(timeout=1)

    def close(self) -> None:
        """Stop every worker."""
        for link in self._links:
            with contextlib.suppress(OSError):
                link.connection.send(None)
        for link in self._links:
            link.process.join(timeout=5)
            if link.process.is_alive():
                link.process.terminate()
                link.process.join(timeout=5)
            link.connection.close()
        self._links = []


def _serve(connection: Connection) -> None:
    """A worker: analyse each job received until told to stop."""
    gc.freeze()  # what the build had loaded stays out of the collector's way (and shared)
    done = 0
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        ticket, job = message
        try:  # looked up at call time, so tests can replace `analyse_model`
            analysis = model_analysis.analyse_model(job)
        except Exception as error:  # whatever the analysis raised: that model fails
            analysis = ModelAnalysis(failure_text(error), 1, (), (), None, None)
        connection.send((ticket, analysis))
        done += 1
        if done % WORKER_GC_BATCH == 0:
            gc.collect(1)
