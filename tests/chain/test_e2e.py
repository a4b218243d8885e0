"""End to end on the persistent embedded chain and on anvil, with the project's own Groth16:
deposit -> (reopen the chain) -> sync -> prove -> 296-byte record -> withdraw, directly (from a
Poseidon and from a MiMCSponge pool) and as a relayer's batch. The pool's verifier (the EVM's
BN254 precompiles) is the independent judge of every proof."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from web3 import Web3
from web3.logs import DISCARD

from circuits import registry
from mixer.chain.client import ContractReverted, Sender
from mixer.chain.embedded import close, open_embedded
from mixer.chain.pool import PoolClient, deploy_pool, vk_words
from mixer.chain.record import RECORD_SIZE, WithdrawalRecord
from mixer.chain.sync import sync_deposits
from mixer.extdata import ExtData
from mixer.hashes import get_hasher
from mixer.note import Note, Pool
from mixer.snark import groth16
from mixer.snark.keys import ProvingKey
from mixer.withdrawal import plan_withdrawal, prove_withdrawal
from tests.support.chain_nodes import anvil
from tests.support.contract_env import fresh_address

DENOMINATION = 10**17
FEE = 10**15
WITHDRAW_GAS = 400_000  # per record; fixed, so py-evm runs each pairing once, not twice


@functools.cache
def proving_key(circuit: str) -> ProvingKey:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", groth16.DevSetupWarning)
        return groth16.setup(registry.compile(circuit), seed=5)


@dataclass
class Chain:
    w3: Web3
    home: Path | None
    """The embedded chain's folder; None for anvil."""

    def reopen(self) -> None:
        """Close and reopen the embedded chain (what a later process sees); anvil stays as is."""
        if self.home is not None:
            close(self.w3)
            self.w3 = open_embedded(self.home)


@pytest.fixture(scope="module", params=["embedded", "anvil"])
def chain(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    if request.param == "anvil":
        with anvil() as w3:
            yield Chain(w3, None)
        return
    home = tmp_path_factory.mktemp("embedded")
    handle = Chain(open_embedded(home), home)
    yield handle
    close(handle.w3)


@dataclass
class Deployed:
    chain: Chain
    address: str
    hasher: str
    key: ProvingKey
    notes: list[Note]
    cache: Path

    @property
    def pool(self) -> PoolClient:
        """The pool on the chain as it is now (the embedded one may have been reopened)."""
        w3 = self.chain.w3
        return PoolClient(Sender(w3, w3.eth.accounts[0]), self.address)

    @property
    def relayer(self) -> str:
        return str(self.chain.w3.eth.accounts[1])

    def withdraw(self, items: list[tuple[Note, str]], fee: int) -> tuple[list[WithdrawalRecord], list[str]]:
        """Sync, then prove each (note, recipient) against the synced root; records and the
        recipients the transaction must register."""
        pool = self.pool
        synced = sync_deposits(pool.sender.w3, self.address, hasher=self.hasher, cache_dir=self.cache)
        ids, new = pool.assign_recipient_ids([r for _, r in items])
        records = []
        for (note, recipient), rid in zip(items, ids, strict=True):
            plan = plan_withdrawal(note, synced, ExtData(recipient, self.relayer, fee))
            circuit = registry.load(plan.circuit)
            records.append(
                prove_withdrawal(self.key, plan, circuit, root_index=synced.root_index, recipient_id=rid)
            )
        return records, new


def deploy_and_deposit(chain: Chain, hasher: str, depth: int, count: int, cache: Path) -> Deployed:
    """A pool of `hasher` and `depth` with `count` deposits; then the chain is reopened."""
    key = proving_key(f"withdraw-{hasher}-{depth}")
    w3 = chain.w3
    sender = Sender(w3, w3.eth.accounts[0])
    vk = vk_words(key.vk)
    address = deploy_pool(
        sender, hasher=hasher, verifying_key=vk, denomination=DENOMINATION, levels=depth
    ).pool
    pool = PoolClient(sender, address)
    identity = Pool(hasher, "eth", "0.1", int(w3.eth.chain_id), address)
    notes = [Note.generate(identity) for _ in range(count)]
    for note in notes:
        pool.deposit(get_hasher(hasher).commitment(note.nullifier, note.secret))
    chain.reopen()
    return Deployed(chain, address, hasher, key, notes, cache)


@pytest.fixture(scope="module")
def poseidon(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    return deploy_and_deposit(chain, "poseidon", 4, 7, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def mimcsponge(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """A lean MiMC pool (depth 2: its circuit is ~10x Poseidon's per hash)."""
    return deploy_and_deposit(chain, "mimcsponge", 2, 3, tmp_path_factory.mktemp("cache"))


def balance(pool: PoolClient, address: str) -> int:
    return int(pool.sender.w3.eth.get_balance(address))  # type: ignore[arg-type]


@pytest.mark.parametrize("family", ["poseidon", "mimcsponge"])
def test_deposit_sync_prove_withdraw_pays_recipient_and_relayer(
    chain: Chain, family: str, request: pytest.FixtureRequest
) -> None:
    deployed: Deployed = request.getfixturevalue(family)  # on `chain`
    pool, recipient = deployed.pool, fresh_address()
    assert pool.next_index() == len(deployed.notes)  # the deposits survived the reopen
    (record,), new = deployed.withdraw([(deployed.notes[2], recipient)], FEE)
    assert new == [recipient]
    raw = record.encode()
    assert len(raw) == RECORD_SIZE
    relayer_before, pool_before = balance(pool, deployed.relayer), balance(pool, pool.address)
    sent = pool.withdraw([record], new_recipients=new, relayer=deployed.relayer, fee=FEE, gas=WITHDRAW_GAS)
    tx = pool.sender.w3.eth.get_transaction(sent.hash)  # type: ignore[arg-type]
    assert raw in bytes(tx["input"])
    assert balance(pool, recipient) == DENOMINATION - FEE
    assert balance(pool, deployed.relayer) == relayer_before + FEE
    assert balance(pool, pool.address) == pool_before - DENOMINATION
    assert pool.is_spent(record.nullifier_hash)


def test_relayer_batch_pays_every_record_in_one_transaction(poseidon: Deployed) -> None:
    deployed = poseidon
    pool = deployed.pool
    known = fresh_address()
    pool.register_recipient(known)
    first, second = fresh_address(), fresh_address()
    recipients = [first, known, second, first]  # a new, a known and a repeated recipient
    items = list(zip(deployed.notes[3:7], recipients, strict=True))
    records, new = deployed.withdraw(items, FEE)
    assert new == [first, second]
    relayer_before = balance(pool, deployed.relayer)
    sent = pool.withdraw(
        records, new_recipients=new, relayer=deployed.relayer, fee=FEE, gas=len(records) * WITHDRAW_GAS
    )
    events = pool.contract.events.Withdrawal().process_receipt(sent.receipt, errors=DISCARD)
    assert [e["args"]["to"] for e in events] == recipients
    assert [balance(pool, r) for r in (first, known, second)] == [
        2 * (DENOMINATION - FEE),
        DENOMINATION - FEE,
        DENOMINATION - FEE,
    ]
    assert balance(pool, deployed.relayer) == relayer_before + 4 * FEE
    assert all(pool.is_spent(r.nullifier_hash) for r in records)


def test_real_proof_cannot_be_redirected_or_replayed(poseidon: Deployed) -> None:
    deployed = poseidon
    pool, recipient = deployed.pool, fresh_address()
    (record,), new = deployed.withdraw([(deployed.notes[0], recipient)], FEE)
    assert new == [recipient]  # the record names newRecipients[0], not a directory id
    with pytest.raises(ContractReverted) as info:
        pool.withdraw([record], new_recipients=new, relayer=deployed.relayer, fee=FEE + 1)
    assert info.value.error == "InvalidProof"
    thief = fresh_address()
    pool.register_recipient(thief)
    ids, _ = pool.assign_recipient_ids([thief])
    stolen = WithdrawalRecord(record.root_index, record.nullifier_hash, ids[0], record.proof)
    with pytest.raises(ContractReverted) as info:
        pool.withdraw([stolen], relayer=deployed.relayer, fee=FEE)
    assert info.value.error == "InvalidProof" and balance(pool, thief) == 0
    with pytest.raises(ContractReverted) as info:  # nor by swapping the newRecipients entry
        pool.withdraw([record], new_recipients=[thief], relayer=deployed.relayer, fee=FEE)
    assert info.value.error == "InvalidProof" and balance(pool, thief) == 0
    pool.withdraw([record], new_recipients=new, relayer=deployed.relayer, fee=FEE, gas=WITHDRAW_GAS)
    assert balance(pool, recipient) == DENOMINATION - FEE
    with pytest.raises(ContractReverted) as info:
        pool.withdraw([record], new_recipients=new, relayer=deployed.relayer, fee=FEE)
    assert info.value.error == "NullifierSpent"
