"""Backup files: round trips, and every bad file or password fails clearly, changing nothing."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixer.atomic import AlreadyExistsError
from mixer.backup import (
    PURPOSE,
    NoteRecord,
    read_backup,
    records_from_bytes,
    records_to_bytes,
    write_backup,
)
from mixer.note import HASHES, Note, Pool
from mixer.sealed import (
    KdfParams,
    MalformedError,
    SealingKey,
    TamperedError,
    UnsupportedVersionError,
    WrongPasswordError,
    WrongPurposeError,
    seal,
)

FAST = KdfParams(n=2**10, r=8, p=1)
PASSWORD = "backup password"
POOLS = [
    Pool("poseidon", "eth", "0.1", 1337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"),
    Pool("mimcsponge", "dai", "100", 1, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"),
]
tx_hashes = st.none() | st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())
records = st.builds(
    NoteRecord,
    note=st.builds(Note, st.sampled_from(POOLS), st.integers(0, 2**248 - 1), st.integers(0, 2**248 - 1)),
    leaf_index=st.none() | st.integers(0, 2**32 - 1),
    deposit_tx=tx_hashes,
    withdrawal_tx=tx_hashes,
    spent=st.booleans(),
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def backup(tmp_path: Path) -> Path:
    path = tmp_path / "notes.backup"
    notes = [NoteRecord(Note.generate(POOLS[0]), leaf_index=0), NoteRecord(Note.generate(POOLS[1]))]
    write_backup(path, notes, PASSWORD, kdf=FAST)
    return path


def rewrite(path: Path, edit: Any) -> None:
    doc = json.loads(path.read_bytes())
    edit(doc)
    path.write_text(json.dumps(doc))


def assert_read_fails(path: Path, error: type[Exception], message: str, password: str = PASSWORD) -> None:
    before = snapshot(path.parent)
    with pytest.raises(error, match=message):
        read_backup(path, password)
    assert snapshot(path.parent) == before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(records, max_size=5))
def test_backup_round_trips_notes_and_metadata(tmp_path: Path, notes: list[NoteRecord]) -> None:
    path = tmp_path / "b.json"
    write_backup(path, notes, PASSWORD, kdf=FAST, overwrite=True)
    assert read_backup(path, PASSWORD) == notes


def test_default_backup_uses_the_strong_cost_and_hides_notes(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    note = Note.generate(POOLS[0])
    write_backup(path, [NoteRecord(note)], PASSWORD)
    header = json.loads(path.read_bytes())
    assert (header["kdf"]["n"], header["kdf"]["r"], header["kdf"]["p"]) == (2**17, 8, 1)
    assert header["purpose"] == PURPOSE and header["version"] == 1
    assert note.preimage.hex() not in path.read_text()
    assert read_backup(path, PASSWORD) == [NoteRecord(note)]


def test_payload_round_trips_every_field() -> None:
    record = NoteRecord(Note.generate(POOLS[1]), 7, "0x" + "ab" * 32, "0x" + "cd" * 32, True)
    payload = json.loads(records_to_bytes([record]))
    assert payload["version"] == 1
    assert payload["notes"][0] == {
        "note": record.note.to_string(),
        "leaf_index": 7,
        "deposit_tx": "0x" + "ab" * 32,
        "withdrawal_tx": "0x" + "cd" * 32,
        "spent": True,
    }
    assert records_from_bytes(records_to_bytes([record])) == [record]


def test_wrong_password_fails_and_changes_nothing(backup: Path) -> None:
    assert_read_fails(backup, WrongPasswordError, "wrong password", password="backup Password")


def test_truncated_backup_fails_and_changes_nothing(backup: Path) -> None:
    data = backup.read_bytes()
    for cut in (0, 1, len(data) // 2, len(data.rstrip()) - 1):
        backup.write_bytes(data[:cut])
        assert_read_fails(backup, MalformedError, "truncated or not valid JSON")


def test_flipped_ciphertext_byte_fails_and_changes_nothing(backup: Path) -> None:
    def flip(doc: dict[str, Any]) -> None:
        raw = bytearray(base64.b64decode(doc["ciphertext"]))
        raw[len(raw) // 2] ^= 0x80
        doc["ciphertext"] = base64.b64encode(raw).decode()

    rewrite(backup, flip)
    assert_read_fails(backup, TamperedError, "altered")


def test_tampered_header_fails_and_changes_nothing(backup: Path) -> None:
    rewrite(backup, lambda doc: doc["cipher"].update(nonce="00" * 12))
    assert_read_fails(backup, TamperedError, "altered")


def test_tampered_kdf_header_fails_and_changes_nothing(backup: Path) -> None:
    rewrite(backup, lambda doc: doc["kdf"].update(n=2**11))
    assert_read_fails(backup, WrongPasswordError, "key-derivation header")


def test_unknown_version_fails_and_changes_nothing(backup: Path) -> None:
    rewrite(backup, lambda doc: doc.update(version=2))
    assert_read_fails(backup, UnsupportedVersionError, "version 2")


def test_other_sealed_file_is_not_taken_for_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "wallet.json"
    path.write_bytes(seal(b"{}", SealingKey.derive(PASSWORD, FAST), purpose="wallet notes"))
    assert_read_fails(path, WrongPurposeError, "not a 'note backup'")


def test_existing_file_is_never_silently_overwritten(backup: Path) -> None:
    before = snapshot(backup.parent)
    with pytest.raises(AlreadyExistsError, match="already exists"):
        write_backup(backup, [], PASSWORD, kdf=FAST)
    assert snapshot(backup.parent) == before
    write_backup(backup, [], PASSWORD, kdf=FAST, overwrite=True)
    assert read_backup(backup, PASSWORD) == []
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]


def _sealed_payload(tmp_path: Path, payload: Any) -> Path:
    path = tmp_path / "b.json"
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    path.write_bytes(seal(data, SealingKey.derive(PASSWORD, FAST), purpose=PURPOSE))
    return path


GOOD = NoteRecord(Note(POOLS[0], 1, 2)).to_json()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not json", "not valid JSON"),
        ([], "exactly the fields 'version' and 'notes'"),
        ({"version": 2, "notes": []}, "unsupported payload version 2"),
        ({"version": True, "notes": []}, "unsupported payload version"),
        ({"version": 1, "notes": {}}, "notes must be a list"),
        ({"version": 1, "notes": [{**GOOD, "label": "x"}]}, "exactly the fields"),
        ({"version": 1, "notes": [{**GOOD, "note": 5}]}, "note must be a string"),
        ({"version": 1, "notes": [{**GOOD, "note": GOOD["note"][:-1] + "0"}]}, "checksum mismatch"),
        ({"version": 1, "notes": [{**GOOD, "leaf_index": -1}]}, "leaf_index"),
        ({"version": 1, "notes": [{**GOOD, "leaf_index": "3"}]}, "leaf_index"),
        ({"version": 1, "notes": [{**GOOD, "deposit_tx": "0x12"}]}, "deposit_tx"),
        ({"version": 1, "notes": [{**GOOD, "spent": 1}]}, "spent"),
    ],
)
def test_bad_payload_inside_a_valid_envelope_is_refused(tmp_path: Path, payload: Any, message: str) -> None:
    assert_read_fails(_sealed_payload(tmp_path, payload), MalformedError, message)


def test_note_record_validates_its_fields() -> None:
    note = Note.generate(POOLS[0])
    with pytest.raises(ValueError, match="leaf_index"):
        NoteRecord(note, leaf_index=2**32)
    with pytest.raises(ValueError, match="withdrawal_tx"):
        NoteRecord(note, withdrawal_tx="0x" + "AB" * 32)
    assert {r.note.pool.hash for r in (NoteRecord(Note.generate(p)) for p in POOLS)} == set(HASHES)
