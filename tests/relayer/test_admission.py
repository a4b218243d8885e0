"""`mixer relayer serve` as a real process on 127.0.0.1, against anvil: admission (one test
per bad input: its 4xx, one sentence, and no transaction sent), batching, and wallets
withdrawing through it with `mixer withdraw --relayer-url`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from web3 import Web3

from mixer.chain.client import Chain
from mixer.field import R
from tests.support.chain_nodes import anvil
from tests.support.cli_helpers import new_home
from tests.support.relayer_env import (
    DENOMINATION,
    FEE,
    PoolEnv,
    RelayerProcess,
    fresh,
    fund,
    make_pool,
    relayer_process,
)


@pytest.fixture(scope="module")
def node() -> Iterator[Web3]:
    with anvil() as w3:
        yield w3


@pytest.fixture(scope="module")
def env(node: Web3, tmp_path_factory: pytest.TempPathFactory) -> PoolEnv:
    home = new_home(tmp_path_factory.mktemp("relayer-home"))
    pool = make_pool(node, home, deposits=6, home=home)
    fund(node, pool.relayer)
    pool.home = home  # type: ignore[attr-defined]
    return pool


@pytest.fixture(scope="module")
def server(env: PoolEnv, node: Web3) -> Iterator[RelayerProcess]:
    """A relayer that never sends on its own during the admission tests (batches of 64, an hour's wait)."""
    url = node.provider.endpoint_uri  # type: ignore[attr-defined]
    home: Path = env.home  # type: ignore[attr-defined]
    with relayer_process(
        home, url, env.relayer_key, "--fee", "0.01", "--batch-size", "64", "--max-wait", "3600"
    ) as s:
        yield s


def _refused(
    server: RelayerProcess, env: PoolEnv, response: requests.Response, status: int, words: str
) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert isinstance(error, str) and "\n" not in error and words in error, error
    assert Chain(env.w3).pending_nonce(env.relayer) == 0  # no transaction sent, ever, by this relayer


@pytest.fixture(scope="module")
def good(env: PoolEnv) -> tuple[str, Any]:
    """A valid record of note 0, bound to the server's relayer and fee (not posted by the bad-input tests)."""
    recipient = fresh()
    return recipient, env.record(env.notes[0], recipient)


def test_status_names_the_relayer_its_pools_fees_and_health(server: RelayerProcess, env: PoolEnv) -> None:
    status = server.status()
    assert status["relayer"] == env.relayer and status["chainId"] == Chain(env.w3).chain_id()
    assert status["pools"] == [
        {"pool": env.address, "currency": "eth", "denomination": str(DENOMINATION), "fee": str(FEE)}
    ]
    assert (status["batchSize"], status["maxWaitSeconds"], status["queued"]) == (64, 3600, 0)
    assert status["healthy"] is True and status["problems"] == []


def test_refuses_malformed_json(server: RelayerProcess, env: PoolEnv) -> None:
    response = requests.post(server.url + "/v1/withdrawals", data=b"{not json", timeout=30)
    _refused(server, env, response, 400, "not JSON")


def test_refuses_a_record_of_wrong_length(
    server: RelayerProcess, env: PoolEnv, good: tuple[str, Any]
) -> None:
    recipient, record = good
    response = server.post(env.body(record.encode()[:-1], recipient))
    _refused(server, env, response, 400, "296 bytes, got 295")
    response = server.post(env.body(record.encode() + b"\0", recipient))
    _refused(server, env, response, 400, "296 bytes, got 297")


def test_refuses_a_tampered_proof(server: RelayerProcess, env: PoolEnv, good: tuple[str, Any]) -> None:
    recipient, record = good
    raw = bytearray(record.encode())
    raw[-1] ^= 1  # C.y changed: off the curve, or another point
    response = server.post(env.body(bytes(raw), recipient))
    _refused(server, env, response, 422, "the proof does not verify")


@pytest.mark.parametrize("what", ["relayer", "recipient", "fee"])
def test_refuses_a_proof_bound_to_other_values(
    server: RelayerProcess, env: PoolEnv, good: tuple[str, Any], what: str
) -> None:
    recipient, record = good
    if what == "relayer":  # made for another relayer, posted here with everything else right
        body = env.body(env.record(env.notes[1], recipient, relayer=fresh()), recipient)
    elif what == "recipient":  # someone swaps the recipient of a seen record for their own
        body = env.body(record, fresh())
    else:  # a proof for a higher fee posted with the same fee... or a proof for FEE claimed at 2 FEE
        body = env.body(record, recipient, fee=2 * FEE)
    _refused(server, env, server.post(body), 422, "the proof does not verify")


def test_refuses_a_spent_nullifier(server: RelayerProcess, env: PoolEnv) -> None:
    note = env.notes[2]
    recipient = fresh()
    direct = env.record(note, recipient, relayer="0x" + "00" * 20, fee=0)
    env.client(3).withdraw([direct], new_recipients=[recipient], gas=1_500_000)  # withdrawn directly
    response = server.post(env.body(env.record(note, fresh()), fresh()))
    _refused(server, env, response, 422, "already withdrawn")


def test_refuses_nullifier_hash_plus_r(server: RelayerProcess, env: PoolEnv, good: tuple[str, Any]) -> None:
    recipient, record = good
    raw = bytearray(record.encode())
    raw[4:36] = (record.nullifier_hash + R).to_bytes(32, "big")
    _refused(server, env, server.post(env.body(bytes(raw), recipient)), 422, "not a field element")


def test_refuses_an_unknown_pool(server: RelayerProcess, env: PoolEnv, good: tuple[str, Any]) -> None:
    recipient, record = good
    body = {**env.body(record, recipient), "pool": fresh()}
    _refused(server, env, server.post(body), 422, "does not serve pool")


def test_refuses_a_stale_root_index(server: RelayerProcess, env: PoolEnv, good: tuple[str, Any]) -> None:
    recipient, _record = good
    stale = env.record(env.notes[0], recipient, root_index=(env.client().current_root_index() - 1))
    _refused(server, env, server.post(env.body(stale, recipient)), 422, "the proof does not verify")
    empty = env.record(env.notes[0], recipient, root_index=99)
    _refused(server, env, server.post(env.body(empty, recipient)), 422, "empty slot")
    outside = env.record(env.notes[0], recipient, root_index=100)
    _refused(server, env, server.post(env.body(outside, recipient)), 422, "outside the ring")


def test_refuses_a_fee_below_the_relayers(server: RelayerProcess, env: PoolEnv) -> None:
    recipient = fresh()
    cheap = env.record(env.notes[3], recipient, fee=FEE - 1)
    _refused(
        server, env, server.post(env.body(cheap, recipient, fee=FEE - 1)), 422, "below this relayer's fee"
    )


def test_refuses_an_oversized_body(server: RelayerProcess, env: PoolEnv, good: tuple[str, Any]) -> None:
    recipient, record = good
    body = {**env.body(record, recipient), "padding": "x" * (64 * 1024)}
    _refused(server, env, server.post(body), 413, "64 KiB")
    chunked = requests.post(
        server.url + "/v1/withdrawals", data=iter([b"{" + b" " * 70_000 + b"}"]), timeout=30
    )
    _refused(server, env, chunked, 413, "64 KiB")


def test_the_same_record_twice_is_one_job(server: RelayerProcess, env: PoolEnv) -> None:
    recipient = fresh()
    body = env.body(env.record(env.notes[4], recipient), recipient)
    first = server.post(body)
    assert first.status_code == 202 and first.json()["status"] == "queued"
    again = server.post(body)
    assert again.status_code == 200 and again.json() == first.json()
    assert server.job(first.json()["id"]) == first.json()
    assert server.status()["queued"] == 1
    missing = requests.get(f"{server.url}/v1/withdrawals/0x{'ab' * 32}", timeout=30)
    assert missing.status_code == 404 and "no such" in missing.json()["error"]
    assert Chain(env.w3).pending_nonce(env.relayer) == 0
