"""From a note to a 296-byte withdrawal record: the pure data path (no chain, no files).

    plan = plan_withdrawal(note, synced.tree, ExtData(recipient, relayer, fee, refund))
    record = prove_withdrawal(proving_key, plan, root_index=synced.root_index, recipient_id=rid)

The chain-facing values (the root's slot in the pool's ring, the recipient's directory id)
come from the caller, who read them from the pool; everything here is deterministic
arithmetic on the note, the tree and the payment parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from circuits import registry
from circuits.withdraw import withdraw_inputs
from mixer.chain.record import Proof as RecordProof
from mixer.chain.record import WithdrawalRecord
from mixer.errors import MixerError
from mixer.extdata import ExtData
from mixer.merkle import MerkleTree
from mixer.note import Note
from mixer.snark import groth16
from mixer.snark.circuit import InputValue
from mixer.snark.keys import ProvingKey
from mixer.snark.proof import Proof


class WithdrawalError(MixerError, ValueError):
    """The note cannot be withdrawn with this tree or these parameters; the message says why."""


@dataclass(frozen=True)
class WithdrawalPlan:
    """Everything the prover needs, and the public values the pool will check."""

    circuit: str
    """Built-in circuit name, e.g. withdraw-poseidon-20."""
    inputs: dict[str, InputValue]
    leaf_index: int
    root: int
    nullifier_hash: int
    ext: ExtData

    @property
    def public_signals(self) -> list[int]:
        """[root, nullifierHash, extDataHash], the circuit's public inputs in order."""
        return [self.root, self.nullifier_hash, self.ext.hash()]


def plan_withdrawal(note: Note, tree: MerkleTree, ext: ExtData) -> WithdrawalPlan:
    """Locate the note's deposit in `tree` (the pool's synced tree) and lay out the inputs.

    The proof is made against the tree's current root, so the record must use that root's
    ring slot; WithdrawalError if the note belongs to another hash family or its
    commitment is not a leaf of the tree.
    """
    hash_name = tree.hasher.name
    if note.pool.hash != hash_name:
        raise WithdrawalError(f"the note is for a {note.pool.hash} pool but the tree uses {hash_name}")
    try:
        leaf_index = tree.leaves.index(note.commitment)
    except ValueError:
        raise WithdrawalError(
            "the note's deposit is not in the pool's tree (sync the pool, or check the note's pool)"
        ) from None
    elements, indices = tree.path(leaf_index)
    inputs = withdraw_inputs(
        note.nullifier, note.secret, elements, indices, tree.root, ext.hash(), hash_name=hash_name
    )
    return WithdrawalPlan(
        circuit=registry.CircuitSpec(hash_name, tree.depth).name,
        inputs=dict(inputs),
        leaf_index=leaf_index,
        root=tree.root,
        nullifier_hash=note.nullifier_hash,
        ext=ext,
    )


def witness(plan: WithdrawalPlan) -> list[int]:
    """The full witness of the plan's circuit (CircuitError if the inputs violate it)."""
    return registry.witness(plan.circuit, plan.inputs)


def record_proof(proof: Proof) -> RecordProof:
    """The engine's proof as the record's affine coordinates (no point may be infinity)."""
    if proof.a is None or proof.b is None or proof.c is None:
        raise WithdrawalError("a proof point is at infinity: no valid withdrawal proof has one")
    return RecordProof(a=proof.a, b=proof.b, c=proof.c)


def make_record(
    plan: WithdrawalPlan, proof: Proof, *, root_index: int, recipient_id: int
) -> WithdrawalRecord:
    """The 296-byte record for `plan`: `root_index` is the ring slot holding `plan.root`,
    `recipient_id` the directory id of `plan.ext.recipient` (both read from the pool)."""
    return WithdrawalRecord(root_index, plan.nullifier_hash, recipient_id, record_proof(proof))


def prove_withdrawal(
    pk: ProvingKey,
    plan: WithdrawalPlan,
    *,
    root_index: int,
    recipient_id: int,
    on_step: groth16.Step | None = None,
) -> WithdrawalRecord:
    """Witness, Groth16 proof and record for `plan`; the proof is checked before it is returned,
    so a wrong key or circuit is a WithdrawalError here instead of a reverted transaction."""
    proof = groth16.prove(pk, witness(plan), on_step=on_step)
    if not groth16.verify(pk.vk, plan.public_signals, proof):
        raise WithdrawalError(f"the proving key does not produce valid proofs for {plan.circuit}")
    return make_record(plan, proof, root_index=root_index, recipient_id=recipient_id)
