"""Worker processes that analyse `ModelJob`s, fed through pipes by the calling thread alone.

`concurrent.futures.ProcessPoolExecutor` moves every job and result through two helper threads
of the main process; while the main thread renders Jinja, each hand-over waits for the GIL,
which cost the build about 2 ms per model (docs/performance.md). Here the main thread writes
each job to a worker's pipe itself and reads results when it looks for them: no thread, no
lock. Workers are forked (they inherit the loaded code) and never touch the build's state.

Besides `ModelJob`s, a pool can answer other requests with the `task` it was made with (the
dbt build's parse pass: see lineage/render/parse_pass.py); the task runs in the worker, on the
state the build had when it forked the workers.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from lineage import model_analysis
from lineage.model_analysis import ModelAnalysis, ModelJob, failure_text

#: Jobs sent to one worker before it answers (so it never waits for the main process).
JOBS_PER_WORKER = 2

#: A job larger than this is sent only to an idle worker, so a pipe never fills both ways.
LARGE_JOB_CHARS = 32_000

#: Jobs one process of a worker analyses, without collecting garbage, before a fresh fork
#: of the worker replaces it (its garbage, about 0.4 MB a job, goes with it).
JOBS_PER_PROCESS = 200

#: Exit codes of a worker's answering process.
_STOPPED, _REPLACE, _FAILED = 0, 3, 1

#: In a worker: the answer to a request that is not a `ModelJob` (None if it raised).
Task = Callable[[Any], Any]


class WorkerLost(Exception):
    """The worker analysing a job stopped before answering."""


@dataclass
class _Link:
    process: BaseProcess
    connection: Connection
    sent: deque[int] = field(default_factory=deque)  # tickets, in the order sent


class ModelWorkers:
    """`count` forked worker processes; jobs are identified by the ticket `submit` returns."""

    def __init__(self, count: int, task: Task | None = None) -> None:
        context = multiprocessing.get_context("fork")
        self.count = count
        self._links: list[_Link] = []
        self._queue: deque[int] = deque()  # tickets not sent yet, in submission order
        self._jobs: dict[int, object] = {}
        self._results: dict[int, Any] = {}
        self._lost: set[int] = set()
        self._arrived: list[int] = []  # tickets answered since `arrivals` was last called
        self._tickets = itertools.count()
        self.stopped: str | None = None  # why a worker stopped, if one did
        for _ in range(count):
            mine, theirs = context.Pipe(duplex=True)
            process = context.Process(target=_serve, args=(theirs, task), daemon=True)
            process.start()
            theirs.close()
            self._links.append(_Link(process, mine))

    def submit(self, job: ModelJob) -> int:
        """Queue `job` (sent as soon as a worker is free); its ticket."""
        return self.ask(job)

    def ask(self, request: object) -> int:
        """Queue a request for the pool's `task` (or a `ModelJob`); its ticket."""
        ticket = next(self._tickets)
        self._jobs[ticket] = request
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
        analysis: ModelAnalysis = self.answer(ticket)
        return analysis

    def answer(self, ticket: int) -> Any:
        """The answer to a ticket (as `result`)."""
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

    def arrivals(self) -> list[int]:
        """The tickets answered since the last call (their `result` no longer waits)."""
        arrived, self._arrived = self._arrived, []
        return arrived

    def in_flight(self, ticket: int) -> bool:
        """Whether the job was sent to a worker that has not answered it yet."""
        return any(ticket in link.sent for link in self._links)

    def wait_any(self) -> bool:
        """Wait until a worker answers (or stops); False if no worker has a job."""
        busy = [link.connection for link in self._links if link.sent]
        if not busy:
            return False
        wait(busy)
        self.pump()
        return True

    def pump(self) -> None:
        """Read the answers that arrived and send queued jobs to the workers with room."""
        for link in list(self._links):
            try:
                while link.sent and link.connection.poll():
                    ticket, analysis = link.connection.recv()
                    self._results[ticket] = analysis
                    self._arrived.append(ticket)
                    link.sent.remove(ticket)
                self._send(link)
            except (EOFError, OSError) as error:
                self._drop(link, error)

    def _send(self, link: _Link) -> None:
        while self._queue and len(link.sent) < JOBS_PER_WORKER:
            job = self._jobs[self._queue[0]]
            if link.sent and isinstance(job, ModelJob) and len(job.sql) > LARGE_JOB_CHARS:
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


def _serve(connection: Connection, task: Task | None) -> None:
    """A worker: a fork of it answers the requests, until it has analysed `JOBS_PER_PROCESS`
    jobs (a new fork then takes over the connection) or is told to stop. Analyses leave
    syntax trees (reference cycles) behind: a process that exits frees them at no cost, where
    the cycle collector would walk every node (about a tenth of the analysis time)."""
    gc.freeze()  # what the build had loaded stays out of the collector's way (and shared)
    while True:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which exits without returning
            code = _FAILED
            try:
                code = _answer_requests(connection, task)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != _REPLACE:
            return  # told to stop, or it failed: closing the connection tells the build


def _answer_requests(connection: Connection, task: Task | None) -> int:
    """Answer requests until told to stop (`_STOPPED`) or `JOBS_PER_PROCESS` jobs are
    analysed (`_REPLACE`), never between reading a request and answering it."""
    done = 0
    while done < JOBS_PER_PROCESS:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return _STOPPED
        if message is None:
            return _STOPPED
        ticket, job = message
        if not isinstance(job, ModelJob):
            try:  # pickling happens before anything is written
                connection.send((ticket, _answer(task, job)))
            except (pickle.PicklingError, TypeError, AttributeError):
                connection.send((ticket, None))
            gc.collect(1)  # a parse batch: Jinja's trees
            continue
        try:  # looked up at call time, so tests can replace `analyse_model`
            analysis = model_analysis.analyse_model(job)
        except Exception as error:  # whatever the analysis raised: that model fails
            analysis = ModelAnalysis(failure_text(error), 1, (), (), None, None)
        connection.send((ticket, analysis))
        done += 1
    return _REPLACE


def _answer(task: Task | None, request: object) -> Any:
    try:
        return None if task is None else task(request)
    except Exception:  # the caller does the work itself
        return None
