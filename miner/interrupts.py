"""Ctrl-C and SIGTERM stop a crawl for sure: the signal is remembered, not only raised.

Python raises KeyboardInterrupt in the main thread wherever that thread happens to be. When it
is running a finaliser (a `__del__` that the garbage collector calls at any allocation, such
as GitPython's `Repo.__del__`), the exception is printed as "Exception ignored" and dropped:
the crawl would go on as if no key had been pressed, while git, in the same process group,
died of the signal and its project was recorded as failed. So the handler also sets a flag,
and the crawl asks `check()` at the points where it stores a result; and the exception a
finaliser drops is not printed (a traceback instead of the crawl's one line).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

_received = threading.Event()


@contextlib.contextmanager
def catching() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise KeyboardInterrupt and are remembered.

    A SIGINT that was ignored when miner started (`nohup ... &`) stays ignored; the previous
    handlers come back afterwards. Only the main thread can set handlers: elsewhere this does
    nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(sig, _interrupt)
    unraisable = sys.unraisablehook

    def quiet(info: Any) -> None:  # sys.UnraisableHookArgs
        if not (isinstance(info.exc_value, KeyboardInterrupt) and _received.is_set()):
            unraisable(info)

    sys.unraisablehook = quiet
    try:
        yield
    finally:
        sys.unraisablehook = unraisable
        for sig, handler in previous.items():
            if handler is not signal.SIG_IGN:
                signal.signal(sig, handler)


#: Blocks of the main thread running under `held()`: a signal there is only remembered.
_holding = 0


def _interrupt(_signal: int, _frame: object) -> None:
    _received.set()
    if not _holding:
        raise KeyboardInterrupt


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Code that must not be cut in half (the start of a thread): an interruption that comes
    while it runs is raised when it ends. Main thread only, as signal handlers are."""
    global _holding
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
    check()


def check() -> None:
    """Raise KeyboardInterrupt if an interruption came, even one whose exception was dropped.

    In the main thread, signal handlers still pending run first (pthread_sigmask runs them
    after changing nothing): a signal that another thread received is not left for later.
    """
    if hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, ())
    if _received.is_set():
        raise KeyboardInterrupt
