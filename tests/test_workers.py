"""parallel_map: results in order, and several threads may each run one at once (a threaded server)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from pipeline.workers import parallel_map


def test_results_come_in_the_order_of_the_items_and_lambdas_work():
    assert parallel_map(lambda n: n * n, list(range(20)), workers=2) == [n * n for n in range(20)]


def test_several_threads_each_get_their_own_task():
    threads = 4
    start = threading.Barrier(threads)

    def run(tag: int) -> list[tuple[int, int]]:
        start.wait()  # all threads set up their pools at the same moment
        return parallel_map(lambda n: (tag, n), list(range(tag * 100, tag * 100 + 30)), workers=2)

    for _ in range(3):
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(run, range(threads)))
        assert results == [[(tag, n) for n in range(tag * 100, tag * 100 + 30)] for tag in range(threads)]
