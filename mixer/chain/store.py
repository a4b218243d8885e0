"""One pool's synced chain data on disk: its Deposit and Withdrawal events and its Merkle
tree, in one SQLite file.

Why SQLite: each fetched block range is one transaction (its events, the tree nodes its
deposits change, and the range's end), so a sync killed at any instant leaves the store as
it was after the last committed range and resumes from there; nothing is ever rewritten
whole. The tree grows by writing only the nodes new deposits change (`mixer.merkle.grow`,
one old node read per level), and a membership path is `depth` lookups, so neither a
process start nor a withdrawal rebuilds the tree or holds a large pool in memory.

Nothing in the file is trusted. A file SQLite cannot read, or one made by another schema
version, chain, pool, start block, depth or hash, is deleted and synced again. The sync
checks the stored root and size against the pool's on-chain ones after every sync, and a
path is checked against the stored root before it is used (`path`), so an altered node is
caught; either way the store is dropped and rebuilt from the chain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from mixer.chain.client import ChainError
from mixer.chain.events import DepositEvent, WithdrawalEvent, out_of_order
from mixer.hashes import get_hasher
from mixer.merkle import check_leaves, empty_subtree_roots, grow, verify_path
from mixer.pair_hashing import PairHashing

SCHEMA_VERSION: Final = 3
"""3: SQLite (1 and 2 were whole-file JSON caches of the events only)."""
_SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE deposits (
    leaf INTEGER PRIMARY KEY, commitment BLOB NOT NULL UNIQUE, block INTEGER NOT NULL,
    tx TEXT NOT NULL, timestamp INTEGER NOT NULL);
CREATE TABLE withdrawals (
    nullifier BLOB PRIMARY KEY, recipient TEXT NOT NULL, relayer TEXT NOT NULL, fee TEXT NOT NULL,
    block INTEGER NOT NULL, tx TEXT NOT NULL);
CREATE TABLE nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (level, idx)) WITHOUT ROWID;
"""


class StoreError(ChainError):
    """The store's contents contradict themselves (it is dropped and synced again)."""


def _b32(x: int) -> bytes:
    return x.to_bytes(32, "big")


class PoolStore:
    """The synced events and tree of one pool; see the module docstring."""

    def __init__(self, path: Path, *, identity: dict[str, str | int], depth: int, hash_name: str) -> None:
        self.file = Path(path)
        self.depth = depth
        self.hasher = get_hasher(hash_name)
        self.zeros = empty_subtree_roots(depth, self.hasher)
        self._identity = {**{k: str(v) for k, v in identity.items()}, "depth": str(depth), "hash": hash_name}
        self._identity["schema"] = str(SCHEMA_VERSION)
        self._db = self._open()

    # -- opening ---------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        """The store's connection: the existing file if it is ours and readable, else a new one."""
        if self.file.exists():
            try:
                db = self._connect()
                found = dict(db.execute("SELECT k, v FROM meta").fetchall())
                if all(found.get(k) == v for k, v in self._identity.items()):
                    return db
                db.close()
            except sqlite3.DatabaseError:
                pass  # not a database, truncated, or another layout: fetched again below
            self._delete_files()
        db = self._connect()
        with db:
            db.executescript(_SCHEMA)
            db.executemany("INSERT INTO meta VALUES (?, ?)", [*self._identity.items(), ("next_block", "")])
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.file, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "PRAGMA synchronous=NORMAL"
        )  # WAL + NORMAL: a power cut loses at most the last ranges, never consistency
        return db

    def _delete_files(self) -> None:
        # the log first: a stale -wal beside a new file of the same name would be replayed into it
        for suffix in ("-wal", "-shm", ""):
            Path(str(self.file) + suffix).unlink(missing_ok=True)

    def delete(self) -> None:
        """Close the store and delete its files (its contents were found wrong)."""
        self._db.close()
        self._delete_files()

    def reset(self) -> None:
        """Forget everything (a reorganisation, or contents found wrong)."""
        self._db.close()
        self._delete_files()
        self._db = self._open()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- progress --------------------------------------------------------------------------

    def _one(self, query: str, *args: object) -> Any:
        return self._db.execute(query, args).fetchone()

    def _meta(self, key: str) -> str:
        row = self._one("SELECT v FROM meta WHERE k = ?", key)
        return "" if row is None else str(row[0])

    @property
    def next_block(self) -> int | None:
        """The first block not yet fetched (None before the first range)."""
        value = self._meta("next_block")
        return int(value) if value else None

    @property
    def last_hash(self) -> str:
        """The hash of block next_block - 1 as it was when fetched."""
        return self._meta("last_hash")

    @property
    def size(self) -> int:
        """How many deposits (leaves) the store holds."""
        return int(self._meta("size") or 0)

    @property
    def withdrawal_count(self) -> int:
        return int(self._meta("withdrawals") or 0)

    def check(self) -> None:
        """StoreError unless the stored rows are as many as the recorded progress says (a
        row deleted or added behind the store's back). Cheap: counts, no row is read."""
        deposits = self._one("SELECT COUNT(*) FROM deposits")[0]
        last = self._one("SELECT MAX(leaf) FROM deposits")[0]
        withdrawals = self._one("SELECT COUNT(*) FROM withdrawals")[0]
        if (deposits, -1 if last is None else last, withdrawals) != (
            self.size,
            self.size - 1,
            self.withdrawal_count,
        ):
            raise StoreError("the store's rows disagree with its recorded size")

    # -- appending -------------------------------------------------------------------------

    def append(
        self,
        end_block: int,
        end_hash: str,
        deposits: Sequence[DepositEvent],
        withdrawals: Sequence[WithdrawalEvent],
    ) -> None:
        """One fetched block range, in one transaction: its events, the tree nodes its
        deposits change, and where the next range starts. StoreError (nothing written) if
        the deposits do not continue the leaves or a nullifier hash was already spent."""
        with self._transaction() as db:
            size = self.size
            for offset, d in enumerate(deposits):
                problem = out_of_order(d, size + offset)
                if problem is not None:
                    raise StoreError(problem)
            leaves = [d.commitment for d in deposits]
            check_leaves(leaves)
            if size + len(leaves) > 1 << self.depth:
                raise StoreError(f"more deposits than a depth-{self.depth} tree holds")
            try:
                db.executemany(
                    "INSERT INTO deposits VALUES (?, ?, ?, ?, ?)",
                    (
                        (d.leaf_index, _b32(d.commitment), d.block_number, d.tx_hash, d.timestamp)
                        for d in deposits
                    ),
                )
                db.executemany(
                    "INSERT INTO withdrawals VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        (_b32(w.nullifier_hash), w.to, w.relayer, str(w.fee), w.block_number, w.tx_hash)
                        for w in withdrawals
                    ),
                )
            except sqlite3.IntegrityError:
                raise StoreError(
                    "the node returned a commitment deposited twice or a nullifier hash already spent"
                ) from None
            if leaves:
                with PairHashing(self.hasher.name) as parents:
                    changed = grow(size, leaves, self.zeros, self.hasher, self._node, parents)
                for level, start, values in changed:
                    db.executemany(
                        "INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)",
                        ((level, start + i, _b32(v)) for i, v in enumerate(values)),
                    )
            progress = {
                "next_block": end_block + 1,
                "last_hash": end_hash,
                "size": size + len(leaves),
                "withdrawals": self.withdrawal_count + len(withdrawals),
            }
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in progress.items()]
            )

    def node(self, level: int, index: int) -> int | None:
        """The stored node at `index` of `level` (None: not stored, an empty subtree)."""
        row = self._one("SELECT value FROM nodes WHERE level = ? AND idx = ?", level, index)
        return None if row is None else int.from_bytes(row[0], "big")

    def _node(self, level: int, index: int) -> int:
        row = self._db.execute(
            "SELECT value FROM nodes WHERE level = ? AND idx = ?", (level, index)
        ).fetchone()
        if row is None:
            raise StoreError(f"the stored tree lacks node {index} of level {level}")
        return int.from_bytes(row[0], "big")

    # -- reading ---------------------------------------------------------------------------

    @property
    def root(self) -> int:
        return self._node(self.depth, 0) if self.size else self.zeros[self.depth]

    def path(self, index: int) -> tuple[list[int], list[int]]:
        """(path_elements, path_indices) of leaf `index`, checked against the stored root
        (StoreError if a stored node was altered)."""
        if not 0 <= index < self.size:
            raise IndexError(f"no leaf at index {index} (the tree has {self.size} leaves)")
        wanted = [(level, (index >> level) ^ 1) for level in range(self.depth)]
        found: dict[tuple[int, int], int] = {}
        for level, sibling in wanted:
            row = self._one("SELECT value FROM nodes WHERE level = ? AND idx = ?", level, sibling)
            if row is not None:
                found[level, sibling] = int.from_bytes(row[0], "big")
        elements = [found.get((level, sibling), self.zeros[level]) for level, sibling in wanted]
        indices = [(index >> level) & 1 for level in range(self.depth)]
        leaf = self._node(0, index)
        if not verify_path(self.root, leaf, elements, indices, self.hasher.name):
            raise StoreError(f"the stored path of leaf {index} does not lead to the stored root")
        return elements, indices

    def deposit_of(self, commitment: int) -> DepositEvent | None:
        row = self._one("SELECT * FROM deposits WHERE commitment = ?", _b32(commitment))
        return None if row is None else self._deposit(row)

    def deposits(self, start: int = 0, stop: int | None = None) -> list[DepositEvent]:
        """Deposits of leaves start..stop-1 (to the end when stop is None), in leaf order."""
        stop = self.size if stop is None else stop
        rows = self._db.execute(
            "SELECT * FROM deposits WHERE leaf >= ? AND leaf < ? ORDER BY leaf", (start, stop)
        )
        return [self._deposit(row) for row in rows]

    @staticmethod
    def _deposit(row: tuple[int, bytes, int, str, int]) -> DepositEvent:
        leaf, commitment, block, tx, timestamp = row
        return DepositEvent(int.from_bytes(commitment, "big"), leaf, block, tx, timestamp)

    def withdrawal_of(self, nullifier_hash: int) -> WithdrawalEvent | None:
        row = self._db.execute(
            "SELECT * FROM withdrawals WHERE nullifier = ?", (_b32(nullifier_hash),)
        ).fetchone()
        if row is None:
            return None
        nullifier, to, relayer, fee, block, tx = row
        return WithdrawalEvent(int.from_bytes(nullifier, "big"), to, relayer, int(fee), block, tx)
