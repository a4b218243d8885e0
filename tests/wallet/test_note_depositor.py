"""The depositing account kept with each note (`NoteRecord.depositor`): recorded by `mixer
deposit`, so that `withdraw` and `compliance` need not ask a node who sent the note's deposit
transaction; wallets and backups written before the field existed still load, and then
the depositor is reported as unknown rather than looked up."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from eth_account import Account

from mixer.backup import PURPOSE, NoteRecord, read_backup, records_from_bytes
from mixer.chain import backend, embedded
from mixer.note import Note, Pool
from mixer.sealed import KdfParams, MalformedError, SealingKey, seal
from mixer.wallet import Wallet
from tests.support.cli_helpers import DEPTH, PASSWORD, new_home, run, run_json

FAST = KdfParams(n=2**10, r=8, p=1)
POOL = Pool("poseidon", "eth", "0.1", 1337, "0x" + "12" * 20)
OLD_RECORD = {
    "note": Note(POOL, 1, 2).to_string(),
    "leaf_index": 3,
    "deposit_tx": "0x" + "ab" * 32,
    "withdrawal_tx": None,
    "spent": False,
}
"""A record as written before the depositor field existed."""


def test_a_backup_written_before_the_depositor_field_still_loads(tmp_path: Path) -> None:
    payload = json.dumps({"version": 1, "notes": [OLD_RECORD]}).encode()
    path = tmp_path / "old.backup"
    path.write_bytes(seal(payload, SealingKey.derive(PASSWORD, FAST), purpose=PURPOSE))
    (record,) = read_backup(path, PASSWORD)
    assert record.depositor is None and record.leaf_index == 3
    # written back without the field, so that an older version still reads it too
    assert record.to_json() == OLD_RECORD


def test_the_depositor_round_trips_and_a_malformed_one_is_refused() -> None:
    depositor = Account.create().address
    record = NoteRecord(Note(POOL, 1, 2), depositor=depositor)
    payload = json.dumps({"version": 1, "notes": [record.to_json()]}).encode()
    assert records_from_bytes(payload) == [record]
    for bad in ("0x1234", 5, "12" * 20):
        broken = json.dumps({"version": 1, "notes": [{**OLD_RECORD, "depositor": bad}]}).encode()
        with pytest.raises(MalformedError, match="depositor"):
            records_from_bytes(broken)


def test_a_wallet_without_depositors_still_withdraws_and_reports_the_depositor_unknown(
    tmp_path: Path,
) -> None:
    home = new_home(tmp_path)
    run_json(home, "deploy", "--depth", str(DEPTH))
    note = str(run_json(home, "--account", "2", "deposit")["note"])
    run_json(home, "--account", "3", "deposit", "--note", Note.generate(Note.parse(note).pool).to_string())
    w3 = embedded.open_embedded(home / "chain")
    try:
        account2, account3 = w3.eth.accounts[2], w3.eth.accounts[3]
    finally:
        backend.close(w3)
    wallet = Wallet.open(home, PASSWORD)
    assert [r.depositor for r in wallet.records()] == [account2, account3]  # deposit and deposit --note

    # the wallet as an older version left it: no depositor anywhere
    with_none = [dataclasses.replace(r, depositor=None) for r in wallet.records()]
    wallet._write(with_none)

    report = run(home, "compliance", note).stdout
    assert "not recorded by this wallet" in report
    assert run_json(home, "compliance", note)["deposit"]["from"] is None
    # the depositor is unknown, so a withdrawal to it cannot be warned about; it still works
    printed = run_json(home, "withdraw", note, "--to", account2, "--print-record")
    assert not any("made this deposit" in w for w in printed["warnings"])
    fresh = Account.create().address
    assert run_json(home, "--account", "4", "withdraw", note, "--to", fresh)["received"] == 10**17
