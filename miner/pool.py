"""Worker processes that keep what they parsed: a file's later tasks go where its first went.

A scan's cross-file rounds rescan files the first round parsed, and each worker process keeps
the trees it parsed (scan._parsed). On one shared queue (ProcessPoolExecutor), a rescan lands
on any worker: with two workers, a crawl of the 34-project corpus parsed 1,796 times for
1,391 distinct files. Here each worker has its own one-process executor, fed by a dispatcher
thread from queues: a task whose first argument is a file (it has a `blob_sha`) goes to the
worker that had that file before, unless that worker is busy while another has nothing to
do (an idle worker takes any task: parsing again is cheaper than waiting).

Like a ProcessPoolExecutor, the pool is broken once any worker dies: every task not done,
and every later submit, raises BrokenProcessPool.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

#: Tasks handed to a worker's own executor ahead of time (one running, one in its pipe).
DEPTH = 2
#: Files whose worker is remembered; a worker keeps far fewer trees than this (8 MB of source).
REMEMBERED = 50_000


@dataclass(eq=False)
class _Task:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    key: str | None  #: the file's blob sha, when the first argument is a file
    future: Future[Any] = field(default_factory=Future)


class AffinePool(Executor):
    """`workers` processes, each started with `initializer(*initargs)`; see the module doc."""

    def __init__(
        self, workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
    ) -> None:
        self._executors = [
            ProcessPoolExecutor(1, initializer=initializer, initargs=initargs)
            for _ in range(workers)
        ]
        self._free: collections.deque[_Task] = collections.deque()  #: no worker had the file
        self._homed = [collections.deque[_Task]() for _ in range(workers)]
        self._home: collections.OrderedDict[str, int] = collections.OrderedDict()
        self._busy = [0] * workers
        self._changed = threading.Condition()
        self._broken: BaseException | None = None
        self._closed = False
        self._dispatcher = threading.Thread(target=self._dispatch, daemon=True)

    def start(self) -> AffinePool:
        """Start every worker process now (forks happen here, not when work first comes)."""
        for executor in self._executors:
            executor.submit(int).result()
        self._dispatcher.start()
        return self

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        key = getattr(args[0], "blob_sha", None) if args else None
        task = _Task(fn, args, kwargs, key if isinstance(key, str) else None)
        with self._changed:
            if self._broken is not None:
                raise BrokenProcessPool(str(self._broken))
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            home = self._home.get(task.key) if task.key is not None else None
            (self._free if home is None else self._homed[home]).append(task)
            self._changed.notify_all()
        return task.future

    def cancel_queued(self) -> None:
        """Cancel every task no worker has taken yet (Ctrl-C: no one will use their results).

        Unlike shutdown(wait=False), this keeps hold of the workers' executors: a process pool
        shut down without waiting forgets its manager thread, and one still running when
        Python exits makes it print a traceback (OSError: Bad file descriptor, Python 3.11).
        """
        with self._changed:
            self._cancel_queued()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._changed:
            self._closed = True
            if cancel_futures:
                self._cancel_queued()
            self._changed.notify_all()
            while wait and self._queued() and self._broken is None:  # they run first
                self._changed.wait()
        for executor in self._executors:
            executor.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _dispatch(self) -> None:
        """Hand queued tasks to workers with room, until the pool is broken, or closed with
        nothing queued."""
        try:
            while True:
                with self._changed:
                    while not (picked := self._pick()):
                        if self._broken is not None or (self._closed and not self._queued()):
                            return
                        self._changed.wait()
                for worker, task in picked:
                    self._start(worker, task)
        except BaseException as error:  # a bug here must fail the tasks, not leave them waiting
            with self._changed:
                self._broken = error
                for task in self._queued():
                    if task.future.set_running_or_notify_cancel():
                        task.future.set_exception(error)
                self._clear_queues()
                self._changed.notify_all()
            raise

    def _pick(self) -> list[tuple[int, _Task]]:
        """(worker, task) for every worker with room and a task it may take (lock held)."""
        picked = []
        for worker in range(len(self._executors)):
            while self._busy[worker] < DEPTH:
                task = self._next_for(worker)
                if task is None:
                    break
                if not task.future.set_running_or_notify_cancel():
                    continue  # cancelled while it waited
                self._busy[worker] += 1
                if task.key is not None:
                    self._home[task.key] = worker
                    self._home.move_to_end(task.key)
                    if len(self._home) > REMEMBERED:
                        self._home.popitem(last=False)
                picked.append((worker, task))
        return picked

    def _next_for(self, worker: int) -> _Task | None:
        """Its own files' tasks first, then new files, then (rather than idle) another's."""
        if self._homed[worker]:
            return self._homed[worker].popleft()
        if self._free:
            return self._free.popleft()
        if self._busy[worker] == 0:
            full = [queue for owner, queue in enumerate(self._homed)
                    if queue and self._busy[owner] >= DEPTH]  # fmt: skip
            if full:
                return max(full, key=len).pop()
        return None

    def _start(self, worker: int, task: _Task) -> None:
        try:
            inner = self._executors[worker].submit(task.function, *task.args, **task.kwargs)
        except (BrokenProcessPool, RuntimeError) as error:
            self._finish(worker, task, error=error)
            return
        inner.add_done_callback(lambda done: self._copy(worker, task, done))

    def _copy(self, worker: int, task: _Task, done: Future[Any]) -> None:
        try:
            result = done.result()
        except CancelledError as error:  # its worker's executor was shut down first
            self._finish(worker, task, error=self._broken or error)
        except BaseException as error:  # the task's own exception, or a dead worker
            self._finish(worker, task, error=error)
        else:
            self._finish(worker, task, result=result)

    def _finish(
        self, worker: int, task: _Task, *, result: Any = None, error: BaseException | None = None
    ) -> None:
        with self._changed:
            self._busy[worker] -= 1
            if isinstance(error, BrokenProcessPool) and self._broken is None:
                self._broken = error
                for waiting in self._queued():
                    if waiting.future.set_running_or_notify_cancel():
                        waiting.future.set_exception(BrokenProcessPool(str(error)))
                self._clear_queues()
            self._changed.notify_all()
        if error is not None:
            task.future.set_exception(error)
        else:
            task.future.set_result(result)

    def _cancel_queued(self) -> None:
        """Cancel and drop every queued task (the lock held)."""
        for task in self._queued():
            task.future.cancel()
        self._clear_queues()
        self._changed.notify_all()

    def _queued(self) -> list[_Task]:
        return [*self._free, *(task for queue in self._homed for task in queue)]

    def _clear_queues(self) -> None:
        self._free.clear()
        for queue in self._homed:
            queue.clear()
