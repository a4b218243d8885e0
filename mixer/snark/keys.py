"""Groth16 proving and verifying keys, and the checks that refuse unusable ones.

A proving key holds what snarkjs's `.zkey` holds (same QAP layout, see `qap`), plus the
digest of the R1CS it was made for, so that proving with a key for another circuit fails
loudly instead of producing proofs no verifier accepts. Keys imported from a `.zkey` have
no digest; they are matched to a circuit by their A/B matrices instead (`check_circuit`).

Only the types live here, without I/O: our key file is `keyfile`, snarkjs's JSON is
`snarkjs`, its `.zkey` is `iden3`; every reader validates what it built with the checks below.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Final

from mixer.bn254 import G1, G2, g1_is_on_curve, g1_neg, g2_in_subgroup, g2_is_on_curve, g2_neg
from mixer.errors import MixerError
from mixer.field import R
from mixer.snark import qap as qap_mod
from mixer.snark.errors import SnarkFormatError
from mixer.snark.qap import QAP
from mixer.snark.r1cs import R1CS


class KeyMismatchError(MixerError, ValueError):
    """A proving key made for a different circuit than the one being proven."""


class ForgeableKeyError(SnarkFormatError):
    """A well-formed verifying key for which anyone can make accepted proofs without a witness.

    A `SnarkFormatError`, so every caller that refuses an unusable key refuses this one too.
    """


@dataclass(frozen=True)
class VerifyingKey:
    alpha1: G1
    beta2: G2
    gamma2: G2
    delta2: G2
    ic: tuple[G1, ...]
    """IC[0] for the constant wire, then one point per public input."""

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1

    def validate(self) -> None:
        """SnarkFormatError unless every point is a member of its group; ForgeableKeyError if
        the points are degenerate so that proofs can be made without a witness (`_refuse_forgeable`)."""
        for name, p in (("vk_alpha_1", self.alpha1), *((f"IC[{i}]", p) for i, p in enumerate(self.ic))):
            if p is not None and not g1_is_on_curve(p):
                raise SnarkFormatError(f"verification key {name} is not a point of G1")
        for name, q in (("vk_beta_2", self.beta2), ("vk_gamma_2", self.gamma2), ("vk_delta_2", self.delta2)):
            if q is not None and not (g2_is_on_curve(q) and g2_in_subgroup(q)):
                raise SnarkFormatError(f"verification key {name} is not a point of G2")
        _refuse_forgeable(self)


_FORGEABLE: Final = ": anyone could forge proofs for it"


def _refuse_forgeable(vk: VerifyingKey) -> None:
    """ForgeableKeyError if `vk` has a degeneracy that anyone can exploit from the key alone.

    The verifier accepts A, B, C (none the identity) when
    e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta), with vk_x = IC[0] + sum x_i IC[i].
    Groth16 is sound only if nobody knows a relation between the key's points. Each check
    refuses a relation that is public, with the forgery it allows:

    - delta == gamma, the key of a snarkjs `_0000.zkey` (no phase-2 contribution):
      A = alpha, B = beta, C = -vk_x. delta == -gamma: the same with C = vk_x.
    - beta == +-gamma: A = C = vk_x +- alpha, B = gamma + delta.
    - beta == +-delta: A = vk_x, B = gamma, C = -+alpha.
    - alpha or beta the identity: A = C = vk_x, B = gamma + delta.
    - gamma the identity: A = C = alpha, B = beta + delta, whatever the public inputs.
    - delta the identity: no setup makes it (delta divides the proving key's C and H
      points), and C would drop out of the check.
    - IC[i] the identity: public input i is bound by nothing. IC[i] == +-IC[j] for two
      public inputs: shifting x_i by t and x_j by -+t keeps vk_x, so one valid withdrawal
      yields proofs for other nullifier hashes. An honest setup never gives either (each
      public input has its own QAP row, see `qap`).

    A relation known only to whoever made the key (its toxic waste, or a delta that is a
    small multiple of gamma) does not show in the points: a phase-2 ceremony with one
    honest contributor is what rules that out (docs/ceremony.md).
    """
    g2s = (("beta", vk.beta2), ("gamma", vk.gamma2), ("delta", vk.delta2))
    for name, point in (("alpha", vk.alpha1), *g2s):
        if point is None:
            raise ForgeableKeyError(f"this key's {name} is the point at infinity{_FORGEABLE}")
    if vk.delta2 == vk.gamma2:
        raise ForgeableKeyError(f"this key has had no phase-2 contribution (delta == gamma){_FORGEABLE}")
    for (left, p), (right, q) in itertools.combinations(g2s, 2):
        if p == q or p == g2_neg(q):
            raise ForgeableKeyError(f"this key has {left} == +-{right}{_FORGEABLE}")
    for i, p1 in enumerate(vk.ic):
        if p1 is None:
            raise ForgeableKeyError(
                f"this key's IC[{i}] is the point at infinity: proofs would not bind input {i}"
            )
    for (i, p1), (j, q1) in itertools.combinations(enumerate(vk.ic[1:], start=1), 2):
        if p1 == q1 or p1 == g1_neg(q1):
            raise ForgeableKeyError(
                f"this key has IC[{i}] == +-IC[{j}]: from one valid proof anyone could forge proofs "
                "for other public inputs"
            )


@dataclass(frozen=True, eq=False)
class ProvingKey:
    """Everything `groth16.prove` needs; `vk` is the matching verifying key."""

    vk: VerifyingKey
    circuit_digest: str | None
    """`R1CS.digest()` of the circuit, or None for keys imported from a snarkjs `.zkey` (a key
    read from the prover cache carries the digest of the circuit it was checked against)."""
    qap: QAP
    beta1: G1
    delta1: G1
    a_points: tuple[G1, ...]
    b1_points: tuple[G1, ...]
    b2_points: tuple[G2, ...]
    c_points: tuple[G1, ...]
    """One per private wire (wires n_public + 1 ..)."""
    h_points: tuple[G1, ...]

    def check_circuit(self, r1cs: R1CS) -> None:
        """KeyMismatchError unless this key was made for `r1cs`."""
        if self.circuit_digest is not None:
            if self.circuit_digest != r1cs.digest():
                raise KeyMismatchError(
                    "the proving key was made for another circuit "
                    f"(key digest {self.circuit_digest[:16]}..., circuit digest {r1cs.digest()[:16]}...)"
                )
            return
        ours = qap_mod.from_r1cs(r1cs)
        if (ours.n_vars, ours.n_public, ours.domain_size) != (
            self.qap.n_vars,
            self.qap.n_public,
            self.qap.domain_size,
        ):
            raise KeyMismatchError(
                f"the proving key was made for another circuit ({self.qap.n_vars} wires, "
                f"{self.qap.n_public} public; this circuit has {ours.n_vars} wires, {ours.n_public} public)"
            )
        if sorted(ours.a) != sorted(self.qap.a) or sorted(ours.b) != sorted(self.qap.b):
            raise KeyMismatchError("the proving key was made for another circuit (its constraints differ)")


def check_coefficients(qap: QAP) -> None:
    """SnarkFormatError if a coefficient points outside the domain or the wires."""
    if qap.domain_size & (qap.domain_size - 1) or qap.domain_size < 2:
        raise SnarkFormatError("key domain size is not a power of two")
    for row, wire, value in (*qap.a, *qap.b):
        if row >= qap.domain_size or wire >= qap.n_vars or value >= R:
            raise SnarkFormatError("key has a coefficient outside its domain or wires")


def validate_key_points(pk: ProvingKey) -> None:
    """SnarkFormatError unless every point is on its curve (a corrupt file fails here, not
    as proofs nobody accepts) and the verifying key's points are non-identity group members."""
    pk.vk.validate()
    for p in (pk.beta1, pk.delta1):
        if p is None or not g1_is_on_curve(p):
            raise SnarkFormatError("proving key beta1/delta1 must be points of G1")
    for name, g1s in (("A", pk.a_points), ("B1", pk.b1_points), ("C", pk.c_points), ("H", pk.h_points)):
        if not all(g1_is_on_curve(p) for p in g1s):
            raise SnarkFormatError(f"proving key has a point off the curve in {name}")
    if not all(g2_is_on_curve(p) for p in pk.b2_points):
        raise SnarkFormatError("proving key has a point off the curve in B2")
