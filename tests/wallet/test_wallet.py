"""The wallet store: notes sealed at rest, durable adds, lost-update-free changes, the pool book."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from mixer.atomic import AlreadyExistsError
from mixer.backup import MAX_NOTES, NoteRecord, records_from_bytes
from mixer.note import Note, Pool
from mixer.sealed import KdfParams, MalformedError, WrongPasswordError
from mixer.wallet import PoolBook, PoolInfo, Wallet, WalletError

CHEAP = KdfParams(n=2**10)
POOL = Pool("poseidon", "eth", "0.1", 1337, "0x5fbdb2315678afecb367f032d93f642f64180aa3")
TX = "0x" + "ab" * 32


def test_notes_are_not_readable_on_disk_and_survive_reopening(tmp_path: Path) -> None:
    wallet = Wallet.create(tmp_path, "pw", kdf=CHEAP)
    note = Note.generate(POOL)
    assert wallet.add(NoteRecord(note))
    raw = (tmp_path / "notes.sealed").read_bytes()
    assert note.preimage.hex().encode() not in raw
    assert note.to_string().encode() not in raw
    again = Wallet.open(tmp_path, "pw")
    assert [r.note.to_string() for r in again.records()] == [note.to_string()]


def test_wrong_password_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    Wallet.create(tmp_path, "pw", kdf=CHEAP).add(NoteRecord(Note.generate(POOL)))
    before = (tmp_path / "notes.sealed").read_bytes()
    with pytest.raises(WrongPasswordError):
        Wallet.open(tmp_path, "not the password")
    assert (tmp_path / "notes.sealed").read_bytes() == before


def test_create_never_replaces_an_existing_wallet(tmp_path: Path) -> None:
    Wallet.create(tmp_path, "pw", kdf=CHEAP).add(NoteRecord(Note.generate(POOL)))
    with pytest.raises(AlreadyExistsError):
        Wallet.create(tmp_path, "other", kdf=CHEAP)
    assert len(Wallet.open(tmp_path, "pw").records()) == 1


def test_open_without_a_wallet_says_so(tmp_path: Path) -> None:
    with pytest.raises(WalletError, match="no wallet"):
        Wallet.open(tmp_path, "pw")


def test_add_is_idempotent_and_update_records_what_was_learnt(tmp_path: Path) -> None:
    wallet = Wallet.create(tmp_path, "pw", kdf=CHEAP)
    note = Note.generate(POOL)
    assert wallet.add(NoteRecord(note))
    assert not wallet.add(NoteRecord(note, leaf_index=3))
    wallet.update(note, leaf_index=7, deposit_tx=TX)
    record = Wallet.open(tmp_path, "pw").find(note)
    assert record is not None and (record.leaf_index, record.deposit_tx, record.spent) == (7, TX, False)
    with pytest.raises(WalletError):
        wallet.update(Note.generate(POOL), spent=True)
    with pytest.raises(ValueError):
        wallet.update(note, leaf_index=-1)


def test_merge_adds_only_new_notes(tmp_path: Path) -> None:
    wallet = Wallet.create(tmp_path, "pw", kdf=CHEAP)
    a, b = Note.generate(POOL), Note.generate(POOL)
    wallet.add(NoteRecord(a, leaf_index=1))
    assert wallet.merge([NoteRecord(a), NoteRecord(b), NoteRecord(b)]) == 1
    records = wallet.records()
    assert [r.note.preimage for r in records] == [a.preimage, b.preimage]
    assert records[0].leaf_index == 1  # what we knew is kept


def _add_notes(home: str, count: int) -> None:
    wallet = Wallet.open(Path(home), "pw")
    for _ in range(count):
        wallet.add(NoteRecord(Note.generate(POOL)))


def test_concurrent_processes_lose_no_note(tmp_path: Path) -> None:
    Wallet.create(tmp_path, "pw", kdf=CHEAP)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add_notes, args=(str(tmp_path), 5)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(Wallet.open(tmp_path, "pw").records()) == 10


def _info(address: str, chain_id: int = 1337) -> PoolInfo:
    return PoolInfo(
        hash="mimcsponge",
        currency="eth",
        amount="0.1",
        chain_id=chain_id,
        address=address,
        depth=20,
        verifier="0x" + "11" * 20,
        hasher="0x" + "22" * 20,
        deploy_block=5,
    )


def test_pool_book_remembers_pools_per_chain(tmp_path: Path) -> None:
    book = PoolBook(tmp_path)
    assert book.all() == []
    first, second = "0x" + "aa" * 20, "0x" + "bb" * 20
    book.add(_info(first))
    book.add(_info(second))
    book.add(_info(first, chain_id=31337))
    book.add(_info(first))  # re-adding moves it to the end, no duplicate
    assert [p.address.lower() for p in book.on_chain(1337)] == [second, first]
    got = book.get(1337, first.upper().replace("0X", "0x"))
    assert got is not None and got.identity().hash == "mimcsponge" and got.circuit == "withdraw-mimcsponge-20"
    assert book.get(1, first) is None


def test_pool_book_rejects_a_damaged_file(tmp_path: Path) -> None:
    (tmp_path / "pools.json").write_text(json.dumps({"version": 1, "pools": [{"hash": "sha1"}]}))
    with pytest.raises(WalletError, match="malformed pool"):
        PoolBook(tmp_path).all()
    (tmp_path / "pools.json").write_text("{")
    with pytest.raises(WalletError, match="unreadable"):
        PoolBook(tmp_path).all()


def test_should_restore_a_20000_note_backup_in_linear_time(tmp_path: Path) -> None:
    incoming = [NoteRecord(Note.generate(POOL)) for _ in range(20_000)]
    wallet = Wallet.create(tmp_path, "pw", kdf=CHEAP)
    wallet.add(incoming[0])
    # the backup repeats notes, the way a backup of a backup does
    assert wallet.merge([*incoming, *incoming[:500]]) == 19_999
    stored = wallet.records()
    assert len(stored) == 20_000
    assert {r.note.preimage for r in stored} == {r.note.preimage for r in incoming}


def test_should_refuse_a_backup_of_more_notes_than_a_wallet_may_hold() -> None:
    payload = b'{"version":1,"notes":[' + b",".join([b"{}"] * (MAX_NOTES + 1)) + b"]}"
    with pytest.raises(MalformedError, match="more than"):
        records_from_bytes(payload)
