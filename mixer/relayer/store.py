"""The relayer's jobs in SQLite (WAL journal, synchronous=FULL: every commit is on disk).

A job is one posted record, keyed by its nullifierHash (0x-hex), in one of four states:

    queued ──► sent ──► confirmed
       │  ▲      │
       │  └──────┘  (its transaction reverted or vanished: queued again, to be re-checked)
       └──────────► failed (with the reason)

`sent` is written, together with the signed transaction's hash and raw bytes (an
*attempt* of a *batch*), BEFORE the transaction is broadcast; so after a crash at any
instant every job is either still queued, or sent with every transaction that may carry
it known, and `Relayer.settle` decides it from the chain. A replacement (same nonce, higher
gas price) is one more attempt of the same batch.

Every state change is reported, after its commit, to `on_transition` (the service logs one
structured line per job transition).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final, Literal

Status = Literal["queued", "sent", "confirmed", "failed"]
STATUSES: Final = ("queued", "sent", "confirmed", "failed")
Transition = Callable[["Job"], None]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    pool TEXT NOT NULL,
    record BLOB NOT NULL,
    recipient TEXT NOT NULL,
    fee TEXT NOT NULL,
    refund TEXT NOT NULL,
    root TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'confirmed', 'failed')),
    batch INTEGER,
    tx_hash TEXT,
    error TEXT,
    tries INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    pool TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    block INTEGER NOT NULL,
    open INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    hash TEXT PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches (id),
    raw BLOB NOT NULL,
    gas_price TEXT NOT NULL,
    created REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Job:
    """One posted record and what became of it."""

    id: str
    """The record's nullifierHash, 0x and 64 hex digits."""
    pool: str
    record: bytes
    recipient: str
    fee: int
    refund: int
    root: int
    """roots[rootIndex] when the proof was checked: the record is only valid while the slot holds it."""
    status: Status = "queued"
    batch: int | None = None
    tx_hash: str | None = None
    error: str | None = None
    tries: int = 0
    created: float = 0.0
    updated: float = 0.0

    def bound_to_same(self, other: Job) -> bool:
        """Same pool, proof, root slot and bound values (the recipientId, a mere pointer, aside)."""
        return (
            (self.pool, self.recipient, self.fee, self.refund)
            == (other.pool, other.recipient, other.fee, other.refund)
            and self.record[:36] == other.record[:36]
            and self.record[40:] == other.record[40:]
        )

    def to_api(self) -> dict[str, str | None]:
        """`GET /v1/withdrawals/{id}` (DESIGN.md §10)."""
        return {"id": self.id, "status": self.status, "txHash": self.tx_hash, "error": self.error}


@dataclass(frozen=True)
class Attempt:
    """One signed transaction of a batch (the first, or a replacement at a higher price)."""

    hash: str
    raw: bytes
    gas_price: int


@dataclass(frozen=True)
class Batch:
    """One withdraw transaction's worth of jobs, with every signed attempt at sending it."""

    id: int
    pool: str
    nonce: int
    block: int
    """The chain's block number just before the first attempt: its events start after it."""
    jobs: tuple[Job, ...]
    attempts: tuple[Attempt, ...]


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        pool=row["pool"],
        record=bytes(row["record"]),
        recipient=row["recipient"],
        fee=int(row["fee"]),
        refund=int(row["refund"]),
        root=int(row["root"], 16),
        status=row["status"],
        batch=row["batch"],
        tx_hash=row["tx_hash"],
        error=row["error"],
        tries=row["tries"],
        created=row["created"],
        updated=row["updated"],
    )


class JobStore:
    """The job database of one relayer account (one file; a second relayer uses its own)."""

    def __init__(self, path: Path, on_transition: Transition | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._on_transition = on_transition or (lambda job: None)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[list[Job]]:
        """One transaction; the jobs appended to the yielded list are reported after commit."""
        changed: list[Job] = []
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield changed
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        for job in changed:
            self._on_transition(job)

    def _set(self, changed: list[Job], job: Job, **fields: object) -> Job:
        new = replace(job, **fields, updated=time.time())  # type: ignore[arg-type]
        self._conn.execute(
            "UPDATE jobs SET status = ?, batch = ?, tx_hash = ?, error = ?, tries = ?, updated = ? "
            "WHERE id = ?",
            (new.status, new.batch, new.tx_hash, new.error, new.tries, new.updated, new.id),
        )
        if new.status != job.status:
            changed.append(new)
        return new

    # -- reading -----------------------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _job(row)

    def with_status(self, status: Status) -> list[Job]:
        """Jobs in `status`, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM jobs WHERE status = ? ORDER BY created, id", (status,)
            ).fetchall()
        return [_job(r) for r in rows]

    def count(self, status: Status) -> int:
        with self._lock:
            row = self._conn.execute("SELECT count(*) FROM jobs WHERE status = ?", (status,)).fetchone()
        return int(row[0])

    def open_batches(self) -> list[Batch]:
        """Batches whose transaction may be pending, oldest first (after a crash: any)."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM batches WHERE open = 1 ORDER BY id").fetchall()
            return [self._batch(row) for row in rows]

    def _batch(self, row: sqlite3.Row) -> Batch:
        jobs = self._conn.execute("SELECT * FROM jobs WHERE batch = ? ORDER BY id", (row["id"],)).fetchall()
        attempts = self._conn.execute(
            "SELECT * FROM attempts WHERE batch = ? ORDER BY created, rowid", (row["id"],)
        ).fetchall()
        return Batch(
            id=row["id"],
            pool=row["pool"],
            nonce=row["nonce"],
            block=row["block"],
            jobs=tuple(_job(j) for j in jobs),
            attempts=tuple(Attempt(a["hash"], bytes(a["raw"]), int(a["gas_price"])) for a in attempts),
        )

    # -- admission ---------------------------------------------------------------------------

    def admit(self, job: Job) -> tuple[Job, Literal["new", "same", "conflict"]]:
        """Queue `job` unless its nullifier already has a job that is not failed: then that job,
        and whether it is the same record ("same": post it twice, get one job) or another one
        ("conflict"). A failed job is replaced (a fresh proof after a rotated root, say)."""
        with self._write() as changed:
            row = self._conn.execute("SELECT * FROM jobs WHERE id = ?", (job.id,)).fetchone()
            if row is not None:
                existing = _job(row)
                if existing.status != "failed":
                    return existing, "same" if existing.bound_to_same(job) else "conflict"
                self._conn.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
            now = time.time()
            new = replace(job, status="queued", batch=None, tx_hash=None, error=None)
            new = replace(new, created=now, updated=now)
            self._conn.execute(
                "INSERT INTO jobs (id, pool, record, recipient, fee, refund, root, status, tries, "
                "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
                (
                    new.id,
                    new.pool,
                    new.record,
                    new.recipient,
                    str(new.fee),
                    str(new.refund),
                    hex(new.root),
                    now,
                    now,
                ),
            )
            changed.append(new)
        return new, "new"

    # -- sending -----------------------------------------------------------------------------

    def start_batch(self, pool: str, jobs: Sequence[Job], *, nonce: int, block: int, attempt: Attempt) -> int:
        """Record a batch, its first signed transaction, and its jobs as `sent` (before the
        broadcast). Returns the batch id."""
        with self._write() as changed:
            cursor = self._conn.execute(
                "INSERT INTO batches (pool, nonce, block, open) VALUES (?, ?, ?, 1)", (pool, nonce, block)
            )
            batch = int(cursor.lastrowid or 0)
            self._insert_attempt(batch, attempt)
            for job in jobs:
                self._set(changed, job, status="sent", batch=batch, tx_hash=attempt.hash, error=None)
        return batch

    def _insert_attempt(self, batch: int, attempt: Attempt) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO attempts (hash, batch, raw, gas_price, created) VALUES (?, ?, ?, ?, ?)",
            (attempt.hash, batch, attempt.raw, str(attempt.gas_price), time.time()),
        )

    def add_attempt(self, batch: Batch, attempt: Attempt) -> None:
        """A replacement of `batch`'s transaction (same nonce), stored before its broadcast."""
        with self._write():
            self._insert_attempt(batch.id, attempt)
            self._conn.execute("UPDATE jobs SET tx_hash = ? WHERE batch = ?", (attempt.hash, batch.id))

    def close_batch(
        self, batch: Batch, *, mined: str | None, requeue: Iterable[str] = (), why: str = ""
    ) -> None:
        """Settle `batch`: `mined` is the hash of the attempt that succeeded (its jobs are
        confirmed); without one, the jobs in `requeue` go back to the queue (to be checked and
        sent again) and the others stay as the caller set them."""
        again = set(requeue)
        with self._write() as changed:
            self._conn.execute("UPDATE batches SET open = 0 WHERE id = ?", (batch.id,))
            for row in self._conn.execute("SELECT * FROM jobs WHERE batch = ?", (batch.id,)).fetchall():
                job = _job(row)
                if job.status != "sent":
                    continue
                if mined is not None:
                    self._set(changed, job, status="confirmed", tx_hash=mined, error=None)
                elif job.id in again:
                    tries = job.tries + 1
                    self._set(changed, job, status="queued", batch=None, tx_hash=None, error=why, tries=tries)

    def settle_job(
        self, job: Job, status: Status, *, tx_hash: str | None = None, error: str | None = None
    ) -> Job:
        """Set one job's final state (confirmed with its transaction, or failed with a reason)."""
        with self._write() as changed:
            row = self._conn.execute("SELECT * FROM jobs WHERE id = ?", (job.id,)).fetchone()
            return self._set(changed, _job(row), status=status, tx_hash=tx_hash, error=error)
