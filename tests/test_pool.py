"""The crawl's worker pool: a file's later tasks go to the worker that had it, and one dead
worker breaks the pool as it breaks a ProcessPoolExecutor."""

from __future__ import annotations

import os
import sys
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import pytest

from miner.pool import AffinePool

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="forked workers")


@dataclass(frozen=True)
class File:
    blob_sha: str


def pid_of(_file: object) -> int:
    return os.getpid()


def square_or_fail(number: int) -> int:
    if number == 3:
        raise ValueError("three")
    return number * number


def die(_file: object) -> None:
    os._exit(1)


def nothing() -> None:
    pass


@pytest.fixture
def pool():
    workers = AffinePool(2, nothing, ()).start()
    yield workers
    workers.shutdown()


def test_a_file_goes_back_to_the_worker_that_had_it(pool: AffinePool) -> None:
    futures = {name: pool.submit(pid_of, File(name)) for name in "abcdefgh"}
    first = {name: future.result() for name, future in futures.items()}
    assert len(set(first.values())) == 2  # both workers took files

    again = {name: pool.submit(pid_of, File(name)).result() for name in "abcdefgh"}

    assert again == first


def test_results_come_in_order_and_a_task_s_exception_is_its_own(pool: AffinePool) -> None:
    results = pool.map(square_or_fail, [1, 2])
    assert list(results) == [1, 4]
    futures = [pool.submit(square_or_fail, n) for n in range(6)]
    with pytest.raises(ValueError, match="three"):
        futures[3].result()
    assert [f.result() for f in futures if f is not futures[3]] == [0, 1, 4, 16, 25]


def test_a_dead_worker_breaks_the_pool(pool: AffinePool) -> None:
    dying = pool.submit(die, File("x"))
    with pytest.raises(BrokenProcessPool):
        dying.result()
    with pytest.raises(BrokenProcessPool):
        pool.submit(pid_of, File("y")).result()


def test_a_shutdown_that_waits_runs_what_was_queued() -> None:
    workers = AffinePool(2, nothing, ()).start()
    futures = [workers.submit(square_or_fail, n) for n in (4, 5, 6, 7, 8)]

    workers.shutdown(wait=True)

    assert [f.result(timeout=0) for f in futures] == [16, 25, 36, 49, 64]


def test_a_shutdown_that_cancels_leaves_no_one_waiting() -> None:
    workers = AffinePool(1, nothing, ()).start()
    futures = [workers.submit(square_or_fail, n) for n in range(20)]

    workers.shutdown(wait=True, cancel_futures=True)

    assert all(f.done() for f in futures)
    assert any(f.cancelled() for f in futures)
