"""Groth16 over BN254: a development setup, the prover and the verifier.

Keys follow snarkjs's QAP layout (see `qap`), so `prove` works unchanged with keys from our
`setup` and with `.zkey` files from a snarkjs phase-2 ceremony, and our proofs verify with
`snarkjs groth16 verify` and the Solidity verifier.
"""

from __future__ import annotations

import hashlib
import secrets
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mixer.bn254 import (
    G1,
    G1_GEN,
    G2,
    G2_GEN,
    g1_add,
    g1_is_on_curve,
    g1_mul,
    g1_mul_many,
    g1_neg,
    g2_add,
    g2_in_subgroup,
    g2_is_on_curve,
    g2_mul,
    g2_mul_many,
    pairing_check,
)
from mixer.field import R
from mixer.processes import default_workers
from mixer.snark import multiexp
from mixer.snark.keys import KeyMismatchError, ProvingKey, VerifyingKey
from mixer.snark.multiexp import MSM
from mixer.snark.proof import Proof
from mixer.snark.qap import c_coefficients, from_r1cs, h_evaluations, lagrange_at, wire_polynomials_at
from mixer.snark.r1cs import R1CS
from mixer.snark.workers import prove_workers, run_parallel

if TYPE_CHECKING:
    from mixer.snark.held_tables import HeldTables

Step = Callable[[str], None]
"""Called with the name of each prover step as it starts (progress bars, profiling)."""

PROVE_STEPS: Final = ("H polynomial", "MSM A", "MSM B1", "MSM B2", "MSM C", "MSM H")
"""In one process every step is reported; with workers, only the first (the MSMs overlap)."""
SETUP_STEPS: Final = ("QAP at tau", "points A", "points B1", "points B2", "points C", "points H")


class DevSetupWarning(UserWarning):
    """A single-party setup was run: whoever ran it can forge proofs for its key."""


class WitnessError(ValueError):
    """A witness of the wrong length, or not starting with the constant 1, or with values >= r."""


def _toxic_scalars(seed: int | None, domain_size: int) -> tuple[int, int, int, int, int]:
    """tau, alpha, beta, gamma, delta: random, or derived from `seed` for reproducible tests."""
    out = []
    for label in (b"tau", b"alpha", b"beta", b"gamma", b"delta"):
        counter = 0
        while True:
            if seed is None:
                x = secrets.randbelow(R)
            else:
                material = b"mixer-dev-setup|%d|%s|%d" % (seed, label, counter)
                x = int.from_bytes(hashlib.sha512(material).digest(), "big") % R
            counter += 1
            # tau must avoid both Lagrange domains (n and 2n); others must be invertible.
            if x and (label != b"tau" or pow(x, 2 * domain_size, R) != 1):
                break
        out.append(x)
    return out[0], out[1], out[2], out[3], out[4]


def setup(r1cs: R1CS, *, seed: int | None = None, on_step: Step | None = None) -> ProvingKey:
    """A single-party DEVELOPMENT key for `r1cs`. Not for real funds.

    Whoever runs it learns tau, alpha, beta, gamma, delta (the "toxic waste") and can forge
    proofs for any public inputs. Production keys come from a multi-party ceremony (snarkjs
    phase 2) and are imported with `files.load_key`. With `seed`, the key is deterministic.
    """
    warnings.warn(
        "single-party development setup: its creator can forge proofs; use a ceremony key for real funds",
        DevSetupWarning,
        stacklevel=2,
    )
    step = on_step or _no_step
    step(SETUP_STEPS[0])
    qap = from_r1cs(r1cs)
    n = qap.domain_size
    tau, alpha, beta, gamma, delta = _toxic_scalars(seed, n)
    u, v, w = wire_polynomials_at(qap, c_coefficients(r1cs), lagrange_at(tau, n))
    gamma_inv, delta_inv = pow(gamma, -1, R), pow(delta, -1, R)
    k = [(beta * ui + alpha * vi + wi) % R for ui, vi, wi in zip(u, v, w, strict=True)]
    n_bound = r1cs.n_public + 1
    lagrange_2n = lagrange_at(tau, 2 * n)
    vk = VerifyingKey(
        alpha1=g1_mul(G1_GEN, alpha),
        beta2=g2_mul(G2_GEN, beta),
        gamma2=g2_mul(G2_GEN, gamma),
        delta2=g2_mul(G2_GEN, delta),
        ic=tuple(g1_mul_many(G1_GEN, [x * gamma_inv % R for x in k[:n_bound]])),
    )
    step(SETUP_STEPS[1])
    a_points = tuple(g1_mul_many(G1_GEN, u))
    step(SETUP_STEPS[2])
    b1_points = tuple(g1_mul_many(G1_GEN, v))
    step(SETUP_STEPS[3])
    b2_points = tuple(g2_mul_many(G2_GEN, v))
    step(SETUP_STEPS[4])
    c_points = tuple(g1_mul_many(G1_GEN, [x * delta_inv % R for x in k[n_bound:]]))
    step(SETUP_STEPS[5])
    h_points = tuple(g1_mul_many(G1_GEN, [lagrange_2n[2 * i + 1] * delta_inv % R for i in range(n)]))
    return ProvingKey(
        vk=vk,
        circuit_digest=r1cs.digest(),
        qap=qap,
        beta1=g1_mul(G1_GEN, beta),
        delta1=g1_mul(G1_GEN, delta),
        a_points=a_points,
        b1_points=b1_points,
        b2_points=b2_points,
        c_points=c_points,
        h_points=h_points,
    )


def _no_step(_: str) -> None:
    pass


@dataclass(frozen=True)
class KeyTables:
    """Precomputed tables of one proving key's points, held by this process and helper
    processes (`precompute`)."""

    key: ProvingKey
    held: HeldTables

    def close(self) -> None:
        """Stop the helper processes now (otherwise when the tables are garbage-collected)."""
        self.held.close()


def precompute(pk: ProvingKey, *, workers: int | None = None) -> KeyTables:
    """Tables that make every later `prove(pk, ..., tables=...)` faster (~25% less MSM
    work, and no forking per proof). Worth it for a prover that keeps the key loaded: at
    depth 20 they cost ~7 s of CPU once (~4 s wall in 2 processes) and ~270 MB (see
    docs/snark.md). `workers`
    processes (default: one per core) share the sums, each keeping its own tables (the
    helpers are started as `prove`'s workers are, see `mixer.snark.workers`).
    """
    workers = default_workers() if workers is None else workers
    sums = {
        "A": (pk.a_points, False),
        "B1": (pk.b1_points, False),
        "B2": (pk.b2_points, True),
        "C": (pk.c_points, False),
        "H": (pk.h_points, False),
    }
    from mixer.snark.held_tables import HeldTables  # here: only a long-lived prover loads it

    return KeyTables(pk, HeldTables(sums, "H", workers))


def _check_witness(pk: ProvingKey, witness: Sequence[int]) -> None:
    if len(witness) != pk.qap.n_vars:
        raise WitnessError(f"witness has {len(witness)} wires, the key's circuit has {pk.qap.n_vars}")
    if witness[0] != 1:
        raise WitnessError("witness wire 0 must be the constant 1")
    if not all(0 <= x < R for x in witness):
        raise WitnessError("witness values must be canonical field elements (< r)")


def prove(
    pk: ProvingKey,
    witness: Sequence[int],
    *,
    r1cs: R1CS | None = None,
    on_step: Step | None = None,
    workers: int | None = None,
    tables: KeyTables | None = None,
) -> Proof:
    """A proof for `witness` (all wires, R1CS order), with fresh randomness r, s.

    The witness must satisfy the circuit (check with `R1CS.is_satisfied`): otherwise the
    result is a proof no verifier accepts. Raises WitnessError for a malformed witness.
    `r1cs`: the circuit being proven; KeyMismatchError if `pk` was made for another one
    (`ProvingKey.check_circuit`), before any work.
    `workers` processes share the multi-exponentiations (default: one per available core,
    or in-process for small circuits, where starting processes costs more than it saves).
    They are forked only from a single-threaded process (the key's points by copy-on-write);
    with other threads running they start from the forkserver and get their points pickled,
    which is safe but slower (`mixer.snark.workers`, docs/snark.md).
    `tables`: `precompute(pk)`'s result (KeyMismatchError if made for another key object);
    its own processes then share the sums, whatever `workers` says.
    """
    if r1cs is not None:
        pk.check_circuit(r1cs)
    _check_witness(pk, witness)
    step = on_step or _no_step
    workers = prove_workers(workers, len(witness))
    scalars = {"A": witness, "B1": witness, "B2": witness, "C": witness[pk.qap.n_public + 1 :]}

    def h_scalars() -> list[int]:
        step(PROVE_STEPS[0])
        return h_evaluations(pk.qap, witness)

    if tables is not None:
        if tables.key is not pk:
            raise KeyMismatchError("the tables were precomputed for another proving key")
        sums = tables.held.run(scalars, h_scalars, lambda name: step(f"MSM {name}"))
        return _finish(pk, sums)
    points = {"A": pk.a_points, "B1": pk.b1_points, "B2": pk.b2_points, "C": pk.c_points}
    known = {name: MSM.sparse(points[name], scalars[name], g2=name == "B2") for name in points}
    if workers > 1:
        sums = run_parallel(known, "H", pk.h_points, h_scalars, workers)
    else:
        h = h_scalars()
        sums = {}
        for name, msm in (*known.items(), ("H", MSM(pk.h_points, h))):
            step(f"MSM {name}")
            sums[name] = multiexp.run(msm)
    return _finish(pk, sums)


def _finish(pk: ProvingKey, sums: dict[str, Any]) -> Proof:
    """The proof from the five sums, with fresh randomness r, s."""
    a, b1, b2 = sums["A"], sums["B1"], sums["B2"]
    c = g1_add(sums["C"], sums["H"])

    r, s = secrets.randbelow(R), secrets.randbelow(R)
    a = g1_add(g1_add(a, pk.vk.alpha1), g1_mul(pk.delta1, r))
    b2 = g2_add(g2_add(b2, pk.vk.beta2), g2_mul(pk.vk.delta2, s))
    b1 = g1_add(g1_add(b1, pk.beta1), g1_mul(pk.delta1, s))
    c = g1_add(c, g1_mul(a, s))
    c = g1_add(c, g1_mul(b1, r))
    c = g1_add(c, g1_mul(pk.delta1, (-r * s) % R))
    return Proof(a=a, b=b2, c=c)


def _is_word(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _valid_g1(p: object) -> bool:
    """A non-identity point of G1 given as a pair of canonical ints (cofactor 1: on curve = in G1)."""
    return isinstance(p, tuple) and len(p) == 2 and all(_is_word(x) for x in p) and g1_is_on_curve(p)


def _valid_g2(p: object) -> bool:
    """A non-identity point of the order-r subgroup of the twist."""
    if not (isinstance(p, tuple) and len(p) == 2):
        return False
    if not all(isinstance(c, tuple) and len(c) == 2 and all(_is_word(x) for x in c) for c in p):
        return False
    return g2_is_on_curve(p) and g2_in_subgroup(p)


def verify(vk: VerifyingKey, public: Sequence[int], proof: Proof) -> bool:
    """True iff `proof` is valid for `public` under `vk`; False (never an exception) otherwise.

    Rejects public inputs >= r (x and x + r would otherwise both verify, e.g. letting one
    nullifier be spent twice), a wrong number of them, and proof points that are the
    identity, off the curve, or (B) outside the order-r subgroup, and a proof parsed from
    numbers that encode no affine point (`Proof.defect`). One multi-pairing.
    """
    if not isinstance(proof, Proof) or proof.defect is not None:
        return False
    if not isinstance(public, (list, tuple)) or len(public) != vk.n_public:
        return False
    if not all(_is_word(x) and 0 <= x < R for x in public):
        return False
    if not (_valid_g1(proof.a) and _valid_g2(proof.b) and _valid_g1(proof.c)):
        return False
    vk_x: G1 = vk.ic[0]
    for x, point in zip(public, vk.ic[1:], strict=True):
        vk_x = g1_add(vk_x, g1_mul(point, x))
    pairs: list[tuple[G1, G2]] = [
        (g1_neg(proof.a), proof.b),
        (vk.alpha1, vk.beta2),
        (vk_x, vk.gamma2),
        (proof.c, vk.delta2),
    ]
    return pairing_check(pairs)
