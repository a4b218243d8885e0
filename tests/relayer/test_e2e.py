"""The relayer end to end: wallets withdrawing through it concurrently, a record that goes bad
after admission, and exactly-once sending when the relayer is killed (SIGKILL) at the worst
moments. A real `mixer relayer serve` process on 127.0.0.1 against anvil; the embedded
chain (one py-evm that one process holds) with the server in this process."""

from __future__ import annotations

import concurrent.futures
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from mixer.chain.client import Chain
from mixer.chain.sync import find_withdrawal
from tests.support.chain_nodes import anvil
from tests.support.cli_helpers import new_home, spawn
from tests.support.relayer_env import (
    DENOMINATION,
    FEE,
    PoolEnv,
    fresh,
    fund,
    make_pool,
    relayer_process,
)

KILL_SCRIPT = """
import os, signal, sys
from mixer.relayer.service import Relayer

original = Relayer._broadcast

def broadcast_then_die(self, raw):
    if {before}:
        os.kill(os.getpid(), signal.SIGKILL)
    original(self, raw)
    os.kill(os.getpid(), signal.SIGKILL)

Relayer._broadcast = broadcast_then_die
from wallet_cli.main import main
main()
"""


@pytest.fixture(scope="module")
def node() -> Iterator[Web3]:
    with anvil() as w3:
        yield w3


@pytest.fixture
def pool(node: Web3, tmp_path: Path) -> PoolEnv:
    """A fresh pool of depth 3 with its 8 leaves filled by deposits."""
    return make_pool(node, tmp_path, deposits=8)


def _url(w3: Web3) -> str:
    return str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]


def _relayer_home(pool: PoolEnv, tmp_path: Path) -> Path:
    """A fresh relayer account (funded) and a home that knows the pool."""
    home = new_home(tmp_path / "relayer")
    from mixer.wallet import PoolBook

    PoolBook(home).add(pool.info)
    from eth_account import Account

    key = Account.create()
    pool.relayer, pool.relayer_key = str(key.address), "0x" + bytes(key.key).hex()
    fund(pool.w3, pool.relayer)
    return home


def _take(pool: PoolEnv, n: int) -> list:
    notes, pool.notes[:] = pool.notes[:n], pool.notes[n:]
    return notes


def _gas_paid(w3: Web3, tx_hashes: set[str]) -> int:
    total = 0
    for h in tx_hashes:
        receipt = w3.eth.get_transaction_receipt(h)  # type: ignore[arg-type]
        total += int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])
    return total


def test_eight_wallets_withdraw_through_one_relayer_concurrently(pool: PoolEnv, tmp_path: Path) -> None:
    home = _relayer_home(pool, tmp_path)
    notes = _take(pool, 8)
    recipients = [fresh() for _ in notes]
    before = pool.balance(pool.relayer)
    args = ("--fee", "0.01", "--batch-size", "4", "--max-wait", "600")
    with relayer_process(home, _url(pool.w3), pool.relayer_key, *args) as server:

        def wallet(i: int) -> dict:
            wallet_home = new_home(tmp_path / f"wallet{i}")
            done = spawn(
                wallet_home, "--rpc-url", _url(pool.w3), "--json", "withdraw", notes[i].to_string(),
                "--to", recipients[i], "--relayer-url", server.url, "--max-fee", "0.01",
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            return dict(json.loads(done.stdout))

        with concurrent.futures.ThreadPoolExecutor(8) as workers:
            results = list(workers.map(wallet, range(8)))
        events = server.events()
    assert all(r["ok"] and r["status"] == "confirmed" for r in results), results
    assert {r["fee"] for r in results} == {FEE} and {r["relayer"] for r in results} == {pool.relayer}
    assert [pool.balance(r) for r in recipients] == [DENOMINATION - FEE] * 8
    txs = {r["txHash"] for r in results}
    assert len(txs) <= 2 and Chain(pool.w3).pending_nonce(pool.relayer) == len(txs)
    assert pool.balance(pool.relayer) - before + _gas_paid(pool.w3, txs) == 8 * FEE
    batches = [e for e in events if e["event"] == "batch"]
    assert [b["records"] for b in batches] == [4, 4]
    transitions = [(e["id"], e["status"]) for e in events if e["event"] == "job"]
    assert len(transitions) == 8 * 3  # queued, sent, confirmed: one line each
    assert not any("127.0.0.1" in json.dumps(e) for e in events)  # no client address is logged


def test_a_record_spent_after_admission_fails_alone_and_the_rest_of_its_batch_is_paid(
    pool: PoolEnv, tmp_path: Path
) -> None:
    home = _relayer_home(pool, tmp_path)
    notes = _take(pool, 4)
    recipients = [fresh() for _ in notes]
    refusing = pool.info.verifier  # a contract that refuses ETH: its payment reverts the batch
    args = ("--fee", "0.01", "--batch-size", "5", "--max-wait", "600")
    with relayer_process(home, _url(pool.w3), pool.relayer_key, *args) as server:
        ids = []
        for note, recipient in zip(notes, recipients, strict=True):
            response = server.post(pool.body(pool.record(note, recipient), recipient))
            assert response.status_code == 202, response.text
            ids.append(response.json()["id"])
        # note 1 is withdrawn directly, meanwhile, by its owner
        own = fresh()
        direct = pool.record(notes[1], own, relayer="0x" + "00" * 20, fee=0)
        pool.client(5).withdraw([direct], new_recipients=[own], gas=1_500_000)
        # a fifth record whose recipient refuses payment: it passes admission and every cheap check
        extra = pool.notes[0]
        response = server.post(pool.body(pool.record(extra, refusing), refusing))
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
        jobs = server.wait_for(ids)
    assert [j["status"] for j in jobs] == ["confirmed", "failed", "confirmed", "confirmed", "failed"]
    assert "withdrawn by another transaction" in jobs[1]["error"]
    assert "would revert" in jobs[4]["error"] and "TransferFailed" not in jobs[4]["error"]  # a sentence
    assert [pool.balance(r) for r in recipients] == [
        DENOMINATION - FEE,
        0,
        DENOMINATION - FEE,
        DENOMINATION - FEE,
    ]
    assert pool.balance(own) == DENOMINATION
    assert Chain(pool.w3).pending_nonce(pool.relayer) == 1  # one transaction, and it succeeded
    assert len({jobs[i]["txHash"] for i in (0, 2, 3)}) == 1


@pytest.mark.parametrize("moment", ["accepted", "stored", "broadcast"])
def test_a_relayer_killed_at_any_moment_sends_every_accepted_job_exactly_once(
    pool: PoolEnv, tmp_path: Path, moment: str
) -> None:
    """SIGKILL (a) after accepting jobs, before sending; (b) after storing the signed batch,
    before broadcasting it; (c) after broadcasting it, before recording its receipt. After a
    restart every job is confirmed once, by one transaction; nobody is paid twice."""
    home = _relayer_home(pool, tmp_path)
    notes = _take(pool, 3)
    recipients = [fresh() for _ in notes]
    url = _url(pool.w3)
    if moment == "accepted":
        first = relayer_process(home, url, pool.relayer_key, "--fee", "0.01", "--max-wait", "3600")
    else:
        script = KILL_SCRIPT.format(before=moment == "stored")
        first = relayer_process(
            home,
            url,
            pool.relayer_key,
            "--fee",
            "0.01",
            "--batch-size",
            "3",
            "--max-wait",
            "3600",
            script=script,
        )
    with first as server:
        ids = []
        for note, recipient in zip(notes, recipients, strict=True):
            response = server.post(pool.body(pool.record(note, recipient), recipient))
            assert response.status_code == 202, response.text
            ids.append(response.json()["id"])
        if moment == "accepted":
            assert [server.job(i)["status"] for i in ids] == ["queued"] * 3
            server.kill()
        else:
            assert server.proc.wait(60) == -9  # it killed itself at that moment
    sent = Chain(pool.w3).pending_nonce(pool.relayer)
    assert sent == (1 if moment == "broadcast" else 0)
    with relayer_process(home, url, pool.relayer_key, "--fee", "0.01", "--max-wait", "0.2") as again:
        jobs = again.wait_for(ids)
        log = again.events()
    assert [j["status"] for j in jobs] == ["confirmed"] * 3, jobs
    assert len({j["txHash"] for j in jobs}) == 1
    assert Chain(pool.w3).pending_nonce(pool.relayer) == 1  # one withdraw transaction in all
    assert [pool.balance(r) for r in recipients] == [DENOMINATION - FEE] * 3
    for note in notes:
        event = find_withdrawal(pool.w3, pool.address, note.nullifier_hash, from_block=0)
        assert event is not None and event.tx_hash == jobs[0]["txHash"]
    if moment != "accepted":
        assert not [e for e in log if e["event"] == "batch"]  # the restart sent no new batch


def test_withdrawal_status_looks_a_job_up_later(pool: PoolEnv, tmp_path: Path) -> None:
    home = _relayer_home(pool, tmp_path)
    (note,) = _take(pool, 1)
    recipient = fresh()
    with relayer_process(home, _url(pool.w3), pool.relayer_key, "--fee", "0.01", "--max-wait", "1") as server:
        wallet_home = new_home(tmp_path / "wallet")
        common = ("--rpc-url", _url(pool.w3), "--json")
        done = spawn(
            wallet_home, *common, "withdraw", note.to_string(), "--to", recipient,
            "--relayer-url", server.url, "--no-wait",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        accepted = json.loads(done.stdout)
        assert accepted["status"] in ("queued", "sent", "confirmed")
        looked = spawn(
            wallet_home, "--json", "withdrawal-status", accepted["id"], "--relayer-url", server.url, "--wait"
        )
        assert looked.returncode == 0, looked.stderr
        assert json.loads(looked.stdout)["status"] == "confirmed"
        too_dear = spawn(
            wallet_home, *common, "withdraw", pool.notes[0].to_string(), "--to", fresh(),
            "--relayer-url", server.url, "--max-fee", "0.001",
        )  # fmt: skip
        assert too_dear.returncode == 1 and "more than --max-fee 0.001" in too_dear.stderr
    assert pool.balance(recipient) == DENOMINATION - FEE
    unreachable = spawn(wallet_home, "withdrawal-status", accepted["id"], "--relayer-url", server.url)
    assert unreachable.returncode == 1 and "cannot reach the relayer" in unreachable.stderr
