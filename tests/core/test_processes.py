"""ForkedCall: a computation in a forked child, its result or its failure, and no child left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from mixer.processes import ForkedCall, WorkerError, beside


def _gone(pid: int) -> bool:
    """True once `pid` is no process at all (reaped, not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _fail() -> int:
    raise ValueError("no such wire")


def _die() -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


def _sleep() -> int:
    time.sleep(60)
    return 0


def test_the_childs_result_comes_back_from_its_copy_of_this_memory() -> None:
    table = [x * x for x in range(10_000)]  # never sent: the child reads its forked copy
    call = ForkedCall(lambda: sum(table) + os.getpid())
    child = call.pid
    assert call.result() == sum(table) + child and child != os.getpid()
    assert _gone(child)


class _Unrebuildable(Exception):
    def __init__(self, code: int, why: str) -> None:  # pickle rebuilds it with one argument
        super().__init__(f"{why} ({code})")


def _fail_oddly() -> int:
    raise _Unrebuildable(7, "odd")


def test_a_task_that_raises_raises_the_same_error_here() -> None:
    call = ForkedCall(_fail)
    with pytest.raises(ValueError, match="no such wire"):
        call.result()
    assert _gone(call.pid)


def test_an_error_that_cannot_cross_is_one_worker_error_with_its_text() -> None:
    with pytest.raises(WorkerError, match=r"_Unrebuildable: odd \(7\)"):
        ForkedCall(_fail_oddly).result()


def test_beside_computes_in_a_child_or_here_when_fork_is_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    with beside(os.getpid) as call:
        assert isinstance(call, ForkedCall) and call.result() == call.pid != os.getpid()
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # as if a progress bar's thread ran
    with beside(os.getpid) as call:
        assert not isinstance(call, ForkedCall) and call.result() == os.getpid()
    with pytest.raises(ValueError, match="no such wire"), beside(_fail) as failing:
        failing.result()


def test_a_child_killed_before_answering_is_a_worker_error_not_a_hang() -> None:
    call = ForkedCall(_die)
    with pytest.raises(WorkerError, match="died"):
        call.result()
    with pytest.raises(RuntimeError, match="already taken"):
        call.result()


def test_should_leave_no_child_running_when_the_caller_is_interrupted() -> None:
    with pytest.raises(KeyboardInterrupt), ForkedCall(_sleep) as call:
        raise KeyboardInterrupt
    assert _gone(call.pid)


def test_ctrl_c_reaches_the_parent_only_and_the_child_still_answers() -> None:
    with ForkedCall(lambda: time.sleep(0.5) or 7) as call:
        os.kill(call.pid, signal.SIGINT)
        assert call.result() == 7


def test_the_child_does_not_print_the_parents_pending_output_again() -> None:
    script = (
        "import sys\n"
        "sys.stdout.write('once')\n"  # still in this process's buffer at the fork
        "from mixer.processes import ForkedCall\n"
        "assert ForkedCall(lambda: 2).result() == 2\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert proc.stdout == "once"


def test_a_parent_ignoring_sigchld_still_gets_the_result() -> None:
    # SIGCHLD ignored: the system reaps children itself, so there is no exit status to wait for
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert ForkedCall(lambda: 41 + 1).result() == 42
        with pytest.raises(WorkerError, match="died"):
            ForkedCall(_die).result()
    finally:
        signal.signal(signal.SIGCHLD, previous)
