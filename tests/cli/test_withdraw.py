"""`mixer withdraw`, `--print-record` and `mixer compliance` through typer's runner (embedded chain)."""

from __future__ import annotations

import json
import sqlite3
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from mixer.bn254 import G1_GEN, g1_add
from mixer.chain import backend, embedded
from mixer.chain.artifacts import load
from mixer.chain.client import ContractReverted, Sender
from mixer.chain.pool import PoolClient, deploy_contract
from mixer.chain.record import RECORD_SIZE, WithdrawalRecord
from mixer.chain.sync import sync_deposits
from mixer.hashes import get_hasher
from mixer.note import Note, Pool
from mixer.snark import prepared
from mixer.snark.files import load_key
from tests.support.cli_helpers import DEPTH, env, new_home, one_error_line, run, run_json
from tests.support.snarkjs_toy import toy_dir

DENOMINATION = 10**17


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """A home with a deployed pool and six deposits (accounts 1..6), shared by this module's
    tests: each test withdraws its own note, so they do not depend on each other's order."""
    home = new_home(tmp_path_factory.mktemp("home"))
    address = str(run_json(home, "deploy", "--depth", str(DEPTH))["pool"])
    notes = [str(run_json(home, "--account", str(n), "deposit")["note"]) for n in range(1, 7)]
    return home, address, notes


def _balances(home: Path, *addresses: str) -> list[int]:
    w3 = embedded.open_embedded(home / "chain")
    try:
        return [int(w3.eth.get_balance(a)) for a in addresses]  # type: ignore[arg-type]
    finally:
        backend.close(w3)


def test_withdraw_pays_a_fresh_address_and_marks_the_note_spent(pool: tuple[Path, str, list[str]]) -> None:
    home, address, notes = pool
    fresh = Account.create().address
    (pool_before,) = _balances(home, address)
    out = run_json(home, "withdraw", notes[1], "--to", fresh)
    assert out["received"] == DENOMINATION
    (tx,) = out["transactions"]
    assert tx["step"] == "withdraw" and tx["gasUsed"] > 0
    assert _balances(home, fresh, address) == [DENOMINATION, pool_before - DENOMINATION]
    listed = run_json(home, "notes", "list")["notes"]
    assert listed[1]["spent"] and listed[1]["withdrawalTx"] == tx["hash"]

    again = run(home, "withdraw", notes[1], "--to", fresh, ok=False)
    assert again.exit_code == 1
    assert "already spent" in one_error_line(again.stderr)
    assert _balances(home, fresh) == [DENOMINATION]


def test_relayer_fee_is_paid_out_of_the_withdrawn_amount(pool: tuple[Path, str, list[str]]) -> None:
    home = pool[0]
    fresh, relayer = Account.create().address, Account.create().address
    run_json(home, "withdraw", "4", "--to", fresh, "--relayer", relayer, "--fee", "0.01")  # note number 4
    assert _balances(home, fresh, relayer) == [DENOMINATION - 10**16, 10**16]


def test_print_record_sends_nothing_and_binds_recipient_and_fee(pool: tuple[Path, str, list[str]]) -> None:
    home, address, notes = pool
    fresh, relayer = Account.create().address, Account.create().address
    out = run_json(
        home, "withdraw", notes[2], "--to", fresh, "--relayer", relayer, "--fee", "0.02", "--print-record"
    )
    data = bytes.fromhex(str(out["record"])[2:])
    assert len(data) == RECORD_SIZE
    record = WithdrawalRecord.decode(data)
    note = Note.parse(notes[2])
    assert record.nullifier_hash == get_hasher("poseidon").nullifier_hash(note.nullifier)
    assert (out["recipient"], out["relayer"], out["fee"], out["refund"]) == (fresh, relayer, 2 * 10**16, 0)
    assert out["newRecipients"] == [fresh]

    w3 = embedded.open_embedded(home / "chain")
    try:
        submitter = PoolClient(Sender(w3, str(w3.eth.accounts[7])), address)
        assert not submitter.is_spent(record.nullifier_hash)  # --print-record sent nothing
        assert w3.eth.get_balance(fresh) == 0  # type: ignore[arg-type]

        def submit(relayer_address: str, fee: int) -> None:
            # a dry run names the revert; fixed gas skips estimation (many pairing runs)
            submitter.withdraw(
                [record],
                new_recipients=[fresh],
                relayer=relayer_address,
                fee=fee,
                gas=1_500_000,
                dry_run=True,
            )

        with pytest.raises(ContractReverted) as err:  # a submitter cannot raise the fee
            submit(relayer, 3 * 10**16)
        assert err.value.error == "InvalidProof"
        with pytest.raises(ContractReverted) as err:  # nor take the fee itself
            submit(submitter.sender.address, 2 * 10**16)
        assert err.value.error == "InvalidProof"
        submit(relayer, 2 * 10**16)
        assert w3.eth.get_balance(fresh) == DENOMINATION - 2 * 10**16  # type: ignore[arg-type]
        assert w3.eth.get_balance(relayer) == 2 * 10**16  # type: ignore[arg-type]
    finally:
        backend.close(w3)
    assert [n["state"] for n in run_json(home, "status")["notes"]][2] == "spent"


def test_compliance_links_the_deposit_to_its_withdrawal(pool: tuple[Path, str, list[str]]) -> None:
    home, _, notes = pool
    before = run_json(home, "compliance", "1")  # by its number in `notes list`
    assert before["withdrawal"] is None
    assert before["deposit"]["leafIndex"] == 0
    deposit_tx = run_json(home, "notes", "list")["notes"][0]["depositTx"]
    assert before["deposit"]["tx"] == deposit_tx
    fresh = Account.create().address
    spent = run_json(home, "withdraw", notes[0], "--to", fresh)
    report = run_json(home, "compliance", notes[0])
    assert report["withdrawal"]["to"] == fresh
    assert report["withdrawal"]["tx"] == spent["transactions"][0]["hash"]
    w3 = embedded.open_embedded(home / "chain")
    try:
        assert report["deposit"]["from"] == w3.eth.accounts[1]
    finally:
        backend.close(w3)


def test_withdraw_user_errors(pool: tuple[Path, str, list[str]]) -> None:
    home, _, notes = pool
    note = Note.parse(notes[4])
    undeposited = Note.generate(note.pool).to_string()
    pool = note.pool
    other_chain = Note(Pool(pool.hash, pool.currency, pool.amount, 1, pool.address), 1, 2).to_string()
    other_pool = Note(
        Pool("mimcsponge", pool.currency, pool.amount, pool.chain_id, pool.address), 1, 2
    ).to_string()
    fresh = Account.create().address
    cases = [
        ((undeposited, "--to", fresh), "not on its chain"),
        ((notes[4], "--to", fresh, "--fee", "0.2", "--relayer", fresh), "more than the pool's denomination"),
        ((notes[4], "--to", fresh, "--fee", "0.01"), "pass --relayer"),
        ((notes[4], "--to", fresh, "--fee", "-1", "--relayer", fresh), "--fee must be zero or positive"),
        ((notes[4], "--to", fresh, "--refund", "0.001"), "--refund is for token pools"),
        ((notes[4], "--to", fresh, "--refund", "1e-19"), "more than 18 decimal places"),
        ((notes[4], "--to", "0x1234"), "--to is not an Ethereum address"),
        ((notes[4][:-1], "--to", fresh), "checksum mismatch"),
        ((other_chain, "--to", fresh), "this note is for chain 1,"),
        (("99", "--to", fresh), "there is no note number 99"),
        ((other_pool, "--to", fresh), "belongs to another pool"),
    ]
    for args, message in cases:
        result = run(home, "withdraw", *args, ok=False)
        assert result.exit_code == 1, args
        assert message in one_error_line(result.stderr), args
    wrong = run(home, "withdraw", notes[4], "--to", fresh, environ=env(MIXER_PASSWORD="nope"), ok=False)
    assert "wrong password" in one_error_line(wrong.stderr)
    assert _balances(home, fresh) == [0]


def test_a_tampered_sync_store_is_caught_by_the_root_check(pool: tuple[Path, str, list[str]]) -> None:
    home, address, notes = pool
    run_json(home, "status")  # creates the pool's store: on so short a chain, no whole range yet
    (store,) = (home / "cache").glob("*.sqlite")
    db = sqlite3.connect(store)
    start = int(db.execute("SELECT v FROM meta WHERE k = 'start'").fetchone()[0])
    db.close()
    w3 = embedded.open_embedded(home / "chain")
    try:  # ranges of one block are all whole: every event is stored
        cache_dir = home / "cache"
        sync_deposits(
            w3, address, hasher="poseidon", cache_dir=cache_dir, start_block=start, max_range=1
        ).store.close()
    finally:
        backend.close(w3)
    second = Note.parse(notes[1])
    commitment = get_hasher("poseidon").commitment(second.nullifier, second.secret)
    db = sqlite3.connect(store)
    with db:  # the node above leaves 0..3: a sibling on the path of note 5's leaf, not on the root's edge
        (old,) = db.execute("SELECT value FROM nodes WHERE level = 2 AND idx = 0").fetchone()
        db.execute(
            "UPDATE nodes SET value = ? WHERE level = 2 AND idx = 0", ((commitment + 1).to_bytes(32, "big"),)
        )
    db.close()
    assert old != (commitment + 1).to_bytes(32, "big")
    result = run(home, "withdraw", notes[5], "--to", Account.create().address, ok=False)
    assert "root" in one_error_line(result.stderr)
    run_json(home, "withdraw", notes[5], "--to", Account.create().address)  # the bad store was dropped


def test_a_wrong_prover_cache_entry_is_an_error_never_a_record(pool: tuple[Path, str, list[str]]) -> None:
    home, _, notes = pool
    args = ("withdraw", notes[4], "--to", Account.create().address, "--print-record")
    run_json(home, *args)  # fills the prover cache
    (entry,) = (home / "prover-cache").glob("key-*.bin")
    good = entry.read_bytes()
    (length,) = struct.unpack_from(">I", good, 12)
    header = json.loads(good[16 : 16 + length])
    binding = {name: header[name] for name in ("key_sha256", "circuit", "circuit_source", "key_source")}
    pk = load_key(home / "keys" / f"withdraw-poseidon-{DEPTH}.key")
    wrong = replace(pk, h_points=(g1_add(pk.h_points[0], G1_GEN), *pk.h_points[1:]))
    entry.write_bytes(prepared.encode_key(wrong, binding))  # well formed: only the proof shows it
    result = run(home, *args, ok=False)
    assert result.exit_code == 1 and "prover cache entry" in one_error_line(result.stderr)
    assert "record" not in result.stdout
    entry.unlink()
    run_json(home, *args)


def _token_pool(home: Path) -> tuple[str, dict[str, Any]]:
    """A TestToken (5000 minted to account 1) and a 1000-token pool for it: (token, deploy output)."""
    w3 = embedded.open_embedded(home / "chain")
    try:
        owner = Sender(w3, str(w3.eth.accounts[1]))
        token_address = deploy_contract(owner, "TestToken").address
        token = w3.eth.contract(address=token_address, abi=load("TestToken").abi)  # type: ignore[call-overload]
        owner.send(token.functions.mint(owner.address, 5000 * 10**18))
    finally:
        backend.close(w3)
    deployed = run_json(
        home, "deploy", "--depth", str(DEPTH), "--token", token_address, "--denomination", "1000"
    )
    return token_address, deployed


def test_a_token_pool_takes_and_pays_tokens_and_a_gas_refund(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    token_address, deployed = _token_pool(home)
    assert (deployed["token"], deployed["currency"], deployed["denomination"]) == (
        token_address,
        "token",
        "1000",
    )
    out = run_json(home, "--account", "1", "deposit")
    assert [t["step"] for t in out["transactions"]] == ["approve", "deposit"]
    assert "-token-1000-" in out["note"]
    fresh, relayer = Account.create().address, Account.create().address
    paid = run_json(
        home, "withdraw", out["note"], "--to", fresh, "--relayer", relayer, "--fee", "10", "--refund", "0.002"
    )
    assert (paid["fee"], paid["refund"], paid["received"]) == (10 * 10**18, 2 * 10**15, 990 * 10**18)
    broke = run(home, "--account", "2", "deposit", ok=False)  # account 2 holds no tokens
    assert "insufficient funds" in one_error_line(broke.stderr)
    w3 = embedded.open_embedded(home / "chain")
    try:
        token = w3.eth.contract(address=token_address, abi=load("TestToken").abi)  # type: ignore[call-overload]
        assert token.functions.balanceOf(fresh).call() == 990 * 10**18
        assert token.functions.balanceOf(relayer).call() == 10 * 10**18
        assert w3.eth.get_balance(fresh) == 2 * 10**15  # the refund: ETH for the recipient's gas
        assert token.functions.balanceOf(w3.eth.accounts[1]).call() == 4000 * 10**18
        assert token.functions.balanceOf(deployed["pool"]).call() == 0
    finally:
        backend.close(w3)


def test_a_mimcsponge_pool_with_its_own_key(tmp_path: Path) -> None:
    environ = env(MIXER_TREE_DEPTH="1")
    setup = run_json(tmp_path, "setup", "--dev", "--hash", "mimcsponge", environ=environ)
    assert setup["circuit"] == "withdraw-mimcsponge-1" and setup["dev"] is True
    assert run_json(tmp_path, "deploy", "--hash", "mimcsponge", environ=environ)["hash"] == "mimcsponge"
    note = str(run_json(tmp_path, "deposit", environ=environ)["note"])
    assert note.startswith("mixer1-mimcsponge-eth-0.1-")
    fresh = Account.create().address
    assert run_json(tmp_path, "withdraw", note, "--to", fresh, environ=environ)["received"] == DENOMINATION
    again = run(tmp_path, "setup", "--dev", "--hash", "mimcsponge", environ=environ, ok=False)
    assert "already exists" in one_error_line(again.stderr)


def test_setup_refuses_unclear_requests_and_a_zkey_of_another_circuit(tmp_path: Path) -> None:
    cases = [
        (("setup",), "choose one: --dev"),
        (("setup", "--dev", "--zkey", "x.zkey"), "choose one: --dev"),
        (("setup", "--dev", "--hash", "sha256"), "--hash must be one of"),
        (("setup", "--zkey", str(toy_dir() / "toy.zkey")), "cannot be used for withdraw-poseidon-20"),
    ]
    for args, message in cases:
        result = run(tmp_path, *args, ok=False)
        assert message in one_error_line(result.stderr), args
    assert not (tmp_path / "keys").exists()


def test_withdrawals_that_would_link_back_to_the_deposit_are_warned_about(
    pool: tuple[Path, str, list[str]],
) -> None:
    """The proof hides the deposit; the addresses around it must not give it away."""
    home = pool[0]
    note = str(run_json(home, "--account", "7", "deposit")["note"])
    w3 = embedded.open_embedded(home / "chain")
    try:
        depositor, used = w3.eth.accounts[7], w3.eth.accounts[1]  # account 1 has sent a deposit
    finally:
        backend.close(w3)

    fresh = run_json(home, "withdraw", note, "--to", Account.create().address, "--print-record")
    assert [w for w in fresh["warnings"] if "deposits:" not in w] == []  # only the small crowd
    assert any("the pool has only" in w for w in fresh["warnings"])

    # whether the recipient has sent transactions is not asked of the node (that would name
    # the recipient before the withdrawal); an account that made deposits of this wallet is known
    not_fresh = run_json(home, "withdraw", note, "--to", used, "--print-record")["warnings"]
    assert any(f"{used} made deposits of this wallet" in w for w in not_fresh)

    linked = run_json(home, "--account", "7", "withdraw", note, "--to", depositor)
    assert [tx["step"] for tx in linked["transactions"]] == ["withdraw"]  # warned, not refused
    assert any(f"recipient {depositor} made this deposit" in w for w in linked["warnings"])
    assert any(f"paid) by {depositor}, the account that made this deposit" in w for w in linked["warnings"])


def test_print_record_for_people_shows_the_record_on_one_line_and_amounts_in_units(
    pool: tuple[Path, str, list[str]],
) -> None:
    home, _, notes = pool
    fresh, relayer = Account.create().address, Account.create().address
    args = ("withdraw", notes[4], "--to", fresh, "--relayer", relayer, "--fee", "0.02", "--print-record")
    shown = run(home, *args, environ=env(COLUMNS="120")).stdout  # the record is far wider
    (line,) = [x for x in shown.splitlines() if x.startswith("0x") and len(x) == 2 + 2 * RECORD_SIZE]
    assert len(WithdrawalRecord.decode(bytes.fromhex(line[2:])).encode()) == RECORD_SIZE
    assert "0.02 eth (20000000000000000 wei)" in shown and "0 eth (0 wei)" in shown
    assert f"newRecipients[0] = {fresh}" in shown
    assert "['" not in shown and "[]" not in shown  # no Python list reprs


def test_relay_sends_records_of_several_notes_in_one_transaction(tmp_path: Path) -> None:
    """Three people print records (to three fresh addresses, each expecting to register its
    recipient); a relayer account sends them together and earns the fee three times."""
    home = new_home(tmp_path)
    run_json(home, "deploy", "--depth", str(DEPTH))
    notes = [str(run_json(home, "--account", str(n), "deposit")["note"]) for n in (1, 2, 3)]
    relayer = Account.from_key(embedded.dev_private_keys()[9]).address  # the sending account
    fresh = [Account.create().address for _ in notes]
    bound = ("--relayer", relayer, "--fee", "0.01")
    files = []
    for i, (note, to) in enumerate(zip(notes[:2], fresh, strict=False)):
        printed = run(home, "--json", "withdraw", note, "--to", to, *bound, "--print-record").stdout
        files.append(tmp_path / f"record{i}.json")
        files[-1].write_text(printed)
    third = run_json(home, "withdraw", notes[2], "--to", fresh[2], *bound, "--print-record")["record"]
    (sender,) = _balances(home, Account.from_key(embedded.dev_private_keys()[9]).address)

    args = ("relay", str(files[0]), str(files[1]), str(third), "--recipient", fresh[2], *bound)
    out = run_json(home, "--account", "9", *args)
    assert [tx["step"] for tx in out["transactions"]] == ["withdraw"]  # one transaction
    assert out["newRecipients"] == fresh
    assert _balances(home, *fresh) == [DENOMINATION - 10**16] * 3
    (sender_after,) = _balances(home, relayer)
    # the relayer account earned three fees and paid the gas (well under one fee here)
    assert sender + 2 * 10**16 < sender_after < sender + 3 * 10**16
    assert [n["state"] for n in run_json(home, "status")["notes"]] == ["spent"] * 3

    again = run(home, "--account", "9", "relay", str(files[0]), ok=False)
    assert "record 1 was already spent" in one_error_line(again.stderr)


def test_relay_refuses_records_it_cannot_send_together(
    pool: tuple[Path, str, list[str]], tmp_path: Path
) -> None:
    home, _, notes = pool
    relayer = Account.from_key(embedded.dev_private_keys()[0]).address  # the sending account
    files = []
    for fee in ("0.01", "0.02"):
        printed = run(
            home, "--json", "withdraw", notes[4], "--to", Account.create().address,
            "--relayer", relayer, "--fee", fee, "--print-record",
        ).stdout  # fmt: skip
        files.append(tmp_path / f"fee-{fee}.json")
        files[-1].write_text(printed)
    (tmp_path / "junk.json").write_text("[1]")
    cases = [
        ((str(files[0]), str(files[1])), "bind different fees"),
        ((str(files[0]), str(files[0])), "given twice"),
        ((str(tmp_path / "junk.json"),), "is it `withdraw --print-record --json` output"),
        ((str(tmp_path / "missing.json"),), "no such file"),
        (("0x1234", "--recipient", relayer), "296 bytes"),
        (("0x" + "00" * RECORD_SIZE,), "needs --recipient"),
    ]
    for args, message in cases:
        result = run(home, "relay", *args, ok=False)
        assert result.exit_code == 1, args
        assert message in one_error_line(result.stderr), args


def _relayer_balance(home: Path) -> int:
    (balance,) = _balances(home, Account.from_key(embedded.dev_private_keys()[9]).address)
    return balance


def test_should_not_let_a_record_make_the_relayer_pay_its_refund_unasked(tmp_path: Path) -> None:
    """A token-pool record bound to a 9000 ETH refund: relaying pays the refund as msg.value
    out of the relayer's own balance, so it is refused unless --max-refund allows it."""
    home = new_home(tmp_path)
    _token_pool(home)
    relayer = Account.from_key(embedded.dev_private_keys()[9]).address
    note = run_json(home, "--account", "1", "deposit")["note"]
    record = tmp_path / "record.json"
    for refund in ("9000", "0.002"):
        record.write_text(
            run(
                home, "--json", "withdraw", note, "--to", Account.create().address, "--relayer", relayer,
                "--fee", "10", "--refund", refund, "--print-record",
            ).stdout
        )  # fmt: skip
        before = _relayer_balance(home)
        refused = run(home, "--account", "9", "relay", str(record), ok=False)
        assert refused.exit_code == 1
        assert "more than --max-refund 0 eth" in one_error_line(refused.stderr)
        assert _relayer_balance(home) == before  # nothing sent
    out = run_json(home, "--account", "9", "relay", str(record), "--max-refund", "0.002")
    assert out["refund"] == 2 * 10**15 and [tx["step"] for tx in out["transactions"]] == ["withdraw"]


def test_should_not_relay_a_record_whose_fee_goes_to_another_relayer(
    pool: tuple[Path, str, list[str]], tmp_path: Path
) -> None:
    home, _, notes = pool
    elsewhere = Account.create().address
    record = tmp_path / "record.json"
    record.write_text(
        run(
            home, "--json", "withdraw", notes[4], "--to", Account.create().address, "--relayer", elsewhere,
            "--fee", "0.01", "--print-record",
        ).stdout
    )  # fmt: skip
    before = _relayer_balance(home)
    refused = run(home, "--account", "9", "relay", str(record), ok=False)
    assert refused.exit_code == 1
    assert f"bound to relayer {elsewhere}, not to this account" in one_error_line(refused.stderr)
    assert _relayer_balance(home) == before
