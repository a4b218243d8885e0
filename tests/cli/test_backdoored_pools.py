"""Deposits into a backdoored pool (audit issue 13, item 2): before any deposit the wallet
establishes that it could withdraw. Each attacker below builds a pool from our own shipped
bytecode (so it passes a check of the pool's or the hasher's code alone) around one thing
that lets only the deployer withdraw; `mixer deposit --pool` must refuse it, naming what
differs, send nothing, and `mixer status` must show the pool as untrusted. An honest pool
deployed the same way is accepted, so the check is not simply refusing everything.

Run on the embedded chain and on anvil."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from eth_utils.address import to_checksum_address
from py_ecc.bn128 import G1, multiply
from web3 import Web3

from mixer.chain import backend
from mixer.chain.artifacts import load
from mixer.chain.client import Sender
from mixer.chain.identify import read_pool, verifier_key
from mixer.chain.pool import deploy_contract, deploy_pool, vk_words
from mixer.merkle import MerkleTree
from mixer.snark import vk_from_snarkjs
from tests.support.chain_nodes import anvil
from tests.support.cli_helpers import DEPTH, new_home, one_error_line, run, run_json

DENOMINATION = 10**17
HOLE = 7
"""A ring slot the attacker fills with a root of their own."""


@pytest.fixture(params=["embedded", "anvil"], scope="module")
def rpc(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The global options that point `mixer` at the chain under test."""
    if request.param == "embedded":
        yield []
    else:
        with anvil() as w3:
            yield ["--rpc-url", str(w3.provider.endpoint_uri)]  # type: ignore[attr-defined]


@contextmanager
def deployer(home: Path, rpc: list[str]) -> Iterator[Sender]:
    """Account 0 (the attacker) on the chain `mixer --home home *rpc` uses."""
    w3 = backend.connect(rpc[1] if rpc else None, home)
    try:
        yield Sender(w3, str(w3.eth.accounts[0]))
    finally:
        backend.close(w3)


def installed_words(home: Path) -> list[int]:
    path = home / "keys" / f"withdraw-poseidon-{DEPTH}.vkey.json"
    return vk_words(vk_from_snarkjs(json.loads(path.read_text())))


def honest_pool(sender: Sender, words: list[int]) -> str:
    return deploy_pool(
        sender, hasher="poseidon", verifying_key=words, denomination=DENOMINATION, levels=DEPTH
    ).pool


def always_true_verifier_pool(sender: Sender, home: Path) -> str:
    """Our ETHPool and hasher around a verifier that accepts any proof."""
    hasher = deploy_contract(sender, "PoseidonHasher").address
    verifier = deploy_contract(sender, "AlwaysTrueVerifier").address
    return deploy_contract(sender, "ETHPool", verifier, hasher, DENOMINATION, DEPTH).address


def other_key_pool(sender: Sender, home: Path) -> str:
    """Our verifier code, but holding a key whose alpha the attacker picked (so the
    attacker, not this wallet, is the one who can make proofs it accepts)."""
    words = installed_words(home)
    words[0:2] = [int(c) for c in multiply(G1, 12345)]
    return honest_pool(sender, words)


def _raw_deploy(sender: Sender, runtime: bytes, storage: dict[int, int]) -> str:
    """Deploy `runtime` as is (immutables included) with `storage` preset: init code that no
    Solidity constructor produced, which is exactly what an attacker can send."""
    init = b"".join(
        b"\x7f" + v.to_bytes(32, "big") + b"\x7f" + k.to_bytes(32, "big") + b"\x55"
        for k, v in storage.items()
    )
    tail = 11  # PUSH2 len, DUP1, PUSH2 offset, PUSH0, CODECOPY, PUSH0, RETURN
    offset = len(init) + tail
    init += (
        b"\x61"
        + len(runtime).to_bytes(2, "big")
        + b"\x80\x61"
        + offset.to_bytes(2, "big")
        + b"\x5f\x39\x5f\xf3"
    )
    assert len(init) == offset
    tx: Any = {"from": sender.address, "data": "0x" + (init + runtime).hex(), "gas": 3_000_000}
    receipt = sender.w3.eth.wait_for_transaction_receipt(sender.w3.eth.send_transaction(tx))
    assert receipt["status"] == 1
    return str(receipt["contractAddress"])


def preset_root_pool(sender: Sender, home: Path) -> str:
    """A copy of an honest pool's code whose root ring already holds a root of the
    attacker's own tree: a record naming its index is checked against it, so the attacker
    can prove membership."""
    code = bytes(sender.w3.eth.get_code(to_checksum_address(honest_pool(sender, installed_words(home)))))
    fake = MerkleTree(DEPTH, "poseidon")
    fake.insert(424242)
    empty = MerkleTree(DEPTH, "poseidon").root
    # slot 0 packs nextIndex and currentRootIndex; roots[i] is slot 1 + i
    address = _raw_deploy(sender, code, {1: empty, 1 + HOLE: fake.root})
    pool = sender.w3.eth.contract(address=to_checksum_address(address), abi=load("ETHPool").abi)
    # the backdoor is armed: a record naming root index HOLE is checked against this root
    assert int.from_bytes(pool.functions.roots(HOLE).call(), "big") == fake.root
    return address


def shifted_ring_pool(sender: Sender, home: Path) -> str:
    """A copy of an honest pool's code whose ring index starts mid-ring, over a slot of
    attacker roots: the newest root is genuine but the ring is not."""
    code = bytes(sender.w3.eth.get_code(to_checksum_address(honest_pool(sender, installed_words(home)))))
    empty = MerkleTree(DEPTH, "poseidon").root
    return _raw_deploy(sender, code, {0: 50 << 32, 1 + 50: empty, 1 + 49: 77})


def swapped_zeros_pool(sender: Sender, home: Path) -> str:
    """A copy of an honest pool's code reading its empty-subtree table from another contract."""
    honest = honest_pool(sender, installed_words(home))
    code = bytearray(sender.w3.eth.get_code(to_checksum_address(honest)))
    impostor = int(str(deploy_contract(sender, "TestToken").address), 16).to_bytes(32, "big")
    for offset in load("ETHPool").immutables["zerosStore"]:
        code[offset : offset + 32] = impostor
    return _raw_deploy(sender, bytes(code), {1: MerkleTree(DEPTH, "poseidon").root})


ATTACKS: dict[str, tuple[Callable[[Sender, Path], str], str]] = {
    "always-true verifier": (always_true_verifier_pool, "is not mixer's Groth16Verifier code"),
    "verifier with another key": (
        other_key_pool,
        "holds a verifying key other than the withdraw-poseidon-3 key",
    ),
    "root planted in the ring": (preset_root_pool, f"holds roots that no deposit made (ring slots {HOLE})"),
    "ring index shifted": (shifted_ring_pool, "root ring index is 50 after 0 deposits"),
    "empty-subtree table swapped": (swapped_zeros_pool, "empty-subtree table"),
}


def _balance(home: Path, rpc: list[str], address: str) -> int:
    with deployer(home, rpc) as sender:
        return int(sender.w3.eth.get_balance(to_checksum_address(address)))


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_should_not_deposit_into_a_backdoored_pool(attack: str, rpc: list[str], tmp_path: Path) -> None:
    home = new_home(tmp_path)
    build, reason = ATTACKS[attack]
    with deployer(home, rpc) as sender:
        pool = build(sender, home)
        depositor = str(sender.w3.eth.accounts[1])
        nonce = sender.w3.eth.get_transaction_count(to_checksum_address(depositor))

    refused = run(home, *rpc, "--account", "1", "deposit", "--pool", pool, ok=False)
    assert refused.exit_code == 1
    line = one_error_line(refused.stderr)
    assert f"refusing to deposit into {pool}" in line and reason in line, line
    assert _balance(home, rpc, pool) == 0
    with deployer(home, rpc) as sender:  # not even an approval or a registration went out
        assert sender.w3.eth.get_transaction_count(to_checksum_address(depositor)) == nonce

    (row,) = [p for p in run_json(home, *rpc, "status")["pools"] if p["pool"] == pool]
    assert row["trusted"] is False and any(reason in p for p in row["trustProblems"])
    assert "UNTRUSTED" in run(home, *rpc, "status").stdout


def test_an_honest_pool_deployed_by_someone_else_is_accepted(rpc: list[str], tmp_path: Path) -> None:
    """The same deployment path as the attacks, with nothing changed: deposits go through,
    and once more than a ring's worth of checks apply (a deposit made), still trusted."""
    home = new_home(tmp_path)
    with deployer(home, rpc) as sender:
        pool = honest_pool(sender, installed_words(home))
    for account in ("1", "2"):
        out = run_json(home, *rpc, "--account", account, "deposit", "--pool", pool)
        assert out["pool"] == pool
    assert _balance(home, rpc, pool) == 2 * DENOMINATION
    (row,) = run_json(home, *rpc, "status")["pools"]
    assert (row["trusted"], row["trustProblems"], row["deposits"]) == (True, [], 2)


def test_should_not_deposit_without_the_pools_key_installed(rpc: list[str], tmp_path: Path) -> None:
    """A wallet holding no key for the pool's circuit cannot make the proof a withdrawal
    needs, whoever deployed the pool: it must not deposit there."""
    keyed = new_home(tmp_path / "keyed")
    bare = tmp_path / "bare"
    bare.mkdir()
    with deployer(keyed, rpc) as sender:
        pool = honest_pool(sender, installed_words(keyed))
    if not rpc:  # the embedded chain lives in the home: give the bare home the same chain
        shutil.copytree(keyed / "chain", bare / "chain")
    refused = run(bare, *rpc, "--account", "1", "deposit", "--pool", pool, ok=False)
    assert refused.exit_code == 1
    assert f"no key for its circuit withdraw-poseidon-{DEPTH} is installed" in one_error_line(refused.stderr)
    assert _balance(bare, rpc, pool) == 0


def test_should_not_deposit_into_a_pool_whose_code_is_not_ours(rpc: list[str], tmp_path: Path) -> None:
    home = new_home(tmp_path)
    with deployer(home, rpc) as sender:
        token = str(deploy_contract(sender, "TestToken").address)
    refused = run(home, *rpc, "--account", "1", "deposit", "--pool", token, ok=False)
    assert refused.exit_code == 1
    assert "is not a mixer pool (its code is not ours)" in one_error_line(refused.stderr)


def test_the_check_reads_code_not_answers(rpc: list[str], tmp_path: Path) -> None:
    """Web3 is not consulted for what the pool says of itself: the verifier's key read back
    from its code is exactly the key it was deployed with."""
    home = new_home(tmp_path)
    words = installed_words(home)
    with deployer(home, rpc) as sender:
        pool = read_pool(sender, honest_pool(sender, words))
        assert verifier_key(sender, pool.verifier) == words
        assert (pool.contract, pool.hash, pool.levels, pool.denomination, pool.token) == (
            "ETHPool", "poseidon", DEPTH, DENOMINATION, None,
        )  # fmt: skip
        assert verifier_key(sender, pool.hasher) is None
        assert Web3.is_checksum_address(pool.zeros_store)
