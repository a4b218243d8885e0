"""Groth16Verifier on the EVM (py-evm and anvil), alone and behind the pool: inputs `>= r`,
proof words `>= q`, invalid or tampered proofs, alone or hidden in a batch."""

from __future__ import annotations

from mixer.bn254 import G1_GEN, P, g1_add, g1_mul, g1_neg
from mixer.chain.record import WithdrawalRecord, proof_to_bytes
from mixer.field import R, random_element
from mixer.snark.proof import Proof
from mixer.snark.snarkjs import proof_from_snarkjs
from tests.support.contract_checks import Untouched, expect_revert, guarded
from tests.support.contract_env import Env, fresh_address, record_for, withdraw_raw
from tests.support.snarkjs_toy import prove


def test_verifier_rejects_public_inputs_at_or_above_r(env: Env) -> None:
    verifier = env.contract("Groth16Verifier", env.eth_addresses.verifier)
    public = (random_element() % 2**200, random_element() % 2**200, random_element() % 2**200)
    proof = proof_from_snarkjs(prove(public)[0])
    assert verifier.functions.verifyProof(proof_to_bytes(proof), list(public)).call()
    for i in range(3):
        aliased = list(public)
        aliased[i] += R
        assert not verifier.functions.verifyProof(proof_to_bytes(proof), aliased).call()


def test_batch_verifier_rejects_inputs_at_or_above_r_and_misplaced_inputs(env: Env) -> None:
    verifier = env.contract("Groth16Verifier", env.eth_addresses.verifier)
    publics = [tuple(random_element() % 2**200 for _ in range(3)) for _ in range(2)]
    proofs = b"".join(proof_to_bytes(proof_from_snarkjs(p)) for p in prove(*publics))
    inputs = [x for public in publics for x in public]
    assert verifier.functions.verifyProofs(proofs, inputs).call()
    for i in range(6):
        aliased = list(inputs)
        aliased[i] += R
        assert not verifier.functions.verifyProofs(proofs, aliased).call()
    assert not verifier.functions.verifyProofs(proofs, inputs[3:] + inputs[:3]).call()
    assert not verifier.functions.verifyProofs(proofs, inputs[:3]).call()
    assert not verifier.functions.verifyProofs(proofs[:-1], inputs).call()


def test_batch_verifier_rejects_invalid_proofs_whose_errors_cancel(env: Env) -> None:
    """C1 + D and C2 - D: an unweighted sum of the batch would not notice; the random
    weights do."""
    verifier = env.contract("Groth16Verifier", env.eth_addresses.verifier)
    publics = [tuple(random_element() % 2**200 for _ in range(3)) for _ in range(2)]
    first, second = (proof_from_snarkjs(p) for p in prove(*publics))
    shift = g1_mul(G1_GEN, random_element())
    c1, c2 = g1_add(first.c, shift), g1_add(second.c, g1_neg(shift))
    assert c1 is not None and c2 is not None
    assert g1_add(c1, c2) == g1_add(first.c, second.c)  # the errors cancel in a plain sum
    bent = proof_to_bytes(Proof(first.a, first.b, c1)) + proof_to_bytes(Proof(second.a, second.b, c2))
    inputs = [x for public in publics for x in public]
    assert verifier.functions.verifyProofs(proof_to_bytes(first) + proof_to_bytes(second), inputs).call()
    assert not verifier.functions.verifyProofs(bent, inputs).call()


def test_rejects_batch_with_one_bad_proof(env: Env) -> None:
    good = record_for(env.eth, fresh_address())
    bad = record_for(env.eth, fresh_address())
    forged = WithdrawalRecord(bad.root_index, bad.nullifier_hash, bad.recipient_id, good.proof)
    guarded(env, env.eth, [good, forged], "InvalidProof")


def test_rejects_bad_proof(env: Env) -> None:
    record = record_for(env.eth, fresh_address())
    a, b, c = record.proof.a, record.proof.b, record.proof.c
    tampered = WithdrawalRecord(
        record.root_index, record.nullifier_hash, record.recipient_id, Proof(a=c, b=b, c=a)
    )
    guarded(env, env.eth, [tampered], "InvalidProof")


def test_rejects_proof_coordinate_at_or_above_q(env: Env) -> None:
    """Each of the eight proof words replaced by word + q (the same residue mod q) is refused
    as InvalidProof, alone (plain verifier) and inside a batch (batch verifier)."""
    good = record_for(env.eth, fresh_address())
    victim = record_for(env.eth, fresh_address())
    for word in range(8):
        raw = bytearray(victim.encode())
        at = 40 + 32 * word
        raw[at : at + 32] = (int.from_bytes(raw[at : at + 32], "big") + P).to_bytes(32, "big")
        watched = [env.eth.recipient_at(r.recipient_id) for r in (good, victim)]
        for batch in (bytes(raw), good.encode() + bytes(raw)):
            snap = Untouched(env, env.eth, watched, [good.nullifier_hash, victim.nullifier_hash])
            expect_revert("InvalidProof", withdraw_raw, env.eth, batch)
            snap.check()
