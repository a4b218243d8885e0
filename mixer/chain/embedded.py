"""The embedded chain: py-evm (through eth-tester) in this process, persisted between processes.

py-evm's key-value database lives in one sqlite file under the state folder. Writes made
while a block is built stay in memory and reach the file in a single sqlite transaction
(fsynced) right after the block is mined, so a crash at any moment leaves the chain at the
last mined block, never half of one. Only one process may hold a chain open at a time (an
exclusive lock on the folder); the funded dev accounts are eth-tester's fixed keys,
identical in every process. See docs/contracts.md.

Its own module because py-evm is a large import (~0.2 s): a wallet on a JSON-RPC node never
loads it.
"""

from __future__ import annotations

import ast
import fcntl
import os
import sqlite3
import sys
import weakref
from functools import cache
from pathlib import Path
from typing import IO, Any

from eth import EVM_RECURSION_LIMIT  # py-evm's own figure for the EVM's 1024-deep calls
from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm.main import (
    generate_genesis_state_for_keys,
    get_default_account_keys,
    get_default_genesis_params,
    setup_tester_chain,
)
from eth_tester.exceptions import TransactionFailed
from web3 import EthereumTesterProvider, Web3
from web3.exceptions import ContractLogicError

from mixer import START_RECURSION_LIMIT
from mixer.chain.client import ChainError

# py-evm and py_ecc (loaded above) raised the limit for the whole process; keep the normal one
# everywhere but inside the embedded EVM (`_EvmProvider`), so deep JSON is an error, not a crash
sys.setrecursionlimit(START_RECURSION_LIMIT)

STATE_FORMAT = "mixer-embedded-chain-1"
DEV_ACCOUNTS = 10
DB_FILE = "chain.sqlite3"
LOCK_FILE = "lock"


class ChainInUseError(ChainError):
    """Another process holds the embedded chain open."""


def _revert_data(exc: TransactionFailed) -> str:
    """The 0x-hex revert data of eth-tester's TransactionFailed (which carries it as bytes,
    or as the repr of a bytes object after "execution reverted: ")."""
    message = exc.args[0] if exc.args else None
    if isinstance(message, bytes):
        return "0x" + message.hex()
    prefix = "execution reverted: "
    if isinstance(message, str) and message.startswith(prefix + "b"):
        raw = ast.literal_eval(message[len(prefix) :])
        if isinstance(raw, bytes):
            return "0x" + raw.hex()
    return ""


class _EvmProvider(EthereumTesterProvider):
    """eth-tester's provider, with py-evm's recursion limit only while the EVM runs, and
    reverts raised as a node's are (web3's ContractLogicError with the revert data), so the
    rest of the code never needs eth-tester's exception."""

    def make_request(self, method: Any, params: Any) -> Any:
        before = sys.getrecursionlimit()
        sys.setrecursionlimit(max(before, EVM_RECURSION_LIMIT))
        try:
            return super().make_request(method, params)
        except TransactionFailed as exc:
            raise ContractLogicError(str(exc), data=_revert_data(exc)) from exc
        finally:
            sys.setrecursionlimit(before)


def embedded_web3(backend: PyEVMBackend | None = None) -> Web3:
    """web3 on an in-memory py-evm chain (funded, unlocked test accounts; auto-mining)."""
    tester = EthereumTester(backend if backend is not None else PyEVMBackend())
    return Web3(_EvmProvider(tester))


class _SqliteStore(BaseDB):
    """py-evm's key-value store in one sqlite file; writes stay in memory until `commit`."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"
        )
        self._conn.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        self._pending: dict[bytes, bytes | None] = {}

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def __getitem__(self, key: bytes) -> bytes:
        if key in self._pending:
            value = self._pending[key]
            if value is None:
                raise KeyError(key)
            return value
        row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._pending[key] = value

    def __delitem__(self, key: bytes) -> None:
        if not self._exists(key):
            raise KeyError(key)
        self._pending[key] = None

    def _exists(self, key: bytes) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def commit(self, meta: dict[str, str] | None = None) -> None:
        """Write everything pending in one durable transaction (all of it or none)."""
        if not self._pending and not meta:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany(
                "INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)",
                [(k, v) for k, v in self._pending.items() if v is not None],
            )
            self._conn.executemany(
                "DELETE FROM kv WHERE k = ?", [(k,) for k, v in self._pending.items() if v is None]
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", list((meta or {}).items())
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._pending.clear()

    def close(self) -> None:
        self._conn.close()


@cache
def _tester_chain_class() -> type[Any]:
    """eth-tester's chain class (its VM schedule and chain id), taken from a throwaway chain."""
    return type(setup_tester_chain()[1])


class _PersistentBackend(PyEVMBackend):  # type: ignore[misc]
    """eth-tester's py-evm backend on a chain read from disk, committing each mined block."""

    def __init__(self, chain: Any, account_keys: tuple[Any, ...], store: _SqliteStore, lock: IO[str]) -> None:
        # PyEVMBackend.__init__ would build a fresh in-memory genesis; this chain is loaded.
        self.chain = chain
        self.account_keys = account_keys
        self._store = store
        self.close = weakref.finalize(self, _release, store, lock)
        """Release the database and the folder lock (idempotent; also runs at exit)."""

    def mine_blocks(self, num_blocks: int = 1, coinbase: Any = b"\x00" * 20) -> tuple[bytes, ...]:
        hashes: tuple[bytes, ...] = super().mine_blocks(num_blocks, coinbase)
        self._store.commit()
        return hashes

    def revert_to_snapshot(self, snapshot: bytes) -> None:
        super().revert_to_snapshot(snapshot)
        self._store.commit()

    def reset_to_genesis(self, *args: Any, **kwargs: Any) -> None:
        raise ChainError("the persistent embedded chain cannot be reset; delete its folder instead")


def _lock(state_dir: Path) -> IO[str]:
    handle = open(state_dir / LOCK_FILE, "a+")  # noqa: SIM115 - held for the chain's lifetime
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise ChainInUseError(
            f"the embedded chain in {state_dir} is already open (by process {holder}); "
            "wait for that command to finish"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _release(store: _SqliteStore, lock: IO[str]) -> None:
    store.close()
    lock.close()  # closing the descriptor drops the flock


def open_embedded(state_dir: Path) -> Web3:
    """web3 on the persistent embedded chain in `state_dir` (created on first use).

    The first open writes a genesis funding eth-tester's ten dev accounts (private keys
    1..10, 1,000,000 ETH each); later opens continue from the last mined block. The chain
    stays locked to this process until `close(w3)` or process exit.
    """
    state_dir = Path(state_dir)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ChainError(f"cannot create the embedded chain folder {state_dir}: {exc.strerror}") from None
    lock = _lock(state_dir)
    store: _SqliteStore | None = None
    try:
        store = _SqliteStore(state_dir / DB_FILE)
        fmt = store.meta("format")
    except sqlite3.DatabaseError as exc:
        if store is not None:
            store.close()
        lock.close()
        raise ChainError(f"the embedded chain database in {state_dir} is unreadable: {exc}") from None
    try:
        chain_class = _tester_chain_class()
        keys = get_default_account_keys(DEV_ACCOUNTS)
        if fmt is None:
            chain = chain_class.from_genesis(
                AtomicDB(store), get_default_genesis_params(), generate_genesis_state_for_keys(keys)
            )
            store.commit(meta={"format": STATE_FORMAT})
        elif fmt == STATE_FORMAT:
            chain = chain_class(AtomicDB(store))
        else:
            raise ChainError(f"the embedded chain in {state_dir} has an unknown format {fmt!r}")
    except BaseException:
        _release(store, lock)
        raise
    backend = _PersistentBackend(chain, keys, store, lock)
    return Web3(_EvmProvider(EthereumTester(backend)))


def close(w3: Web3) -> None:
    """Release an embedded chain opened by `open_embedded` (no-op for other providers)."""
    tester = getattr(w3.provider, "ethereum_tester", None)
    backend = getattr(tester, "backend", None)
    if isinstance(backend, _PersistentBackend):
        backend.close()


def dev_private_keys() -> list[bytes]:
    """The embedded chain's funded dev keys (raw 32-byte private keys), in account order."""
    return [bytes(key.to_bytes()) for key in get_default_account_keys(DEV_ACCOUNTS)]
