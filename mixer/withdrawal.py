"""From a note to a 296-byte withdrawal record: the pure data path (no chain, no files).

    plan = plan_withdrawal(note, synced, ExtData(recipient, relayer, fee, refund))
    circuit = circuits.registry.load(plan.circuit)
    record = prove_withdrawal(proving_key, plan, circuit, root_index=synced.root_index, recipient_id=rid)

The chain-facing values (the root's slot in the pool's ring, the recipient's id: the wallet
uses `new_recipient_id(0)`, so that the recipient is never looked up) come from the caller;
everything here is deterministic
arithmetic on the note, the tree's path and the payment parameters. The tree is anything
that gives a leaf's index and path (`Membership`): the synced pool, read from its store,
or an in-memory `MerkleTree`.

The compiled circuit comes from the caller too (`WithdrawalCircuit`: a name and a witness
function; `circuits.registry.load` gives the built-in ones), so this library does not
depend on the circuit package, which itself builds on this library's DSL and hashes.
`withdraw_inputs` is the circuit's input layout: it lives here, with the code that fills it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from mixer.chain.record import WithdrawalRecord
from mixer.errors import MixerError
from mixer.extdata import ExtData
from mixer.field import is_element
from mixer.hashes import get_hasher
from mixer.merkle import verify_path
from mixer.note import Note
from mixer.params import circuit_name
from mixer.snark import CircuitError, Proof, ProvingKey, groth16
from mixer.snark.circuit import InputValue

PROVE_STEPS: Final = ("witness", *groth16.PROVE_STEPS)
"""The steps `prove_withdrawal` reports to `on_step`, in order (then "check" when checking)."""
CHECK_STEP: Final = "check"


class WithdrawalCircuit(Protocol):
    """A compiled withdrawal circuit, as `circuits.registry.load(name)` returns."""

    @property
    def name(self) -> str:
        """The circuit's name, `withdraw-<hash>-<depth>`."""
        ...

    def witness(self, inputs: Mapping[str, InputValue], /) -> list[int]:
        """The full witness for `inputs` (CircuitError if they violate the circuit)."""
        ...


class Membership(Protocol):
    """A pool's tree as a withdrawal needs it: `mixer.chain.sync.SyncedPool` (from its
    store, nothing rebuilt) or `mixer.merkle.MerkleTree`."""

    @property
    def depth(self) -> int: ...

    @property
    def hash_name(self) -> str: ...

    @property
    def root(self) -> int: ...

    def leaf_index(self, commitment: int, /) -> int | None:
        """The leaf holding `commitment` (None: not deposited)."""
        ...

    def path(self, index: int, /) -> tuple[list[int], list[int]]:
        """(path_elements, path_indices) of leaf `index`."""
        ...


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


def plan_withdrawal(note: Note, tree: Membership, ext: ExtData) -> WithdrawalPlan:
    """Locate the note's deposit in `tree` (the pool's synced tree) and lay out the inputs.

    The proof is made against the tree's current root, so the record must use that root's
    ring slot; WithdrawalError if the note belongs to another hash family or its
    commitment is not a leaf of the tree.
    """
    hash_name = tree.hash_name
    if note.pool.hash != hash_name:
        raise WithdrawalError(f"the note is for a {note.pool.hash} pool but the tree uses {hash_name}")
    leaf_index = tree.leaf_index(note.commitment)
    if leaf_index is None:
        raise WithdrawalError(
            "the note's deposit is not in the pool's tree (sync the pool, or check the note's pool)"
        )
    root = tree.root
    elements, indices = tree.path(leaf_index)
    if not verify_path(root, note.commitment, elements, indices, hash_name):
        raise WithdrawalError(f"the tree's path of leaf {leaf_index} does not lead from the note to its root")
    inputs = withdraw_inputs(
        note.nullifier, note.secret, elements, indices, root, ext.hash(), hash_name=hash_name
    )
    return WithdrawalPlan(
        circuit=circuit_name(hash_name, tree.depth),
        inputs=inputs,
        leaf_index=leaf_index,
        root=root,
        nullifier_hash=note.nullifier_hash,
        ext=ext,
    )


def witness(plan: WithdrawalPlan, circuit: WithdrawalCircuit) -> list[int]:
    """The full witness of `plan` (CircuitError if the inputs violate the circuit);
    WithdrawalError if `circuit` is not the plan's."""
    if circuit.name != plan.circuit:
        raise WithdrawalError(f"the withdrawal needs circuit {plan.circuit}, not {circuit.name}")
    return circuit.witness(plan.inputs)


def make_record(
    plan: WithdrawalPlan, proof: Proof, *, root_index: int, recipient_id: int
) -> WithdrawalRecord:
    """The 296-byte record for `plan`: `root_index` is the ring slot holding `plan.root`,
    `recipient_id` points at `plan.ext.recipient` (a directory id, or `new_recipient_id(i)`).
    WithdrawalError if a point of `proof` is infinity: no valid withdrawal proof has one."""
    if proof.a is None or proof.b is None or proof.c is None:
        raise WithdrawalError("a proof point is at infinity: no valid withdrawal proof has one")
    return WithdrawalRecord(root_index, plan.nullifier_hash, recipient_id, proof)


def prove_withdrawal(
    pk: ProvingKey,
    plan: WithdrawalPlan,
    circuit: WithdrawalCircuit,
    *,
    root_index: int,
    recipient_id: int,
    on_step: Callable[[str], None] | None = None,
    check: bool = True,
) -> WithdrawalRecord:
    """Witness, Groth16 proof and record for `plan`, reporting `PROVE_STEPS` to `on_step`.

    With `check` (the default) the proof is verified before it is returned, so a wrong key
    or circuit is a WithdrawalError here instead of a reverted transaction; a caller whose
    transaction is dry-run anyway (which verifies it on chain) may skip that pairing check.
    """
    step = on_step if on_step is not None else _no_step
    step("witness")
    proof = groth16.prove(pk, witness(plan, circuit), on_step=on_step)
    if check:
        step(CHECK_STEP)
        if not groth16.verify(pk.vk, plan.public_signals, proof):
            raise WithdrawalError(f"the proving key does not produce valid proofs for {plan.circuit}")
    return make_record(plan, proof, root_index=root_index, recipient_id=recipient_id)


def _no_step(_: str) -> None:
    pass


def withdraw_inputs(
    nullifier: int,
    secret: int,
    path_elements: Sequence[int],
    path_indices: Sequence[int],
    root: int,
    ext_data_hash: int,
    *,
    hash_name: str,
) -> dict[str, InputValue]:
    """The withdrawal circuit's input signals (circom's names, integer values).

    nullifierHash is computed here from `nullifier` with the pool's hash; nothing is checked
    beyond field range, the circuit itself rejects a note that is not under `root`.
    `signals_json` turns them into the decimal strings of a snarkjs input.json.
    """
    if len(path_elements) != len(path_indices):
        raise CircuitError("pathElements and pathIndices must have the same length")
    values = [nullifier, secret, root, ext_data_hash, *path_elements, *path_indices]
    if not all(isinstance(v, int) and not isinstance(v, bool) and is_element(v) for v in values):
        raise CircuitError("every withdrawal input must be an integer in [0, r)")
    return {
        "root": root,
        "nullifierHash": get_hasher(hash_name).nullifier_hash(nullifier),
        "extDataHash": ext_data_hash,
        "nullifier": nullifier,
        "secret": secret,
        "pathElements": list(path_elements),
        "pathIndices": list(path_indices),
    }


def signals_json(inputs: Mapping[str, InputValue]) -> dict[str, str | list[str]]:
    """Input signals as a snarkjs input.json holds them: decimal strings (JSON numbers would
    lose precision in JavaScript)."""
    return {
        name: str(value) if isinstance(value, (int, str)) else [str(v) for v in value]
        for name, value in inputs.items()
    }
