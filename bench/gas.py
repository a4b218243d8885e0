"""Gas and calldata of the pool contracts on a real node (anvil), Poseidon and MiMC side by side.

    python -m bench.gas

Gas is deterministic, so every number is exact for these inputs. Proofs come from snarkjs on
a toy circuit with the withdrawal circuit's three public inputs: the verifier's gas depends
only on the number of public inputs, not on the circuit. Recipients are fresh (never-used)
addresses, the private case, which pays the EVM's new-account surcharge (25,000 gas) on
every payout; they are in the pool's directory beforehand unless the row says "first-time"
(named through the transaction's `newRecipients`, paid without being registered).

The peer is Tornado Cash Classic: its withdraw(bytes,bytes32,bytes32,address,address,uint256,
uint256) call encoded for the same withdrawal (calldata measured here), and its published
~380k gas per L1 withdrawal (an anchor, not measured in this run).
"""

from __future__ import annotations

import statistics
import sys

from eth_abi.abi import encode
from eth_utils.crypto import keccak
from web3 import Web3

from mixer.chain.client import Sender, Transaction
from mixer.chain.pool import PoolClient, deploy_pool, vk_words
from mixer.chain.record import WithdrawalRecord, encode_batch, proof_to_bytes
from mixer.field import random_element
from mixer.snark.snarkjs import vk_from_snarkjs
from tests.support.chain_nodes import anvil
from tests.support.contract_env import fresh_address, record_for
from tests.support.snarkjs_toy import verification_key

DEPTH = 20
DENOMINATION = 10**17
FEE = 10**15
DEPOSITS = 20
BATCHES = (1, 4, 8)
DEPOSIT_TARGET = 500_000
WITHDRAW_TARGET = 240_000
TORNADO_WITHDRAW_GAS = 380_000
TORNADO_SIGNATURE = "withdraw(bytes,bytes32,bytes32,address,address,uint256,uint256)"


def calldata_gas(data: bytes) -> int:
    """EIP-2028 calldata cost: 4 gas per zero byte, 16 per non-zero byte."""
    return sum(4 if b == 0 else 16 for b in data)


def tornado_calldata(record: WithdrawalRecord, root: int, recipient: str, relayer: str) -> bytes:
    args = [proof_to_bytes(record.proof), root.to_bytes(32, "big"), record.nullifier_hash.to_bytes(32, "big")]
    return keccak(text=TORNADO_SIGNATURE)[:4] + encode(
        ["bytes", "bytes32", "bytes32", "address", "address", "uint256", "uint256"],
        [*args, recipient, relayer, FEE, 0],
    )


def tx_input(w3: Web3, sent: Transaction) -> bytes:
    return bytes(w3.eth.get_transaction(sent.hash)["input"])  # type: ignore[arg-type]


def measure(w3: Web3, sender: Sender, relayer: str, kind: str, vk: list[int]) -> tuple[PoolClient, bool]:
    addresses = deploy_pool(sender, hasher=kind, verifying_key=vk, denomination=DENOMINATION, levels=DEPTH)
    pool = PoolClient(sender, addresses.pool)
    gas = [pool.deposit(random_element()).gas_used for _ in range(DEPOSITS)]
    later = gas[1:]
    print(
        f"  {kind:10} deposit    first {gas[0]:>9,}   later: mean {statistics.mean(later):>9,.0f}"
        f"  max {max(later):>9,}  (over {len(later)})"
    )
    ok = kind != "poseidon" or max(gas) <= DEPOSIT_TARGET
    for n in BATCHES:
        records = [record_for(pool, fresh_address(), relayer=relayer, fee=FEE) for _ in range(n)]
        sent = pool.withdraw(records, relayer=relayer, fee=FEE)
        per, data = sent.gas_used // n, tx_input(w3, sent)
        print(
            f"  {kind:10} withdraw x{n}  total {sent.gas_used:>9,}   per record {per:>9,}"
            f"   calldata {len(data) / n:>5.0f} B, {calldata_gas(data) / n:>6,.0f} gas per record"
        )
        ok = ok and (n != 8 or per <= WITHDRAW_TARGET)
    # a first-time recipient, named by the transaction's newRecipients (what `mixer withdraw` sends)
    recipient = fresh_address()
    ids, new = pool.assign_recipient_ids([recipient])
    record = record_for(pool, recipient, relayer=relayer, fee=FEE, recipient_id=ids[0])
    sent = pool.withdraw([record], new_recipients=new, relayer=relayer, fee=FEE)
    print(f"  {kind:10} withdraw x1, first-time recipient through newRecipients: {sent.gas_used:,}")
    return pool, ok


def main() -> int:
    ok = True
    with anvil() as w3:
        accounts = list(w3.eth.accounts)
        sender = Sender(w3, accounts[0])
        relayer = accounts[1]
        vk = vk_words(vk_from_snarkjs(verification_key()))
        print(f"gas used per transaction on anvil, depth {DEPTH}, fee paid to a relayer")
        pools = {}
        for kind in ("poseidon", "mimcsponge"):
            pools[kind], met = measure(w3, sender, relayer, kind, vk)
            ok = ok and met
        pool = pools["poseidon"]
        recipient = fresh_address()
        record = record_for(pool, recipient, relayer=relayer, fee=FEE)
        ours = encode_batch([record])
        call = pool.contract.functions.withdraw(ours, [], relayer, FEE, 0)
        ours_tx = bytes.fromhex(call._encode_transaction_data()[2:])
        tornado = tornado_calldata(record, pool.root_at(record.root_index), recipient, relayer)
        print("\none withdrawal's calldata                          bytes   calldata gas")
        for label, data in (
            ("296-byte record alone", ours),
            ("our withdraw(...) call, 1 record", ours_tx),
            ("Tornado withdraw(...) call (peer)", tornado),
        ):
            print(f"  {label:46} {len(data):5}   {calldata_gas(data):8,}")
        for label, data in (("record", ours), ("our 1-record call", ours_tx)):
            size, gas = len(data) / len(tornado), calldata_gas(data) / calldata_gas(tornado)
            print(f"  ratio {label + ' / Tornado call':40} {size:5.2f}   {gas:8.2f}")
    print(f"\nanchor: Tornado Classic withdrawal ~{TORNADO_WITHDRAW_GAS:,} gas on L1; pairing 181,000")
    verdict = "met" if ok else "MISSED"
    print(
        f"targets: Poseidon deposit <= {DEPOSIT_TARGET:,}; withdraw <= {WITHDRAW_TARGET:,} per record"
        f" in a batch of 8: {verdict}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
