"""Writes of many requests in one transaction: one disk flush for every submit waiting at that moment.

Each transaction of the web database is flushed to disk before it returns (synchronous=FULL:
what a center saw acknowledged survives a power cut), and SQLite has one writer at a time. A
flush takes 5-25 ms on a busy disk, so 76 centers submitting at once, two transactions each,
waited for each other's flushes for seconds. Here one thread commits every write waiting when
it looks (a group commit): a lone submit still waits for one flush, a rush for a few.

    value = commits.run(lambda con: con.execute("INSERT …", (…)).lastrowid)

Each write runs in a savepoint of its own: one that raises is undone alone, and the error is
raised to its caller; the others are committed.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .db import Database

T = TypeVar("T")


class _Write:
    def __init__(self, work: Callable[[sqlite3.Connection], Any]):
        self.work = work
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    def __init__(self, db: Database):
        self.db = db
        self._waiting: queue.SimpleQueue[_Write] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(connection)`` in a transaction shared with the writes waiting beside it; its value once
        the transaction is on disk."""
        write = _Write(work)
        self._waiting.put(write)
        self._start()
        write.done.wait()
        if write.error is not None:
            raise write.error
        value: T = write.value
        return value

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._commit_forever, name="gecc-commits", daemon=True)
                self._thread.start()

    def _commit_forever(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while True:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[_Write]) -> None:
        try:
            with self.db.connect() as con:
                for write in batch:
                    con.execute("SAVEPOINT one")
                    try:
                        write.value = write.work(con)
                    except Exception as error:
                        con.execute("ROLLBACK TO one")
                        write.error = error
                    con.execute("RELEASE one")
        except BaseException as error:  # the commit itself failed: none of them is on disk
            for write in batch:
                write.error = write.error or error
        finally:
            for write in batch:
                write.done.set()
