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
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.context import BaseContext


def default_workers() -> int:
    """One process per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_is_safe() -> bool:
    """True when the fork start method exists and no other Python thread runs."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def context() -> BaseContext:
    """The start method to use for processes started NOW (call it just before starting them)."""
    if fork_is_safe():
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
