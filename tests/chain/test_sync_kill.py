"""A sync killed (SIGKILL) at random instants and restarted ends with the tree of a fresh
sync: the store commits one transaction per whole range of the grid, so whatever instant a
kill lands on, the next sync resumes from the last committed range or rebuilds.

The pool lives on a persistent embedded chain that child processes open in turn (its lock
is released when one dies); each child syncs it in one-block ranges (many commits), and
the parent kills it a random time after it starts syncing."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mixer.chain import backend, embedded
from mixer.chain.client import Sender
from mixer.chain.pool import PoolClient, deploy_pool
from mixer.chain.sync import store_path
from mixer.field import random_element

DEPTH = 5
DEPOSITS = 20
ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys, time
from pathlib import Path
from mixer.chain import backend, embedded
from mixer.chain.sync import sync_deposits
w3 = embedded.open_embedded(Path(sys.argv[1]))
print("syncing", flush=True)
start = time.perf_counter()
synced = sync_deposits(w3, sys.argv[3], hasher="poseidon", cache_dir=Path(sys.argv[2]), max_range=1)
print(synced.size, synced.root, time.perf_counter() - start, flush=True)
"""


def _child(chain_dir: Path, cache: Path, pool: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(chain_dir), str(cache), pool],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _sync_to_end(chain_dir: Path, cache: Path, pool: str) -> tuple[int, int, float]:
    child = _child(chain_dir, cache, pool)
    out, _ = child.communicate(timeout=300)
    assert child.returncode == 0, out
    size, root, seconds = out.split()[1:]
    return int(size), int(root), float(seconds)


def _kill_while_syncing(chain_dir: Path, cache: Path, pool: str, delay: float) -> None:
    child = _child(chain_dir, cache, pool)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "syncing"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)


@pytest.mark.slow
def test_a_sync_killed_at_random_instants_resumes_to_the_fresh_root(tmp_path: Path) -> None:
    chain_dir = tmp_path / "chain"
    w3 = embedded.open_embedded(chain_dir)
    try:
        sender = Sender(w3, w3.eth.accounts[0])
        address = deploy_pool(
            sender, hasher="poseidon", verifying_key=[1] * 22, denomination=1, levels=DEPTH
        ).pool
        pool = PoolClient(sender, address)
        for _ in range(DEPOSITS):
            pool.deposit(random_element(), value=1, gas=1_000_000)
        expected = (DEPOSITS, pool.last_root())
        chain_id = int(w3.eth.chain_id)
    finally:
        backend.close(w3)
    fresh = _sync_to_end(chain_dir, tmp_path / "fresh", address)
    assert fresh[:2] == expected
    rng = random.Random(os.environ.get("PYTEST_XDIST_WORKER", "") + str(time.time()))
    killed = tmp_path / "killed"
    for _ in range(4):  # from an empty store: two kills, then a sync that is let finish
        for _ in range(2):
            _kill_while_syncing(chain_dir, killed, address, rng.uniform(0, fresh[2] * 0.7))
            stored = store_path(killed, chain_id, address)
            if stored.exists():  # whatever a kill left is readable or rebuilt; never half a range
                db = sqlite3.connect(stored)
                try:
                    rows = dict(db.execute("SELECT k, v FROM meta").fetchall())
                    if rows.get("size"):
                        count = db.execute("SELECT COUNT(*) FROM deposits").fetchone()[0]
                        assert count == int(rows["size"])
                        assert int(rows["next_block"]) > 0
                except sqlite3.DatabaseError:
                    pass
                finally:
                    db.close()
        assert _sync_to_end(chain_dir, killed, address)[:2] == expected
        for suffix in ("-wal", "-shm", ""):
            Path(str(store_path(killed, chain_id, address)) + suffix).unlink(missing_ok=True)
