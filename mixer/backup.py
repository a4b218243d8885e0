"""Encrypted backup files of notes and what the wallet knows about each one.

A backup is a sealed envelope (`mixer.sealed`, purpose "note backup") around a small
JSON payload of `NoteRecord`s, written atomically (`mixer.atomic`) and never over an
existing file unless asked. Reading changes nothing on disk. Errors are the
`mixer.sealed.SealedError` subclasses, `mixer.note.NoteError` for a note that no longer
parses, and `mixer.atomic.AlreadyExistsError` when writing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from mixer import jsonsafe
from mixer.atomic import write_file
from mixer.note import Note
from mixer.sealed import (
    DEFAULT_KDF,
    KdfParams,
    MalformedError,
    SealingKey,
    read_document,
    seal,
    short_repr,
    unseal,
)

PURPOSE: Final = "note backup"
PAYLOAD_VERSION: Final = 1
_TX_HASH = re.compile(r"0x[0-9a-f]{64}")
_RECORD_FIELDS: Final = {"note", "leaf_index", "deposit_tx", "withdrawal_tx", "spent"}
_OPTIONAL_FIELDS: Final = {"depositor"}
"""Fields a record may lack: wallets and backups written before they existed still load."""
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


@dataclass(frozen=True)
class NoteRecord:
    """A note and what the wallet has learnt about it (all optional but the note)."""

    note: Note
    leaf_index: int | None = None
    deposit_tx: str | None = None
    withdrawal_tx: str | None = None
    spent: bool = False
    depositor: str | None = None
    """The account that sent the deposit, recorded by `mixer deposit` (None: not known, e.g.
    a note made by an older version). The wallet compares it with a withdrawal's recipient
    and sender locally, instead of asking a node who sent the note's deposit transaction."""

    def __post_init__(self) -> None:
        if self.leaf_index is not None and (
            type(self.leaf_index) is not int or not 0 <= self.leaf_index < 2**32
        ):
            raise ValueError(f"leaf_index must be an integer in [0, 2^32), got {self.leaf_index!r}")
        for name in ("deposit_tx", "withdrawal_tx"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not _TX_HASH.fullmatch(value)):
                raise ValueError(f"{name} must be 0x and 64 lowercase hex digits, got {value!r}")
        if type(self.spent) is not bool:
            raise ValueError("spent must be true or false")
        if self.depositor is not None and (
            not isinstance(self.depositor, str) or not _ADDRESS.fullmatch(self.depositor)
        ):
            raise ValueError(f"depositor must be 0x and 40 hex digits, got {self.depositor!r}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "note": self.note.to_string(),
            "leaf_index": self.leaf_index,
            "deposit_tx": self.deposit_tx,
            "withdrawal_tx": self.withdrawal_tx,
            "spent": self.spent,
        }
        if self.depositor is not None:  # absent when unknown: older readers load such records
            out["depositor"] = self.depositor
        return out

    @classmethod
    def from_json(cls, value: Any) -> NoteRecord:
        if (
            not isinstance(value, dict)
            or not _RECORD_FIELDS <= set(value) <= _RECORD_FIELDS | _OPTIONAL_FIELDS
        ):
            raise MalformedError(
                f"malformed note record: expected exactly the fields {sorted(_RECORD_FIELDS)} "
                f"and optionally {sorted(_OPTIONAL_FIELDS)}"
            )
        if not isinstance(value["note"], str):
            raise MalformedError("malformed note record: note must be a string")
        try:
            return cls(
                Note.parse(value["note"]),
                value["leaf_index"],
                value["deposit_tx"],
                value["withdrawal_tx"],
                value["spent"],
                value.get("depositor"),
            )
        except ValueError as exc:  # NoteError is a ValueError too
            raise MalformedError(f"malformed note record: {exc}") from None


def records_to_bytes(records: Sequence[NoteRecord]) -> bytes:
    """The plaintext payload: `{"version": 1, "notes": [record, ...]}` as UTF-8 JSON."""
    payload = {"version": PAYLOAD_VERSION, "notes": [r.to_json() for r in records]}
    return json.dumps(payload, separators=(",", ":")).encode()


MAX_NOTES: Final = 100_000
"""The most notes a backup or a wallet may hold: far more than anyone deposits (each note is
a deposit), few enough that a hostile file cannot make a restore take long."""


def records_from_bytes(data: bytes) -> list[NoteRecord]:
    """Inverse of `records_to_bytes`, strict about the shape (raises `MalformedError`)."""
    try:
        payload = jsonsafe.loads(data, what="payload")
    except jsonsafe.UntrustedJSONError:
        raise MalformedError("malformed payload: not valid JSON") from None
    if not isinstance(payload, dict) or set(payload) != {"version", "notes"}:
        raise MalformedError("malformed payload: expected exactly the fields 'version' and 'notes'")
    if payload["version"] != PAYLOAD_VERSION or type(payload["version"]) is not int:
        raise MalformedError(f"unsupported payload version {short_repr(payload['version'])}")
    if not isinstance(payload["notes"], list):
        raise MalformedError("malformed payload: notes must be a list")
    if len(payload["notes"]) > MAX_NOTES:
        raise MalformedError(f"malformed payload: more than {MAX_NOTES} notes")
    return [NoteRecord.from_json(item) for item in payload["notes"]]


def write_backup(
    path: Path,
    records: Sequence[NoteRecord],
    password: str,
    *,
    overwrite: bool = False,
    kdf: KdfParams = DEFAULT_KDF,
) -> None:
    """Encrypt `records` under `password` into `path`, atomically.

    `kdf` exists so tests can use a cheap scrypt cost; users keep the default.
    """
    key = SealingKey.derive(password, kdf)
    write_file(Path(path), seal(records_to_bytes(records), key, purpose=PURPOSE), overwrite=overwrite)


def read_backup(path: Path, password: str) -> list[NoteRecord]:
    """Decrypt and check a backup written by `write_backup`."""
    return records_from_bytes(unseal(read_document(Path(path)), password, purpose=PURPOSE).plaintext)
