"""The relayer library in this process (server on 127.0.0.1, a real node): on the embedded
chain, which one process holds (so the server runs here, next to the test), a transaction
replaced at a higher gas price when it is not mined in time (anvil with mining paused),
and the pure rules (batching, the token bucket, the gas bump)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mixer.chain import embedded
from mixer.chain.client import Chain
from mixer.relayer.http import Limits, Server
from mixer.relayer.policy import TokenBuckets, bumped, next_batch
from mixer.relayer.service import Config, Node, Relayer
from mixer.relayer.store import Job
from tests.support.chain_nodes import anvil
from tests.support.relayer_env import DENOMINATION, FEE, PoolEnv, fresh, fund, make_pool


def _server(pool: PoolEnv, node: Node, tmp: Path, log: list[dict[str, Any]], **config: Any) -> Server:
    relayer = Relayer.open(
        node,
        address=pool.relayer,
        private_key=bytes.fromhex(pool.relayer_key[2:]),
        pools=[pool.address],
        fee=lambda info: FEE,
        max_refund=0,
        db=tmp / "jobs.sqlite3",
        config=Config(**config),
        log=log.append,
    )
    return Server(relayer, "127.0.0.1", 0, Limits())


def _wait(server: Server, ids: list[str], timeout: float = 300) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = [requests.get(f"{server.url}/v1/withdrawals/{i}", timeout=30).json() for i in ids]
        if all(j["status"] in ("confirmed", "failed") for j in jobs) or time.monotonic() > deadline:
            return jobs
        time.sleep(0.2)


def test_relays_a_batch_on_the_embedded_chain(tmp_path: Path) -> None:
    w3 = embedded.embedded_web3()
    pool = make_pool(w3, tmp_path, deposits=2)
    pool.relayer, pool.relayer_key = str(w3.eth.accounts[9]), "0x" + embedded.dev_private_keys()[9].hex()
    recipients = [fresh(), fresh()]
    bodies = [pool.body(pool.record(n, r), r) for n, r in zip(pool.notes, recipients, strict=True)]
    before = pool.balance(pool.relayer)
    log: list[dict[str, Any]] = []
    with _server(pool, Node(shared=w3), tmp_path, log, batch_size=2, max_wait=60) as server:
        ids = []
        for body in bodies:
            answer = requests.post(server.url + "/v1/withdrawals", json=body, timeout=120)
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["id"])
        jobs = _wait(server, ids)
        status = requests.get(server.url + "/v1/status", timeout=30).json()
    assert [j["status"] for j in jobs] == ["confirmed", "confirmed"], jobs
    assert jobs[0]["txHash"] == jobs[1]["txHash"]
    assert [pool.balance(r) for r in recipients] == [DENOMINATION - FEE] * 2
    receipt = w3.eth.get_transaction_receipt(jobs[0]["txHash"])
    assert pool.balance(pool.relayer) - before == 2 * FEE - receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert status["healthy"] and status["queued"] == 0


@pytest.fixture
def paused_anvil() -> Iterator[Any]:
    with anvil() as w3:
        yield w3


def test_a_transaction_not_mined_in_time_is_replaced_at_a_higher_gas_price(
    paused_anvil: Any, tmp_path: Path
) -> None:
    w3 = paused_anvil
    pool = make_pool(w3, tmp_path, deposits=1)
    fund(w3, pool.relayer)
    recipient = fresh()
    body = pool.body(pool.record(pool.notes[0], recipient), recipient)
    w3.provider.make_request("evm_setAutomine", [False])
    log: list[dict[str, Any]] = []
    url = str(w3.provider.endpoint_uri)
    with _server(
        pool, Node(rpc_url=url), tmp_path, log, batch_size=1, max_wait=0, replace_after=0.5
    ) as server:
        answer = requests.post(server.url + "/v1/withdrawals", json=body, timeout=60)
        assert answer.status_code == 202, answer.text
        deadline = time.monotonic() + 60
        while not any(e["event"] == "replace" for e in log) and time.monotonic() < deadline:
            time.sleep(0.1)
        w3.provider.make_request("evm_mine", [])
        (job,) = _wait(server, [answer.json()["id"]], timeout=60)
    first = next(e for e in log if e["event"] == "batch")
    replacements = [e for e in log if e["event"] == "replace"]
    assert replacements and replacements[0]["gasPrice"] >= first["gasPrice"] * 9 // 8 + 1
    assert job["status"] == "confirmed" and job["txHash"] != first["txHash"]
    assert job["txHash"] in {e["txHash"] for e in replacements}
    assert Chain(w3).receipt(first["txHash"]) is None  # the first attempt was replaced, never mined
    assert pool.balance(recipient) == DENOMINATION - FEE
    assert Chain(w3).pending_nonce(pool.relayer) == 1


def _job(i: int, created: float, pool: str = "0xP", fee: int = 1) -> Job:
    return Job(f"0x{i:064x}", pool, b"", "0xR", fee, 0, 1, created=created)


def test_batches_form_per_pool_fee_and_refund_when_full_or_when_the_oldest_has_waited() -> None:
    jobs = [_job(1, 0.0), _job(2, 1.0, fee=2), _job(3, 2.0), _job(4, 3.0, pool="0xQ")]
    assert next_batch(jobs, now=5.0, batch_size=3, max_wait=10).batch == ()
    assert next_batch(jobs, now=5.0, batch_size=3, max_wait=10).wait == 5.0
    due = next_batch(jobs, now=10.0, batch_size=3, max_wait=10)
    assert [j.id for j in due.batch] == [jobs[0].id, jobs[2].id]  # same (pool, fee, refund), oldest first
    full = next_batch(jobs, now=0.0, batch_size=2, max_wait=10)
    assert [j.id for j in full.batch] == [jobs[0].id, jobs[2].id]
    assert len(next_batch([_job(i, 0.0) for i in range(9)], now=0.0, batch_size=4, max_wait=10).batch) == 4


def test_a_flooding_client_waits_while_others_are_served() -> None:
    buckets = TokenBuckets(rate=2, burst=4)
    assert [buckets.take("flood", 0.0) for _ in range(4)] == [0.0] * 4
    assert buckets.take("flood", 0.0) == 0.5
    assert buckets.take("honest", 0.0) == 0.0
    assert buckets.take("flood", 0.6) == 0.0  # refilled at 2 a second


def test_a_replacement_pays_at_least_an_eighth_more() -> None:
    assert bumped(8_000, 1) == 9_001
    assert bumped(8_000, 20_000) == 20_000
