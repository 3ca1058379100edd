"""Work spread over one process per core: rendering and checking are CPU-bound Python.

Processes, not threads: docxtpl's regular expressions and the check rules' loops
over MuPDF text hold the GIL. Workers ignore Ctrl-C and SIGTERM; the run's own
process gets them, cancels what has not started and waits for what has (each
task writes atomically, so nothing is left half-written).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

__all__ = ["cores", "parallel_map"]

In = TypeVar("In")
Out = TypeVar("Out")


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# The task of a worker process: set once, in the worker, by its initializer. The
# executor hands the initializer's arguments to workers it forks without pickling
# them, so the function (a lambda, say) and the items (large contexts) reach the
# workers by fork alone; only indices and results cross the pipes. The parent keeps
# no task of its own, so threads may each run a parallel_map at the same time.
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _start_worker(task: tuple[Callable[[Any], Any], Sequence[Any]]) -> None:
    global _TASK
    _TASK = task
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _call(index: int) -> object:
    assert _TASK is not None
    fn, items = _TASK
    return fn(items[index])


def parallel_map(
    fn: Callable[[In], Out],
    items: Sequence[In],
    *,
    workers: int | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> list[Out]:
    """``[fn(item) for item in items]`` in ``workers`` processes (default: one per core).

    An exception raised by ``fn`` is raised here, after the tasks not yet started are
    cancelled. ``progress(done, total)`` is called in this process as results arrive.
    Several threads may call it at once: each call forks its own workers, which carry
    its own task. (A fork copies only the calling thread; ``fn`` must not need a lock
    that another thread of this process may hold, such as one around an open file.)
    """
    n = max(1, min(workers or cores(), len(items)))
    if n == 1:
        results = []
        for done, item in enumerate(items, 1):
            results.append(fn(item))
            if progress is not None:
                progress(done, len(items))
        return results
    pool = ProcessPoolExecutor(
        n, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker, initargs=((fn, items),)
    )
    try:
        futures = {pool.submit(_call, i): i for i in range(len(items))}
        slots: list[Out | None] = [None] * len(items)
        for done, future in enumerate(as_completed(futures), 1):
            slots[futures[future]] = future.result()  # type: ignore[assignment]
            if progress is not None:
                progress(done, len(items))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return slots  # type: ignore[return-value]
