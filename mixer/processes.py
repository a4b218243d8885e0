"""How this program starts worker processes: how many, and by which start method.

Every module that computes in other processes (`mixer.snark.workers` for proofs,
`mixer.pair_hashing` for trees) asks here, so the policy below is kept in one place.

How many: one per core this process may run on (`default_workers`).

How they start: `fork` copies the whole process, including every lock another thread
holds at that instant: stdout's and stderr's buffer locks while a progress bar's refresh
thread is writing, a console's lock, a queue's lock. The child has no thread that could
release them, so the first time it touches one (the std-stream flush every multiprocessing
child does when it exits, a warning, a traceback) it waits forever, and so does whoever
waits for it. So: fork only when this process runs a single Python thread, where
copy-on-write hands the workers what this process holds (a proving key's points, compiled
hash functions) for free; otherwise start them from the forkserver (one clean
single-threaded process, itself started by fork+exec), which costs a process start and the
pickling of whatever the workers need.

The check sees Python threads only (`threading.active_count()`); a thread started in C
by an extension is invisible to it.

A computation forked once (a proof's share of sums) runs as a `ForkedCall`: one `os.fork`
and a pipe, without a multiprocessing pool's start-up (its module imports and threads cost
~25 ms, a few percent of a proof).
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Generic, NoReturn, TypeVar

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

T = TypeVar("T")


def default_workers() -> int:
    """One process per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_is_safe() -> bool:
    """True when this system can fork and no other Python thread runs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def context() -> BaseContext:
    """The start method to use for processes started NOW (call it just before starting them)."""
    import multiprocessing  # here: a proof that forks (`ForkedCall`) never needs it

    if fork_is_safe():
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class WorkerError(RuntimeError):
    """A worker process failed or died before giving its result."""


class ForkedCall(Generic[T]):
    """`task()` computed in a child process forked now: the child sees this process's memory
    as it is (copy-on-write) and only the result comes back, pickled through a pipe.

    Start one only when `fork_is_safe()`. `result()` waits for it (the task's exception if
    it raised, WorkerError if the child died). Leaving the `with` block, or `stop()`, kills
    a child still running, so an interrupted caller leaves no process behind; the child
    ignores Ctrl-C's SIGINT for that reason: its parent decides."""

    def __init__(self, task: Callable[[], T]) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _run_child(task, write)
        os.close(write)
        self.pid = pid
        """The child's process id (also after it has exited)."""
        self._pid: int | None = pid
        self._pipe = os.fdopen(read, "rb")

    def result(self) -> T:
        """The task's result, once the child has given it and exited; the task's own
        exception if it raised one that survives pickling, WorkerError otherwise."""
        if self._pid is None:
            raise RuntimeError("this call's result was already taken, or it was stopped")
        with self._pipe:
            data = self._pipe.read()
        code = _reap(self._pid)
        self._pid = None
        if code != 0 or not data:
            raise WorkerError(f"a worker process died (status {code})")
        done, value = pickle.loads(data)
        if done:
            return value  # type: ignore[no-any-return]
        error, text = value
        try:
            raised = pickle.loads(error) if error is not None else None
        except Exception:  # an exception class whose arguments do not rebuild it
            raised = None
        raise raised if isinstance(raised, Exception) else WorkerError(f"a worker process failed: {text}")

    def stop(self) -> None:
        """Kill and reap the child if it still runs."""
        self._pipe.close()
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)  # unreaped, so the pid is still this child's
            _reap(self._pid)
            self._pid = None

    def __enter__(self) -> ForkedCall[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _reap(pid: int) -> int:
    """The child's exit code once it has exited; 0 if the system reaped it already (a
    process that ignores SIGCHLD has its children reaped for it: the pipe then tells)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return 0
    return os.waitstatus_to_exitcode(status)


def _run_child(task: Callable[[], T], write: int) -> NoReturn:
    """In the child: compute, send (True, result) or (False, (the pickled exception or None,
    its text)), and exit without running this program's exit handlers or flushing its
    copied output buffers."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            message = pickle.dumps((True, task()), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            try:
                error: bytes | None = pickle.dumps(exc.with_traceback(None))
            except Exception:
                error = None
            message = pickle.dumps((False, (error, f"{type(exc).__name__}: {exc}")))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(message)
        code = 0
    finally:
        os._exit(code)


class _Here(Generic[T]):
    """`task()` computed in this process when its result is asked (where fork is unsafe)."""

    def __init__(self, task: Callable[[], T]) -> None:
        self._task = task

    def result(self) -> T:
        return self._task()

    def __enter__(self) -> _Here[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        pass


def beside(task: Callable[[], T]) -> ForkedCall[T] | _Here[T]:
    """`task()` computed while this process does something else: in a forked child when
    fork is safe, otherwise in this process when `result()` is asked. Use it as a context
    manager (a child still running at its end is killed)."""
    return ForkedCall(task) if fork_is_safe() else _Here(task)
