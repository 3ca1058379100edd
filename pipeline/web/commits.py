"""Writes of many requests done together: one disk flush for every submit waiting at that moment.

A submit is acknowledged once it is on disk: its row of the web database (synchronous=FULL:
a transaction that returned survives a power cut) and its entry in the audit log (fsynced).
Each of those is one writer at a time, and a flush takes 5-40 ms on a busy disk, so 76
centers submitting at once waited for each other's flushes for seconds. Here one thread does
every write waiting when it looks, in one go (a group commit): a lone submit still waits for
one flush, a rush for a few.

    row_id = commits.run(lambda con: con.execute("INSERT …", (…)).lastrowid)   # GroupCommit
    entry = log.run((actor, "submit", detail))                                 # GroupAppend

In a transaction each write runs in a savepoint of its own: one that raises is undone alone,
and the error is raised to its caller; the others are committed.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from .. import audit
from .db import Database

In = TypeVar("In")
Out = TypeVar("Out")


class _Waiting(Generic[In]):
    def __init__(self, item: In):
        self.item = item
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class Together(Generic[In, Out]):
    """Calls from many threads, done by one thread in batches: ``batch(items)`` gives one result (or the
    exception) per item, in order."""

    def __init__(self, batch: Callable[[list[In]], list[Out | BaseException]], name: str):
        self._batch, self._name = batch, name
        self._waiting: queue.SimpleQueue[_Waiting[In]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def run(self, item: In) -> Out:
        """``item`` done with the others waiting beside it; its result once they are on disk."""
        waiting = _Waiting(item)
        self._waiting.put(waiting)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._forever, name=self._name, daemon=True)
                self._thread.start()
        waiting.done.wait()
        if waiting.error is not None:
            raise waiting.error
        value: Out = waiting.value
        return value

    def _forever(self) -> None:
        while True:
            taken = [self._waiting.get()]
            while True:
                try:
                    taken.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            try:
                results = self._batch([w.item for w in taken])
            except BaseException as error:  # none of them is done
                results = [error] * len(taken)
            for waiting, result in zip(taken, results, strict=True):
                if isinstance(result, BaseException):
                    waiting.error = result
                else:
                    waiting.value = result
                waiting.done.set()


class GroupCommit(Together[Callable[[sqlite3.Connection], Any], Any]):
    """Writes of the web database: each ``work(connection)`` in one transaction shared with the others."""

    def __init__(self, db: Database):
        self.db = db
        super().__init__(self._commit, "gecc-commits")

    def _commit(self, works: list[Callable[[sqlite3.Connection], Any]]) -> list[Any]:
        results: list[Any] = []
        with self.db.connect() as con:
            for work in works:
                con.execute("SAVEPOINT one")
                try:
                    results.append(work(con))
                except Exception as error:
                    con.execute("ROLLBACK TO one")
                    results.append(error)
                con.execute("RELEASE one")
        return results


Item = tuple[str, str, Mapping[str, Any] | None]  # actor, action, detail


class GroupAppend(Together[Item, audit.Entry]):
    """Entries of the audit log: those waiting together are chained and flushed in one write."""

    def __init__(self, outputs: Path):
        def append(items: Sequence[Item]) -> list[audit.Entry | BaseException]:
            return list(audit.append_many(outputs, items))

        super().__init__(append, "gecc-audit")
