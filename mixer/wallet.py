"""The wallet store in the wallet's home folder: notes sealed at rest, and the pools we know.

Layout of the home folder:

    notes.sealed   the notes and what we know about each (a sealed envelope, purpose
                   "wallet notes", payload as `mixer.backup.records_to_bytes`)
    pools.json     pools deployed or used from this home (public data, plain JSON)
    .lock          serialises changes between processes

Every change is a read-modify-write of the whole file under an exclusive lock, written
atomically and fsynced before the call returns: a note added with `add` is on disk before
the caller goes on to broadcast its deposit, and two processes never lose each other's
changes. The scrypt key is derived once per `Wallet` and reused for every re-seal (same
salt and cost as the file).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Final

from mixer import jsonsafe
from mixer.atomic import write_file
from mixer.backup import MAX_NOTES, NoteRecord, records_from_bytes, records_to_bytes
from mixer.errors import MixerError
from mixer.home import NOTES_FILE
from mixer.note import Note, NoteError, Pool
from mixer.params import MAX_DEPTH, circuit_name
from mixer.sealed import DEFAULT_KDF, KdfParams, SealingKey, read_document, seal, unseal, unseal_with_key

PURPOSE: Final = "wallet notes"
POOLS_FILE: Final = "pools.json"
LOCK_FILE: Final = ".lock"
POOLS_VERSION: Final = 1


class WalletError(MixerError):
    """The wallet cannot do what was asked (no wallet yet, unknown note, ...)."""


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(home / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _key(note: Note) -> tuple[Pool, bytes]:
    """What makes two notes the same note: the pool and the preimage."""
    return note.pool, note.preimage


def _same_note(a: Note, b: Note) -> bool:
    return _key(a) == _key(b)


class Wallet:
    """The notes of one home folder, opened with its password."""

    def __init__(self, home: Path, key: SealingKey) -> None:
        self.home = Path(home)
        self._key = key

    @property
    def path(self) -> Path:
        return self.home / NOTES_FILE

    @staticmethod
    def exists(home: Path) -> bool:
        return (Path(home) / NOTES_FILE).exists()

    @classmethod
    def create(cls, home: Path, password: str, *, kdf: KdfParams = DEFAULT_KDF) -> Wallet:
        """A new, empty wallet; `AlreadyExistsError` if the home already holds one.

        `kdf` exists so tests can use a cheap scrypt cost; users keep the default.
        """
        home = Path(home)
        key = SealingKey.derive(password, kdf)
        with _locked(home):
            write_file(home / NOTES_FILE, seal(records_to_bytes([]), key, purpose=PURPOSE))
        return cls(home, key)

    @classmethod
    def open(cls, home: Path, password: str) -> Wallet:
        """Open an existing wallet; `WrongPasswordError` (a `SealedError`) on a bad password."""
        home = Path(home)
        if not cls.exists(home):
            raise WalletError(f"no wallet in {home} yet (it is created by the first deposit or restore)")
        opened = unseal(read_document(home / NOTES_FILE), password, purpose=PURPOSE)
        records_from_bytes(opened.plaintext)  # a damaged payload is reported now, not mid-deposit
        return cls(home, opened.key)

    def _read(self) -> list[NoteRecord]:
        return records_from_bytes(unseal_with_key(read_document(self.path), self._key, purpose=PURPOSE))

    def _write(self, records: list[NoteRecord]) -> None:
        write_file(self.path, seal(records_to_bytes(records), self._key, purpose=PURPOSE), overwrite=True)

    def records(self) -> list[NoteRecord]:
        """Every note with what we know about it, oldest first."""
        return self._read()

    def find(self, note: Note) -> NoteRecord | None:
        return next((r for r in self._read() if _same_note(r.note, note)), None)

    def add(self, record: NoteRecord) -> bool:
        """Store `record` durably (fsynced) unless the note is already here; True if added."""
        with _locked(self.home):
            records = self._read()
            if any(_same_note(r.note, record.note) for r in records):
                return False
            self._write([*records, record])
            return True

    def merge(self, incoming: list[NoteRecord]) -> int:
        """Add the records whose notes are new, keep the rest; returns how many were added."""
        with _locked(self.home):
            records = self._read()
            if len(records) + len(incoming) > MAX_NOTES:
                raise WalletError(f"a wallet holds at most {MAX_NOTES} notes; this restore would exceed it")
            seen = {_key(r.note) for r in records}
            added = []
            for r in incoming:  # linear: a 20,000-note backup merges in well under a second
                if _key(r.note) not in seen:
                    seen.add(_key(r.note))
                    added.append(r)
            if added:
                self._write(records + added)
            return len(added)

    def update(self, note: Note, **changes: Any) -> NoteRecord:
        """Record what we learnt about `note` (leaf_index, deposit_tx, withdrawal_tx, spent)."""
        if "note" in changes:
            raise ValueError("a record's note cannot change")
        with _locked(self.home):
            records = self._read()
            for i, r in enumerate(records):
                if _same_note(r.note, note):
                    records[i] = replace(r, **changes)
                    self._write(records)
                    return records[i]
        raise WalletError("this note is not in the wallet")


@dataclass(frozen=True)
class PoolInfo:
    """A pool this home knows: its identity (as in its notes) and how it was deployed."""

    hash: str
    currency: str
    amount: str
    chain_id: int
    address: str
    depth: int
    verifier: str
    hasher: str
    token: str | None = None
    decimals: int = 18
    deploy_block: int = 0

    def __post_init__(self) -> None:
        self.identity()  # validates hash, currency, amount, chain id and address
        if type(self.depth) is not int or not 1 <= self.depth <= MAX_DEPTH:
            raise ValueError(f"pool depth must be an integer in 1..{MAX_DEPTH}, got {self.depth!r}")
        if type(self.decimals) is not int or not 0 <= self.decimals <= 36:
            raise ValueError(f"token decimals must be an integer in 0..36, got {self.decimals!r}")
        if type(self.deploy_block) is not int or self.deploy_block < 0:
            raise ValueError("deploy_block must be a non-negative integer")

    def identity(self) -> Pool:
        """The pool identity carried by this pool's notes."""
        return Pool(self.hash, self.currency, self.amount, self.chain_id, self.address)

    @property
    def denomination(self) -> int:
        """The deposit amount in the currency's smallest unit."""
        return self.identity().denomination(self.decimals)

    @property
    def circuit(self) -> str:
        """The circuit (and so the proving key) that this pool's verifier checks."""
        return circuit_name(self.hash, self.depth)


class PoolBook:
    """`pools.json`: the pools this home deployed or used, newest last."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)

    @property
    def path(self) -> Path:
        return self.home / POOLS_FILE

    def all(self) -> list[PoolInfo]:
        try:
            data = jsonsafe.loads(self.path.read_bytes(), what=str(self.path))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise WalletError(f"{self.path} is unreadable: {exc.strerror}") from None
        except jsonsafe.UntrustedJSONError as exc:
            raise WalletError(f"{self.path} is unreadable: {exc}") from None
        if not isinstance(data, dict) or data.get("version") != POOLS_VERSION:
            raise WalletError(f"{self.path} is not a version-{POOLS_VERSION} pool list")
        try:
            return [PoolInfo(**item) for item in data["pools"]]
        except (TypeError, ValueError, NoteError) as exc:
            raise WalletError(f"{self.path} holds a malformed pool: {exc}") from None

    def on_chain(self, chain_id: int) -> list[PoolInfo]:
        return [p for p in self.all() if p.chain_id == chain_id]

    def get(self, chain_id: int, address: str) -> PoolInfo | None:
        return next(
            (p for p in self.on_chain(chain_id) if p.address.lower() == address.lower()),
            None,
        )

    def add(self, info: PoolInfo) -> None:
        """Remember `info` (replacing an older entry for the same chain and address)."""
        with _locked(self.home):
            pools = [
                p
                for p in self.all()
                if not (p.chain_id == info.chain_id and p.address.lower() == info.address.lower())
            ]
            payload = {"version": POOLS_VERSION, "pools": [asdict(p) for p in [*pools, info]]}
            write_file(self.path, (json.dumps(payload, indent=2) + "\n").encode(), overwrite=True)
