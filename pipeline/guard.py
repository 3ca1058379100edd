"""Guarding a run: one run per outputs folder, SIGTERM like Ctrl-C, write failures in Thai.

Together with atomic writes (files.py) these make an interrupted or failed run
leave the earlier good outputs as they were.
"""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK = ".lock"  # in the outputs folder: held (flock) by the run writing there


class Busy(Exception):
    """Another run holds the outputs folder."""

    def __init__(self, pid: str):
        super().__init__(pid)
        self.pid = pid


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: every temporary file removed on the way out."""


@contextmanager
def exclusive(outputs: Path) -> Iterator[None]:
    """Hold ``outputs/.lock`` for the run; Busy if another live run holds it.

    flock: the kernel releases it when the holder dies, however it dies, so a stale
    lock file never blocks anyone (its content, the holder's pid, is only for the message).
    """
    outputs.mkdir(parents=True, exist_ok=True)
    handle = open(outputs / LOCK, "a+", encoding="ascii")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise Busy(handle.read().strip() or "?") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises Terminated (a KeyboardInterrupt) in the main thread, like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
