"""The processes that make the queued reports, and the server's side of them.

The server starts ``count`` worker processes (spawned fresh: they hold no copy of its
listening socket) and keeps them alive: a worker that died is replaced and what it was
making waits again. Each worker takes every job waiting at that moment (pipeline.web.
reportqueue) and makes them together, then looks again; a submit wakes the workers at once
instead of their next look. Workers run at a lower priority than the server (nice), so a page
load gets a core before report work does; they die with the server, even by kill -9, and the
server puts what they were making back in the queue when it starts.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import service
from ..convert import LibreOfficeError
from ..model import Answer, Campaign
from ..settings import Settings
from .db import Database
from .processes import die_with_parent, message
from .reportqueue import Job, ReportQueue

LOOK = 2.0  # s between looks at the queue when no submit woke the worker (a job added by another process)
NICE = 10  # the workers' priority below the server's: page loads first
INPUT_FILES = ("centers.csv", "centers.xlsx", "circular.yaml", "criteria.yaml", "scoring.yaml")


@dataclass(frozen=True)
class WorkerConfig:
    settings: Settings
    database: Path
    # Jobs one worker takes at most at once (one plan; its results written when it ends). Small: in a rush
    # the two workers take turns instead of one making 74 reports while the other waits (measured: the
    # last of 76 came at 27 s instead of 32 s), and the first reports show sooner.
    batch: int = 10


class ReportWorkers:
    """The server's worker processes: started, kept alive, woken, stopped."""

    def __init__(self, config: WorkerConfig, queue: ReportQueue, count: int):
        self.config, self.queue, self.count = config, queue, count
        context = multiprocessing.get_context("spawn")
        self._context = context
        self._wake: Any = context.Event()
        self._stop = threading.Event()
        self._processes: list[Any] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Put back what workers of a killed server were making, then start the workers."""
        self.queue.release()
        # The processes are started by one thread that lives as long as the server: the kernel's
        # parent-death signal follows the thread that started a child, not the process.
        self._thread = threading.Thread(target=self._keep, name="gecc-report-workers", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        if self._wake is not None:  # None once closed
            self._wake.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if self._thread is None or not self._thread.is_alive():
            # The wake event's semaphores (named ones, under the spawn context) are released when it is
            # collected: now, with the processes it was given to. Left to the interpreter, which the
            # re-raised SIGTERM ends without collecting, multiprocessing's resource tracker warned of
            # "leaked semaphore objects" at every stop of the server.
            self._processes.clear()
            self._wake = None
            gc.collect()

    def _keep(self) -> None:
        try:
            while not self._stop.is_set():
                for n in range(self.count):
                    process = self._processes[n] if n < len(self._processes) else None
                    if process is not None and process.is_alive():
                        continue
                    if process is not None:  # died: what it was making waits again
                        process.join()
                        self.queue.release(process.pid)
                    process = self._context.Process(
                        target=work, args=(self.config, self._wake, os.getpid()), name=f"gecc-report-{n}"
                    )
                    process.start()
                    self._processes[n : n + 1] = [process]
                self._stop.wait(0.5)
        finally:
            for process in self._processes:
                process.terminate()
            for process in self._processes:
                process.join(10)
                if process.pid is not None:
                    self.queue.release(process.pid)


def work(config: WorkerConfig, wake: Any, parent: int) -> None:
    """A worker process: take what waits, make it, look again, until the server ends."""
    die_with_parent(parent)
    os.nice(NICE)
    queue = ReportQueue(Database(config.database))
    campaigns = Campaigns(config.settings)
    with contextlib.suppress(Exception):  # read before the first submit, not during it; wrong inputs: each job says so
        campaigns.get()
    with contextlib.suppress(LibreOfficeError):  # then the first report says why, in its own words
        service.warm_up(config.settings)  # LibreOffice started now: the first report waits for none
    while True:
        try:
            jobs = queue.claim(os.getpid(), config.batch)
        except sqlite3.OperationalError:  # the database cannot be read now (a full disk): look again later
            jobs = []
        if not jobs:
            wake.wait(LOOK)
            wake.clear()
            continue
        make(config, queue, campaigns, jobs)


class Campaigns:
    """The campaign a worker makes reports of, read again when its input files change (answers left out:
    each report's answer comes with its job)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._cached: tuple[tuple[Any, ...], Campaign] | None = None

    def get(self) -> Campaign:
        stamp = tuple(_stat(self.settings.inputs / name) for name in INPUT_FILES)
        if self._cached is None or self._cached[0] != stamp:
            campaign = service.load(self.settings)
            self._cached = (stamp, replace(campaign, answers=(), rejected=()))
        return self._cached[1]


def make(config: WorkerConfig, queue: ReportQueue, campaigns: Campaigns, jobs: Sequence[Job]) -> None:
    """Make the reports of ``jobs`` together (service.build_reports: one plan); each result goes to its job."""
    try:
        campaign = campaigns.get()
    except Exception as error:  # the inputs are wrong: every report says why
        for job in jobs:
            queue.finish(job, [message(error)])
        return
    ready: list[tuple[Job, Answer]] = []
    for job in jobs:
        result = service.validate_answer(job.answer, campaign, others=False)  # its files were checked when kept
        if isinstance(result, list):  # the inputs changed under a kept answer
            queue.finish(job, [str(p) for p in result])
        else:
            ready.append((job, result))
    if not ready:
        return
    try:  # one plan: rendered together, converted in one LibreOffice pass, checked, archived, in the ledger
        causes = {_slug(campaign, answer): job.cause for job, answer in ready if job.cause}
        built = service.build_reports(config.settings, campaign, [answer for _, answer in ready], causes)
    except Exception as error:  # what stopped the plan is every report's reason
        for job, _ in ready:
            queue.finish(job, [message(error)])
        return
    for (job, _), report in zip(ready, built, strict=True):
        queue.finish(job, list(report.problems), report.archived_version)


def _slug(campaign: Campaign, answer: Answer) -> str:
    center = service.center_of(campaign, answer.province, answer.center)
    return center.slug if center else ""


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)
